#!/bin/bash
# Security suite: pid 0 is a number too. "pid 0, the caller" is the process
# the bus recorded for the caller's connection, by number; an app in a
# pid-namespace sandbox (unshare -U -c -p --fork as nobody: the same uid on
# the host, as bubblewrap and Flatpak make it) opens its connection from a
# child that exits (the app keeps the socket), and a process of nobody's
# outside the sandbox takes the child's number (made deterministic here:
# root writes ns_last_pid of the fixture's pid namespace, where the bus and
# the daemon live). Performed for real (helpers/pid0-sandbox.py, over
# helpers/rawbus.py). The fixture runs with --no-daemon: the daemon is
# started here, after a connection was opened.
#   1  a connection opened before the daemon started: pid 0 is NoSuchProcess
#      saying the connection is older than what the service saw appear, and
#      a pid number OtherPidNamespace; a new connection of the same live
#      process is answered, and libresource1's handle whose connection is
#      older than the daemon gets its pid-0 call answered (sent once more on a
#      new connection; made at the end of its descriptors, where the library
#      names its process as pid 0 rather than by a pidfd)
#   2  ordinary clients' pid-0 calls (busctl: GetRlimit, SetRlimit; rcall:
#      Prlimit, ListRlimits, GetRusage, SetRlimits, all pid 0) as nobody
#   3  a sandboxed app's own live connection: every pid-0 call answered,
#      its CORE lowered to 0:0; a pid number OtherPidNamespace
#   4  the attack, the child gone before any call: GetRlimit, ListRlimits,
#      GetRusage, SetRlimit, Prlimit, SetRlimits with pid 0 are all
#      NoSuchProcess "has exited", and by the number ListRlimits and Prlimit
#      OtherPidNamespace; the host process has the number and its NOFILE is
#      still 20000:20000 (the old daemon set it to 99:99, then 98:98)
#   5  the same after one pid-0 call while the child lived (answered then)
#   6  no audit line names either host process
#
# Needs RESOURCE1D, RCALL, PYTHON3, LIBRESOURCE1 (the built library) and the
# fixture's environment (with-bus.sh --no-daemon).
set -u
: "${RESOURCE1D:?}" "${RCALL:?}" "${PYTHON3:?}" "${LIBRESOURCE1:?}" "${RESOURCE1_FIXTURE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/pid0.sh"
work=$(mktemp -d "$RESOURCE1_FIXTURE/security-pid0.XXXXXX")
chmod 755 "$work"
log=$work/daemon.log
trap kill_started EXIT
trap "" PIPE
export PYTHON3 LIBRESOURCE1

echo "1..6"

# ---- 1: a connection older than the daemon ----
mkfifo "$work/go"
# (A sanitizer build's library needs its runtimes loaded first: LIBRESOURCE1_PRELOAD.)
LD_PRELOAD=${LIBRESOURCE1_PRELOAD:-} setpriv $NOBODY "$PYTHON3" "$H" early < "$work/go" > "$work/early.out" 2>&1 &
started+=($!)
exec 3> "$work/go"
wait_for 5 'grep -q "^READY" "$work/early.out"'
"$RESOURCE1D" 2>> "$log" &
started+=($!)
wait_for 10 'busctl --system status org.example.Resource1 >/dev/null 2>&1'
echo GO >&3 || true
exec 3>&-
wait_for 10 'grep -q "^RESULT early-lib" "$work/early.out"'
note "$work/early.out"
check "a connection opened before the daemon started: pid 0 NoSuchProcess (older than what it saw appear), a number OtherPidNamespace; a new connection of that process is answered, and so is libresource1's pid 0 on a handle as old ($(result "$work/early.out" early-lib resource1_getrlimit | cut -c1-60))" \
      'all_err "$work/early.out" early org.example.Resource1.Error.NoSuchProcess "older than what the service saw appear" GetRlimit &&
       all_err "$work/early.out" early org.example.Resource1.Error.OtherPidNamespace "cannot vouch for" "ListRlimits(N)" &&
       [[ $(result "$work/early.out" early-new GetRlimit) == "OK "* ]] &&
       [[ $(result "$work/early.out" early-lib resource1_getrlimit) == "OK "* ]]'

