#!/bin/bash
# Security suite: a descriptor a *Pidfd call carries but names nowhere the
# interface has its pidfd is closed as any other: off the gate's loop, its
# FUSE connection aborted when that close waits, no gate retired or kept.
#
# Found by the sixth attack: the bus policy lets one descriptor reach the
# gate on those five methods and checks no signature; sd-bus hands a
# descriptor out only through an "h" argument, so a PrlimitPidfd of
# signature (uh) carried nobody's FUSE file where the gate could not read
# it, and the gate kept the call, unclosed, asking for a successor: two
# retirements charged to nobody, then every such call kept until the gate's
# table filled and it lost its bus connection (charged to no account), 32
# times in 80 s, and the *Pidfd methods were gone for everyone. Now such a
# call's descriptor is found in the gate's table (daemon/bus/gate-sweep.c).
# Performed for real by nobody (tests/helpers/fuse-exec, FUSE servers of
# its own that never answer a FLUSH from the gate; tests/helpers/
# gate-unnamed.py, three forms at once: (uh), (u) carrying the file, (hsbtt)
# whose index is past the one file it carries):
#   1-3  each form answered InvalidArgs: naming the signature it should have,
#        or (the index form) saying no descriptor is at the pidfd's index
#        (before: (uh) and the index form answered at once "no file
#        descriptor was passed ...", the gate kept them)
#   4    the gate that served before serves on, the only gate process, none
#        in D (before: it retired, and its successor too)
#   5    the daemon aborted nobody's FUSE connections as nobody (the closes
#        waited: they were closed, not kept)
#   6    another user's PrlimitPidfd of its own process answers through the gate
# Skipped, with the reason, where FUSE in a user namespace is unavailable.
set -u
: "${FUSE_EXEC:?}" "${PYTHON3:?}" "${RCALL:?}" "${RESOURCE1_FIXTURE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/gate.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

OTHER="--reuid=1 --regid=1 --clear-groups"
gate_setup security-gate-unnamed 6 fusectl
before=$(serving)
out=$work/out
setpriv $NOBODY "$FUSE_EXEC" 3 "$PYTHON3" "$here/../helpers/gate-unnamed.py" > "$out" 2>&1
note "$out"
grep -q '^SKIP' "$out" && skip_all "$(sed -n 's/^SKIP //p' "$out" | head -1)"
answered() {
        grep -q "^ANSWER $1 [0-9]* org.freedesktop.DBus.Error.InvalidArgs: PrlimitPidfd takes (hsbtt), the first a pidfd it carries; this call has ($2)" "$out"
}
check "1: (uh) carrying nobody's FUSE file: InvalidArgs naming the signature" 'answered uh uh'
check "2: (u) carrying one: the same" 'answered u u'
check "3: (hsbtt) whose index is past the one it carries: InvalidArgs saying no descriptor is at that index" \
        'grep -q "^ANSWER index [0-9]* org.freedesktop.DBus.Error.InvalidArgs: no file descriptor was passed with the call at the pidfd argument" "$out"'
wait_for 5 '[ "$(gates | wc -l)" = 1 ] && [ -z "$(gate_states | tr -d RS)" ]'
after=$(serving)
check "4: the gate that served before ($before) serves on ($after), the only one ($(gates | wc -l): $(gate_states))" \
        '[ -n "$before" ] && [ "$before" = "$after" ] && [ "$(gates | wc -l)" = 1 ] && [ -z "$(gate_states | tr -d RS)" ]'
check "5: the daemon aborted nobody's FUSE connections as nobody" \
        '[ "$(grep -c "(uid 65534) passed a file of its own FUSE connection .*aborted it as its owner" "$log")" -ge 3 ]'
gate_other_check 6
grep -E "gate|FUSE" "$log" | tail -5 | note
tap_done
