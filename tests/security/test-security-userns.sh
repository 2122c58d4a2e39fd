#!/bin/bash
# The acting process and a process of a user namespace root made, made for
# real against the fixture's daemon (with-bus.sh with tests/rules/test.rules). TAP
# output. Needs STOP_ACTING, RCALL, PYTHON3 and HELPERS (tests/meson.build).
#
# A container, as systemd-nspawn -U, LXD/Incus or PrivateUsers= make it: a
# user namespace owned by root whose uid 0 is 200000 outside
# (helpers/in-root-userns.py), whose process manager (helpers/userns-worker.py)
# starts workers with NOFILE 20000:20000. root owns the namespace, so it has
# every capability in it: a process with an effective uid of 0 may change
# any limit there, whatever its capability sets say.
#
# nobody, the caller, has a child T and asks SetRlimits(T, CORE 0:0,
# NOFILE 199:199): lowering limits of its own process, which the daemon's
# acting process does with nobody's ids, polkit not asked. That process is
# stopped between its two prlimit(2) calls (the caller may SIGSTOP it: its
# real uid is the caller's; here root stops it there exactly, with
# helpers/stop-acting, where a caller's loop of SIGSTOPs lands by chance);
# T is killed and reaped; the container's next worker gets T's number (root
# sets the fixture's ns_last_pid, as a caller forking its way round would);
# the caller sends SIGCONT. Its second limit then goes to the worker's
# number: an acting process that kept euid 0 set the worker's NOFILE to
# 199:199 (the old daemon; issue 23, attack 3).
#
# The fixed daemon: while stopped, the acting process's real, effective,
# saved and filesystem uid and gid are all nobody's, it has no
# supplementary group and no capability (CapInh, CapPrm, CapEff, CapAmb 0),
# and the caller cannot trace it or read its memory, which is the daemon's
# (a process of its own, the control, it can); resumed, the
# kernel refuses it the worker, the caller gets PermissionDenied, the
# worker's limits stay as they were, and the daemon is the same process,
# answering. ~1 s.
set -u
: "${RESOURCE1_FIXTURE:?}" "${STOP_ACTING:?}" "${RCALL:?}" "${PYTHON3:?}" "${HELPERS:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

fx=$RESOURCE1_FIXTURE
log=$fx/resource1d.log
work=$fx/userns
mkdir -m 755 "$work"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
OUTER=200000
daemon_pid() {
        busctl --system --timeout=2 call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
                GetConnectionUnixProcessID s org.example.Resource1 2>/dev/null | awk '{print $2}'
}
limit_of() { awk -v r="$2" 'index($0, r) == 1 {print $(NF-2) ":" $(NF-1)}' "/proc/$1/limits" 2>/dev/null; }
# A line of /proc/PID/status, its fields separated by single spaces.
field() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status" 2>/dev/null; }
cleanup() {
        kill_started
        [ -n "${ct_in:-}" ] && exec {ct_in}>&- {ct_out}<&-
}
trap cleanup EXIT

# The fixture's pid namespace's next pid, set to make T's number the
# worker's (CONFIG_CHECKPOINT_RESTORE).
if ! { last=$(cat /proc/sys/kernel/ns_last_pid) && echo "$last" > /proc/sys/kernel/ns_last_pid; } 2>/dev/null; then
        echo "1..0 # SKIP /proc/sys/kernel/ns_last_pid cannot be set here: no way to give T's number to the worker"
        exit 0
fi
echo "1..10"
dpid=$(daemon_pid)
nofile_daemon=$(limit_of "$dpid" "Max open files")
echo "# daemon pid $dpid, NOFILE $nofile_daemon"
soft=20000 hard=20000
[ "$(ulimit -Hn)" -ge 20000 ] || { soft=$(ulimit -Hn) hard=$(ulimit -Hn); echo "# NOFILE hard here is below 20000: workers get $soft:$hard"; }

