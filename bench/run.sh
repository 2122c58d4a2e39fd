#!/bin/bash
# The benchmark command: on a fresh Debian 12 machine (as root) installs what
# is missing, builds, starts the fixture (private system bus, real polkitd
# with the test rules, real resource1d) and prints one table of figures.
#   bench/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != --inside ]; then
        tests/install-deps.sh --if-missing
        [ -d build ] || meson setup build
        ninja -C build >/dev/null
        export BENCH_QUICK=$([ "${1:-}" = --quick ] && echo 1 || echo 0)
        # Refusals are logged at notice; the gated loop would flood the console.
        export RESOURCE1D_ARGS=--log-level=warning
        exec tests/with-bus.sh --max-wait 1200 --rules tests/rules/test.rules -- "$PWD/bench/run.sh" --inside
fi

T=$RESOURCE1_FIXTURE/bench
mkdir -p "$T" && chmod 755 "$T"
# Copies every user may run, wherever the checkout lives.
install -m 755 build/bench/resource1-bench build/client/resourcectl/resourcectl build/client/lib/libresource1.so.1 "$T/"
export LD_LIBRARY_PATH=$T
B=$T/resource1-bench
if [ "$BENCH_QUICK" = 1 ]; then N=2000 G=50 SECS=0.5 CALLS=20000 CLIENTS=200 EXECS=30
else N=20000 G=300 SECS=2 CALLS=100000 CLIENTS=1000 EXECS=200; fi

daemon=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
         GetConnectionUnixProcessID s org.example.Resource1 | awk '{print $2}')
rss() { awk '/^VmRSS/{print $2}' "/proc/$daemon/status"; }
# What the daemon alone costs: its private pages, not the shared libraries' (libc, libsystemd).
private() { awk '/^Private_(Clean|Dirty)/{s += $2} END {print s}' "/proc/$daemon/smaps_rollup"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$daemon/stat"; }

sleep 3600 & child=$!
setpriv --reuid=5 --regid=60 --clear-groups sleep 3600 & other=$!
dbus-monitor --system "type='method_call',interface='org.freedesktop.PolicyKit1.Authority',member='CheckAuthorization'" \
        > "$T/monitor" 2>/dev/null & monitor=$!
sleep 0.5
out=$T/figures
: > "$out"

echo "idle-rss-kib $(rss)" >> "$out"
echo "idle-private-kib $(private)" >> "$out"

# Latencies are measured with the bus, polkitd, the daemon and the client on
# one core: a round trip is then the same chain of context switches each
# time, instead of a cross-core wake-up whose cost swings by 3x on a shared
# 2-core machine. Throughput is measured on all cores.
bus=$(pgrep -x dbus-daemon | head -1)
pin() { for p in "$bus" "$daemon" "$(cat "$POLKITD_PID_FILE")"; do taskset -a -p -c "$1" "$p" >/dev/null; done; }
pin 0
taskset -c 0 "$B" latency "$N" "$other" "$child" >> "$out"
# A user lowering a limit of its own process: the change made by a process
# with the user's ids (root's changes the daemon makes itself).
taskset -c 0 setpriv --reuid=5 --regid=60 --clear-groups "$B" latency-user "$N" "$other" >> "$out"
# Growth is measured from a warm daemon: first-use allocations are not leaks.
echo "rss-before-calls-kib $(rss)" >> "$out"
cpu0=$(cpu_ticks)
"$B" calls "$CALLS"
cpu1=$(cpu_ticks)
echo "calls $CALLS" >> "$out"
echo "rss-after-calls-kib $(rss)" >> "$out"
echo "cpu-ms-per-calls $(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) ))" >> "$out"
sleep 0.3
echo "polkit-calls-ungated $(grep -c 'member=CheckAuthorization' "$T/monitor" || true)" >> "$out"
# Counted: a monitor would be sent a copy of each gated call's check.
kill "$monitor" 2>/dev/null || true

# As root: the calls come from a child with uid 1, and root asks polkitd
# about that child as the daemon does (details and all) between its calls.
taskset -c 0 "$B" gated "$G" >> "$out"
pin "0-$(( $(nproc) - 1 ))"

for c in 1 4 16 64; do
        "$B" throughput "$c" "$SECS" GetRlimit >> "$out"
        "$B" throughput "$c" "$SECS" Ping >> "$out"
done

rss0=$(private)
coproc IDLE { "$B" idle-clients "$CLIENTS"; }
read -r _ n <&"${IDLE[0]}"
sleep 0.5
echo "idle-clients $n" >> "$out"
echo "private-with-idle-clients-kib $(private)" >> "$out"
echo "private-before-idle-clients-kib $rss0" >> "$out"
exec {IDLE[1]}>&-
wait "$IDLE_PID" || true

"$B" exec "$EXECS" "$T/resourcectl" limits --pid "$child" >> "$out"
"$B" exec "$EXECS" prlimit --pid "$child" >> "$out"
EXECS=$EXECS bench/cli.sh --inside >> "$out"

kill "$child" "$other" "$monitor" 2>/dev/null || true
python3 "$PWD/bench/report.py" "$out"
