#!/bin/bash
# Security suite: nothing a caller sizes or can make sleep is read on the
# daemon's event loop. Each attack is made for real by nobody (setpriv)
# against the fixture's daemon (with-bus.sh), while root times PageSize
# calls (attack-stall probe: every 25 ms, 30 s timeout each, so the figures
# are the real waits). TAP output; the details of each run are "#" lines.
#
#   1  An epoll descriptor with ~1,000,000 watches (eventfds dup'd under many
#      numbers, each added, the dup closed again) passed as the pidfd of
#      PrlimitPidfd, ListRlimitsPidfd, GetRusagePidfd and SetRlimitsPidfd
#      from 8 connections at once for 4 s: root's PageSize median < 5 ms,
#      max < 100 ms (its fdinfo is ~76 MB of text the kernel builds whole
#      for any read of it).
#   2  The same calls are each answered org.freedesktop.DBus.Error.InvalidArgs,
#      "not a pidfd" (the spec's DESCRIPTORS), none timed out.
#   3  GetRusage and GetRusagePidfd of a single-threaded process of the
#      attacker's that keeps exec()ing itself with 19,000 close-on-exec
#      descriptors of a memfd holding 10,000 POSIX locks (of another owner,
#      so each close walks them all, ~2 s per exec, with the process's
#      exec_update_lock held, which /proc/PID/stat and io wait for), from
#      4 connections: root's PageSize median < 5 ms, max < 100 ms. The
#      attacker's own calls may fail or time out.
#   4  Per call, on the daemon's CPU clock (one call at a time): 1 MiB of
#      SetRlimits entries costs at most 2 x + 1 ms what the same bytes cost
#      when sd-bus refuses them unread (their signature is not the
#      method's); the old daemon walked the array to its end (8 ms a MiB,
#      against 0.4 for the bytes). The same to the gate's SetRlimitsPidfd,
#      or to its ListRlimitsPidfd with that signature, on the gate's clock,
#      within the same bound (it copied them whole to pass them on: 23 ms).
#   5  A 1 MiB resource name (GetRlimit) and 64 KiB names in a SetRlimits
#      batch are refused as soon as read, ahead of the handlers
#      (call-size.c): InvalidResource naming their size, in a reply of at
#      most 256 bytes (the handlers quoted them whole).
#   6  16 connections send 4 SetRlimits of 31 MB each (after the same to
#      ListRlimits, refused unread, as the control), filling the bus's
#      queue to the daemon, while new connections make one call each: every
#      call is answered (or refused by the bus) within twice the control's
#      slowest + 3 s, and root's PageSize throughout (none times out).
#   7  The mount table changed as fast as any user can (FUSE
#      mounts): 1,000 more mounts, one mounted and unmounted every
#      millisecond for 2 s: the daemon, which reads /proc's options from
#      mountinfo, spends at most 100 ms of CPU on it (a change only marks the
#      options stale and the poll sleeps until a call reads them again;
#      reading on every change cost 370 ms, the whole ~100 KB table 900).
#   8  Afterwards the daemon is the same process and serves a real pidfd.
#
# Needs ATTACK_STALL (attack-stall), RCALL (rcall) and the fixture's environment.
set -u
: "${ATTACK_STALL:?}" "${RCALL:?}" "${RESOURCE1_FIXTURE:?}" "${PYTHON3:?}" "${HELPERS:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

work=$(mktemp -d "$RESOURCE1_FIXTURE/security-stall.XXXXXX")
chmod 755 "$work"
B="org.example.Resource1 /org/example/Resource1 org.example.Resource1"
NOBODY="--reuid=65534 --regid=65534 --clear-groups"
trap kill_started EXIT

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# fv FILE KEY: the value of KEY=... on the file's lines.
fv() { sed -n "s/.*[ ^]$2=\([0-9-]*\).*/\1/p" "$1" 2>/dev/null | head -1; }
daemon_pid() {
        busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s org.example.Resource1 2>/dev/null | awk '{print $2}'
}
# settle: one PageSize with a long timeout; calls are answered in order, so
# when it is answered every call queued before it has been.
settle() {
        local t0
        t0=$(date +%s%N)
        busctl --system --timeout=60 call $B PageSize >/dev/null 2>&1
        echo "# the daemon answered a PageSize queued after the attack $(ms_since "$t0") ms later"
}
# probe_ok FILE: root's PageSize figures within the bounds.
probe_ok() {
        [ "$(fv "$1" calls)" -gt 20 ] 2>/dev/null && [ "$(fv "$1" timeouts)" = 0 ] &&
        [ "$(fv "$1" median_us)" -lt 5000 ] && [ "$(fv "$1" max_us)" -lt 100000 ]
}
ms() { [ -n "$1" ] && awk -v u="$1" 'BEGIN { if (u < 10000) printf "%.1f ms", u / 1000; else if (u < 1000000) printf "%.0f ms", u / 1000; else printf "%.1f s", u / 1000000 }' || echo "?"; }
figures() { echo "median $(ms "$(fv "$1" median_us)"), max $(ms "$(fv "$1" max_us)")"; }

