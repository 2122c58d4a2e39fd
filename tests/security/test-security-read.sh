#!/bin/bash
# Security suite: attacks on reads, logs and bus trust, each carried out for
# real by an unprivileged uid (setpriv) against the fixture's daemon
# (with-bus.sh, with tests/rules/test.rules and tests/rules/security-read.rules). TAP
# output, one test per attack; the details of each run are "#" lines.
#
#   1  GetRusage of a same-uid process that made itself non-dumpable is
#      refused, as its /proc/PID/io is (a dumpable one stays readable).
#   2  A caller with 1,000 supplementary groups (a /proc/PID/status over
#      4 KiB) can lower its own limit and read its own usage.
#   3  PrlimitPidfd with a thread pidfd (PIDFD_THREAD) acts on, signals and
#      logs the thread's process (its thread-group id), not the thread.
#   4  A forged, unicast NameOwnerChanged from another uid does not cancel a
#      change that waits for polkit: the victim gets its answer.
#   5  One uid's flood of refused calls is rate-limited in the log (at most
#      20 lines per uid per 5 s, then a "Suppressed N refusal messages for
#      uid U in the last 5 s" line); a change carried out meanwhile is logged.
#   6  GetRusage of a process with 20,000 threads, from 16 connections at
#      once, does not hold up root's PageSize calls, and every answer is right.
#
# Needs ATTACK (attack-read), RCALL (rcall) and the fixture's environment.
set -u
: "${ATTACK:?}" "${RCALL:?}" "${RESOURCE1_FIXTURE:?}" "${POLKITD_PID_FILE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

log=$RESOURCE1_FIXTURE/resource1d.log
work=$(mktemp -d "$RESOURCE1_FIXTURE/security-read.XXXXXX")
chmod 755 "$work"
B="org.example.Resource1 /org/example/Resource1 org.example.Resource1"
NOBODY="--reuid=65534 --regid=65534"
trap kill_started EXIT

# Background processes are started with setpriv itself, not a function, so
# that $! is the process (setpriv execs it).
as_nobody() { setpriv $NOBODY --clear-groups "$@"; }
# field FILE KEY N: the Nth word after the line starting with KEY.
field() { awk -v k="$2" -v n="$3" '$1 == k { print $(n + 1); exit }' "$1"; }

echo "1..6"

# ---- 1: usage of a same-uid, non-dumpable process (#6) ----
setpriv $NOBODY --clear-groups "$ATTACK" nondumpable > "$work/nd.out" &
started+=($!)
setpriv $NOBODY --clear-groups sleep 60 &
ctl=$!
started+=($ctl)
wait_for 5 'grep -q "^READY" "$work/nd.out"' && wait_for 5 '[ "$(cat /proc/$ctl/comm 2>/dev/null)" = sleep ]'
nd=$(field "$work/nd.out" READY 1)
note "$work/nd.out"
if as_nobody cat "/proc/$nd/io" >/dev/null 2>&1; then nd_io=readable; else nd_io=refused; fi
if as_nobody cat "/proc/$ctl/io" >/dev/null 2>&1; then ctl_io=readable; else ctl_io=refused; fi
echo "# /proc/$nd/io (non-dumpable) for nobody: $nd_io; /proc/$ctl/io (dumpable) for nobody: $ctl_io"
nd_reply=$(as_nobody "$RCALL" GetRusage '(us)' "(uint32 $nd, 'self')" 2>&1)
ctl_reply=$(as_nobody "$RCALL" GetRusage '(us)' "(uint32 $ctl, 'self')" 2>&1)
echo "# GetRusage($nd) by nobody: ${nd_reply:0:200}"
echo "# GetRusage($ctl) by nobody: ${ctl_reply:0:200}"
check "GetRusage of a same-uid non-dumpable process is PermissionDenied (a dumpable one is readable)" \
      '[ "$nd_io" = refused ] && [ "$ctl_io" = readable ] &&
       [[ $nd_reply == "ERR org.example.Resource1.Error.PermissionDenied "* ]] && [[ $ctl_reply == "OK "* ]]'
kill -KILL "$nd" "$ctl" 2>/dev/null

