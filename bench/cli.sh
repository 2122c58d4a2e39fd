#!/bin/bash
# resourcectl against prlimit(1), side by side, as nobody, in the fixture:
# showing NOFILE and setting it, each pair run in turn (A B A B ...) and the
# ratio taken pair by pair (resourcectl makes both itself, as the kernel lets
# nobody do them; then the same through the service, --service); and the floors, against prlimit too: a program
# that only connects to the bus and makes one Ping (what any sd-bus client
# pays), and one that makes resourcectl's own call of the service the least
# way there is (libsystemd alone: the service's own cost).
#   bench/cli.sh [--quick]      (bench/run.sh runs it too, with --inside)
# BENCH_BUILD=DIR takes resourcectl and libresource1 from another build tree
# (an older one, to compare), the bench program from build/.
#
# resourcectl and libresource1 are run as "meson install" leaves them (into
# a directory of the fixture's): the build tree's copies carry meson's build
# RPATH ($ORIGIN/../lib), which sent the loader of a copy through some twenty
# failed lookups first, about 6 % of resourcectl's start that no installed
# copy pays. LD_LIBRARY_PATH names the library's directory for every
# program alike.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != --inside ]; then
        tests/install-deps.sh --if-missing
        [ -d build ] || meson setup build
        ninja -C build >/dev/null
        export EXECS=$([ "${1:-}" = --quick ] && echo 40 || echo 200) RESOURCE1D_ARGS=--log-level=warning
        exec tests/with-bus.sh --max-wait 600 --rules tests/rules/test.rules -- "$PWD/bench/cli.sh" --inside --report
fi

T=$RESOURCE1_FIXTURE/bench-cli
mkdir -p "$T" && chmod 755 "$T"
cli=${BENCH_BUILD:-build}
meson install -C "$cli" --no-rebuild --quiet --tags runtime --destdir "$T/root" >/dev/null
chmod -R a+rX "$T/root"
lib=$(dirname "$(find "$T/root" -name libresource1.so.1 | head -1)")
rctl=$(find "$T/root" -path '*/bin/resourcectl' | head -1)
install -m 755 build/bench/resource1-bench "$T/"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env LD_LIBRARY_PATH="$lib" "$@"; }
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 3600 & target=$!
sleep 0.2
n=${EXECS:-200}
{
        as_nobody "$T/resource1-bench" exec-vs cli-limits "$n" "$rctl" limits --pid "$target" NOFILE -- \
                prlimit --pid "$target" --nofile
        as_nobody "$T/resource1-bench" exec-vs cli-set "$n" "$rctl" set --pid "$target" NOFILE 100: -- \
                prlimit --pid "$target" --nofile=100:
        # The service's path, asked for: what it costs now that libresource1
        # and libsystemd are loaded with dlopen() when needed (a resourcectl
        # older than --service always took it: its rows above are that).
        if as_nobody "$rctl" --service --version >/dev/null 2>&1; then
                as_nobody "$T/resource1-bench" exec-vs cli-limits-service "$n" "$rctl" --service limits --pid "$target" \
                        NOFILE -- prlimit --pid "$target" --nofile
                as_nobody "$T/resource1-bench" exec-vs cli-set-service "$n" "$rctl" --service set --pid "$target" \
                        NOFILE 100: -- prlimit --pid "$target" --nofile=100:
        fi
        as_nobody "$T/resource1-bench" exec-vs cli-floor "$n" "$T/resource1-bench" one-ping -- prlimit --pid "$target" --nofile
        as_nobody "$T/resource1-bench" exec-vs cli-call "$n" "$T/resource1-bench" one-call "$target" -- \
                prlimit --pid "$target" --nofile
        as_nobody "$T/resource1-bench" exec-vs cli-set-call "$n" "$T/resource1-bench" one-set "$target" -- \
                prlimit --pid "$target" --nofile=100:
} > "$T/figures"
kill "$target" 2>/dev/null || true
if [ "${2:-}" = --report ]; then
        python3 - "$T/figures" <<'PY'
import sys
f = dict((k, float(v)) for k, v in (l.split() for l in open(sys.argv[1])))
print(f"{'as nobody, in turn':38} {'A us':>8} {'prlimit us':>10} {'A/prlimit':>9}  target")
for k, name, target in (("cli-limits", "resourcectl limits --pid P NOFILE", 1.5),
                        ("cli-set", "resourcectl set --pid P NOFILE 100:", 1.5),
                        ("cli-limits-service", "... limits, --service", None),
                        ("cli-set-service", "... set, --service", None),
                        ("cli-floor", "floor: connect and one Ping (sd-bus)", None),
                        ("cli-call", "floor: connect, one ListRlimitsPidfd", None),
                        ("cli-set-call", "floor: connect, one SetRlimitsPidfd", None)):
    if k + "-ratio" not in f:
        continue
    r = f[k + "-ratio"]
    met = "" if target is None else f"<= {target} ({'yes' if r <= target else 'NO'})"
    print(f"{name:38} {f[k + '-a']:8.0f} {f[k + '-b']:10.0f} {r:9.2f}  {met}")
PY
else
        cat "$T/figures"
fi
