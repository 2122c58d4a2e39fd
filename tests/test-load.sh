#!/bin/bash
# Load on the fixture's daemon (with-bus.sh): 1000 connections at once and
# 100,000 calls over them from 16 threads with zero errors, while a
# connection of another uid is answered; the daemon's memory is back to its
# baseline afterwards. TAP output. Needs BENCH (resource1-bench).
set -u
: "${BENCH:?}" "${RESOURCE1_FIXTURE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"
daemon=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
         GetConnectionUnixProcessID s org.example.Resource1 | awk '{print $2}')
private() { awk '/^Private_(Clean|Dirty)/{s += $2} END {print s}' "/proc/$daemon/smaps_rollup"; }

echo "1..5"
# Warm at scale first: the allocator keeps the peak it reached for the
# bursts of 1000 connections (their Hellos, their disconnect signals) for
# reuse; growth is what a second, bigger load adds on top.
"$BENCH" load 1000 10000 16 >/dev/null
base=$(private)

"$BENCH" load 1000 100000 16 > "$RESOURCE1_FIXTURE/load.out" 2>&1 &
load=$!
sleep 1
t0=$(date +%s%N)
setpriv --reuid=65534 --regid=65534 --clear-groups busctl --system call org.example.Resource1 \
        /org/example/Resource1 org.example.Resource1 GetRlimit s NOFILE >/dev/null
other=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$load"
status=$?
sed 's/^/# /' "$RESOURCE1_FIXTURE/load.out"
check "1000 connections, 100,000 calls, zero errors" '[ $status = 0 ] && grep -q " 0 errors" "$RESOURCE1_FIXTURE/load.out"'
echo "# another uid's call during the load took $ms ms"
check "another uid is answered during the load (in ${ms} ms)" '[ $other = 0 ] && [ $ms -lt 5000 ]'
sleep 0.5
after=$(private)
echo "# daemon private memory: $base KiB before, $after KiB after"
check "the daemon's memory is back to its warm baseline (within 64 KiB)" '[ $(( after - base )) -le 64 ]'
check "the daemon is alive" 'busctl --system call org.example.Resource1 /org/example/Resource1 org.freedesktop.DBus.Peer Ping >/dev/null'

# One uid reading at full bus speed (normal use, never refused) while another
# uid makes polkit-gated calls: those are answered promptly too.
"$BENCH" throughput 4 8 GetRlimit > "$RESOURCE1_FIXTURE/flood.out" &
flood=$!
sleep 1
slowest=0
for _ in $(seq 20); do
        t0=$(date +%s%N)
        setpriv --reuid=2 --regid=2 --clear-groups prlimit --nofile=400:800 -- busctl --system call \
                org.example.Resource1 /org/example/Resource1 org.example.Resource1 SetRlimit stt NOFILE 400 900 \
                >/dev/null 2>&1
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        [ "$ms" -gt "$slowest" ] && slowest=$ms
done
wait "$flood"
echo "# during a read flood ($(cat "$RESOURCE1_FIXTURE/flood.out")), the slowest of 20 gated calls of another uid took $slowest ms"
check "another uid's gated calls are answered promptly during a read flood (slowest ${slowest} ms)" '[ "$slowest" -lt 2000 ]'
tap_done