# ---- 2: a caller whose /proc/PID/status is larger than 4 KiB (#7) ----
groups=$(seq -s, 1000 1999)
prlimit --nofile=1000:2000 -- setpriv $NOBODY --groups="$groups" "$ATTACK" self-manage > "$work/groups.out" 2>&1
note "$work/groups.out"
check "a caller with 1,000 supplementary groups lowers its own NOFILE soft limit and reads its own usage" \
      '[ "$(field "$work/groups.out" GROUPS 1)" = 1000 ] && [ "$(field "$work/groups.out" STATUS_BYTES 1)" -gt 4096 ] &&
       grep -qx "SET OK" "$work/groups.out" &&
       [ "$(field "$work/groups.out" LIMITS 1) $(field "$work/groups.out" LIMITS 2)" = \
         "$(field "$work/groups.out" WANT 1) $(field "$work/groups.out" WANT 2)" ] &&
       grep -q "^RUSAGE OK nvcsw=[0-9]* .* parse=[0-9]*$" "$work/groups.out"'

# ---- 3: PrlimitPidfd with a thread pidfd ----
off=$(log_size)
as_nobody "$ATTACK" thread-pidfd > "$work/pidfd.out" 2>&1
note "$work/pidfd.out"
pid=$(field "$work/pidfd.out" PID 1)
tid=$(field "$work/pidfd.out" PID 3)
log_since "$off" > "$work/pidfd.log"
note "$work/pidfd.log"
signals=$(grep -c "^SIGNAL .* NOFILE " "$work/pidfd.out")
check "PrlimitPidfd on a thread pidfd acts on the process: RlimitChanged and the log name pid $pid, not thread $tid" \
      '[ -n "$pid" ] && [ -n "$tid" ] && [ "$pid" != "$tid" ] && grep -q "^CALL OK " "$work/pidfd.out" &&
       [ "$(field "$work/pidfd.out" LIMIT 1)" = "$(field "$work/pidfd.out" WANT 1)" ] &&
       [ "$signals" = 1 ] && [ "$(field "$work/pidfd.out" SIGNAL 1)" = "$pid" ] &&
       [ "$(field "$work/pidfd.out" SIGNAL 3)" = "$(( $(field "$work/pidfd.out" WANT 1) + 1 ))" ] &&
       [ "$(field "$work/pidfd.out" SIGNAL 5)" = "$(field "$work/pidfd.out" WANT 1)" ] &&
       grep -q "uid 65534 (pid [0-9]*) set NOFILE of pid $pid from" "$work/pidfd.log" &&
       ! grep -q "set NOFILE of pid $tid\b" "$work/pidfd.log"'

# ---- 4: a forged NameOwnerChanged cancels another uid's pending change (#3) ----
# "daemon" (polkit: yes) raises the NOFILE hard limit of its child with soft
# 4343, which security-read.rules answers after a 3 s sleep; meanwhile
# nobody tells the service, by a unicast signal, that "daemon" has left.
off=$(log_size)
polkitd=$(cat "$POLKITD_PID_FILE")
prlimit --nofile=1024:8192 -- setpriv --reuid=1 --regid=1 --clear-groups "$ATTACK" victim 10 > "$work/victim.out" 2>&1 &
victim=$!
started+=($victim)
pending=no forged=no still_pending=no
service=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetNameOwner s \
          org.example.Resource1 | awk '{print $2}' | tr -d '"')
if wait_for 5 'grep -q "^NAME " "$work/victim.out"' && wait_for 5 'pgrep -P "$polkitd" -x sleep >/dev/null'; then
        pending=yes
        vname=$(field "$work/victim.out" NAME 1)
        echo "# the victim $vname waits for polkit; nobody sends NameOwnerChanged('$vname', '$vname', '') to $service"
        as_nobody gdbus emit --system --dest "$service" --object-path /org/freedesktop/DBus \
                --signal org.freedesktop.DBus.NameOwnerChanged "'$vname'" "'$vname'" "''" && forged=yes
        pgrep -P "$polkitd" -x sleep >/dev/null && still_pending=yes
fi
wait "$victim"
note "$work/victim.out"
log_since "$off" > "$work/victim.log"
note "$work/victim.log"
echo "# check pending when the signal was sent: $still_pending; signal sent: $forged"
check "a forged NameOwnerChanged from another uid does not drop a change waiting for polkit: the victim is answered" \
      '[ "$pending" = yes ] && [ "$forged" = yes ] && [ "$still_pending" = yes ] &&
       grep -q "^\(OK\|ERR org\.example\.Resource1\.Error\.\)" "$work/victim.out" &&
       ! grep -q "uid 1 disconnected" "$work/victim.log"'

