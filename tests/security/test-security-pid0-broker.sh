#!/bin/bash
# Security suite: pid 0 on a bus that holds callers' processes by pidfd
# (ProcessFD): dbus-broker 37 (bookworm-backports, as tests/install-deps.sh
# fetches it) on Linux 6.5 or later (SO_PEERPIDFD), the fixture's bus
# (with-bus.sh --bus=dbus-broker). There the service pins pid 0 from the
# bus's pidfd, which its descriptor gate asks for, and never by the number:
# the delayed Hello, which the number cannot tell (caller-pin.h), is refused.
# The fixture runs with --no-daemon: the daemon is started here (with
# --log-level=debug), after a connection was opened.
#   1  the bus offers ProcessFD (busctl sees it) and the daemon says it pins
#      pid 0 from it (else the rest is skipped, saying why)
#   2  a connection opened before the daemon started: pid 0 and its own pid
#      number answered now (its process is held by the bus), so is a new
#      connection's, and libresource1's pid 0 on a handle as old
#   3  ordinary clients' pid-0 calls as nobody (busctl GetRlimit, SetRlimit;
#      rcall Prlimit, ListRlimits, GetRusage, SetRlimits) answered, each
#      pinned from the bus's ProcessFD (the daemon's debug log)
#   4  a sandboxed app's own live connection: every pid-0 call answered,
#      its CORE lowered to 0:0
#   5  the delayed Hello, performed for real (helpers/pid0-sandbox.py
#      delayed, over rawbus.py): in a pid-namespace sandbox as nobody, a
#      child connects and authenticates on a socket the app keeps, exits and
#      is reaped; a process of nobody's outside the sandbox takes its number
#      (root writes the fixture's ns_last_pid); only then the app sends Hello
#      (the bus records the child's pid: the victim's now) and GetRlimit,
#      ListRlimits, GetRusage, SetRlimit, Prlimit, SetRlimits with pid 0:
#      all NoSuchProcess "has exited", ListRlimits and Prlimit by the number
#      OtherPidNamespace, the victim's NOFILE still 20000:20000 (a daemon
#      that pins by number sets it to 99:99)
#   6  the same with a child that only connected (no AUTH) before it exited
#   7  the daemon's log says why (the bus's pidfd of those connections holds
#      no live process, or there was none), and no audit line names either
#      victim
#
# Run by meson directly: it checks what it needs (the extracted dbus-broker,
# SO_PEERPIDFD, root) and skips, saying why, without; then runs itself in
# the fixture (WITH_BUS, RULES). Needs RESOURCE1D, RCALL, PYTHON3,
# LIBRESOURCE1.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "${1:-}" != --inside ]; then
        skip_all() { echo "1..0 # SKIP $1"; exit 0; }
        [ "$(id -u)" = 0 ] || skip_all "needs root (the fixture)"
        broker=${RESOURCE1_DBUS_BROKER:-/var/cache/resource1-tests/dbus-broker/root}
        [ -x "$broker/usr/bin/dbus-broker-launch" ] && [ -x "$broker/usr/bin/dbus-broker" ] ||
                skip_all "no dbus-broker 37 at $broker (tests/install-deps.sh fetches it from bookworm-backports)"
        command -v systemd-socket-activate >/dev/null || skip_all "no systemd-socket-activate (systemd)"
        # SO_PEERPIDFD (77), Linux 6.5: without it no bus can hold a
        # connection's process by a pidfd.
        "${PYTHON3:-python3}" -c 'import socket; a, b = socket.socketpair(); a.getsockopt(socket.SOL_SOCKET, 77, 4)' \
                2>/dev/null || skip_all "the kernel ($(uname -r)) has no SO_PEERPIDFD (Linux 6.5): no bus offers ProcessFD on it"
        exec "${WITH_BUS:?}" --bus=dbus-broker --rules "${RULES:?}" --no-daemon --max-wait 50 -- "$0" --inside
fi

: "${RESOURCE1D:?}" "${RCALL:?}" "${PYTHON3:?}" "${LIBRESOURCE1:?}" "${RESOURCE1_FIXTURE:?}"
. "$here/../lib/tap.sh"
. "$here/../lib/pid0.sh"
work=$(mktemp -d "$RESOURCE1_FIXTURE/security-pid0-broker.XXXXXX")
chmod 755 "$work"
log=$work/daemon.log
trap kill_started EXIT
trap "" PIPE
export PYTHON3 LIBRESOURCE1

echo "1..7"

# A connection (and a libresource1 handle) older than the daemon.
mkfifo "$work/go"
LD_PRELOAD=${LIBRESOURCE1_PRELOAD:-} setpriv $NOBODY "$PYTHON3" "$H" early < "$work/go" > "$work/early.out" 2>&1 &
started+=($!)
exec 3> "$work/go"
wait_for 5 'grep -q "^READY" "$work/early.out"'
"$RESOURCE1D" --log-level=debug 2>> "$log" &
started+=($!)
wait_for 10 'busctl --system status org.example.Resource1 >/dev/null 2>&1'

# ---- 1: the bus offers ProcessFD ----
creds=$(busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus \
        GetConnectionCredentials s org.freedesktop.DBus 2>&1)
echo "# the bus's GetConnectionCredentials of itself: $creds"
if ! [[ $creds == *'"ProcessFD" h'* ]]; then
        echo "not ok 1 - the bus offers ProcessFD"
        for i in 2 3 4 5 6 7; do echo "ok $i - # SKIP the bus sends no ProcessFD here"; done
        exit 1