# The container: its process manager reads commands from one FIFO and
# answers on another, which this shell reads with "read": nothing between
# setting ns_last_pid and the manager's fork may start a process here.
mkfifo -m 600 "$work/ct.in" "$work/ct.out"
"$PYTHON3" "$HELPERS/in-root-userns.py" "$OUTER" "$PYTHON3" -u "$HELPERS/userns-worker.py" "$soft" "$hard" \
        < "$work/ct.in" > "$work/ct.out" 2> "$work/ct.err" &
started+=($!)
exec {ct_in}> "$work/ct.in" {ct_out}< "$work/ct.out"
# The manager's next line into $ct_line (builtins only: no process started).
ct_read() { ct_line=""; read -r -t 5 -u "$ct_out" ct_line && echo "$ct_line" >> "$work/ct.log"; }
ct_read
note "$work/ct.log" "$work/ct.err"

# The caller's child T (its own: setpriv execs sleep, same pid).
"${NOBODY[@]}" sleep 600 &
T=$!
started+=("$T")
wait_for 2 '[ "$(field "$T" Uid)" = "65534 65534 65534 65534" ]'
echo "# T: pid $T, uids $(field "$T" Uid), NOFILE $(limit_of "$T" "Max open files"), CORE $(limit_of "$T" "Max core file size")"

# Stop the next acting process at the return of its first prlimit64.
"$STOP_ACTING" stop "$dpid" > "$work/stop.out" 2>&1 &
tracer=$!
started+=("$tracer")
wait_for 5 'grep -q "^READY" "$work/stop.out"'

t0=$EPOCHREALTIME
"${NOBODY[@]}" "$RCALL" SetRlimits '(ua(stt))' "($T, [('CORE', 0, 0), ('NOFILE', 199, 199)])" > "$work/call.out" 2>&1 &
call=$!
started+=("$call")
wait "$tracer"
note "$work/stop.out"
A=$(awk '$1 == "ACTING" {print $2}' "$work/stop.out")
check "the acting process (pid ${A:-none}, a child of the daemon) is stopped at the return of its first prlimit64, the call pending" \
      '[ -n "$A" ] && [ "$(field "$A" PPid)" = "$dpid" ] && [ "$(field "$A" State | cut -c1)" = T ] &&
       [ "$(grep -o "prlimit64" "$work/stop.out" | wc -l)" = 1 ] && kill -0 "$call" 2>/dev/null'

# What it holds, while it is stopped.
for f in Uid Gid Groups CapInh CapPrm CapEff CapAmb CapBnd NoNewPrivs; do
        echo "# acting process $f: $(field "${A:-0}" $f)"
done
check "while stopped: its real, effective, saved and filesystem uids and gids are all nobody's (65534), no supplementary group" \
      '[ "$(field "${A:-0}" Uid)" = "65534 65534 65534 65534" ] && [ "$(field "${A:-0}" Gid)" = "65534 65534 65534 65534" ] &&
       [ -z "$(field "${A:-0}" Groups)" ] && [ -n "$A" ]'
no_caps() {
        local f
        for f in CapInh CapPrm CapEff CapAmb; do [ "$(field "$1" $f)" = 0000000000000000 ] || return 1; done
}
check "while stopped: no capability in its inheritable, permitted, effective or ambient set" \
      '[ -n "$A" ] && no_caps "$A"'

# The caller and the memory it shares with the daemon. The control: a
# process of nobody's own, which it may trace.
"${NOBODY[@]}" "$STOP_ACTING" access "${A:-0}" > "$work/access.out" 2>&1
"${NOBODY[@]}" sleep 60 &
own=$!
started+=("$own")
wait_for 2 '[ "$(field "$own" Uid)" = "65534 65534 65534 65534" ]'
"${NOBODY[@]}" "$STOP_ACTING" access "$own" > "$work/access-own.out" 2>&1
echo "# nobody on the acting process: $(cat "$work/access.out")"
echo "# nobody on a process of its own (the control): $(cat "$work/access-own.out")"
check "while stopped: the caller cannot ptrace it, read its memory (/proc/PID/mem, process_vm_readv), take its descriptors or list them; a process of its own it can" \
      'grep -Eq "^ACCESS ptrace=EPERM mem=(EACCES|EPERM) vm_readv=EPERM getfd=EPERM fd_dir=(EACCES|EPERM)$" "$work/access.out" &&
       grep -Eq "^ACCESS ptrace=ok mem=ok vm_readv=EFAULT getfd=(ok|EBADF) fd_dir=ok$" "$work/access-own.out"'

