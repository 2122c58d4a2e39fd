#!/bin/bash
# Security suite: /proc mounted with hidepid= is honoured (issue 15, item 4).
# The fixture runs in a private mount namespace with a /proc of its own
# (with-bus.sh: unshare --mount-proc); this script, as root there, remounts
# that /proc with hidepid=invisible, then hidepid=invisible,gid=G, then
# hidepid=noaccess, and attacks as nobody for real: what the kernel hides from
# nobody in /proc the service must hide too. The daemon is root in the same
# mount namespace and so sees everything itself. /proc is put back (hidepid=off,
# gid=0) at the end, whatever fails.
#
#   1  the remount took effect: nobody's ls /proc lacks the process of uid
#      daemon (1), and the daemon's own /proc/PID/mountinfo shows hidepid=invisible
#   2-7  ListRlimits, Prlimit (get), GetRusage, SetRlimits, Prlimit (set) and
#      CanSetRlimits (which must tell no more than SetRlimits) of that process
#      as nobody: NoSuchProcess with exactly the message of a pid with no
#      process (its number replaced), naming no uid
#   8  every pid 1..(highest + 200) with ListRlimits and GetRusage as nobody:
#      the service answers for exactly the pids /proc shows nobody, every other
#      answer is the no-process one, and no message names a uid
#   9  nobody's own processes stay visible and work (read, set, usage)
#   10 hidepid=invisible,gid=G: nobody in group G is answered for uid 1's
#      process by the first call after the remount (under a second after the
#      daemon last read the options); nobody outside G still gets the
#      no-process answer
#   11 the walk of 8 as nobody in group G: answered for every pid it sees
#   12 hidepid=noaccess: uid 1's process visible, its files unreadable: reading
#      its limits and usage is PermissionDenied, naming no uid; own ones work
#   13 hidepid=invisible again: a connection of nobody's whose connecting
#      process has exited, its number now uid 1's (hidden) process with NOFILE
#      777:888: GetRlimit, ListRlimits(0), GetRusage(0) ("the caller") on that
#      connection are each the answer for a connection whose process exited
#      (NoSuchProcess naming only that number, whatever has it now), and
#      Prlimit(that number, get) OtherPidNamespace (which namespace the number
#      was meant in is unknown then), never the other process's limits; on a
#      fresh connection, Prlimit(that number) is exactly the no-process answer
#   14 /proc restored (no hidepid, no gid)
#   15 (between 9 and 10) RlimitChanged of uid 1's change of its hidden process
#      reaches uid 1 (the caller), not nobody's subscription: a broadcast
#      would name a process /proc hides from nobody, with its limits
#
# Needs RCALL (rcall), WALK (hidepid-walk), python3 (PYTHON3, for
# helpers/hidepid-selfpid.py and helpers/rawbus.py) and the fixture's
# environment.
set -u
: "${RCALL:?}" "${WALK:?}" "${RESOURCE1_FIXTURE:?}"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/tap.sh"
PYTHON3=${PYTHON3:-python3}
export PYTHONDONTWRITEBYTECODE=1        # nothing written into the source tree

work=$(mktemp -d "$RESOURCE1_FIXTURE/security-hidepid.XXXXXX")
chmod 755 "$work"
NOBODY="--reuid=65534 --regid=65534"
G=4711                  # a group only the test gives nobody (--groups)
restore_proc() { mount -o remount,hidepid=off,gid=0 /proc; }
cleanup() {
        restore_proc
        kill_started
}
trap cleanup EXIT
trap 'exit 1' INT TERM

