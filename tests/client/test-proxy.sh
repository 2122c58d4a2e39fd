#!/bin/bash
# libresource1 and resourcectl through Debian 12's xdg-dbus-proxy (0.1.4), on
# the fixture's bus (with-bus.sh): the proxy started as Flatpak starts it (as
# the user, in a bubblewrap of its own holding the app's /.flatpak-info,
# --filter with --talk for both of the service's names), the clients as the
# app (the user, in their own user and pid namespaces, the proxy's socket as
# /run/dbus/system_bus_socket). Before libresource1 could make its
# connection step by step (client/lib/resource1-connect.c) every call failed
# here: "Transport endpoint is not connected", the proxy logging "Invalid
# message header read". Then the addresses the library reads itself, and a
# bus that drops the first connection during its handshake: a first
# connection stays sd-bus's own. TAP output.
set -u
: "${RESOURCECTL:?}" "${PROXY_CLIENT:?}" "${BUILD_ROOT:?}" "${PYTHON3:?}" "${RESOURCE1_FIXTURE:?}" "${DBUS_SYSTEM_BUS_ADDRESS:?}"

. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"

for tool in xdg-dbus-proxy bwrap; do
        if ! command -v "$tool" >/dev/null; then
                echo "1..0 # SKIP '$tool' is missing (tests/install-deps.sh installs it)"
                exit 0
        fi
done
user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if ! "${user[@]}" bwrap --ro-bind / / --unshare-user true 2>/dev/null; then
        echo "1..0 # SKIP bubblewrap cannot make a user namespace here (unprivileged user namespaces are off)"
        exit 0
fi

echo "1..15"
trap kill_started EXIT

dir=$RESOURCE1_FIXTURE/proxy
mkdir -m 755 "$dir"
chown 65534:65534 "$dir"
printf '[Application]\nname=org.example.Game\nruntime=runtime/org.example.Platform/x86_64/1\n' > "$dir/flatpak-info"
log=$dir/proxy.log

# A root of its own, as Flatpak makes (/.flatpak-info must be made in it):
# the system's /usr and /etc, the fixture's directory (its bus) read-only.
root=(--tmpfs / --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/sbin /sbin --symlink usr/lib /lib
      --symlink usr/lib64 /lib64 --ro-bind /etc /etc --dev /dev --ro-bind "$RESOURCE1_FIXTURE" "$RESOURCE1_FIXTURE"
      --ro-bind "$dir/flatpak-info" /.flatpak-info --die-with-parent)

# 1: the proxy, the user's, in a bubblewrap of its own, as Flatpak starts it.
"${user[@]}" bwrap "${root[@]}" --bind "$dir" "$dir" -- \
        xdg-dbus-proxy "$DBUS_SYSTEM_BUS_ADDRESS" "$dir/bus" --filter \
        --talk=org.example.Resource1 --talk=org.example.Resource1.Pidfd 2>"$log" &
started+=($!)
check "xdg-dbus-proxy $(dpkg-query -W -f '${Version}' xdg-dbus-proxy 2>/dev/null) listens, as the user, in bubblewrap" \
        'wait_for 5 "[ -S \"$dir/bus\" ]"'

# The app: the user's, in its own user and pid namespaces, seeing the bus
# only through the proxy, at the address Flatpak gives it.
in_app() {
        "${user[@]}" bwrap "${root[@]}" --unshare-user --unshare-pid --proc /proc --ro-bind "$BUILD_ROOT" "$BUILD_ROOT" \
                --bind "$dir/bus" /run/dbus/system_bus_socket \
                --setenv DBUS_SYSTEM_BUS_ADDRESS "${APP_BUS:-unix:path=/run/dbus/system_bus_socket}" -- "$@"
}
page=$(getconf PAGESIZE)

# 2-4: resourcectl.
out=$(in_app "$RESOURCECTL" --service pagesize 2>&1)
note <<<"$out"
check "resourcectl pagesize through the proxy" '[ "$out" = "$page" ]'

out=$(in_app sh -c 'ulimit -Sn 321; ulimit -Hn 654; "$0" --service --raw --no-headings -o RESOURCE,SOFT,HARD limits NOFILE; true' \
        "$RESOURCECTL" 2>&1)
note <<<"$out"
# Without --pid: resourcectl's parent, the app's shell.
check "resourcectl limits NOFILE through the proxy (a pidfd passed on)" '[ "$out" = "NOFILE 321 654" ]'