# The race: T gone, its number the container's next worker's.
"${NOBODY[@]}" kill -KILL "$T"
wait "$T" 2>/dev/null
echo "# T killed and reaped: /proc/$T $( [ -e "/proc/$T" ] && echo "still there: $(field "$T" Name) $(field "$T" State)" || echo "gone"), ns_last_pid $(cat /proc/sys/kernel/ns_last_pid)"
W=""
for try in 1 2 3 4 5 6 7 8; do
        echo $((T - 1)) > /proc/sys/kernel/ns_last_pid
        echo fork >&"$ct_in"
        ct_read
        W=""
        [[ $ct_line =~ ^WORKER\ ([0-9]+)$ ]] && W=${BASH_REMATCH[1]}
        [ "$W" = "$T" ] && break
        echo "# try $try: the worker got pid ${W:-none}, not $T"
        echo kill >&"$ct_in"
        W=""
        [ -e "/proc/$T" ] && break   # something else took the number
done
wait_for 2 '[ -n "$W" ] && [ "$(limit_of "$W" "Max open files")" = "$soft:$hard" ]'
limits_before=$(cat "/proc/${W:-0}/limits" 2>/dev/null)
echo "# worker: pid ${W:-none}, uids $(field "${W:-0}" Uid), NOFILE $(limit_of "${W:-0}" "Max open files"), user namespace owner $(stat -L -c %u "/proc/${W:-0}/ns/user" 2>/dev/null)"
check "the attack is made: T ($T) is gone and its number is a worker of uid $OUTER (uid 0 of a user namespace root made) with NOFILE $soft:$hard, $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s after the call" \
      '[ -n "$W" ] && [ "$(field "$W" Uid)" = "$OUTER $OUTER $OUTER $OUTER" ] &&
       grep -q "^USERNS owner=0 uid_map=0 $OUTER 1$" "$work/ct.log" && [ -n "$limits_before" ]'

# The caller resumes it.
"${NOBODY[@]}" kill -CONT "${A:-0}"
wait_for 10 'grep -Eq "^(OK|ERR)" "$work/call.out"'
echo "# the caller's reply, $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s after the call:"
note "$work/call.out"
echo "# worker after: NOFILE $(limit_of "${W:-0}" "Max open files"), CORE $(limit_of "${W:-0}" "Max core file size")"
check "the caller's call fails: PermissionDenied, the kernel refused NOFILE to the caller" \
      'grep -q "^ERR org\.example\.Resource1\.Error\.PermissionDenied .*refused NOFILE (operation not permitted to the caller)" "$work/call.out"'
check "the worker's limits are unchanged (NOFILE $(limit_of "${W:-0}" "Max open files"), was $soft:$hard)" \
      '[ -n "$W" ] && [ "$(cat "/proc/$W/limits")" = "$limits_before" ]'
echo "# daemon log since the call:"
grep -E "pid $T|uid 65534" "$log" | tail -5 | note

ping=$(timeout 10 busctl --system --timeout=3 call org.example.Resource1 /org/example/Resource1 org.example.Resource1 PageSize 2>&1)
check "root's PageSize is answered ($ping)" '[ "$ping" = "t $(getconf PAGESIZE)" ]'
check "the daemon is the same process (pid $dpid; the name's owner now: $(daemon_pid)), NOFILE still $nofile_daemon" \
      '[ "$(daemon_pid)" = "$dpid" ] && [ "$(limit_of "$dpid" "Max open files")" = "$nofile_daemon" ]'
check "the acting process is gone (reaped by the daemon)" '[ -n "$A" ] && ! [ -e "/proc/$A" ]'

tap_done
