"""What explain() (_explain, _pam_limits) reads files with: /proc and
/proc/sys as the caller may read them, and limits as the JSON has them."""

#: The service's infinity (RLIM_INFINITY as rlim_t).
INFINITY = 2 ** 64 - 1


def limit(v):
    """A limit as the JSON has it: a number, or "infinity"."""
    return 'infinity' if v == INFINITY else v


def read(path, size=8192):
    """At most size - 1 bytes of a file (as the C reading's buffer)."""
    with open(path, 'rb') as f:
        return f.read(size - 1)


def text(b):
    return b.decode('utf-8', 'replace')


def proc_limits(data):
    """/proc/PID/limits as [(soft, hard)] in RLIMIT_* order."""
    out = []
    for line in data.decode('ascii', 'replace').splitlines()[1:]:
        if len(line) <= 26 or not line.startswith('Max '):
            raise ValueError('not /proc/PID/limits')
        fields = line[26:].split()
        out.append(tuple(INFINITY if f == 'unlimited' else int(f)
                         for f in fields[:2]))
    return out
