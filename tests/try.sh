#!/bin/bash
# The service by hand: a shell on this terminal inside the fixture the tests
# use (tests/with-bus.sh --terminal), with this build's resourcectl and
# resource1 (Python) at hand. Usage: tests/try.sh --help.
set -euo pipefail
[ -z "${RESOURCE1_BUILD_DIR:-}" ] || RESOURCE1_BUILD_DIR=$(realpath "$RESOURCE1_BUILD_DIR")
cd "$(dirname "$0")/.."
src=$PWD

usage() {
        cat <<'HELP'
Usage: tests/try.sh [--user NAME] [--rules FILE]... [--log FILE]

Starts a private system bus (dbus-daemon with the project's bus policy), a
real polkitd and this build's resource1d in a private mount and pid
namespace, as the tests do (tests/with-bus.sh), and gives you a shell inside
it on this terminal. Nothing on the machine is touched; no system bus or
systemd is needed. "exit" ends the shell, and the bus, polkitd and the
daemon with it. Needs root; installs what is missing and builds (build/)
first.

In the shell: resourcectl (this build's, first on PATH), busctl, and python3
with this build's resource1 (PYTHONPATH); their calls go to the private bus.
The log of the bus, polkitd and resource1d goes to a file, not to the
terminal: its path is printed first, and is $RESOURCE1_LOG in the shell.

Options:
  --user NAME    the shell runs as NAME (e.g. nobody), not root: its calls are
                 an unprivileged caller's, and a call polkit wants
                 authenticated asks for a password on this terminal
                 (resourcectl starts pkttyagent; --no-ask-password refuses)
  --rules FILE   a polkit rules file for polkitd (repeatable), e.g. the
                 shipped policy/50-resource1-example.rules
  --log FILE     the log file (default: a new /tmp/resource1-fixture.*.log)
  -h, --help     show this help

Environment: RESOURCE1_BUILD_DIR, a build directory to use as it is (nothing
installed or built first; the suites set it).

A shell outside cannot use the private bus (DBUS_SYSTEM_BUS_ADDRESS pointed at
its socket): the bus lives in the fixture's pid namespace, where a process
outside has no pid, and every call fails with "the bus did not tell who the
caller is". Type the commands in this shell instead.
HELP
}

pass=()
user=root
while [ $# -gt 0 ]; do
        case $1 in
        --user|--rules|--log)
                [ $# -ge 2 ] || { echo "try.sh: $1 needs a value (--help)" >&2; exit 2; }
                [ "$1" = --user ] && user=$2
                [ "$1" = --rules ] && [ ! -r "$2" ] && { echo "try.sh: cannot read '$2'" >&2; exit 2; }
                pass+=("$1" "$2"); shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "try.sh: unknown argument '$1' (--help)" >&2; exit 2 ;;
        esac
done
if [ "$(id -u)" != 0 ]; then
        echo "try.sh: needs root (a private mount and pid namespace, polkitd, the daemon's own user)" >&2
        exit 1
fi
getent passwd "$user" >/dev/null || { echo "try.sh: no user '$user'" >&2; exit 2; }

# What is missing, then the build: both quiet when there is nothing to do.
# RESOURCE1_BUILD_DIR, for the suites: a build directory to take as it is.
if [ -n "${RESOURCE1_BUILD_DIR:-}" ]; then
        build=$RESOURCE1_BUILD_DIR
else
        build=$src/build
        tests/install-deps.sh --if-missing
        build_log=$(mktemp)
        if ! { [ -d build ] || meson setup build; } > "$build_log" 2>&1 || ! ninja -C build > "$build_log" 2>&1; then
                tail -30 "$build_log" >&2
                echo "try.sh: the build failed (above)" >&2
                rm -f "$build_log"
                exit 1
        fi
        rm -f "$build_log"
fi
export RESOURCE1D=$build/daemon/resource1d

# Copies any user can run, wherever the checkout is (/root is not open to
# nobody), and the shell's start-up file.
dir=$(mktemp -d /tmp/resource1-try.XXXXXX)
trap 'rm -rf "$dir"' EXIT
chmod 755 "$dir"
install -d -m 755 "$dir/bin" "$dir/lib" "$dir/python/resource1"
install -m 755 "$build/client/resourcectl/resourcectl" "$dir/bin/"
install -m 644 "$build/client/lib/libresource1.so.1" "$dir/lib/"
install -m 644 client/python/resource1/*.py "$dir/python/resource1/"
# Not ~/.bashrc: the same shell for everyone, as the README shows it, with
# this build's programs and the system's python3 (with python3-jeepney)
# rather than one a profile puts first.
cat > "$dir/bashrc" <<RC
[ -r /etc/bash.bashrc ] && . /etc/bash.bashrc
export PATH=$dir/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LD_LIBRARY_PATH=$dir/lib PYTHONPATH=$dir/python
# with-bus.sh's own, for its tasks: nothing the shell needs.
unset RESOURCE1D RESOURCE1D_BIN RESOURCE1D_USER RESOURCE1D_CAPS RESOURCE1D_ARGS_PARAMS MAX_WAIT NO_DAEMON TERMINAL POLKITD_PID_FILE
unset HISTFILE
PS1='(resource1) \u\\$ '
echo "A shell as \$(id -un) inside the fixture; \"exit\" ends it."
RC
chmod 644 "$dir/bashrc"

status=0
tests/with-bus.sh --terminal "${pass[@]}" -- bash --rcfile "$dir/bashrc" -i || status=$?
exit "$status"
