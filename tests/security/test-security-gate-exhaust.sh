#!/bin/bash
# Security suite: one unprivileged user must not take the *Pidfd methods
# away from every other user (round four's gate, daemon/bus/resource1d-gate.c, gates.c).
#
# A gate that is handed a descriptor that is not a pidfd retires and closes
# it after giving its name away; a FUSE file whose FLUSH its server never
# answers leaves that gate in D state for as long as the server likes. Found
# by the attack on round four's change: at most 8 gate processes lived, and
# the last one, unable to retire, closed the 17th file itself, so all 8 sat
# in fuse_flush, the name's owner among them. Now each retired gate is
# charged to the account whose descriptor it closes, at most 2 per account
# (gates.h); past that the serving gate keeps such descriptors unclosed and
# serves on. So nobody passes FUSE files (tests/helpers/attack-fd fuse, as in
# security-fd) again and again, each attacker sending its four *Pidfd calls
# to org.example.Resource1.Pidfd, 14 attackers (each holds its FLUSHes 30 s,
# 56 files), stopping early if every gate process is in D state. Then:
#
#   1  nobody's files leave at most 3 gate processes (2 retired, charged to
#      its account, and the serving one), not all in D state;
#   2  another user (daemon, uid 1) still gets a real PrlimitPidfd of its own
#      process answered through org.example.Resource1.Pidfd within 5 s
#      (fails while every gate, the one owning the name included, waits in
#      fuse_flush: the call times out for everyone);
#   3  root's PageSize on org.example.Resource1 still answers within 5 s;
#   4  (the fresh attack on that change) nobody, its retirements spent, passes
#      one FUSE file to the serving gate as many times as the gate's table
#      has room (its NOFILE lowered to 4096 first, so the test is quick
#      whatever the machine's limit): the gate keeps each unclosed, its
#      system bus connection fails when the table is full, and it ends in
#      fuse_flush, holding no name. The daemon, told by its own connection to
#      the gate closing, starts a successor at once: another user's
#      PrlimitPidfd through org.example.Resource1.Pidfd answers within 7 s
#      (before, no gate was started: ServiceUnknown for as long as the FUSE
#      server held its FLUSHes).
#
# Skipped, with the reason, where FUSE in a user namespace is unavailable.
# Needs ATTACK_FD, RCALL and the fixture's environment.
set -u
: "${ATTACK_FD:?}" "${ATTACK_GATE_FILL:?}" "${RCALL:?}" "${RESOURCE1_FIXTURE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/gate.sh"

OTHER="--reuid=1 --regid=1 --clear-groups"

all_d() { local s; s=$(gate_states); [ ${#s} -ge 1 ] && [ -z "${s//D/}" ]; }

gate_setup security-gate-exhaust 4

echo "# gates before: $(gates | wc -l) ($(gate_states))"
attackers=0
while [ $attackers -lt 14 ] && ! all_d; do
        attackers=$((attackers + 1))
        out=$work/fuse.$attackers
        setpriv $NOBODY "$ATTACK_FD" fuse $GATE pidfd 30 > "$out" 2>&1 &
        started+=($!)
        gate_ready 10 "$out"
        sleep 0.3
        echo "# after attacker $attackers: gate processes $(gates | wc -l), states $(gate_states)"
done
n_gates=$(gates | wc -l)
check "1: nobody's FUSE files from $attackers attackers left $n_gates gate processes ($(gate_states)): at most 3, not all in D" \
        '[ "$n_gates" -le 3 ] && ! all_d'

gate_other_check 2
gate_root_check 3
grep -E "gate" "$log" | tail -4 | note

gate=$(serving)
gate_lower_nofile "$gate" 4096
fill=$work/fill.out
setpriv $NOBODY "$ATTACK_GATE_FILL" 5000 30 > "$fill" 2>&1 &
started+=($!)
wait_for 60 "grep -q '^READY\|^SKIP' '$fill'"
note "$fill"
echo "# gates after the fill: $(gates | wc -l) ($(gate_states)); gate $gate: $(ls /proc/$gate/fd 2>/dev/null | wc -l) descriptors"
t0=$(date +%s%N)
out=""
while [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 7000 ]; do
        out=$(RCALL_DEST=$GATE timeout 3 setpriv $OTHER "$RCALL" --pidfd-of $own PrlimitPidfd '(hsbtt)' \
                "(handle 0, 'NOFILE', false, 0, 0)" 2>&1)
        grep -q "^OK" <<< "$out" && break
        sleep 0.2
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# another user's PrlimitPidfd after the fill: $ms ms: ${out:-no answer}"
check "4: the serving gate's table filled with nobody's FUSE files: another user's PrlimitPidfd through $GATE answers within 7 s ($ms ms)" \
        'grep -q "FILL sent=5000" "$fill" && grep -q "^OK" <<< "$out" && [ $ms -le 7000 ]'
grep -E "gate" "$log" | tail -3 | note
tap_done
