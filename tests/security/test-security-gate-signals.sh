#!/bin/bash
# Security suite: one user's unicast signals to the service's names must not
# take the *Pidfd methods from another. Found by the eighth attack: the bus
# policy let a *Pidfd-named SIGNAL carry one descriptor to the gate, and
# let any signal through to either name; the gate, which lists its table
# after every message that may carry one, fell behind: nobody's signals each
# with its own pidfd filled dbus-daemon's queue to the gate, and another
# user's PrlimitPidfd was refused LimitsExceeded ("destination has a full
# message queue") in 32 of 37 tries; plain signals delayed it past 6 s.
# The gate takes no signal from anyone but the bus itself: the policy's
# mandatory part now denies every signal sent to it, and lets a descriptor
# reach it only with a method call. (The bus logs each refusal, which costs
# it time too: how long another user's call takes during such a flood is
# the bus's as much as the service's, so the checks ask for an answer,
# never a refusal, within the callers' 5 s.)
#   1  nobody's PrlimitPidfd-named signals, each with a pidfd of its own, to
#      the gate for 3 s from 6 connections: another user's PrlimitPidfd of
#      its own process answered, every try (before: 32 of 37 refused)
#   2  nobody's plain signals to the gate for 4 s from 4 processes: the same
#   3  the same flood to the daemon's own name (which takes them, cheaply):
#      root's PageSize answered every try within 1 s
# Needs RCALL, ATTACK_FD_SIGNALS, ATTACK_SIGNAL_FLOOD and the fixture's
# environment (with-bus.sh).
set -u
: "${RCALL:?}" "${ATTACK_FD_SIGNALS:?}" "${ATTACK_SIGNAL_FLOOD:?}" "${RESOURCE1_FIXTURE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
OTHER="--reuid=1 --regid=1 --clear-groups"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/gate.sh"
gate_setup security-gate-signals 3

root_call() {
        local t0=$(date +%s%N)
        out=$(timeout 6 busctl --system --timeout=5 call org.example.Resource1 /org/example/Resource1 \
                org.example.Resource1 PageSize 2>&1)
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        [[ $out == "t "* ]] && echo ok >> "$1" || echo "${out:-no answer}" >> "$1"
        echo "$ms" >> "$1.ms"
}
other_call() {
        gate_other_call
        grep -q "^OK" <<< "$out" && echo ok >> "$1" || echo "${out:-no answer}" >> "$1"
        echo "$ms" >> "$1.ms"
}
# While the attack in the background ($1) runs, calls ($2) each 0.3 s into $3.
sample() {
        local attack=$1 call=$2 into=$3
        : > "$into"; : > "$into.ms"
        sleep 0.5
        while kill -0 "$attack" 2>/dev/null; do $call "$into"; sleep 0.3; done
        echo "# $into: $(grep -c '^ok$' "$into") of $(wc -l < "$into") answered, the slowest $(sort -n "$into.ms" | tail -1) ms"
        grep -v '^ok$' "$into" | sort | uniq -c | head -3 | note
}
# Every try in $1 answered, none slower than $2 ms.
all_answered() { [ -s "$1" ] && ! grep -qv '^ok$' "$1" && [ "$(sort -n "$1.ms" | tail -1)" -lt "$2" ]; }

ATTACK8_PIDFD=1 timeout -s KILL 8 setpriv $NOBODY "$ATTACK_FD_SIGNALS" 1 3 6 > "$work/fd.out" 2>&1 &
a=$!; started+=($a)
sample $a other_call "$work/fd"
note "$work/fd.out"
check "1: nobody's PrlimitPidfd-named signals with a pidfd each to the gate: another user's PrlimitPidfd answered every try" \
        'all_answered "$work/fd" 5000'

FLOOD_DEST=org.example.Resource1.Pidfd timeout -s KILL 8 setpriv $NOBODY "$ATTACK_SIGNAL_FLOOD" 4 4 > "$work/plain.out" 2>&1 &
a=$!; started+=($a)
sample $a other_call "$work/plain"
check "2: nobody's plain signals to the gate: the same" 'all_answered "$work/plain" 5000'

FLOOD_DEST=org.example.Resource1 timeout -s KILL 8 setpriv $NOBODY "$ATTACK_SIGNAL_FLOOD" 4 4 > "$work/daemon.out" 2>&1 &
a=$!; started+=($a)
sample $a root_call "$work/daemon"
check "3: nobody's plain signals to the daemon's name: root's PageSize answered every try within 1 s" \
        'all_answered "$work/daemon" 1000'
tap_done
