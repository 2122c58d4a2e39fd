#!/bin/bash
# The demo command: on a fresh Debian 12 machine (as root) installs what is
# missing, builds, starts a private system bus, a real polkitd (with the
# shipped example rule, its group named "games") and the real resource1d, and
# calls every method through busctl, as root and as unprivileged users.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != --inside ]; then
        tests/install-deps.sh --if-missing
        [ -d build ] || meson setup build
        ninja -C build
        sed 's/isInGroup("resource1")/isInGroup("games")/' policy/50-resource1-example.rules \
                > build/demo-example-games.rules
        exec tests/with-bus.sh --rules build/demo-example-games.rules -- "$PWD/tests/demo.sh" --inside
fi

B=(org.example.Resource1 /org/example/Resource1 org.example.Resource1)
show() { printf '\n$ %s\n' "$*"; "$@" 2>&1 || true; }
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups "$@"; }

sleep 600 & child=$!
as games sleep 600 & other=$!
sleep 0.2

echo "== Resource1 demo: a private system bus at $DBUS_SYSTEM_BUS_ADDRESS =="
show busctl --system introspect "${B[@]}"
show busctl --system call "${B[@]}" PageSize
show busctl --system call "${B[@]}" GetRlimit s NOFILE
show busctl --system call "${B[@]}" GetRlimit s rlimit_ofile
show busctl --system call "${B[@]}" ListRlimits u "$child"
show busctl --system call "${B[@]}" Prlimit usbtt "$child" NOFILE false 0 0
show busctl --system call "${B[@]}" Prlimit usbtt "$child" NOFILE true 512 1024
show prlimit --nofile --pid "$child"
show busctl --system call "${B[@]}" SetRlimit stt CORE 0 0
echo; echo "# Several limits at once, all or nothing, one decision:"
show busctl --system call "${B[@]}" SetRlimits 'ua(stt)' "$child" 2 NOFILE 256 1024 CORE 0 0
show busctl --system call "${B[@]}" SetRlimits 'ua(stt)' "$child" 2 FSIZE 1048576 18446744073709551615 NOFILE 256 2048
show prlimit --fsize --nofile --pid "$child"
# What a change would meet, without making it or prompting: yes, challenge, no or na.
show busctl --system call "${B[@]}" CanSetRlimits 'ua(stt)' "$child" 2 NOFILE 128 1024 CORE 0 0
show as nobody busctl --system call "${B[@]}" CanSetRlimits 'ua(stt)' "$other" 1 NOFILE 1 1
show busctl --system call "${B[@]}" GetRusage us 0 self
show busctl --system call "${B[@]}" GetRusage us "$child" children
echo; echo "# PrlimitPidfd takes a pidfd, at the name org.example.Resource1.Pidfd (the service's own takes no"
echo "# descriptors); busctl of systemd 252 cannot pass one, so GDBus (tests/helpers/rcall) does:"
show build/tests/helpers/rcall --pidfd-of "$child" PrlimitPidfd '(hsbtt)' "(handle 0, 'NOFILE', false, 0, 0)"
show build/tests/helpers/rcall --pidfd-of "$child" SetRlimitsPidfd '(ha(stt))' "(handle 0, [('NOFILE', 128, 1024)])"
echo; echo "# A pid number from another pid namespace names another process there: refused"
# (busctl as pid 1 would log to the console, as systemd's pid 1 does: a shell is pid 1 here)
show unshare --pid --fork --mount-proc sh -c "busctl --system call ${B[*]} Prlimit usbtt 1 NOFILE true 77 77"
echo; echo "# Unprivileged callers: nobody lowers its own limit (no polkit), then asks to raise a hard limit:"
show as nobody prlimit --nofile=400:800 -- busctl --system call "${B[@]}" SetRlimit stt NOFILE 100 800
show as nobody prlimit --nofile=400:800 -- busctl --system call "${B[@]}" SetRlimit stt NOFILE 400 900
echo; echo "# games may raise NOFILE up to 1048576 by the example rule; polkit agrees, the kernel decides:"
show as games prlimit --nofile=400:800 -- busctl --system call "${B[@]}" SetRlimit stt NOFILE 400 65536
show as nobody busctl --system call "${B[@]}" Prlimit usbtt "$other" NOFILE true 1 1
echo; echo "# Errors:"
show busctl --system call "${B[@]}" GetRlimit s VMEM
show busctl --system call "${B[@]}" SetRlimit stt NOFILE 4096 1024
show busctl --system call "${B[@]}" GetRusage us 0 everyone
show busctl --system call "${B[@]}" Prlimit usbtt 999999999 NOFILE false 0 0
show busctl --system get-property "${B[@]}" CanRaiseHardLimits Version Infinity
kill "$child" "$other"

echo; echo "== resourcectl, the CLI on libresource1 =="
# A copy other users can run, wherever the checkout lives.
install -m 755 build/client/resourcectl/resourcectl build/client/lib/libresource1.so.1 "$RESOURCE1_FIXTURE/"
export LD_LIBRARY_PATH=$RESOURCE1_FIXTURE
R=$RESOURCE1_FIXTURE/resourcectl
sleep 600 & child=$!
show "$R" limits NOFILE STACK CPU
show "$R" set --pid "$child" NOFILE 512:
show "$R" set --pid "$child" NOFILE 256: CORE 0 STACK 4M
show unshare --pid --fork --mount-proc sh -c "$R set --pid 1 NOFILE 77:77; ulimit -n"
show "$R" --json limits --pid "$child" NOFILE
show "$R" usage --who both
show "$R" pagesize
show "$R" set --dry-run --pid "$child" NOFILE 64:
show "$R" explain --pid "$child" NOFILE
show "$R" run --limit NOFILE=256:512 -- sh -c 'ulimit -Sn; ulimit -Hn'
show as nobody prlimit --nofile=1024:4096 -- "$R" run --limit NOFILE=65536 -- true
show as nobody prlimit --nofile=1024:4096 -- "$R" run --limit NOFILE=2048 --limit MSGQUEUE=1M -- true
kill "$child"
