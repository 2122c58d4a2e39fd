#!/bin/bash
# The test command (what .ci/run runs): installs what is missing, builds, and
# runs every suite: unit tests, and the real service against a private system
# bus with a real polkitd. Extra arguments go to "meson test".
set -euo pipefail
cd "$(dirname "$0")/.."

tests/install-deps.sh --if-missing
[ -d build ] || meson setup build
ninja -C build
rc=0
meson test -C build --print-errorlogs "$@" || rc=$?

# One plain closing line for whoever reads only the end.
python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    counts["passed" if r in ("OK", "EXPECTEDFAIL") else "skipped" if r == "SKIP" else "failed"] += 1
print("meson: {passed} passed, {failed} failed, {skipped} skipped".format(**counts))
PY
exit $rc