# The child is read once it is sleep: prlimit(1) set its limits before the exec.
out=$(in_app sh -c 'prlimit --nofile=123:456 sleep 30 & c=$!
        until [ "$(cat /proc/$c/comm)" = sleep ]; do sleep 0.01; done
        "$0" --service --raw --no-headings -o RESOURCE,SOFT,HARD --pid $c limits NOFILE; kill $c' "$RESOURCECTL" 2>&1)
note <<<"$out"
check "resourcectl --pid CHILD limits NOFILE through the proxy (the app's own pid, by pidfd)" \
        '[ "$out" = "NOFILE 123 456" ]'

# 5-8: a program on libresource1 (tests/client/test-proxy-client.c numbers its lines 5 on).
in_app "$PROXY_CLIENT" 5 || failed=$((failed+1))
n=8

# 9: the same under valgrind's memcheck (PROXY_CLIENT_WRAP, where the build
# allows it): the stepwise connection's descriptors and buffers are freed on
# every path. Valgrind knows no pidfd_open(2), so that call fails there.
if [ -n "${PROXY_CLIENT_WRAP:-}" ]; then
        out=$(in_app $PROXY_CLIENT_WRAP "$PROXY_CLIENT" 5 2>&1)
        status=$?
        note <<<"$out"
        check "the program under memcheck: no error, no leak" '[ "$status" != 99 ]'
else
        n=$((n+1))
        echo "ok $n # SKIP no valgrind in this build (sanitizers, or valgrind missing)"
fi
# The proxy's log: each client's first connection, refused as before.
note "$log"

# 10-12: the addresses the library reads itself, on the stepwise connection
# made after the first one failed behind the proxy.
out=$(APP_BUS='unix:path=%2frun%2fdbus%2fsystem%5fbus%5fsocket' in_app "$RESOURCECTL" --service pagesize 2>&1)
note <<<"$out"
check "an address with %-escapes, through the proxy" '[ "$out" = "$page" ]'

guid=${DBUS_SYSTEM_BUS_ADDRESS##*guid=}
guid=${guid%%,*}
out=$(APP_BUS="unix:path=/run/dbus/system_bus_socket,guid=$guid" in_app "$RESOURCECTL" --service pagesize 2>&1)
note <<<"$out"
check "the bus's guid in the address, through the proxy" '[ "$out" = "$page" ]'

out=$(APP_BUS="unix:path=/run/dbus/system_bus_socket,guid=0123456789abcdef0123456789abcdef" \
        in_app "$RESOURCECTL" --service pagesize 2>&1)
note <<<"$out"
check "a guid that is not the bus's is refused" '[[ "$out" == *"cannot connect to the system bus: Operation not permitted"* ]]'

# 13-15: a bus that drops a connection during its handshake, as the proxy
# does, then never answers the next one: what each connection sent, and how
# long the call waited.
"$PYTHON3" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(4)
for i in (1, 2):
    c, _ = s.accept()
    time.sleep(0.2)   # all the client sends before it waits for an answer
    open(sys.argv[2] + str(i), "wb").write(c.recv(4096))
    if i == 1:
        c.close()
time.sleep(30)' "$RESOURCE1_FIXTURE/dropping" "$RESOURCE1_FIXTURE/sent" &
started+=($!)
wait_for 5 "[ -S '$RESOURCE1_FIXTURE/dropping' ]"
t0=$(date +%s%N)
out=$(DBUS_SYSTEM_BUS_ADDRESS=unix:path=$RESOURCE1_FIXTURE/dropping "$PROXY_CLIENT" --silent-bus 2>&1)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
note <<<"$out (after $ms ms)"
sent1=$(od -An -c "$RESOURCE1_FIXTURE/sent1" | tr -s ' \n' ' ')
sent2=$(od -An -c "$RESOURCE1_FIXTURE/sent2" | tr -s ' \n' ' ')
note <<<"first connection: $sent1"
note <<<"second connection: $sent2"
check "a first connection is sd-bus's own: its handshake pipelined, BEGIN with it" \
        'grep -qa "AUTH EXTERNAL" "$RESOURCE1_FIXTURE/sent1" && grep -qa "^BEGIN" "$RESOURCE1_FIXTURE/sent1"'
check "the one after it was dropped during the handshake: nothing past NEGOTIATE_UNIX_FD before the answers" \
        '[ "$(tail -c 19 "$RESOURCE1_FIXTURE/sent2")" = "$(printf "NEGOTIATE_UNIX_FD\r\n")" ] &&
         ! grep -q BEGIN "$RESOURCE1_FIXTURE/sent2"'
check "a bus that never answers the stepwise handshake: the call's timeout (0.5 s) ends the wait" \
        '[[ "$out" == *"cannot connect to the system bus: Connection timed out"* ]] && [ "$ms" -lt 5000 ]'

tap_done