echo "1..8"
pid_before=$(daemon_pid)
echo "# daemon pid $pid_before; nobody's limits in the fixture:"
setpriv $NOBODY grep -E "^Max (open files|processes)" /proc/self/limits | note
echo "# fs.epoll.max_user_watches $(cat /proc/sys/fs/epoll/max_user_watches), fs.nr_open $(cat /proc/sys/fs/nr_open)"

# ---- 1, 2: an epoll descriptor with a million watches as the pidfd (#2) ----
t0=$(date +%s%N)
setpriv $NOBODY "$ATTACK_STALL" epoll-flood 4 8 1 1000000 > "$work/epoll.out" 2>&1 &
flood=$!
started+=($flood)
ready=no
wait_for 60 'grep -q "^EPOLL" "$work/epoll.out" || ! kill -0 $flood 2>/dev/null' &&
        grep -q "^EPOLL" "$work/epoll.out" && ready=yes
echo "# building the epoll descriptor and reading its fdinfo once took $(ms_since "$t0") ms"
if [ $ready = yes ]; then
        sleep 0.3
        "$ATTACK_STALL" probe 3.5 25 30 > "$work/probe1.out" 2>&1
fi
wait "$flood"
settle
note "$work/epoll.out" "$work/probe1.out"
watches=$(fv "$work/epoll.out" watches)
check "an epoll fd with ${watches:-?} watches as the pidfd from 8 connections: root's PageSize $(figures "$work/probe1.out") (< 5 ms, < 100 ms)" \
      '[ $ready = yes ] && [ "$watches" -ge 900000 ] && grep -q "^STALL calls=[1-9]" "$work/epoll.out" &&
       probe_ok "$work/probe1.out"'
methods_ok() {
        local m
        for m in PrlimitPidfd ListRlimitsPidfd GetRusagePidfd SetRlimitsPidfd; do
                grep -q "^METHOD $m calls=\([1-9][0-9]*\) not_pidfd=\1 other=0 noreply=0$" "$work/epoll.out" || return 1
        done
        grep -q "^STALL .* other=0 noreply=0 unanswered=0 " "$work/epoll.out"
}
grep "^STALL" "$work/epoll.out" > "$work/stall.line"
check "the same calls: every one of the four methods answered InvalidArgs \"not a pidfd\" ($(fv "$work/stall.line" not_pidfd) of $(fv "$work/stall.line" calls)), none timed out" \
      '[ $ready = yes ] && methods_ok'

# ---- 3: usage of a process that execs with many descriptors of a locked file (#5) ----
setpriv $NOBODY "$ATTACK_STALL" exec-stall 7 10000 19000 > "$work/exec.out" 2>&1 &
execer=$!
started+=($execer)
ready=no
wait_for 30 'grep -q "^READY" "$work/exec.out" || ! kill -0 $execer 2>/dev/null' &&
        [ "$(awk '/^READY/ {print $2}' "$work/exec.out")" = "$execer" ] && ready=yes
if [ $ready = yes ]; then
        setpriv $NOBODY "$ATTACK_STALL" usage-flood "$execer" 5 4 10 > "$work/usage.out" 2>&1 &
        uflood=$!
        started+=($uflood)
        sleep 0.3
        "$ATTACK_STALL" probe 4 25 30 > "$work/probe3.out" 2>&1
        wait "$uflood"
fi
wait "$execer"
settle
note "$work/exec.out" "$work/usage.out" "$work/probe3.out"
check "GetRusage/GetRusagePidfd of a process exec'ing with 19,000 descriptors x 10,000 locks (execs up to $(fv "$work/exec.out" max_ms) ms): root's PageSize $(figures "$work/probe3.out") (< 5 ms, < 100 ms)" \
      '[ $ready = yes ] && [ "$(fv "$work/exec.out" max_ms)" -ge 500 ] && [ "$(fv "$work/usage.out" calls)" -gt 0 ] &&
       probe_ok "$work/probe3.out"'