as_nobody() { setpriv $NOBODY --clear-groups "$@"; }
as_nobody_g() { setpriv $NOBODY --groups=$G "$@"; }
# The options of the topmost /proc mount in a mountinfo (the fixture's own
# proc is mounted over the host's, so there are two /proc lines).
proc_opts() { awk '$5 == "/proc" { o = $NF } END { print o }' "$1"; }
nofile_of() { awk '/^Max open files/ { print $4, $5 }' "/proc/$1/limits"; }
# pids as nobody (or nobody in G) sees them listed in /proc
ls_pids() { "$@" ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\n' ' '; }
# field FILE KEY=: the value of KEY= on the WALK line.
walk_field() { sed -n "s/^WALK .*\b$2=\([0-9]*\).*/\1/p" "$1"; }
# names_no_uid MSG: no "(uid" and no "uid 1" (the target's) in it
names_no_uid() { ! grep -Eq '\(uid |\buid 1\b' <<< "$1"; }

echo "1..15"

setpriv --reuid=1 --regid=1 --clear-groups sleep 300 &
V=$!
started+=($V)
prlimit --nofile=1000:2000 -- setpriv $NOBODY --clear-groups sleep 300 &
OWN=$!
started+=($OWN)
setpriv $NOBODY --clear-groups "$WALK" nondumpable > "$work/nd.out" &
ND=$!
started+=($ND)
for _ in $(seq 100); do
        [ "$(cat /proc/$V/comm /proc/$OWN/comm 2>/dev/null | tr '\n' ' ')" = "sleep sleep " ] &&
                grep -q READY "$work/nd.out" && break
        sleep 0.05
done
D=$(pgrep -x resource1d | head -1)
pid_max=$(cat /proc/sys/kernel/pid_max)
F=$(( pid_max - 7 ))
while [ -e "/proc/$F" ]; do F=$(( F - 1 )); done
echo "# uid 1's process: $V; nobody's own: $OWN (NOFILE 1000:2000), nobody's non-dumpable: $ND;" \
     "daemon: ${D:-?}; free pid: $F (pid_max $pid_max)"
echo "# fixture /proc before: $(proc_opts /proc/self/mountinfo)"

# ---- 1: hidepid=invisible ----
mount -o remount,hidepid=invisible /proc
mount_rc=$?
self_opts=$(proc_opts /proc/self/mountinfo)
daemon_opts=$( [ -n "$D" ] && proc_opts "/proc/$D/mountinfo")
nobody_ls=$(ls_pids as_nobody)
echo "# remount,hidepid=invisible: rc $mount_rc; this shell's /proc: $self_opts; the daemon's (/proc/$D/mountinfo): $daemon_opts"
grep ' /proc ' "/proc/${D:-self}/mountinfo" | note
echo "# nobody's ls /proc: $nobody_ls"
echo "# for comparison, the kernel's own calls as nobody on pid $V:"
as_nobody prlimit --pid "$V" --nofile 2>&1 | note
as_nobody cat "/proc/$V/limits" 2>&1 | head -1 | note
as_nobody prlimit --pid "$F" --nofile 2>&1 | note
check "hidepid=invisible took effect: nobody's ls /proc lacks uid 1's $V, shows its own $OWN; the daemon's mountinfo shows it" \
      '[ "$mount_rc" = 0 ] && [[ $self_opts == *hidepid=invisible* ]] && [[ $daemon_opts == *hidepid=invisible* ]] &&
       [[ " $nobody_ls" != *" $V "* ]] && [[ " $nobody_ls" == *" $OWN "* ]]'

# ---- 2-7: each call on uid 1's process against a free pid ----
# same_as_free DESC METHOD SIG ARGS-with-@PID: the reply for $V must be the
# free pid's, number replaced, and NoSuchProcess.
same_as_free() {
        local desc=$1 method=$2 sig=$3 args=$4 who=${5:-as_nobody}
        local got want
        got=$($who "$RCALL" "$method" "$sig" "${args//@PID/$V}" 2>&1 | head -1)
        want=$($who "$RCALL" "$method" "$sig" "${args//@PID/$F}" 2>&1 | head -1)
        want=${want//$F/$V}
        echo "# $method($V) as nobody: ${got:0:300}"
        echo "# $method($F) as nobody, $F replaced by $V: ${want:0:300}"
        check "$desc" '[[ $want == "ERR org.example.Resource1.Error.NoSuchProcess "* ]] && [ "$got" = "$want" ] &&
                       names_no_uid "$got"'
}
same_as_free "hidepid=invisible: ListRlimits of uid 1's process as nobody is the no-process answer" \
             ListRlimits '(u)' "(uint32 @PID,)"
same_as_free "hidepid=invisible: Prlimit (get) of uid 1's process as nobody is the no-process answer" \
             Prlimit '(usbtt)' "(uint32 @PID, 'NOFILE', false, 0, 0)"
same_as_free "hidepid=invisible: GetRusage of uid 1's process as nobody is the no-process answer, no '(uid 1)'" \
             GetRusage '(us)' "(uint32 @PID, 'self')"
same_as_free "hidepid=invisible: SetRlimits of uid 1's process as nobody is the no-process answer" \
             SetRlimits '(ua(stt))' "(uint32 @PID, [('CORE', 0, 0)])"
same_as_free "hidepid=invisible: Prlimit (set) of uid 1's process as nobody is the no-process answer" \
             Prlimit '(usbtt)' "(uint32 @PID, 'NOFILE', true, 0, 0)"
same_as_free "hidepid=invisible: CanSetRlimits of uid 1's process as nobody is the no-process answer, not an answer" \
             CanSetRlimits '(ua(stt))' "(uint32 @PID, [('CORE', 0, 0)])"

# ---- 8: the walk ----
# Not judged: the kernel hides a non-dumpable process from its own uid too
# (hidepid's ptrace rule); the contract says the caller's own processes stay
# visible. Shown here, then ended, so that the walk has no such process.
nd_stat=$(as_nobody stat -c %n "/proc/$ND" 2>&1)
nd_list=$(as_nobody "$RCALL" ListRlimits '(u)' "(uint32 $ND,)" 2>&1 | head -1)
echo "# (not judged) nobody's own non-dumpable $ND: stat as nobody: $nd_stat; ListRlimits as nobody: ${nd_list:0:120}"
kill -KILL "$ND"; wait "$ND" 2>/dev/null
top=$(( $(cat /proc/sys/kernel/ns_last_pid) + 200 ))
as_nobody "$WALK" walk 1 "$top" "$F" > "$work/walk.out" 2>&1
note "$work/walk.out"
w() { walk_field "$work/walk.out" "$1"; }
check "hidepid=invisible: walking pids 1..$top as nobody, the service answers for exactly the pids /proc shows nobody and names no uid" \
      '[ -n "$(w visible)" ] && [ "$(w pids)" = "$top" ] && [ "$(w leaks)" = 0 ] && [ "$(w uid_named)" = 0 ] &&
       [ "$(w missing)" = 0 ] && [ "$(w unlisted_visible)" = 0 ] &&
       [ "$(w answered_list)" = "$(w visible)" ] && [ "$(w answered_usage)" = "$(w visible)" ]'

# ---- 9: the caller's own processes ----
own_list=$(as_nobody "$RCALL" ListRlimits '(u)' "(uint32 $OWN,)" 2>&1 | head -1)
own_usage=$(as_nobody "$RCALL" GetRusage '(us)' "(uint32 $OWN, 'self')" 2>&1 | head -1)
own_set=$(as_nobody "$RCALL" Prlimit '(usbtt)' "(uint32 $OWN, 'NOFILE', true, 500, 2000)" 2>&1 | head -1)
own_after=$(nofile_of "$OWN")
self_set=$(prlimit --nofile=1000:2000 -- setpriv $NOBODY --clear-groups \
           "$RCALL" --limit NOFILE SetRlimit '(stt)' "('NOFILE', 999, 2000)" 2>&1 | tr '\n' ' ')
echo "# ListRlimits($OWN): ${own_list:0:160}"
echo "# GetRusage($OWN): ${own_usage:0:160}"
echo "# Prlimit($OWN, NOFILE, true, 500, 2000): $own_set; /proc/$OWN/limits NOFILE now $own_after"
echo "# SetRlimit(NOFILE, 999, 2000) of itself: $self_set"
check "hidepid=invisible: nobody's own processes stay visible: read, usage, Prlimit set of its sleep, SetRlimit of itself" \
      '[[ $own_list == "OK "*"NOFILE"* ]] && [[ $own_usage == "OK "*ru_utime* ]] &&
       [ "$own_set" = "OK (uint64 1000, uint64 2000)" ] && [ "$own_after" = "500 2000" ] &&
       [[ $self_set == "OK "*"LIMIT 999 2000"* ]]'

# ---- 15: RlimitChanged of a hidden process ----
LISTEN=$here/../helpers/signal-listen.py
as_nobody "$PYTHON3" "$LISTEN" listen 4 > "$work/listen.out" 2>&1 &
started+=($!)
wait_for 3 'grep -q READY "$work/listen.out"'
setpriv --reuid=1 --regid=1 --clear-groups "$PYTHON3" "$LISTEN" change "$V" NOFILE 1234 20000 > "$work/change.out" 2>&1
sleep 0.5
echo "# uid 1 changes NOFILE of its hidden $V: $(tr '\n' ' ' < "$work/change.out")"
echo "# nobody's subscription got: $(grep -c '^SIGNAL' "$work/listen.out") signal(s) $(grep '^SIGNAL' "$work/listen.out" | head -1)"
check "hidepid=invisible: RlimitChanged of uid 1's hidden process goes to uid 1, the caller, and not to nobody's subscription" \
      'grep -q "^REPLY ok" "$work/change.out" && grep -q "^SIGNAL $V NOFILE [0-9]* [0-9]* 1234 20000 1\$" "$work/change.out" &&
       grep -q READY "$work/listen.out" && ! grep -q "^SIGNAL" "$work/listen.out"'

# ---- 10, 11: hidepid=invisible,gid=G ----
# A call right before the remount has the daemon read the options; the
# call right after it comes well within the second after which it would read
# them again anyway: only the change's own mark (visibility.c) makes it see
# the remount.
as_nobody "$RCALL" ListRlimits '(u)' "(uint32 $V,)" >/dev/null 2>&1
t_read=$(date +%s%N)
mount -o remount,hidepid=invisible,gid=$G /proc
mount_rc=$?
g_list=$(as_nobody_g "$RCALL" ListRlimits '(u)' "(uint32 $V,)" 2>&1 | head -1)
g_ms=$(( ($(date +%s%N) - t_read) / 1000000 ))
echo "# remount,hidepid=invisible,gid=$G: rc $mount_rc; /proc: $(proc_opts /proc/self/mountinfo); the next call ${g_ms} ms after the last"
g_ls=$(ls_pids as_nobody_g)
g_get=$(as_nobody_g "$RCALL" Prlimit '(usbtt)' "(uint32 $V, 'NOFILE', false, 0, 0)" 2>&1 | head -1)
v_nofile=$(nofile_of "$V")
echo "# nobody in group $G: ls /proc: $g_ls"
echo "# ListRlimits($V) as nobody in $G: ${g_list:0:200}"
echo "# Prlimit($V, NOFILE, get) as nobody in $G: $g_get (/proc/$V/limits: $v_nofile)"
nog_list=$(as_nobody "$RCALL" ListRlimits '(u)' "(uint32 $V,)" 2>&1 | head -1)
nog_want=$(as_nobody "$RCALL" ListRlimits '(u)' "(uint32 $F,)" 2>&1 | head -1)
nog_want=${nog_want//$F/$V}
echo "# ListRlimits($V) as nobody outside $G: ${nog_list:0:200}"
check "hidepid=invisible,gid=$G: nobody in $G is answered for uid 1's process (limits as in /proc) by the first call after the remount ($g_ms ms after the one before it), nobody outside $G is not" \
      '[ "$g_ms" -lt 1000 ] && [[ " $g_ls" == *" $V "* ]] && [[ $g_list == "OK "*"NOFILE"* ]] &&
       [ "$g_get" = "OK (uint64 ${v_nofile% *}, uint64 ${v_nofile#* })" ] &&
       [[ $nog_want == "ERR org.example.Resource1.Error.NoSuchProcess "* ]] && [ "$nog_list" = "$nog_want" ]'
top=$(( $(cat /proc/sys/kernel/ns_last_pid) + 200 ))
as_nobody_g "$WALK" walk 1 "$top" "$F" > "$work/walk-g.out" 2>&1
grep -v '^UIDLEAK' "$work/walk-g.out" | note
w() { walk_field "$work/walk-g.out" "$1"; }
check "hidepid=invisible,gid=$G: walking pids 1..$top as nobody in $G, the service answers for every pid it sees, and only those" \
      '[ -n "$(w visible)" ] && [ "$(w visible)" -gt 5 ] && [ "$(w leaks)" = 0 ] && [ "$(w missing)" = 0 ] &&
       [ "$(w answered_list)" = "$(w visible)" ]'

# ---- 12: hidepid=noaccess ----
mount -o remount,hidepid=noaccess,gid=0 /proc
echo "# remount,hidepid=noaccess,gid=0: rc $?; /proc: $(proc_opts /proc/self/mountinfo)"
na_ls=$(ls_pids as_nobody)
na_cat=$(as_nobody cat "/proc/$V/limits" 2>&1 | head -1)
echo "# nobody's ls /proc: $na_ls"
echo "# nobody's cat /proc/$V/limits: $na_cat"
na_list=$(as_nobody "$RCALL" ListRlimits '(u)' "(uint32 $V,)" 2>&1 | head -1)
na_get=$(as_nobody "$RCALL" Prlimit '(usbtt)' "(uint32 $V, 'NOFILE', false, 0, 0)" 2>&1 | head -1)
na_usage=$(as_nobody "$RCALL" GetRusage '(us)' "(uint32 $V, 'self')" 2>&1 | head -1)
na_own=$(as_nobody "$RCALL" ListRlimits '(u)' "(uint32 $OWN,)" 2>&1 | head -1)
for v in na_list na_get na_usage na_own; do echo "# $v: ${!v:0:200}"; done
denied='ERR org.example.Resource1.Error.PermissionDenied '
check "hidepid=noaccess: reading uid 1's limits and usage as nobody is PermissionDenied naming no uid; its own are read" \
      '[[ " $na_ls" == *" $V "* ]] && [[ $na_cat == *"Operation not permitted"* ]] &&
       [[ $na_list == "$denied"* ]] && [[ $na_get == "$denied"* ]] && [[ $na_usage == "$denied"* ]] &&
       names_no_uid "$na_list" && names_no_uid "$na_get" && names_no_uid "$na_usage" &&
       [[ $na_own == "OK "*"NOFILE"* ]]'

# ---- 13: the caller's own number, reused ----
# A connection outlives the process that opened it (hidepid-selfpid.py: C
# connects, its child G keeps the socket, C exits and is reaped); the bus
# still gives C's pid as the connection's. The number is then given to a
# process of uid 1 that /proc hides from nobody. The kernel hands a number
# out again only once allocation wraps past pid_max, which takes a test too
# long: writing ns_last_pid (the fixture has a pid namespace of its own, so
# only its numbers move) stands in for that natural reuse, which an attacker
# holding such connections, one per number, need only wait for.
mount -o remount,hidepid=invisible,gid=0 /proc
echo "# remount,hidepid=invisible,gid=0: rc $?; /proc: $(proc_opts /proc/self/mountinfo)"
sp=$(mktemp -d "$work/selfpid.XXXXXX")
chmod 777 "$sp"
as_nobody "$PYTHON3" "$here/../helpers/hidepid-selfpid.py" "$sp" > "$sp/out" 2>&1 &
SP=$!
started+=($SP)
wait_for_file() { local i; for i in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
wait_for_file "$sp/pid" && wait_for_file "$sp/gpid"
CP=$(cat "$sp/pid" 2>/dev/null) GP=$(cat "$sp/gpid" 2>/dev/null)
[ -n "$GP" ] && started+=($GP)
R=""
last_pid=$(cat /proc/sys/kernel/ns_last_pid)
for try in 1 2 3 4 5; do
        [ -n "$CP" ] && [ ! -e "/proc/$CP" ] || break
        echo $(( CP - 1 )) > /proc/sys/kernel/ns_last_pid
        prlimit --nofile=777:888 -- setpriv --reuid=1 --regid=1 --clear-groups sleep 60 &
        R=$!
        started+=($R)
        [ "$R" = "$CP" ] && break
        echo "# try $try: the victim got pid $R, not $CP (another process forked in between)"
        kill -KILL "$R"; wait "$R" 2>/dev/null; R=""
done
# Back to where the numbers were, so that nothing later is handed a low one.
[ "$(cat /proc/sys/kernel/ns_last_pid)" -lt "$last_pid" ] && echo "$last_pid" > /proc/sys/kernel/ns_last_pid
for _ in $(seq 100); do [ "$(cat "/proc/${R:-x}/comm" 2>/dev/null)" = sleep ] && break; sleep 0.05; done
r_uid=$(stat -c %u "/proc/${R:-x}" 2>/dev/null)
r_nofile=$(nofile_of "${R:-x}" 2>/dev/null)
r_seen=$(ls_pids as_nobody)
echo "# the connection's connecting pid: ${CP:-?} (exited); its keeper G: ${GP:-?}; the process now at that number: ${R:-none}" \
     "(uid ${r_uid:-?}, NOFILE ${r_nofile:-?}); nobody's ls /proc: $r_seen"
touch "$sp/go"
wait "$SP"
note "$sp/out"
reply() { sed -n "s/^REPLY $1 //p" "$sp/out" | head -1; }
fresh=$(as_nobody "$RCALL" Prlimit '(usbtt)' "(uint32 ${CP:-0}, 'NOFILE', false, 0, 0)" 2>&1 | head -1)
echo "# Prlimit(${CP:-?}, NOFILE, get) as nobody on a fresh connection: $fresh"
# what each call says of the free pid F, F replaced by the reused number
free_answer() { local a; a=$(as_nobody "$RCALL" "$@" 2>&1 | head -1); echo "${a//$F/$CP}"; }
want_get=$(free_answer Prlimit '(usbtt)' "(uint32 $F, 'NOFILE', false, 0, 0)")
want_list=$(free_answer ListRlimits '(u)' "(uint32 $F,)")
want_usage=$(free_answer GetRusage '(us)' "(uint32 $F, 'self')")
echo "# the free pid $F's answers, $F replaced by ${CP:-?}: Prlimit: $want_get; ListRlimits: $want_list; GetRusage: $want_usage"
nsp='ERR org.example.Resource1.Error.NoSuchProcess '
# pid 0 of a connection whose process exited: one answer, naming that number
# only, whoever has it now; a number on it: OtherPidNamespace, likewise.
gone0="${nsp}pid 0 (the caller): the process that opened this bus connection (pid ${CP:-?}) has exited,"
gone_n="ERR org.example.Resource1.Error.OtherPidNamespace pid ${CP:-?} was named on a bus connection whose process (pid ${CP:-?}) has exited,"
check "hidepid=invisible: on a connection whose connecting process exited (pid ${CP:-?}, now uid 1's hidden process with NOFILE 777:888), GetRlimit, ListRlimits(0), GetRusage(0) are each the same \"has exited\" NoSuchProcess, Prlimit(${CP:-?}, get) OtherPidNamespace, and on a fresh connection Prlimit(${CP:-?}) exactly the no-process answer" \
      '[ -n "$R" ] && [ "$R" = "$CP" ] && [ "$r_uid" = 1 ] && [ "$r_nofile" = "777 888" ] &&
       [[ " $r_seen" != *" $R "* ]] && [[ $fresh == "$nsp"* ]] && grep -qx DONE "$sp/out" &&
       [[ $want_get == "$nsp"* ]] && [[ $want_list == "$nsp"* ]] && [[ $want_usage == "$nsp"* ]] &&
       [ "$fresh" = "$want_get" ] &&
       [[ $(reply GetRlimit) == "$gone0"* ]] && [ "$(reply ListRlimits)" = "$(reply GetRlimit)" ] &&
       [ "$(reply GetRusage)" = "$(reply GetRlimit)" ] && [[ $(reply Prlimit) == "$gone_n"* ]] &&
       ! grep -q "777, 888" "$sp/out" && ! grep -q "uid 1" "$sp/out"'
kill -KILL "$R" 2>/dev/null

# ---- 14: restored ----
restore_proc
opts=$(proc_opts /proc/self/mountinfo)
back_ls=$(ls_pids as_nobody)
echo "# remount,hidepid=off,gid=0: /proc: $opts"
check "/proc restored: no hidepid, no gid, nobody sees uid 1's process again" \
      '[[ $opts != *hidepid* ]] && [[ $opts != *gid=* ]] && [[ " $back_ls" == *" $V "* ]]'

tap_done
