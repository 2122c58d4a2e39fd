#!/bin/bash
# resource1d with the capabilities its systemd unit leaves it: the bounding
# set of policy/resource1d.service.in's CapabilityBoundingSet= (read from the
# unit, so the two cannot drift apart), for suites that must see what the
# installed service can and cannot do (the flatpak suite: root without
# CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH opens no other user's 0600 file).
# RESOURCE1D_REAL is the daemon.
set -euo pipefail
unit=$(dirname "${BASH_SOURCE[0]}")/../policy/resource1d.service.in
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
[ -n "$caps" ] || { echo "unit-caps-daemon.sh: no CapabilityBoundingSet= in $unit" >&2; exit 1; }
set=-all
for c in $caps; do
        c=${c#CAP_}
        set+=",+${c,,}"
done
exec setpriv --bounding-set "$set" -- "$RESOURCE1D_REAL" "$@"
