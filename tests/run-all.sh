#!/bin/bash
# The test command (what .ci/run runs): installs what is missing, builds, and
# runs every suite: unit tests, and the real service against a private system
# bus with a real polkitd, plainly, under memcheck and with sanitizers. Extra
# arguments go to "meson test".
set -euo pipefail
cd "$(dirname "$0")/.."

tests/install-deps.sh --if-missing

# Two builds: the plain one (every suite, the daemon also under valgrind's
# memcheck, and the VM system test, which builds and installs the Debian
# packages),
# and one with AddressSanitizer and UndefinedBehaviorSanitizer
# (every suite but memcheck, and qt and package, which build their own client
# and packages and do not depend on the build; leaks are checked in the
# daemons of the lifetime suite, which exit normally, where a leak turns into
# a non-zero exit status).
[ -d build ] || meson setup build
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build
ninja -C build-asan

rc=0
meson test -C build --print-errorlogs "$@" || rc=$?
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ASAN_OPTIONS=detect_leaks=0 meson test -C build-asan --print-errorlogs --no-suite lifetime --no-suite load --no-suite vm --no-suite qt --no-suite package "$@" || rc=$?
cp build-asan/meson-logs/testlog.json build-asan/meson-logs/testlog-most.json
ASAN_OPTIONS=detect_leaks=1 meson test -C build-asan --print-errorlogs --suite lifetime "$@" || rc=$?

# One plain closing line for whoever reads only the end.
python3 - build/meson-logs/testlog.json build-asan/meson-logs/testlog-most.json build-asan/meson-logs/testlog.json <<'PY'
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)["result"]
        counts["passed" if r in ("OK", "EXPECTEDFAIL") else "skipped" if r == "SKIP" else "failed"] += 1
print("meson: {passed} passed, {failed} failed, {skipped} skipped".format(**counts))
PY
exit $rc
