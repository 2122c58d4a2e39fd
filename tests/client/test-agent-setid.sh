#!/bin/bash
# libresource1's polkit agent (resource1_set_polkit_agent()) where the user
# chooses the environment: a program on the library (tests/helpers/
# agent-setid, which opens a file first, as a setgid game launcher opens its
# score file) run by nobody on a terminal, with a "pkttyagent" of nobody's
# own first in PATH. TAP output. Needs AGENT_SETID and the fixture (root, in
# its private mount namespace).
#   1  installed setgid games: the library starts no agent (it would be the
#      user's program, run with the group's privilege), and says why.
#   2  not setgid: the user's pkttyagent is started (PATH is the user's, as
#      documented), but gets none of the program's descriptors beyond 0, 1,
#      2 and the notify fd: not the file the program opened.
set -u
: "${AGENT_SETID:?}" "${RESOURCE1_FIXTURE:?}"
here=$(dirname "${BASH_SOURCE[0]}")
. "$here/../lib/tap.sh"

T=$RESOURCE1_FIXTURE/agent-setid
mkdir -p "$T/bin" && chmod 755 "$T" "$T/bin"
install -m 2755 -g games "$AGENT_SETID" "$T/launcher-setgid"
install -m 755 "$AGENT_SETID" "$T/launcher"
echo scores > "$T/scores" && chown root:games "$T/scores" && chmod 660 "$T/scores"
echo mine > "$T/mine" && chown nobody "$T/mine"
mkdir "$T/seen" && chmod 1777 "$T/seen"
# The user's own "agent": it notes that it ran, with which ids and which of
# the program's files it could reach, and exits without registering.
cat > "$T/bin/pkttyagent" <<AGENT
#!/bin/sh -p
{ echo "egid \$(id -g)"; for fd in /proc/\$\$/fd/*; do echo "fd \${fd##*/} \$(readlink \$fd)"; done; } > "$T/seen/ran"
exit 1
AGENT
chmod 755 "$T/bin/pkttyagent"
# libsystemd ignores DBUS_SYSTEM_BUS_ADDRESS in a setgid program
# (secure_getenv): the fixture's bus at the well-known path, in the
# fixture's mount namespace only.
sock=${DBUS_SYSTEM_BUS_ADDRESS#unix:path=}; sock=${sock%%,*}
mkdir -p /run/dbus && mount -t tmpfs resource1-test /run/dbus && touch /run/dbus/system_bus_socket &&
        mount --bind "$sock" /run/dbus/system_bus_socket || { echo "Bail out! cannot put the fixture's bus at /run/dbus"; exit 1; }
# On a terminal (script(1)), as nobody, with the user's agent first in PATH.
on_pty() {
        rm -f "$T/seen/ran"
        setpriv --reuid=65534 --regid=65534 --clear-groups \
                script -qec "env PATH=$T/bin:/usr/bin:/bin $1" /dev/null 2>&1 | tr -d '\r' > "$T/out"
}

# After a failed check: what the terminal showed, and what the agent saw.
shown() {
        [ "$failed" = "${failed_before:-0}" ] && return
        failed_before=$failed
        note "$T/out"; [ -e "$T/seen/ran" ] && note "$T/seen/ran"
}

echo "1..2"
on_pty "$T/launcher-setgid $T/scores"
check "setgid: no agent started from the user's PATH, the message says why" \
      '! [ -e "$T/seen/ran" ] && grep -q "^r=-13 .*needs authentication, but launcher-setgid runs with privileges its user does not have" "$T/out"'
shown
on_pty "$T/launcher $T/mine"
check "not setgid: the user's agent started, without the file the program opened (its descriptors are 0, 1, 2 and the notify fd)" \
      '[ -e "$T/seen/ran" ] && ! grep -q "$T/mine" "$T/seen/ran"'
shown
umount /run/dbus/system_bus_socket /run/dbus
tap_done
