#!/bin/bash
# resource1 (Python) latency against jeepney's and Gio's Ping, and its import
# time (bench/python.py), in the tests' fixture, everything pinned to one core
# as bench/run.sh's latency runs are. Figures, not tests. As root, built first.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export RESOURCE1D=${RESOURCE1D:-$src/build/daemon/resource1d} RESOURCE1D_ARGS=--log-level=warning PYTHONDONTWRITEBYTECODE=1
exec taskset -c 0 "$src/tests/with-bus.sh" -- /usr/bin/python3 "$src/bench/python.py" "$src/client/python" "${1:-9000}"