fi
check "the bus offers ProcessFD, and the daemon pins pid 0 from it" \
      'grep -q "The bus offers callers.* processes as pidfds (ProcessFD)" "$log"'

# ---- 2: a connection older than the daemon ----
echo GO >&3 || true
exec 3>&-
wait_for 10 'grep -q "^RESULT early-lib" "$work/early.out"'
note "$work/early.out"
check "a connection opened before the daemon started: pid 0 and its own pid number answered (the bus holds its process), a new connection's too, and libresource1's pid 0 on a handle as old" \
      '[[ $(result "$work/early.out" early GetRlimit) == "OK "* ]] &&
       [[ $(result "$work/early.out" early "ListRlimits(N)") == "OK "* ]] &&
       [[ $(result "$work/early.out" early-new GetRlimit) == "OK "* ]] &&
       [[ $(result "$work/early.out" early-lib resource1_getrlimit) == "OK "* ]]'

# ---- 3: ordinary clients ----
ok3=yes
ordinary() {
        local what=$1 out
        shift
        out=$(setpriv $NOBODY "$@" 2>&1)
        echo "# $what: ${out:0:150}"
        [[ $out == "ERR "* || $out == *"Call failed"* ]] && ok3=no
        true
}
from=$(log_size)
ordinary "busctl GetRlimit" busctl --system call $B GetRlimit s NOFILE
ordinary "busctl SetRlimit CORE 0 0" busctl --system call $B SetRlimit stt CORE 0 0
ordinary "rcall Prlimit(0)" "$RCALL" Prlimit '(usbtt)' "(uint32 0, 'NOFILE', false, uint64 0, uint64 0)"
ordinary "rcall ListRlimits(0)" "$RCALL" ListRlimits '(u)' "(uint32 0,)"
ordinary "rcall GetRusage(0)" "$RCALL" GetRusage '(us)' "(uint32 0, 'self')"
ordinary "rcall SetRlimits(0)" "$RCALL" SetRlimits '(ua(stt))' "(uint32 0, [('CORE', uint64 0, uint64 0)])"
pinned=$(log_since "$from" | grep -c "pinned from the bus's ProcessFD")
check "ordinary clients' pid-0 calls as nobody answered (busctl GetRlimit, SetRlimit; rcall Prlimit, ListRlimits, GetRusage, SetRlimits), pinned from the bus's ProcessFD ($pinned connections)" \
      '[ $ok3 = yes ] && [ "$pinned" -ge 6 ]'

# ---- 4: a sandboxed app's own, live connection ----
setpriv $NOBODY unshare -U -c -p --fork "$PYTHON3" "$H" live > "$work/live.out" 2>&1
note "$work/live.out"
live_ok=yes
for m in $PID0; do [[ $(result "$work/live.out" live "$m") == OK* ]] || live_ok=no; done
check "a sandboxed app's own live connection: every pid-0 call answered, its CORE now 0:0" \
      '[ $live_ok = yes ] && grep -q "^CORE 0 0$" "$work/live.out"'

# ---- 5, 6: the delayed Hello ----
from=$(log_size)
"$PYTHON3" "$H" drive delayed > "$work/drive.out" 2>&1
note "$work/drive.out"
victim() { awk -v k="$1" '$1 == "VICTIM" && $2 == k { print $3, $4, $5, $6 }' "$work/drive.out"; }
vpid() { victim "$1" | cut -d" " -f1; }
attack_ok() {
        local k=$1 n
        n=$(awk -v k="$k" '$1 == "CONN" && $2 == k { print $4 }' "$work/drive.out")
        [ -n "$n" ] && [ "$(vpid "$k")" = "$n" ] &&
        [ "$(awk -v k="$k" '$1 == "NAME" && $2 == k { print $4 }' "$work/drive.out")" = "$n" ] &&
        [ "$(victim "$k" | cut -d" " -f2-)" = "took=yes before=20000:20000 after=20000:20000" ] &&
        all_err "$work/drive.out" "$k" org.example.Resource1.Error.NoSuchProcess "has exited" $PID0 &&
        all_err "$work/drive.out" "$k" org.example.Resource1.Error.OtherPidNamespace "has exited" "ListRlimits(N)" "Prlimit(N)"
}
check "delayed Hello, the connecting child authenticated, exited and was reaped, a host process of nobody's with its number before the Hello (the bus records that number): pid 0 (GetRlimit, ListRlimits, GetRusage, SetRlimit, Prlimit, SetRlimits) NoSuchProcess, the number OtherPidNamespace; its NOFILE $(victim auth | sed 's/.*after=//') (was 20000:20000)" \
      'attack_ok auth'
check "the same, the child only connected: NOFILE $(victim raw | sed 's/.*after=//') (was 20000:20000)" \
      'attack_ok raw'

# ---- 7: what the daemon says ----
sleep 0.2
why=$(log_since "$from" | grep -c "ProcessFD of .* holds no live process\|has no ProcessFD of")
lines=0
for k in auth raw; do
        p=$(vpid "$k")
        [ -n "$p" ] && lines=$((lines + $(grep -c "of pid $p " "$log")))
done
log_since "$from" | grep "ProcessFD" | sed 's/^/# daemon: /'
check "the daemon's log says the bus's pidfd of both connections holds no live process, or there was none ($why), and no audit line names either victim ($lines)" \
      '[ "$why" -ge 2 ] && [ -n "$(vpid auth)" ] && [ "$lines" = 0 ]'

tap_done
