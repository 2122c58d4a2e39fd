#!/bin/bash
# Qt's binding generator takes the specification (the argument,
# interfaces/org.example.Resource1.xml) as it is: qdbusxml2cpp (Qt 5) makes a
# proxy from it, unchanged, that has every method, signal and property, and
# that compiles and links with the types the XML's QtTypeName annotations name
# (tests/qt/resource1-qt-types.h); the program built from it then calls the
# real service as nobody (tests/with-bus.sh). TAP.
#
# Qt 5 because Debian 12's Qt programs (KDE Plasma 5.27 and its D-Bus
# clients) are Qt 5 programs, its tools are on PATH and it installs a little
# faster; the annotations are the same for Qt 6, and QT_MAJOR=6 runs this
# test with Qt 6 instead.
#
# Environment: RESOURCE1D (the daemon, for the last check), CXX (default c++),
# QT_MAJOR (5, the default, what tests/install-deps.sh installs; or 6, with
# qt6-base-dev and qt6-base-dev-tools installed by hand).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
spec=$(realpath "$1")

case ${QT_MAJOR:=5} in
5) qdbusxml2cpp=$(pkg-config --variable=host_bins Qt5Core 2>/dev/null)/qdbusxml2cpp
   moc=$(pkg-config --variable=host_bins Qt5Core 2>/dev/null)/moc
   packages="qtbase5-dev qtbase5-dev-tools" ;;
6) qdbusxml2cpp=$(pkg-config --variable=bindir Qt6Core 2>/dev/null)/qdbusxml2cpp
   moc=$(pkg-config --variable=libexecdir Qt6Core 2>/dev/null)/moc
   packages="qt6-base-dev qt6-base-dev-tools" ;;
*) echo "test-qt.sh: QT_MAJOR is 5 or 6" >&2; exit 2 ;;
esac
qtdbus=Qt${QT_MAJOR}DBus
if ! [ -x "$qdbusxml2cpp" ] || ! [ -x "$moc" ] || ! pkg-config --exists "$qtdbus"; then
        echo "1..0 # SKIP Qt $QT_MAJOR ($packages) is not installed (tests/install-deps.sh installs Qt 5)"
        exit 0
fi
cxx=${CXX:-c++}
tmp=$(mktemp -d /tmp/resource1-qt.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
cp "$here/resource1-qt-types.h" "$here/qt-client.cpp" "$tmp/"
cd "$tmp"

# What the XML declares, from the XML itself.
names() { xmllint --nonet --xpath "/node/interface[@name='org.example.Resource1']/$1/@name" "$spec" |
          grep -o 'name="[^"]*"' | sed 's/^name="//; s/"$//'; }
methods=$(names method) signals=$(names signal) properties=$(names property)

echo "1..7"
check "qdbusxml2cpp (Qt $(pkg-config --modversion "$qtdbus")) generates a proxy from the XML as it is, without a warning" \
        '"$qdbusxml2cpp" -i resource1-qt-types.h -p resource1proxy "$spec" 2>err && [ -s resource1proxy.h ] && ! [ -s err ] ||
         { sed "s/^/# /" err; false; }'

has_all() {
        local m s p ok=0
        for m in $methods; do
                grep -qs "inline QDBusPendingReply<[^>]*> $m(" resource1proxy.h || { echo "# method $m missing"; ok=1; }
        done
        for s in $signals; do
                grep -qs "void $s(" resource1proxy.h || { echo "# signal $s missing"; ok=1; }
        done
        for p in $properties; do
                grep -qs "Q_PROPERTY([A-Za-z:<>]* $p READ" resource1proxy.h || { echo "# property $p missing"; ok=1; }
        done
        echo "# $(echo $methods | wc -w) methods, $(echo $signals | wc -w) signal(s), $(echo $properties | wc -w) properties in the XML"
        [ "$ok" = 0 ] && [ -n "$methods" ]
}
check "the proxy has every method, signal and property of the XML" has_all

flags="-std=c++17 -fPIC -Wall -Wextra -Werror -I. $(pkg-config --cflags "$qtdbus")"
check "moc, compile and link the proxy with a client calling every method" \
        '"$moc" resource1proxy.h -o moc_resource1proxy.cpp 2>err &&
         $cxx $flags -o qt-client qt-client.cpp resource1proxy.cpp moc_resource1proxy.cpp $(pkg-config --libs "$qtdbus") 2>>err ||
         { sed "s/^/# /" err | head -40; false; }'

# The client calls every method: a method added to the XML needs a call there
# (a *Pidfd method through gate, the proxy of the name that serves them, every
# other through r, the service's).
calls_all() {
        local m p ok=0
        for m in $methods; do
                case $m in *Pidfd) p=gate ;; *) p=r ;; esac
                grep -q "\<$p\.$m(" qt-client.cpp || { echo "# qt-client.cpp never calls $m through $p"; ok=1; }
        done
        [ "$ok" = 0 ]
}
check "qt-client.cpp calls every method of the XML" calls_all

check "the annotated types marshal as the XML's signatures (a(stt), a(sss), a{sv})" \
        './qt-client --signatures > out 2>&1; rc=$?; sed "s/^/# /" out; [ $rc = 0 ]'

# Without the QtTypeName annotations qdbusxml2cpp refuses the XML: the
# annotations are what makes the check above pass.
grep -v 'org\.qtproject\.QtDBus\.QtTypeName' "$spec" > bare.xml
check "without the QtTypeName annotations qdbusxml2cpp refuses the XML" \
        '! "$qdbusxml2cpp" -p bare bare.xml 2>err; sed "s/^/# /" err; grep -q "Got unknown type" err'

run_client() {
        "$here/../with-bus.sh" -- setpriv --reuid=65534 --regid=65534 --clear-groups "$tmp/qt-client" > out 2>err
        local rc=$?
        sed 's/^/# /' out
        [ $rc = 0 ] || sed 's/^/# /' err | tail -20
        [ $rc = 0 ] && grep -q '^ok RlimitChanged' out && ! grep -q '^FAIL' out
}
check "the client calls every method as nobody against the real service" run_client
tap_done
