#!/bin/bash
# Security suite: FUSE files whose FLUSH is never answered must not keep gate
# processes alive (daemon/bus/gates-fuse.c, gate-close.c).
#
# The residue of round four's gate: a gate lost because its table filled with
# kept FUSE files waited in fuse_flush for as long as the server held the
# FLUSH, charged to no account, counting against the 32 gate processes; one
# user who filled 32 gates' tables in turn left the *Pidfd methods
# unavailable to everyone. Now the gate closes such a file on a closer thread
# and, when that close still waits after its deadline (3 s), the daemon
# aborts the FUSE connection of a file its owner passed (as that user,
# through fusectl), so no close of its files waits any more. The attack, made
# for real by nobody (tests/helpers/attack-gate-fill, a FUSE server of its
# own in a user namespace that never answers a FLUSH from anyone else): 34
# rounds at once (more than the 32 gate processes allowed; at once, as each
# waits a deadline), each with a fresh FUSE file system, two retirements'
# worth of single calls and then 600 calls with 64 in flight, which fill the
# serving gate's table (its NOFILE lowered to 512 first): its system bus
# connection fails, and it stays only until its closes are settled. Then,
# every FUSE server still alive and holding its FLUSHes:
#
#   1  within 5 s at most 2 gate processes live and none in D state (before:
#      every retired and lost gate stayed in fuse_flush);
#   2  another user's PrlimitPidfd of its own process through
#      org.example.Resource1.Pidfd answers within 5 s (before: no gate could
#      be started once 32 waited in fuse_flush);
#   3  the daemon logged that it aborted nobody's connection as nobody;
#   4  root's PageSize answers within 5 s.
#
# Skipped, with the reason, where FUSE in a user namespace or fusectl is
# unavailable.
set -u
: "${ATTACK_GATE_FILL:?}" "${RCALL:?}" "${RESOURCE1_FIXTURE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/gate.sh"

OTHER="--reuid=1 --regid=1 --clear-groups"
ROUNDS=34
gate_setup security-gate-abort 4 fusectl

gate_lower_nofile "$(serving)" 512
for round in $(seq 1 $ROUNDS); do
        setpriv $NOBODY "$ATTACK_GATE_FILL" 600 90 > "$work/fill.$round" 2>&1 &
        started+=($!)
done
servers=()
for round in $(seq 1 $ROUNDS); do
        out=$work/fill.$round
        gate_ready 40 "$out"
        servers+=($(sed -n 's/^FUSE server=\([0-9]*\).*/\1/p' "$out"))
        [ $((round % 8)) = 0 ] || [ $round = 1 ] &&
                echo "# round $round: gate processes $(gates | wc -l) ($(gate_states)); $(grep '^FILL' "$out")"
done

alive=0
for s in "${servers[@]}"; do kill -0 "$s" 2>/dev/null && alive=$((alive + 1)); done
gate_settle
still=0
for s in "${servers[@]}"; do kill -0 "$s" 2>/dev/null && still=$((still + 1)); done
echo "# $round rounds; FUSE servers alive (none answers a FLUSH): $alive, still $still"
check "1: after $round rounds, within 5 s: $n_gates gate processes ($states), at most 2, none in D, while all ${#servers[@]} FUSE servers live ($still)" \
        'gate_settled && [ "$still" -eq ${#servers[@]} ] && [ ${#servers[@]} -ge 1 ]'

gate_other_check 2
check "3: the daemon aborted nobody's own FUSE connections as nobody" \
        'grep -q "(uid 65534) passed a file of its own FUSE connection .*aborted it as its owner" "$log"'
gate_root_check 4
grep -E "gate|FUSE" "$log" | tail -4 | note
tap_done