# ---- 5: a log flood of refusals ----
sleep 60 &
child=$!
started+=($child)
read -r soft hard < <(awk '/^Max open files/ {print $4, $5}' "/proc/$child/limits")
off=$(log_size)
setpriv $NOBODY --clear-groups "$ATTACK" flood 1 4 2 0 > "$work/logflood.out" 2>&1 &
flood=$!
started+=($flood)
sleep 1
change=$(busctl --system call $B Prlimit usbtt "$child" NOFILE true $(( soft - 1 )) "$hard" 2>&1)
echo "# root's change during the flood: Prlimit($child, NOFILE, $(( soft - 1 )):$hard) -> $change"
wait "$flood"
note "$work/logflood.out"
flood_end=$(date +%s)
summary='Suppressed [0-9]+ refusal messages for uid 65534\b'
wait_for 8 'log_since "$off" | grep -Eq "$summary"'
echo "# waited $(( $(date +%s) - flood_end )) s after the flood for the summary line"
log_since "$off" > "$work/logflood.log"
refusals=$(grep -v "Suppressed" "$work/logflood.log" | grep -c "Refused.*uid 65534\b")
echo "# $refusals refusal lines for uid 65534 in the log during the flood; the summary and the change:"
grep -E "$summary|set NOFILE of pid $child " "$work/logflood.log" | note
grep "Refused.*uid 65534\b" "$work/logflood.log" | head -3 | note
check "a flood of refusals by one uid is rate-limited in the log ($refusals lines) with a summary; a real change is logged" \
      '[ "$(sed -n "s/.* denied=\([0-9]*\) .*/\1/p" "$work/logflood.out")" -gt 100 ] &&
       [ "$refusals" -le 40 ] && grep -Eq "$summary" "$work/logflood.log" &&
       grep -q "uid 0 (pid [0-9]*) set NOFILE of pid $child from $soft:$hard to $(( soft - 1 )):$hard" "$work/logflood.log"'
kill -KILL "$child" 2>/dev/null

# ---- 6: GetRusage of a process with 20,000 threads (#4) ----
# Threads count against nobody's RLIMIT_NPROC: the soft limit is raised to
# the hard one (root here cannot raise a hard limit).
echo "# kernel.threads-max $(cat /proc/sys/kernel/threads-max), kernel.pid_max $(cat /proc/sys/kernel/pid_max)" \
     "(this pid namespace's), RLIMIT_NPROC $(ulimit -Su):$(ulimit -Hu)"
t0=$(date +%s%N)
prlimit --nproc="$(ulimit -Hu):$(ulimit -Hu)" -- \
        setpriv $NOBODY --clear-groups "$ATTACK" threads 20000 > "$work/threads.out" 2>&1 &
threads=$!
started+=($threads)
ready=no
wait_for 60 'grep -q "^READY" "$work/threads.out" || ! kill -0 $threads 2>/dev/null' &&
        grep -q "^READY" "$work/threads.out" && ready=yes
note "$work/threads.out"
echo "# starting the threads took $(( ($(date +%s%N) - t0) / 1000000 )) ms"
[ "$(field "$work/threads.out" READY 1)" = "$threads" ] || ready=no
if [ $ready = yes ]; then
        echo "# pid $threads has $(awk '/^Threads:/ {print $2}' /proc/$threads/status) threads"
        setpriv $NOBODY --clear-groups "$ATTACK" flood "$threads" 16 4 20000 > "$work/rflood.out" 2>&1 &
        rflood=$!
        started+=($rflood)
        sleep 0.5
        "$ATTACK" probe 3 10 > "$work/probe.out" 2>&1
        wait "$rflood"
        note "$work/rflood.out" "$work/probe.out"
fi
kill -KILL "$threads" 2>/dev/null
fv() { sed -n "s/.* $2=\([0-9-]*\).*/\1/p" "$1" 2>/dev/null; }
median=$(fv "$work/probe.out" median_us) max=$(fv "$work/probe.out" max_us)
check "GetRusage of a 20,000-thread process from 16 connections: root's PageSize median < 5 ms (${median:-?} us, max ${max:-?} us), every answer a right usage" \
      '[ $ready = yes ] && [ "$(fv "$work/probe.out" timeouts)" = 0 ] && [ "$(fv "$work/probe.out" median_us)" -lt 5000 ] &&
       [ "$(fv "$work/rflood.out" calls)" -gt 0 ] &&
       [ "$(fv "$work/rflood.out" usage)" = "$(fv "$work/rflood.out" calls)" ] &&
       [ "$(fv "$work/rflood.out" bad_usage)" = 0 ] && [ "$(fv "$work/rflood.out" min_nvcsw)" -ge 20000 ]'
tap_done
