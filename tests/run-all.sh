#!/bin/bash
# The test command: build, then every suite (unit tests, and the service
# against a private system bus, a real polkitd and the real daemon).
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d build ] || meson setup build
ninja -C build
meson test -C build --print-errorlogs "$@"