# ---- 4, 5: what one large call costs the daemon ----
# sd-bus reads a whole message before any of the daemon's code sees it: the
# kernel's copy, 0.2 ms a MiB, the same for every call (under ASan, whose
# realloc copies, 4 ms for 1 MiB and 4 s for 31: sd-bus grows its buffer
# before each read of the socket). What the call may not make grow is the
# rest. Measured on the daemon's CPU clock, per call, one call at a time (a
# figure a busy machine does not swing, unlike a wait), against the same
# bytes sent with a signature sd-bus refuses unread: 1 MiB of SetRlimits
# entries is refused at its 17th entry (the walk to the array's end cost
# 8 ms, 22 under ASan, where the bytes cost 0.4 and 4). sd-bus checks a
# string's bytes as it is read (2 ms a MiB), so a name too long is read
# once and refused at once, with a short error: the handlers quoted it whole
# (a 31 MB name cost 220 ms of the loop and a 31 MB reply).
# The gate (resource1d-gate), which passes the *Pidfd calls on, copied
# each whole before: 1 MiB of SetRlimitsPidfd entries cost it 23 ms, the
# same bytes with a signature not the method's as much.
gate_pid=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
           GetConnectionUnixProcessID s org.example.Resource1.Pidfd 2>/dev/null | awk '{print $2}')
setpriv $NOBODY "$PYTHON3" "$HELPERS/call-cost.py" "$pid_before" 1024 15 "$gate_pid" > "$work/cost.out" 2>&1
note "$work/cost.out"
cost() { sed -n "s/^COST kind=$1 .*median_us=\([0-9]*\).*/\1/p" "$work/cost.out"; }
unread=$(cost unread) entries=$(cost entries) gate=$(cost gate) gate_unread=$(cost gate-unread)
bound=$(( 2 * ${unread:-0} + 1000 ))
check "per call, 1 MiB of SetRlimits entries costs the daemon $(ms "$entries") of CPU against $(ms "$unread") for the same bytes refused unread; to SetRlimitsPidfd, or with a signature not the method's, the gate $(ms "$gate") and $(ms "$gate_unread") (each at most 2 x + 1 ms)" \
      '[ -n "$unread" ] && [ -n "$entries" ] && [ -n "$gate" ] && [ -n "$gate_unread" ] &&
       [ "$entries" -le $bound ] && [ "$gate" -le $bound ] && [ "$gate_unread" -le $bound ]'
refused() {     # KIND BYTES: answered by the size bound (call-size.c), briefly
        grep -q "^REPLY kind=$1 org.example.Resource1.Error.InvalidResource invalid resource specified: a name of $2 bytes " "$work/cost.out" &&
        [ "$(sed -n "s/^COST kind=$1 .*reply_bytes=\([0-9]*\).*/\1/p" "$work/cost.out")" -le 256 ]
}
check "a 1 MiB resource name and 64 KiB names in a batch are refused as soon as read: InvalidResource naming their size in a reply of at most 256 bytes ($(ms "$(cost name)") and $(ms "$(cost names)") of CPU a call)" \
      'refused name 1048576 && refused names 65536'

