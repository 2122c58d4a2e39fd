#!/bin/bash
# resource1d's lifetime, on the fixture's bus (with-bus.sh --no-daemon): the
# idle timeout, never exiting while a polkit check is pending, SIGTERM, and a
# second instance refused the name. TAP output.
set -u
: "${RESOURCE1D:?}" "${POLKITD_PID_FILE:?}" "${RESOURCE1_FIXTURE:?}"

. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

has_owner() {
        gdbus call --system --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
                --method org.freedesktop.DBus.NameHasOwner org.example.Resource1 2>/dev/null | grep -q true
}
wait_owner() { for _ in $(seq 100); do has_owner && return 0; sleep 0.05; done; return 1; }
# Waits up to $2 tenths of a second for pid $1 to exit; its status in $status.
wait_exit() {
        for _ in $(seq "$2"); do
                if ! kill -0 "$1" 2>/dev/null; then wait "$1"; status=$?; return 0; fi
                sleep 0.1
        done
        return 1
}
call() {
        busctl --system call org.example.Resource1 /org/example/Resource1 org.example.Resource1 "$@"
}

echo "1..14"
log=$RESOURCE1_FIXTURE/lifetime.log

# 1-3: idle timeout
"$RESOURCE1D" --idle-timeout=1 2>>"$log" &
d=$!
check "daemon takes the name" wait_owner
for _ in 1 2 3 4 5 6; do call PageSize >/dev/null; sleep 0.3; done
check "calls every 0.3 s keep a 1 s idle daemon alive" 'kill -0 $d 2>/dev/null && has_owner'
status=
check "idle daemon releases the name and exits 0" 'wait_exit $d 30 && [ "$status" = 0 ] && ! has_owner'

# 4-5: never idle-exit while a polkit check is pending
polkitd=$(cat "$POLKITD_PID_FILE")
"$RESOURCE1D" --idle-timeout=1 2>>"$log" &
d=$!
wait_owner
kill -STOP "$polkitd"
setpriv --reuid=1 --regid=1 --clear-groups prlimit --nofile=400:800 -- \
        busctl --system call org.example.Resource1 /org/example/Resource1 org.example.Resource1 \
        SetRlimit stt NOFILE 400 900 >/dev/null 2>&1 &
caller=$!
sleep 2.5
check "no idle exit while a polkit check is pending" 'kill -0 $d 2>/dev/null && has_owner'
kill -CONT "$polkitd"
wait "$caller"
status=
check "after the check, the idle daemon exits 0" 'wait_exit $d 40 && [ "$status" = 0 ]'

# 6-7: SIGTERM
"$RESOURCE1D" 2>>"$log" &
d=$!
wait_owner
status=
kill -TERM "$d"
check "SIGTERM: exits 0" 'wait_exit $d 30 && [ "$status" = 0 ]'
check "SIGTERM: the name is gone" '! has_owner'

# 8-10: SIGTERM while a check is pending: the caller gets an error, exit 0
"$RESOURCE1D" 2>>"$log" &
d=$!
wait_owner
kill -STOP "$polkitd"
setpriv --reuid=1 --regid=1 --clear-groups prlimit --nofile=400:800 -- \
        gdbus call --system --dest org.example.Resource1 --object-path /org/example/Resource1 \
        --method org.example.Resource1.SetRlimit NOFILE 400 900 >"$RESOURCE1_FIXTURE/pending.out" 2>&1 &
caller=$!
sleep 1
status=
kill -TERM "$d"
check "SIGTERM with a check pending: exits 0" 'wait_exit $d 30 && [ "$status" = 0 ]'
wait "$caller"
caller_status=$?
check "the waiting caller is answered with an error, not left hanging" \
      '[ "$caller_status" != 0 ] && grep -q "was not carried out: the service is shutting down" "$RESOURCE1_FIXTURE/pending.out"'
kill -CONT "$polkitd"
check "and the name is gone: polkit's late answer finds nobody to act" '! has_owner'

# 11-12: the name is taken
"$RESOURCE1D" 2>>"$log" &
d=$!
wait_owner
"$RESOURCE1D" 2>>"$log"
second=$?
check "a second instance fails with non-zero status" '[ "$second" != 0 ]'
check "and says why" 'grep -q "Failed to acquire org.example.Resource1" "$log"'
kill -TERM "$d"; wait "$d"

# 13-14: the bus goes away: a clear log line and a non-zero status (systemd restarts it)
bus2=$RESOURCE1_FIXTURE/bus2
dbus-daemon --config-file="$RESOURCE1_FIXTURE/system.conf" --address="unix:path=$bus2" --nofork \
        --nopidfile 2>/dev/null &
b=$!
for _ in $(seq 100); do [ -S "$bus2" ] && break; sleep 0.05; done
DBUS_SYSTEM_BUS_ADDRESS=unix:path=$bus2 "$RESOURCE1D" 2>"$RESOURCE1_FIXTURE/bus2.log" &
d=$!
sleep 0.5
kill -TERM "$b"; wait "$b" 2>/dev/null
status=
check "bus gone: the daemon exits non-zero" 'wait_exit $d 30 && [ "$status" != 0 ]'
check "bus gone: and says so" 'grep -q "Lost the connection to the system bus" "$RESOURCE1_FIXTURE/bus2.log"'

tap_done
