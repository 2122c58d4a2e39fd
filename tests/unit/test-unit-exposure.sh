#!/bin/bash
# resource1d.service as built (the argument): systemd-analyze security scores
# its exposure at most 1.5 (hostnamed's), offline, as it would on a system;
# it runs as a user of its own, with its capabilities ambient and the same
# list bounding. TAP output.
set -u
unit=$1
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
max=1.5

if ! command -v systemd-analyze >/dev/null; then
        echo "1..0 # SKIP systemd-analyze is missing (tests/install-deps.sh installs systemd)"
        exit 0
fi
out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1)
score=$(awk '/Overall exposure level/ { print $(NF-2) }' <<< "$out")
if [ -z "$score" ] && ! systemd-analyze security --help 2>&1 | grep -q -- --offline; then
        echo "1..0 # SKIP this systemd-analyze ($(systemd-analyze --version | head -1)) has no --offline (systemd 250 has)"
        exit 0
fi

echo "1..2"
grep -F "✗" <<< "$out" | note
echo "# $(grep "Overall exposure level" <<< "$out")"
check "systemd-analyze security --offline: exposure ${score:-none}, at most $max" \
      '[ -n "$score" ] && awk -v s="$score" -v m="$max" "BEGIN { exit !(s <= m) }"'
user=$(sed -n 's/^User=//p' "$unit")
ambient=$(sed -n 's/^AmbientCapabilities=//p' "$unit" | tr ' ' '\n' | sort)
bounding=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr ' ' '\n' | sort)
echo "# User=${user:-none}; capabilities: $(echo $ambient)"
check "it runs as a user of its own (User=${user:-none}), its capabilities ambient, the bounding set the same list" \
      '[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] && [ -n "$ambient" ] && [ "$ambient" = "$bounding" ]'
tap_done
