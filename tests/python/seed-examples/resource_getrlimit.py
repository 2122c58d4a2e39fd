# The seed's (PyMOTW's "resource") resource_getrlimit.py, written to print
# what the seed shows it printing (see resource_getrusage.py).
import resource

LIMITS = [
    ('RLIMIT_CORE', 'core file size'),
    ('RLIMIT_CPU', 'CPU time'),
    ('RLIMIT_FSIZE', 'file size'),
    ('RLIMIT_DATA', 'heap size'),
    ('RLIMIT_STACK', 'stack size'),
    ('RLIMIT_RSS', 'resident set size'),
    ('RLIMIT_NPROC', 'number of processes'),
    ('RLIMIT_NOFILE', 'number of open files'),
    ('RLIMIT_MEMLOCK', 'lockable memory address'),
]

for name, description in LIMITS:
    soft, hard = resource.getrlimit(getattr(resource, name))
    print('{:<33} ({:<15}) : {:>20} {:>20}'.format('Maximum ' + description, name, soft, hard))
