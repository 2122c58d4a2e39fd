#!/bin/bash
# The test command (what .ci/run runs): installs what is missing, builds, and
# runs every suite: unit tests, and the real service against a private system
# bus with a real polkitd. Extra arguments go to "meson test".
set -euo pipefail
cd "$(dirname "$0")/.."

tests/install-deps.sh --if-missing
[ -d build ] || meson setup build
ninja -C build
meson test -C build --print-errorlogs "$@"
