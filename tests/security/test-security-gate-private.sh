#!/bin/bash
# Security suite: a FUSE file passed to the gate by someone the bus cannot
# name, or by another user than the connection's owner, must not keep gate
# processes alive either (daemon/bus/gates-fuse.c, act.c's private check).
#
# The residue of security-gate-abort: the daemon aborted a FUSE connection
# only when the caller was its owner, asked of the bus. A caller that sends
# and disconnects at once is nobody's (charged to no account: no successor),
# and another user is not the owner; either way the gate kept the file, its
# table filled, and it waited in fuse_flush, one lost gate per round, until
# the 32 allowed left the *Pidfd methods unavailable to everyone. Now, once
# the gate's close of such a file still waits after its deadline (3 s), a
# connection that refuses the daemon's own ids (no allow_other: only
# processes with exactly the owner's ids could have opened its files; or
# allow_other in a user namespace: only that namespace's) is aborted as the
# owner whoever passed the file; an initial-namespace allow_other one only
# for its owner (security-gate-healthy). Made for real
# (tests/helpers/attack-gate-fill, a FUSE server of nobody's own in a user
# namespace that never answers a FLUSH from anyone else), the rounds of each
# part at once (each waits a deadline), the serving gate's NOFILE lowered to
# 128 before A:
#
#   A  34 rounds of nobody passing its file in calls each from a connection
#      that closes as soon as the call is written (never waiting for the
#      answer), enough to fill the gate's table:
#      1  within 5 s at most 2 gate processes live and none in D state;
#      2  another user's PrlimitPidfd through org.example.Resource1.Pidfd
#         answers within 5 s;
#      3  the daemon logged that it aborted, for a caller gone, a private
#         connection as its owner (uid 65534);
#   B  8 rounds of user daemon (uid 1) passing nobody's file, which nobody
#      handed it over a unix socket (two single calls, then 160):
#      4, 5  as 1, 2;
#      6  the daemon logged that it aborted, for uid 1, nobody's private
#         connection as nobody;
#   C  once, the same with a connection mounted allow_other in nobody's user
#      namespace (which lets in every process of that namespace, and none
#      outside it):
#      7  it is aborted as nobody for uid 1 too (before: kept, the gate
#         retired);
#   8  root's PageSize answers within 5 s.
#
# Skipped, with the reason, where FUSE in a user namespace or fusectl is
# unavailable.
set -u
: "${ATTACK_GATE_FILL:?}" "${RCALL:?}" "${RESOURCE1_FIXTURE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/gate.sh"

OTHER="--reuid=2 --regid=2 --clear-groups"
ROUNDS=34
HANDED=8
CALLS=160
gate_setup security-gate-private 8 fusectl
# Where user daemon listens for the file nobody hands it.
install -d -o 1 -g 1 -m 755 "$work/hand"

# $1: the checks' first number; $2: what the rounds were.
settled() {
        local what=$2 n_gates states
        gate_settle
        check "$1: after $what, within 5 s: $n_gates gate processes ($states), at most 2, none in D" 'gate_settled'
        gate_other_check $(($1 + 1))
}

# A: callers gone before the daemon can ask the bus whose they were.
gate_lower_nofile "$(serving)" 128
for round in $(seq 1 $ROUNDS); do
        setpriv $NOBODY "$ATTACK_GATE_FILL" $CALLS 90 gone > "$work/gone.$round" 2>&1 &
        started+=($!)
done
for round in $(seq 1 $ROUNDS); do
        out=$work/gone.$round
        gate_ready 60 "$out"
        [ $((round % 8)) = 0 ] || [ $round = 1 ] &&
                echo "# A after round $round: gate processes $(gates | wc -l) ($(gate_states)); $(grep '^FILL' "$out")"
done
settled 1 "$ROUNDS rounds of calls from connections gone at once"
# Each connection's abort follows its deadline (3 s).
wait_for 8 'grep -q "(gone) passed a file of a private FUSE connection .*aborted it as its owner (uid 65534)" "$log"'
check "3: the daemon aborted nobody's private FUSE connections as nobody for callers gone" \
        'grep -q "(gone) passed a file of a private FUSE connection .*aborted it as its owner (uid 65534)" "$log"'

# The daemon's refusal lines are limited per uid (20 in 5 s; README's Load):
# A's rounds spend nobody's, so B's lines, about nobody's connections too,
# wait for a fresh window rather than be summed up unseen.
sleep 5.5

# B: user daemon passes nobody's file, handed to it over a unix socket (the
# gate's table left as it is: a gate that lost its bus could not answer, and
# the callers would be gone before the abort).
for round in $(seq 1 $HANDED); do
        sock=$work/hand/$round
        take=$work/take.$round
        setpriv $DAEMON "$ATTACK_GATE_FILL" $CALLS 90 take "$sock" > "$take" 2>&1 &
        started+=($!)
        wait_for 10 "grep -q '^LISTENING\|^FAIL' '$take'"
        setpriv $NOBODY "$ATTACK_GATE_FILL" 0 90 give "$sock" > "$work/give.$round" 2>&1 &
        started+=($!)
done
for round in $(seq 1 $HANDED); do
        take=$work/take.$round
        wait_for 60 "grep -q '^READY\|^FAIL' '$take' || grep -q '^SKIP' '$work/give.$round'"
        grep -q '^SKIP' "$work/give.$round" && skip_all "$(sed -n 's/^SKIP //p' "$work/give.$round" | head -1)"
        [ $((round % 4)) = 0 ] || [ $round = 1 ] &&
                echo "# B after round $round: gate processes $(gates | wc -l) ($(gate_states)); $(grep '^FILL\|^FAIL' "$take")"
done
wait_for 8 'grep -q "(uid 1) passed a file of a private FUSE connection .*aborted it as its owner (uid 65534)" "$log"'
settled 4 "$HANDED rounds of uid 1 passing nobody's file"
check "6: the daemon aborted nobody's private FUSE connections as nobody for uid 1" \
        'grep -q "(uid 1) passed a file of a private FUSE connection .*aborted it as its owner (uid 65534)" "$log"'

# C: an allow_other connection in nobody's user namespace, passed by uid 1.
gate_lower_nofile "$(serving)" 128
c_from=$(log_size)
sock=$work/hand/ao
setpriv $DAEMON "$ATTACK_GATE_FILL" 1 90 take "$sock" > "$work/take.ao" 2>&1 &
started+=($!)
wait_for 10 "grep -q '^LISTENING\|^FAIL' '$work/take.ao'"
ATTACK_FUSE_ALLOW_OTHER=1 setpriv $NOBODY "$ATTACK_GATE_FILL" 0 90 give "$sock" > "$work/give.ao" 2>&1 &
started+=($!)
wait_for 30 "grep -q '^READY\|^FAIL' '$work/take.ao'"
conn=$(sed -n 's/^CONN //p' "$work/take.ao")
wait_for 8 "log_since $c_from | grep -q '(uid 1) passed a file of a private FUSE connection $conn '"
check "7: nobody's allow_other FUSE connection ${conn:-?} in its user namespace passed by uid 1 is aborted as nobody" \
        '[ -n "$conn" ] && log_since $c_from |
         grep -q "(uid 1) passed a file of a private FUSE connection $conn .*aborted it as its owner (uid 65534)"'

gate_root_check 8
grep -E "gate|FUSE" "$log" | tail -4 | note
tap_done
