#!/bin/bash
# Round-3b attack (branch attack-r3b), run inside the fixture:
#   tests/with-bus.sh --rules tests/test.rules -- tests/attack-r3b.sh
# 1  nobody sends SetRlimits(0, a(stt)) with 31 MB arrays (1.35M entries)
#    from 16 connections, 4 each: set_rlimits() (manager.c) reads every
#    entry on the loop (~220 ms per message, vs ~10 ms for the same bytes
#    refused by signature), so the bus's queue to the daemon fills (127 MB)
#    and dbus-daemon rejects everyone's calls to it ("destination has a full
#    message queue") and drops its NameOwnerChanged signals.
# 2  Meanwhile nobody opens a new connection every 50 ms and calls GetRlimit:
#    the daemon asks the bus for each new caller's credentials with a
#    synchronous call on its loop (caller.c creds_query); when the bus drops
#    that reply for the full queue, the loop waits sd-bus's 25 s default
#    timeout (the unit's WatchdogSec= is 10 s).
# Expect (unfixed): root's PageSize max ~26 s, rejections > 0.
set -u
H=$(cd "$(dirname "$0")" && pwd)/helpers
S=${ATTACK_STALL:-$(dirname "$H")/../build/tests/helpers/attack-stall}
PY=${PYTHON3:-/usr/bin/python3}
NOBODY="--reuid=65534 --regid=65534 --clear-groups"
log=$RESOURCE1_FIXTURE/dbus.log
for i in 1 2 3 4; do timeout 60 setpriv $NOBODY $PY "$H/big-batch.py" 4 4 31 >/dev/null 2>&1 & done
setpriv $NOBODY $PY "$H/fresh-callers.py" 8 &
sleep 0.5
out=$("$S" probe 40 25 60)
wait
echo "# $out"
max=$(sed -n 's/.*max_us=\([0-9]*\).*/\1/p' <<<"$out")
echo "1..1"
if [ "${max:-0}" -lt 5000000 ]; then echo "ok 1 root's PageSize max ${max} us (< 5 s)"; else echo "not ok 1 root's PageSize max ${max} us: the loop hung"; fi
