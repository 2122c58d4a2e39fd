# The seed's (PyMOTW's "resource") resource_getrusage.py, written to print
# what the seed shows it printing; tests/python/seed_examples.py runs it with
# resource and with `import resource1 as resource`.
import resource

FIELDS = [
    ('ru_utime', 'User time'),
    ('ru_stime', 'System time'),
    ('ru_maxrss', 'Max. Resident Set Size'),
    ('ru_ixrss', 'Shared Memory Size'),
    ('ru_idrss', 'Unshared Memory Size'),
    ('ru_isrss', 'Stack Size'),
    ('ru_inblock', 'Block inputs'),
    ('ru_oublock', 'Block outputs'),
]

usage = resource.getrusage(resource.RUSAGE_SELF)
for name, description in FIELDS:
    print('{:<25} ({:<10}) = {}'.format(description, name, getattr(usage, name)))
