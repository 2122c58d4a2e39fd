#!/bin/bash
# Security suite: hidepid= set on /proc after the daemon started, from another
# mount namespace than the daemon's (the shipped unit's ProtectSystem= and
# PrivateTmp= give it one of its own; the remount then changes what its
# mountinfo shows without waking its poll of that file). The fixture runs with
# --no-daemon: the daemon is started here, in a mount namespace of its own (a
# slave of the fixture's, as systemd makes them), then the fixture's /proc is
# remounted hidepid=invisible, and nobody tries, for real, to learn of uid 1's
# process, which /proc now hides from it:
#   1  the daemon is up in its own mount namespace and sees the remount there
#   2  after a second, ListRlimits of that process as nobody is NoSuchProcess
#   3  uid 1's change of that process reaches uid 1 and not nobody's
#      subscription to RlimitChanged
# /proc is put back (hidepid=off) at the end, whatever fails.
#
# Needs RESOURCE1D, PYTHON3 and the fixture's environment (with-bus.sh --no-daemon).
set -u
: "${RESOURCE1D:?}" "${RESOURCE1_FIXTURE:?}" "${PYTHON3:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LISTEN=$here/../helpers/signal-listen.py
B="org.example.Resource1 /org/example/Resource1 org.example.Resource1"
NOBODY="--reuid=65534 --regid=65534 --clear-groups"
work=$(mktemp -d "$RESOURCE1_FIXTURE/hidepid-ns.XXXXXX")
chmod 755 "$work"
cleanup() {
        mount -o remount,hidepid=off /proc
        kill_started
}
trap cleanup EXIT

echo "1..3"

unshare --mount --propagation slave "$RESOURCE1D" > "$work/daemon.log" 2>&1 &
D=$!
started+=($D)
wait_for 10 'busctl --system status org.example.Resource1 >/dev/null 2>&1'
setpriv --reuid=1 --regid=1 --clear-groups sleep 300 &
V=$!
started+=($V)
sleep 0.2
mount -o remount,hidepid=invisible /proc
# The daemon's poll of its own mountinfo is not woken by this remount; a
# call a second later must still see it.
sleep 1.2
dns=$(readlink /proc/$D/ns/mnt) ourns=$(readlink /proc/self/ns/mnt)
# /proc can be mounted more than once there (the host's under the fixture's):
# one line for TAP.
dopts=$(grep ' /proc ' /proc/$D/mountinfo | sed 's/.* - //' | paste -sd '|')
seen=$(setpriv $NOBODY ls -d /proc/$V 2>&1)
echo "# daemon $D in $dns (ours $ourns); its /proc: $dopts; nobody's ls /proc/$V: $seen"
check "the daemon runs in a mount namespace of its own, whose /proc shows hidepid=invisible, and nobody cannot see uid 1's $V" \
      '[ "$dns" != "$ourns" ] && [[ $dopts == *hidepid=invisible* ]] && [[ $seen == *"No such file"* ]]'

list=$(setpriv $NOBODY busctl --system call $B ListRlimits u "$V" 2>&1)
echo "# nobody's ListRlimits($V): ${list:0:200}"
check "a second after the remount, ListRlimits of uid 1's hidden $V as nobody is the no-process answer" \
      '[[ $list == *"no such process"* ]] && [[ $list != *NOFILE* ]]'

setpriv $NOBODY "$PYTHON3" "$LISTEN" listen 4 > "$work/listen.out" 2>&1 &
started+=($!)
wait_for 3 'grep -q READY "$work/listen.out"'
setpriv --reuid=1 --regid=1 --clear-groups "$PYTHON3" "$LISTEN" change "$V" NOFILE 1234 20000 > "$work/change.out" 2>&1
sleep 0.5
echo "# uid 1's change: $(tr '\n' ' ' < "$work/change.out"); nobody's subscription: $(grep -c '^SIGNAL' "$work/listen.out") signal(s)"
check "uid 1's change of its hidden $V reaches uid 1 and not nobody's subscription" \
      'grep -q "^REPLY ok" "$work/change.out" && grep -q "^SIGNAL $V NOFILE " "$work/change.out" &&
       grep -q READY "$work/listen.out" && ! grep -q "^SIGNAL" "$work/listen.out" || { note "$work/daemon.log"; false; }'

tap_done
