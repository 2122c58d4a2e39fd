#!/bin/bash
# Security suite: the gate aborts a FUSE connection only when closing a file
# of it actually waits (daemon/bus/gate-close.c, gates-fuse.c, act.c).
#
# Round four's gate asked the daemon to abort the connection of every FUSE
# file passed to it, at once, healthy server or not: a Flatpak app (the
# user's uid) passing a file of the document portal (/run/user/UID/doc, a
# FUSE mount the user owns) got the user's portal aborted, a sandbox
# reaching outside itself. And an allow_other mount made in a user namespace
# was never aborted for a caller gone or another user, so its files filled
# lost gates. Now the gate closes such a file itself on a closer thread and
# asks for the abort only when that close still waits after its deadline
# (3 s); the daemon aborts, as the owner, any connection that refuses the
# daemon's own ids (private, or allow_other in a user namespace), and one
# that admits them (allow_other in the initial namespace) only for its
# owner. Made for real by nobody with FUSE servers of its own
# (tests/helpers/attack-gate-fill, attack-fd-fuse):
#
#   1  a healthy server (answers every FLUSH): nobody's PrlimitPidfd with a
#      file of it answers InvalidArgs "not a pidfd" within 2 s;
#   2  ... the connection is not aborted: the server still answers an
#      fstat() of the file afterwards, and the daemon logged no abort of it;
#   3  ... the gate did not retire (the same process serves);
#   4  a server withholding every FLUSH but its own processes': nobody's
#      PrlimitPidfd with its file answers InvalidArgs after the deadline
#      (3 s to 8 s), its connection aborted (fstat: ENOTCONN), the gate
#      serving on;
#   5  an allow_other mount made in nobody's user namespace, withholding,
#      its file passed in calls from connections that close at once: the
#      daemon aborts it as nobody for a caller gone, within 8 s;
#   6  after these, at most 2 gate processes, none in D state, and another
#      user's PrlimitPidfd through the gate answers within 5 s;
#   7  an allow_other mount of the initial user namespace (made here by
#      root, owned by nobody, as user_allow_other would let nobody make it),
#      withholding, its file handed to user daemon (uid 1), who passes it:
#      not aborted; the gate keeps the close waiting and retires, and
#      another user's PrlimitPidfd still answers within 5 s.
#
# Skipped, with the reason, where FUSE in a user namespace or fusectl is
# unavailable.
set -u
: "${ATTACK_GATE_FILL:?}" "${RCALL:?}" "${RESOURCE1_FIXTURE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/gate.sh"

OTHER="--reuid=2 --regid=2 --clear-groups"
gate_setup security-gate-healthy 8 fusectl
install -d -o 1 -g 1 -m 755 "$work/hand"

# $1: output file; the rest: the environment and setpriv options.
once() {
        local out=$1
        shift
        env "$@" "$ATTACK_GATE_FILL" 1 60 once > "$out" 2>&1 &
        started+=($!)
        gate_ready 15 "$out"
}

# 1-3: a healthy server.
before=$(serving)
once "$work/healthy" ATTACK_FUSE_HEALTHY=1 setpriv $NOBODY
conn=$(sed -n 's/^CONN //p' "$work/healthy")
answer=$(sed -n 's/^ANSWER //p' "$work/healthy")
served=$(sed -n 's/^SERVED //p' "$work/healthy")
ms=${answer%% *}
check "1: a healthy server's file: InvalidArgs \"not a pidfd\" within 2 s (${answer:-no answer})" \
        '[[ "$answer" == *InvalidArgs*"not a pidfd"* ]] && [ "${ms:-99999}" -le 2000 ]'
check "2: its connection ${conn:-?} is not aborted: the server answers an fstat afterwards (${served:-?})" \
        '[ -n "$conn" ] && [ "$served" = ok ] && [ -d /sys/fs/fuse/connections/$conn ] &&
         ! grep -q "FUSE connection $conn[ ,].*aborted it" "$log"'
sleep 0.3
after=$(serving)
check "3: the gate did not retire (serving gate ${before:-?} before, ${after:-?} after)" \
        '[ -n "$before" ] && [ "$before" = "$after" ]'

# 4: a withholding server, the caller its owner.
once "$work/owner" setpriv $NOBODY
answer=$(sed -n 's/^ANSWER //p' "$work/owner")
served=$(sed -n 's/^SERVED //p' "$work/owner")
ms=${answer%% *}
after=$(serving)
check "4: a withholding server's file: InvalidArgs after the deadline (${answer:-no answer}), connection aborted (fstat: ${served:-?}), the same gate serving (${after:-?})" \
        '[[ "$answer" == *InvalidArgs*"not a pidfd"* ]] && [ "${ms:-0}" -ge 2900 ] && [ "$ms" -le 8000 ] &&
         [ "$served" = "Transport endpoint is not connected" ] && [ "$before" = "$after" ]'

# 5: allow_other in nobody's user namespace, callers gone at once.
out=$work/userns
ATTACK_FUSE_ALLOW_OTHER=1 setpriv $NOBODY "$ATTACK_GATE_FILL" 2 60 gone > "$out" 2>&1 &
started+=($!)
gate_ready 15 "$out"
conn=$(sed -n 's/^CONN //p' "$out")
wait_for 8 "grep -q '(gone) passed a file of a private FUSE connection $conn .*aborted it as its owner (uid 65534)' '$log'"
check "5: nobody's allow_other connection ${conn:-?} in its user namespace, passed by callers gone: aborted" \
        '[ -n "$conn" ] && grep -q "(gone) passed a file of a private FUSE connection $conn .*aborted it as its owner (uid 65534)" "$log"'

gate_settle
check "6: $n_gates gate processes ($states), at most 2, none in D" 'gate_settled'
gate_other_check 7

# 8: allow_other in the initial namespace, nobody's, passed by uid 1.
c_from=$(log_size)
sock=$work/hand/init
setpriv $DAEMON "$ATTACK_GATE_FILL" 1 60 takeonce "$sock" > "$work/take.init" 2>&1 &
started+=($!)
wait_for 10 "grep -q '^LISTENING\|^FAIL' '$work/take.init'"
ATTACK_FUSE_OWNER=65534 ATTACK_FUSE_ALLOW_OTHER=1 "$ATTACK_GATE_FILL" 0 60 give "$sock" > "$work/give.init" 2>&1 &
started+=($!)
wait_for 15 "grep -q '^READY\|^FAIL' '$work/take.init' || grep -q '^SKIP' '$work/give.init'"
conn=$(sed -n 's/^CONN //p' "$work/take.init")
answer=$(sed -n 's/^ANSWER //p' "$work/take.init")
gate_other_call
check "8: nobody's allow_other connection ${conn:-?} of the initial namespace passed by uid 1 (${answer:-no answer}): not aborted, the gate retired; another user's call answers within 5 s ($ms ms: ${out:-no answer})" \
        '[ -n "$conn" ] && [[ "$answer" == *InvalidArgs* ]] && log_since $c_from | grep -q "(uid 1) passed a FUSE file whose close waits" &&
         ! grep -q "FUSE connection $conn[ ,].*aborted it" "$log" && gate_other_answered'
grep -v '^LISTENING\|^TOOK' "$work/take.init" | note
grep -E "gate|FUSE" "$log" | tail -4 | note
tap_done