# ---- 2: ordinary clients ----
ok2=yes
# ordinary WHAT COMMAND...: as nobody; busctl prints its reply (nothing for
# none) or "Call failed: ...", rcall "OK ..." or "ERR ...".
ordinary() {
        local what=$1 out
        shift
        out=$(setpriv $NOBODY "$@" 2>&1)
        echo "# $what: ${out:0:150}"
        [[ $out == "ERR "* || $out == *"Call failed"* ]] && ok2=no
        true
}
ordinary "busctl GetRlimit" busctl --system call $B GetRlimit s NOFILE
ordinary "busctl SetRlimit CORE 0 0" busctl --system call $B SetRlimit stt CORE 0 0
ordinary "rcall Prlimit(0)" "$RCALL" Prlimit '(usbtt)' "(uint32 0, 'NOFILE', false, uint64 0, uint64 0)"
ordinary "rcall ListRlimits(0)" "$RCALL" ListRlimits '(u)' "(uint32 0,)"
ordinary "rcall GetRusage(0)" "$RCALL" GetRusage '(us)' "(uint32 0, 'self')"
ordinary "rcall SetRlimits(0)" "$RCALL" SetRlimits '(ua(stt))' "(uint32 0, [('CORE', uint64 0, uint64 0)])"
check "ordinary clients' pid-0 calls as nobody are answered (busctl GetRlimit, SetRlimit; rcall Prlimit, ListRlimits, GetRusage, SetRlimits)" \
      '[ $ok2 = yes ]'

# ---- 3: a sandboxed app's own, live connection ----
setpriv $NOBODY unshare -U -c -p --fork "$PYTHON3" "$H" live > "$work/live.out" 2>&1
note "$work/live.out"
live_ok=yes
for m in $PID0; do [[ $(result "$work/live.out" live "$m") == OK* ]] || live_ok=no; done
check "a sandboxed app's own live connection: every pid-0 call answered, its CORE now 0:0, a pid number OtherPidNamespace" \
      '[ $live_ok = yes ] && grep -q "^CORE 0 0$" "$work/live.out" &&
       all_err "$work/live.out" live org.example.Resource1.Error.OtherPidNamespace "another pid namespace" "ListRlimits(N)"'

# ---- 4, 5: the attack ----
"$PYTHON3" "$H" drive > "$work/drive.out" 2>&1
note "$work/drive.out"
# victim KIND: "<pid> took=... before=... after=..."
victim() { awk -v k="$1" '$1 == "VICTIM" && $2 == k { print $3, $4, $5, $6 }' "$work/drive.out"; }
vpid() { victim "$1" | cut -d" " -f1; }
attack_ok() {
        local k=$1 n
        n=$(awk -v k="$k" '$1 == "CONN" && $2 == k { print $4 }' "$work/drive.out")
        [ -n "$n" ] && [ "$(vpid "$k")" = "$n" ] &&
        [ "$(victim "$k" | cut -d" " -f2-)" = "took=yes before=20000:20000 after=20000:20000" ] &&
        all_err "$work/drive.out" "$k" org.example.Resource1.Error.NoSuchProcess "has exited" $PID0 &&
        all_err "$work/drive.out" "$k" org.example.Resource1.Error.OtherPidNamespace "has exited" "ListRlimits(N)" "Prlimit(N)"
}
check "sandboxed app, its connecting child gone, a host process of nobody's with that pid: pid 0 (GetRlimit, ListRlimits, GetRusage, SetRlimit, Prlimit, SetRlimits) NoSuchProcess, the number OtherPidNamespace; its NOFILE $(victim fresh | sed 's/.*after=//') (was 20000:20000)" \
      'attack_ok fresh'
check "the same after a pid-0 call while the child lived (answered: $(result "$work/drive.out" pinned-before GetRlimit)); NOFILE $(victim pinned | sed 's/.*after=//')" \
      'attack_ok pinned && [[ $(result "$work/drive.out" pinned-before GetRlimit) == "OK "* ]]'

# ---- 6: nothing logged as done to them ----
sleep 0.2
lines=0
for k in fresh pinned; do
        p=$(vpid "$k")
        [ -n "$p" ] && lines=$((lines + $(grep -c "of pid $p " "$log")))
done
check "no audit line names either host process ($lines)" '[ -n "$(vpid fresh)" ] && [ "$lines" = 0 ]'

tap_done
