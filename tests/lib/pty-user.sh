# A person typing a password on a terminal, for the suites that test
# authentication (cli, agent, python; sourced, inside tests/with-bus.sh with
# tests/rules/cli-auth.rules):
#
#   pty_user_add DIR                 adds the user r1pass (uid 4242), password r1-secret
#   as_r1pass_on_pty PASSWORD SCRIPT [ARG...]
#                                    runs "sh -c SCRIPT ARG..." as r1pass on a new
#                                    pseudo-terminal, typing PASSWORD at "Password:"
#   pty_user_remove                  puts the system's files back
#
# The fixture has no logind, so no session: an agent is registered for its
# client's process (pkttyagent without --fallback, which polkit honours only
# through a session). The user has a known password through a private
# /etc/passwd, /etc/group and /etc/shadow bound in the fixture's mount
# namespace, which polkitd shares, and a rule answering AUTH_SELF
# (tests/rules/cli-auth.rules). polkit-agent-helper-1 is setuid, so it ignores
# DBUS_SYSTEM_BUS_ADDRESS: a mount namespace of the run's own puts the
# fixture's bus where it looks. Everything the output showed is in stdout.
PTY_ANSWER=$(dirname "${BASH_SOURCE[0]}")/../helpers/pty-answer.py

pty_user_add() {
        local dir=$1 f
        for f in passwd group shadow; do cp "/etc/$f" "$dir/$f"; done
        echo "r1pass:x:4242:4242:Resource1 test:/nonexistent:/bin/sh" >> "$dir/passwd"
        echo "r1pass:x:4242:" >> "$dir/group"
        echo "r1pass:$(openssl passwd -6 r1-secret):19000:0:99999:7:::" >> "$dir/shadow"
        for f in passwd group shadow; do mount --bind "$dir/$f" "/etc/$f"; done
}

pty_user_remove() {
        local f
        for f in passwd group shadow; do umount "/etc/$f"; done
}

as_r1pass_on_pty() {
        local pw=$1; shift
        unshare --mount --propagation private sh -c '
                if [ -d /run/dbus ]; then mount -t tmpfs -o mode=755 tmpfs /run/dbus; else mount -t tmpfs -o mode=755 tmpfs /run; mkdir /run/dbus; fi
                ln -s "$0" /run/dbus/system_bus_socket
                shift; exec "$@"' "$RESOURCE1_FIXTURE/system_bus_socket" - \
                python3 "$PTY_ANSWER" --timeout 60 --answer "Password: *$" "$pw" -- \
                setpriv --reuid=4242 --regid=4242 --clear-groups sh -c "$@"
}