# ---- 6: batches of millions of entries, and new connections meanwhile ----
# (the second fresh attack of round three). 16 connections send 4 calls each
# of 31 MB: first to ListRlimits, whose signature sd-bus refuses unread (the
# cost of such messages to the bus and the daemon, whatever they are), then
# to SetRlimits. Four fill the bus's queue to the daemon, and the bus drops
# what else is sent to it, the reply to the daemon's GetConnectionCredentials
# of a new caller included: the old daemon asked synchronously, and its loop
# waited 25 s. Now a new connection's credentials are asked asynchronously.
# Root's PageSize waits in that queue too, behind what the bus spends on
# each message ahead (about 170 ms of its CPU, the daemon 6 to receive it; a
# busy machine or an ASan build, whose receive costs 4 s, make it longer):
# its waits are shown, and bound only by the probe's 60 s timeout.
# A sanitizer build receives each 31 MB message in 4 s: one call per
# connection there (what is checked is the same; 16 took 100 s).
big_calls=4; [ "${SANITIZE:-none}" = none ] || big_calls=1
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid_before/stat"; }
big_round() {   # MEMBER OUT
        local pids=() c0
        c0=$(cpu_ticks)
        for _ in 1 2 3 4; do
                timeout 60 setpriv $NOBODY "$PYTHON3" "$HELPERS/big-batch.py" 4 "$big_calls" 31 "$1" > /dev/null 2>&1 &
                pids+=($!)
        done
        setpriv $NOBODY "$PYTHON3" "$HELPERS/fresh-callers.py" 8 > "$2.fresh" 2>&1 &
        pids+=($!)
        sleep 0.5
        "$ATTACK_STALL" probe 6 25 60 > "$2" 2>&1
        wait "${pids[@]}" 2>/dev/null
        echo "FLOOD $1 daemon_cpu_ms=$(( ($(cpu_ticks) - c0) * 1000 / $(getconf CLK_TCK) ))" >> "$2"
}
big_round ListRlimits "$work/big-ctl.out"
big_round SetRlimits "$work/big.out"
note "$work/big-ctl.out" "$work/big-ctl.out.fresh" "$work/big.out" "$work/big.out.fresh"
# New connections' calls wait in the bus's queue behind the flood, the longer
# the slower the daemon reads (an ASan build): against the same flood of
# messages refused unread, not a fixed figure (the old daemon: 25 s, the
# timeout of its synchronous call, against about 2).
fresh_s() { sed -n "s/.*max_s=\([0-9]*\).*/\1/p" "$1"; }
fresh_max=$(fresh_s "$work/big.out.fresh") fresh_ctl=$(fresh_s "$work/big-ctl.out.fresh")
fresh_bound=$(( ${fresh_ctl:-0} * 2 + 3 )); [ "$fresh_bound" -ge 10 ] || fresh_bound=10
check "new connections meanwhile: every call answered (by the daemon, or refused by the bus, whose queue to it the flood fills) within ${fresh_bound} s (slowest ${fresh_max:-?} s, against ${fresh_ctl:-?} s for the refused-unread flood); root's PageSize answered throughout (waits up to $(ms "$(fv "$work/big.out" max_us)"), against $(ms "$(fv "$work/big-ctl.out" max_us)"))" \
      '[ "$(fv "$work/big.out" timeouts)" = 0 ] && [ "$(fv "$work/big.out" calls)" -gt 0 ] &&
       [ "$(fv "$work/big-ctl.out" timeouts)" = 0 ] &&
       [ "$(fv "$work/big.out.fresh" calls)" -gt 0 ] && [ -n "$fresh_max" ] && [ "$fresh_max" -le "$fresh_bound" ]'

# ---- 7: the mount table changed as fast as a user can ----
# Root makes the changes here (the fixture's private mount namespace, which
# the daemon shares); what is tested is the daemon's reaction to them.
# The CPU the daemon spends meanwhile, less what it spends in as long
# without the churn (after the floods above, settled, whatever is left).
D=$(daemon_pid)
cpu() { awk '{print $14 + $15}' "/proc/$D/stat"; }
settle
i0=$(cpu)
sleep 2
i1=$(cpu)
c0=$(cpu)
"$PYTHON3" "$HELPERS/mount-churn.py" "$work/mnt" 1000 2 > "$work/churn.out" 2>&1
c1=$(cpu)
hz=$(getconf CLK_TCK)
ticks=$(( (c1 - c0) - (i1 - i0) ))
echo "# $(cat "$work/churn.out" | tr '\n' ' '); the daemon's CPU meanwhile: $(( (c1 - c0) * 1000 / hz )) ms, in 2 s without it $(( (i1 - i0) * 1000 / hz )) ms"
check "1,000 more mounts and one changed every millisecond for 2 s: the daemon spent $(( ticks * 1000 / hz )) ms of CPU (at most 100 ms; reading the table as far as /proc's line on every change cost 370, the whole table 900)" \
      '[ "$(fv "$work/churn.out" changes)" -gt 200 ] && [ $(( ticks * 1000 / hz )) -le 100 ]'

# ---- 8: the daemon is the same and still serves pidfds ----
setpriv $NOBODY sleep 60 &
child=$!
started+=($child)
wait_for 5 '[ "$(cat /proc/$child/comm 2>/dev/null)" = sleep ]'
setpriv $NOBODY "$RCALL" --pidfd-of "$child" ListRlimitsPidfd '(h)' '(handle 0,)' > "$work/real.out" 2>&1
pid_after=$(daemon_pid)
echo "# daemon pid now $pid_after; ListRlimitsPidfd of a pidfd of nobody's pid $child by nobody: $(head -c 160 "$work/real.out")"
check "afterwards the daemon is the same process (pid $pid_before) and answers a real pidfd" \
      '[ -n "$pid_before" ] && [ "$pid_after" = "$pid_before" ] && grep -q "^OK " "$work/real.out"'
kill -KILL "$child" 2>/dev/null
wait "$child" 2>/dev/null
tap_done
