#!/bin/bash
# Installs, from Debian's archive, everything building and testing Resource1
# needs on a fresh Debian 12 machine (as root). With --if-missing it does
# nothing when all of it is there already.
#
# One package is fetched, not installed: dbus-broker 37 from
# bookworm-backports (it depends on systemd-sysv), extracted to
# /var/cache/resource1-tests/dbus-broker/root, for the fixture's
# --bus=dbus-broker (tests/with-bus.sh): a bus that offers callers'
# processes as pidfds (ProcessFD), which Debian 12's dbus-daemon 1.14 does
# not (security-pid0-broker). bookworm-backports is added to apt's sources
# for it (its pin priority, 100, upgrades nothing unasked).
set -euo pipefail

packages=(
        gcc libc6-dev meson ninja-build pkgconf        # build
        libsystemd-dev                                 # sd-bus, sd-event
        libglib2.0-dev libglib2.0-bin                  # tests (GTest, GDBus), gdbus
        libglib2.0-dev-bin                             # gdbus-codegen: the codegen suite's bindings
        libxml2-utils libdbus-1-dev                    # xmllint, the introspection DTD: the spec test
        g++ qtbase5-dev qtbase5-dev-tools              # the qt suite: qdbusxml2cpp, moc, QtDBus
        dbus-daemon dbus-bin dbus-test-runner          # the private system bus
        polkitd                                        # the real authority
        systemd                                        # busctl; systemd-analyze (the unit's exposure); systemd-sysusers (below)
        util-linux                                     # setpriv, unshare, nsenter, prlimit, runuser
        uidmap                                         # newuidmap/newgidmap: security-flood's many uids of a user namespace
        man-db bsdextrautils                           # checks that the man pages render; col for reading them
        jq openssl                                     # the CLI suite: JSON as scripts read it; a password's hash
        strace                                         # the cli-cost test: what resourcectl starts, sends and opens
        valgrind                                       # the memcheck suite
        clang libclang-rt-14-dev                       # libFuzzer harnesses
        debootstrap qemu-system-x86 e2fsprogs          # the VM system test
        python3-jeepney                                # resource1, the Python client's one dependency
        xdg-dbus-proxy                                 # the python suite: Flatpak's bus proxy between the package and the bus
        libpython3.11-testsuite                        # the python suite: CPython's own Lib/test/test_resource.py
        pycodestyle python3-pyflakes                   # the python suite: PEP 8 and pyflakes for client/python
        flit                                           # flit_core: client/python/pyproject.toml's build backend (the install suite builds the wheel)
        build-essential dpkg-dev debhelper lintian     # the package suite: dpkg-buildpackage, dh, lintian
        dh-python                                      # python3-resource1: dh_python3
        xdg-dbus-proxy bubblewrap                      # the proxy suite: Flatpak's bus proxy, its sandbox
)

# The service's system user, made as the package makes it (from
# policy/resource1d.sysusers, with systemd-sysusers): the bus fixture
# (tests/with-bus.sh) runs the daemon as that user.
sysusers=$(cd "$(dirname "$0")/.." && pwd)/policy/resource1d.sysusers
have_user() { getent passwd resource1 >/dev/null; }
make_user() { have_user || systemd-sysusers "$sysusers"; }

broker_cache=/var/cache/resource1-tests/dbus-broker
backports=/etc/apt/sources.list.d/bookworm-backports.list
have_broker() { [ -x "$broker_cache/root/usr/bin/dbus-broker" ] && [ -x "$broker_cache/root/usr/bin/dbus-broker-launch" ]; }
fetch_broker() {
        have_broker && return 0
        if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
                echo 'deb http://deb.debian.org/debian bookworm-backports main' > "$backports"
                apt-get update -qq
        fi
        rm -rf "$broker_cache"
        mkdir -p "$broker_cache"
        # apt-get download as root into a directory _apt cannot write
        # warns and fetches unsandboxed: say so once, quietly.
        (cd "$broker_cache" && apt-get download -qq dbus-broker/bookworm-backports 2>/dev/null) &&
                dpkg-deb -x "$broker_cache"/dbus-broker_*.deb "$broker_cache/root" ||
                { echo "install-deps.sh: could not fetch dbus-broker from bookworm-backports (security-pid0-broker will skip)" >&2; return 0; }
}

if [ "${1:-}" = --if-missing ]; then
        missing=()
        for p in "${packages[@]}"; do
                dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
        done
        if [ ${#missing[@]} = 0 ]; then
                have_user && have_broker && exit 0
                [ "$(id -u)" = 0 ] || { echo "install-deps.sh: run as root to create the system user resource1 and fetch dbus-broker" >&2; exit 1; }
                make_user
                fetch_broker
                exit
        fi
        echo "install-deps.sh: installing missing packages: ${missing[*]}" >&2
fi

if [ "$(id -u)" != 0 ]; then
        echo "install-deps.sh: run as root to install: ${packages[*]}" >&2
        exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
make_user
fetch_broker
