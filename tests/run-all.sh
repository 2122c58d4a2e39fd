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
# The vm suite is minutes of one qemu thread (and, on a fresh machine,
# debootstrap's downloads) beside a run whose tests mostly take one core each
# in turn: run it alongside, niced so the timed suites keep their core, with a
# log of its own (two "meson test" runs in one build dir must not share one).
# Extra arguments choose the suites: then everything runs in order as asked.
vm=() vm_pid=
if [ $# -eq 0 ]; then
        nice -n 10 meson test -C build --no-rebuild --print-errorlogs --suite vm --logbase testlog-vm \
                > build/meson-logs/vm-run.txt 2>&1 &
        vm_pid=$! vm=(--no-suite vm)
fi
meson test -C build --no-rebuild --print-errorlogs "${vm[@]}" "$@" || rc=$?
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ASAN_OPTIONS=detect_leaks=0 meson test -C build-asan --print-errorlogs --no-suite lifetime --no-suite load --no-suite vm --no-suite qt --no-suite package "$@" || rc=$?
cp build-asan/meson-logs/testlog.json build-asan/meson-logs/testlog-most.json
ASAN_OPTIONS=detect_leaks=1 meson test -C build-asan --print-errorlogs --suite lifetime "$@" || rc=$?

if [ -n "$vm_pid" ]; then
        wait "$vm_pid" || rc=$?
        echo "--- the vm suite, run alongside:"
        cat build/meson-logs/vm-run.txt
fi

# One plain closing line for whoever reads only the end.
python3 - build/meson-logs/testlog.json $([ -z "$vm_pid" ] || echo build/meson-logs/testlog-vm.json) build-asan/meson-logs/testlog-most.json build-asan/meson-logs/testlog.json <<'PY'
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)["result"]
        counts["passed" if r in ("OK", "EXPECTEDFAIL") else "skipped" if r == "SKIP" else "failed"] += 1
print("meson: {passed} passed, {failed} failed, {skipped} skipped".format(**counts))
PY
exit $rc
