#!/bin/bash
# Security suite: one user's flood of short bus connections must not cost
# another user's live connection its pid 0. The daemon tells a caller's own
# process (pid 0, and which pid namespace its pid numbers are of) by when its
# connection appeared (daemon/process/appear.h); that log is bounded, and
# the sixth attack pushed a live connection out of it with 9000 fresh
# connections of nobody's (~8 s), so that user's next pid-0 call was refused
# NoSuchProcess, and its own pid number OtherPidNamespace. Now a full log
# drops the runs whose connections are all gone first.
#   1-2  a live connection of another user (uid 1) that called before the
#        flood: GetRlimit pid 0 and Prlimit of its own pid answered after it
#   3-4  one that first calls after the flood: the same
#   5    root's PageSize answered after the flood
# Needs PYTHON3 and the fixture's environment (with-bus.sh).
set -u
: "${PYTHON3:?}" "${RESOURCE1_FIXTURE:?}"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
H=$here/../helpers/appear-flood.py
work=$(mktemp -d "$RESOURCE1_FIXTURE/security-appear-flood.XXXXXX")
chmod 755 "$work"
flag=$work/flood-done
trap kill_started EXIT
# Past the log's 8192 runs (one a connection: each takes well over the
# 100 µs that would join it to the last) and the 64 cached callers.
N=9000

echo "1..5"
as_uid1() { setpriv --reuid=1 --regid=1 --clear-groups "$PYTHON3" "$H" "$@"; }
as_uid1 victim "$flag" > "$work/before.out" 2>&1 & started+=($!)
as_uid1 victim "$flag" nobefore > "$work/nobefore.out" 2>&1 & started+=($!)
wait_for 10 "grep -q '^BEFORE Prlimit' '$work/before.out' && grep -q '^VICTIM' '$work/nobefore.out'" ||
        echo "# the victims did not start: $(cat "$work"/*.out)"
note "$work/before.out"
setpriv --reuid=65534 --regid=65534 --clear-groups "$PYTHON3" "$H" flood "$N" 2>&1 | note
touch "$flag"
wait_for 10 "grep -q '^AFTER Prlimit' '$work/before.out' && grep -q '^AFTER Prlimit' '$work/nobefore.out'"
note "$work/before.out" "$work/nobefore.out"
check "a live connection that called before: pid 0 answered after the flood" \
        "grep -qx 'AFTER GetRlimit: OK' '$work/before.out'"
check "... and its own pid number" "grep -qx 'AFTER Prlimit: OK' '$work/before.out'"
check "a live connection that first calls after the flood: pid 0 answered" \
        "grep -qx 'AFTER GetRlimit: OK' '$work/nobefore.out'"
check "... and its own pid number" "grep -qx 'AFTER Prlimit: OK' '$work/nobefore.out'"
check "root's PageSize answered" \
        "busctl call org.example.Resource1 /org/example/Resource1 org.example.Resource1 PageSize | grep -q '^t '"
tap_done
