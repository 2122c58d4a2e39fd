# The seed's (PyMOTW's "resource") resource_setrlimit_nofile.py, written to
# print what the seed shows it printing (see resource_getrusage.py): with the
# soft NOFILE limit at 4, the first file opened is descriptor 3 and the next
# open fails.
import resource

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
print('Soft limit starts as  :', soft)

resource.setrlimit(resource.RLIMIT_NOFILE, (4, hard))

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
print('Soft limit changed to :', soft)

random = open('/dev/random', 'r')
print('random has fd =', random.fileno())
try:
    null = open('/dev/null', 'w')
except OSError as err:
    print(err)
else:
    print('null has fd =', null.fileno())
