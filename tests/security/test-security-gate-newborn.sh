#!/bin/bash
# Security suite: a descriptor in a SIGNAL to a gate is never closed on the
# gate's loop.
#
# Found by the seventh attack ("newborn"): the gate's filter passes every
# message that is no method call on, and sd-bus frees a signal no match
# wants on the gate's loop, closing its descriptors there. The bus policy's
# mandatory deny of descriptors applies to the name org.example.Resource1.Pidfd,
# so to the connection that owns it; a gate that owns none (a new one between
# its Hello and its RequestName, an old one after the name went to its
# successor) gets any signal with any descriptor. Nobody sent a file of its
# own FUSE file system, whose FLUSH it never answers, to every new unique
# name: each new gate waited in D state before owning the name, the
# heartbeat replaced it, charged to no account, and 32 of them took the
# *Pidfd methods away from everyone. Made deterministic here, two ways, by
# nobody (tests/helpers/fuse-exec serving the FUSE file, tests/helpers/
# attack-newborn sending it):
#   1-2  "serving": a signal org.example.Resource1.PrlimitPidfd (the policy
#        lets that interface and member carry one descriptor to the name: its
#        rules name no message type) to the serving gate: no gate's loop in
#        D state (sampled every 0.1 s for 3 s), a gate owns the name (the
#        same, or a successor if that close made it retire, charged to
#        nobody), and another user's PrlimitPidfd through the gate answers
#        within 5 s;
#   3-4  "nameless": the test, as the service's user, takes the name from
#        the serving gate, which then lingers a second holding no name (the
#        state of a new gate before its RequestName, without the race);
#        nobody, watching NameOwnerChanged, sends the signal to it at once:
#        no gate's loop in D state (sampled for 2 s), and once the old gate
#        has ended and the daemon's next one serves, another user's
#        PrlimitPidfd answers within 5 s;
#   5    the heartbeat never had to replace a gate ("stopped answering" not
#        in the daemon's log, 8 s after the first signal: the heartbeat's
#        period and timeout), and no gate process is in D state at the end.
# Skipped, with the reason, where FUSE in a user namespace or FUSE's control
# file system (the daemon aborts nobody's connection through it) is
# unavailable.
set -u
: "${ATTACK_NEWBORN:?}" "${FUSE_EXEC:?}" "${RCALL:?}" "${RESOURCE1_FIXTURE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/gate.sh"

OTHER="--reuid=2 --regid=2 --clear-groups"
gate_setup security-gate-newborn 5 fusectl
stop_sampler() { [ -z "${sampler:-}" ] || kill "$sampler" 2>/dev/null; sampler=; }
trap 'stop_sampler; gate_cleanup' EXIT
c_from=$(log_size)

# Every gate process whose main thread (/proc/PID/stat and wchan are its)
# is in D state, noted every 0.1 s.
: > "$work/d"
( while :; do
        for p in $(gates); do
                if [ "$(sed 's/.*) \(.\).*/\1/' /proc/$p/stat 2>/dev/null)" = D ]; then
                        echo "$p $(cat /proc/$p/wchan 2>/dev/null)" >> "$work/d"
                fi
        done
        sleep 0.1
  done ) &
sampler=$!

# 1-2: to the serving gate.
before=$(serving)
t_first=$(date +%s)
setpriv $NOBODY "$FUSE_EXEC" 1 "$ATTACK_NEWBORN" serving 0 > "$work/serving" 2>&1 &
started+=($!)
wait_for 10 "grep -q '^DONE\|^SKIP\|^FAIL' '$work/serving'"
grep -q '^SKIP' "$work/serving" && skip_all "$(sed -n 's/^SKIP //p' "$work/serving" | head -1)"
sleep 3
after=$(serving)
stuck=$(sort -u "$work/d" | tr '\n' ' ')
check "1: a FUSE file in a signal PrlimitPidfd to the serving gate ($before): a gate serves ($after), no gate's loop in D (${stuck:-never})" \
        'grep -q "^SENT .* ok" "$work/serving" && [ -n "$after" ] && [ ! -s "$work/d" ]'
gate_other_check 2

# 3-4: to the gate that just lost the name. A gate already in D state
# (round 1's, where it failed) is not this round's.
already=" $(sort -u "$work/d" | cut -d' ' -f1 | tr '\n' ' ') "
: > "$work/d"
setpriv $NOBODY "$FUSE_EXEC" 1 "$ATTACK_NEWBORN" nameless 20 > "$work/nameless" 2>&1 &
started+=($!)
wait_for 10 "grep -q '^READY\|^SKIP\|^FAIL' '$work/nameless'"
grep -q '^SKIP' "$work/nameless" && skip_all "$(sed -n 's/^SKIP //p' "$work/nameless" | head -1)"
old=$(serving)
old_name=$(busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetNameOwner s $GATE 2>/dev/null |
           sed -n 's/^s "\(.*\)"$/\1/p')
# As the service's user (the policy lets it own the name), with
# REPLACE_EXISTING and ALLOW_REPLACEMENT: the gate, which allows
# replacement, loses the name; this connection ends at once, and the
# daemon's next gate takes it.
setpriv --reuid=resource1 --regid=resource1 --clear-groups busctl call org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus RequestName su $GATE 3 2>&1 | note
wait_for 5 "grep -q '^SENT $old_name ' '$work/nameless'"
sent=$(grep "^SENT $old_name " "$work/nameless")
sleep 2
stuck=$(sort -u "$work/d" | while read -r p w; do [[ "$already" == *" $p "* ]] || echo "$p $w"; done | tr '\n' ' ')
check "3: a FUSE file in a signal to the gate that lost the name ($old, $old_name: ${sent:-not sent}): no gate's loop in D (${stuck:-never})" \
        '[ -n "$sent" ] && [ -z "$stuck" ]'
# The daemon starts the next gate once the old one ends: when its closes
# have settled (the file's connection aborted as nobody's, as a call's is).
new_gate() { local p; p=$(serving); [ -n "$p" ] && [ "$p" != "$old" ] && [ "$(cat /proc/$p/comm 2>/dev/null)" = resource1d-gate ]; }
wait_for 15 new_gate
gate_other_check 4

# 5: the heartbeat's period and timeout (2 + 5 s) after the first signal.
while [ $(( $(date +%s) - t_first )) -lt 8 ]; do sleep 0.5; done
stop_sampler
check "5: no gate replaced for not answering, none in D at the end ($(gates | wc -l): $(gate_states))" \
        '! log_since $c_from | grep -q "stopped answering" && [ -z "$(gate_states | tr -d RSZ)" ]'
cat "$work/serving" "$work/nameless" | note
log_since $c_from | grep -E "gate|Gate" | tail -6 | note
tap_done
