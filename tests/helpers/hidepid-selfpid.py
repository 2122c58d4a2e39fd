#!/usr/bin/python3
# hidepid-selfpid.py STATEDIR: the caller's side of tests/security/test-security-hidepid.sh
# test 12, run as nobody. A connection whose connecting process has exited,
# asking about "itself" once that number names another user's process.
#
#   this process (P) forks C; C opens the connection (the bus records C's
#   pid), forks G, which keeps the socket (and writes STATEDIR/gpid), and
#   exits. P reaps C, so C's number is free, and writes STATEDIR/pid.
#   The script then gives that number to a hidden process of uid 1 and
#   creates STATEDIR/go; G asks, on the old connection, GetRlimit(NOFILE)
#   and ListRlimits(0) and GetRusage(0, self) (pid 0: "the caller") and
#   Prlimit(C's number, NOFILE, get), and prints one line each:
#       REPLY <method> OK <values> | REPLY <method> ERR <error name> <message>
#   (of ListRlimits' values, only NOFILE's), then "DONE". P returns once G
#   has (or after 30 s).
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawbus import Bus, rcall

d = sys.argv[1]
done_r, done_w = os.pipe()
reaped_r, reaped_w = os.pipe()
c = os.fork()
if c == 0:
    os.close(done_r); os.close(reaped_w)
    bus = Bus()                         # the bus records this process's pid
    if os.fork() == 0:                  # G keeps the socket
        open(f'{d}/gpid', 'w').write(str(os.getpid()))
        os.read(reaped_r, 1)            # C is gone and reaped
        end = time.time() + 25
        while not os.path.exists(f'{d}/go') and time.time() < end:
            time.sleep(0.05)
        cp = int(open(f'{d}/pid').read())
        for m, sig, args in [('GetRlimit', 's', ('NOFILE',)),
                             ('ListRlimits', 'u', (0,)),
                             ('GetRusage', 'us', (0, 'self')),
                             ('Prlimit', 'usbtt', (cp, 'NOFILE', False, 0, 0))]:
            err, vals = rcall(bus, m, sig, args)
            if err:
                print(f'REPLY {m} ERR {err} {vals[0] if vals else ""}', flush=True)
            else:
                if m == 'ListRlimits':      # the line that would tell
                    vals = [l for l in vals[0] if l[0] == 'NOFILE']
                print(f'REPLY {m} OK {vals}', flush=True)
        print('DONE', flush=True)
        os._exit(0)
    os._exit(0)                         # the connecting process exits
os.close(done_w); os.close(reaped_r)
os.waitpid(c, 0)
open(f'{d}/pid.tmp', 'w').write(str(c))
os.rename(f'{d}/pid.tmp', f'{d}/pid')
os.write(reaped_w, b'x')
# G holds done_w open until it exits; EOF means it is done.
import select
select.select([done_r], [], [], 30)
