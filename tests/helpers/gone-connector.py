#!/usr/bin/python3
# gone-connector.py MODE N: the caller's side of tests/security/test-security-flood.sh
# F. N real changes of CORE's soft limit (alternating 0 and 1 under the hard
# limit) on a process of the caller's own, named by pidfd, from one
# connection; before them, three reads of it on the same connection.
#   live : an ordinary connection, its connecting process alive (the caller)
#   gone : the connecting process C has exited and been reaped, and its child
#          G, which keeps the socket, is the caller (the bus still names C's
#          pid for the connection)
# Prints:
#   CONN connector=<pid the bus recorded> caller=<pid of the calling process>
#   READ <method> OK <values> | READ <method> ERR <name> <message>
#   CHANGES calls=<n> ok=<carried out> gone=<PermissionDenied saying "is gone">
#           other=<any other refusal>
#   FIRST_REFUSAL <name> <message>      (if any)
# Returns once the caller is done.
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawbus import Bus, rcall

DENIED = 'org.example.Resource1.Error.PermissionDenied'
mode, n = sys.argv[1], int(sys.argv[2])

def run(bus, connector):
    me = os.getpid()
    print(f'CONN connector={connector} caller={me}', flush=True)
    fd = os.pidfd_open(me)
    # By pidfd: a pid number from a connection whose connecting process is
    # gone is refused (OtherPidNamespace: the daemon cannot tell which pid
    # namespace it was named in).
    for m, sig, args in [('PrlimitPidfd', 'hsbtt', (0, 'CORE', False, 0, 0)),
                         ('ListRlimitsPidfd', 'h', (0,)),
                         ('GetRusagePidfd', 'hs', (0, 'self'))]:
        err, vals = rcall(bus, m, sig, args, fds=[fd])
        if err:
            print(f'READ {m} ERR {err} {vals[0] if vals else ""}', flush=True)
        elif m == 'ListRlimitsPidfd':
            print(f'READ {m} OK {[l for l in vals[0] if l[0] == "CORE"]}', flush=True)
        elif m == 'GetRusagePidfd':
            print(f'READ {m} OK {sorted(vals[0])[:3]}...', flush=True)
        else:
            print(f'READ {m} OK {vals}', flush=True)
    soft, hard = rcall(bus, 'PrlimitPidfd', 'hsbtt', (0, 'CORE', False, 0, 0), fds=[fd])[1]
    ok = gone = other = 0
    first = None
    for _ in range(n):
        new = 1 if soft == 0 else 0
        err, vals = rcall(bus, 'PrlimitPidfd', 'hsbtt', (0, 'CORE', True, new, hard), fds=[fd])
        if not err:
            ok += 1; soft = new
            continue
        msg = vals[0] if vals else ''
        first = first or (err, msg)
        if err == DENIED and 'is gone' in msg:
            gone += 1
        else:
            other += 1
    print(f'CHANGES calls={n} ok={ok} gone={gone} other={other}', flush=True)
    if first:
        print(f'FIRST_REFUSAL {first[0]} {first[1]}', flush=True)

if mode == 'live':
    run(Bus(), os.getpid())
    sys.exit(0)

done_r, done_w = os.pipe()
reaped_r, reaped_w = os.pipe()
c = os.fork()
if c == 0:
    os.close(done_r); os.close(reaped_w)
    bus = Bus()                         # the bus records this process's pid
    connector = os.getpid()
    if os.fork() == 0:                  # G keeps the socket (and done_w)
        os.read(reaped_r, 1)            # C is gone and reaped
        run(bus, connector)
        os._exit(0)
    os._exit(0)                         # the connecting process exits
os.close(done_w); os.close(reaped_r)
os.waitpid(c, 0)
os.write(reaped_w, b'x')
os.read(done_r, 1)                      # EOF once G has exited
