# The seed's (PyMOTW's "resource") resource_setrlimit_cpu.py, written to
# print what the seed shows it printing (see resource_getrusage.py): one
# second of CPU time, then SIGXCPU.
import resource
import signal
import sys
import time


def time_expired(signum, frame):
    print('EXPIRED :', time.ctime())
    raise SystemExit('(time ran out)')


signal.signal(signal.SIGXCPU, time_expired)

soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
print('Soft limit starts as  :', soft)

resource.setrlimit(resource.RLIMIT_CPU, (1, hard))

soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
print('Soft limit changed to :', soft)
print()

print('Starting:', time.ctime())
sys.stdout.flush()
while True:
    pass
