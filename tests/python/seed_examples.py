"""The seed's four examples (PyMOTW's resource article: tests/python/seed-examples/)
run as they are with the standard resource module and with `import resource1
as resource` in its place, and what they print compared line by line: the
same lines, where only measurements may differ (times, the resident set size,
blocks read and written, the clock). Run by tests/python/test-python.sh in the
fixture:

    seed_examples.py PKGDIR EXAMPLES_DIR WORK_DIR

With the old package the NOFILE example failed: its bus socket held
descriptor 3, so `open('/dev/random')` under a soft NOFILE limit of 4 raised
EMFILE instead of printing 'random has fd = 3'.
"""

import os
import re
import subprocess
import sys

PKGDIR, EXAMPLES, WORK = sys.argv[1:4]
PY = sys.executable

# Lines whose value is a measurement: (pattern, the value's type).
MEASURED = [
    (re.compile(r'^(.*\((ru_utime|ru_stime) *\) = )(.*)$'), float),
    (re.compile(r'^(.*\((ru_maxrss|ru_inblock|ru_oublock) *\) = )(.*)$'), int),
    (re.compile(r'^((Starting|EXPIRED ): )(.*)$'), str),
]


def masked(lines):
    """The lines with each measurement replaced by <measured> (and checked to
    be of its type), and the measurements by field."""
    out, values = [], {}
    for line in lines:
        for pattern, kind in MEASURED:
            m = pattern.match(line)
            if m:
                kind(m.group(3))          # a number where one is expected
                values[m.group(2)] = m.group(3)
                line = m.group(1) + '<measured>'
                break
        out.append(line)
    return out, values


def run(path, env=None):
    p = subprocess.run([PY, path], capture_output=True, text=True, timeout=60, cwd=WORK, env=env)
    return p.returncode, p.stdout.splitlines(), p.stderr.splitlines()


def main():
    names = sorted(f for f in os.listdir(EXAMPLES) if f.endswith('.py'))
    assert len(names) == 4, names
    env = dict(os.environ, PYTHONPATH=PKGDIR)
    failed = 0
    for name in names:
        src = open(os.path.join(EXAMPLES, name)).read()
        ours = re.sub(r'^import resource$', 'import resource1 as resource', src, flags=re.M)
        assert ours != src, name
        path = os.path.join(WORK, 'resource1_' + name)
        with open(path, 'w') as f:
            f.write(ours)
        want = run(os.path.join(EXAMPLES, name))
        got = run(path, env)
        (want_out, want_values), (got_out, got_values) = masked(want[1]), masked(got[1])
        ok = (want[0], want_out, want[2]) == (got[0], got_out, got[2])
        # The resident set size is this program's, not another process's
        # (the service's, or a bus proxy's): near what resource says of its
        # own run (resource1 imports jeepney, which costs a few MB).
        if ok and 'ru_maxrss' in want_values:
            ratio = int(got_values['ru_maxrss']) / max(1, int(want_values['ru_maxrss']))
            ok = 0.5 <= ratio <= 4
            if not ok:
                print('# %s: ru_maxrss %s with resource1, %s with resource' %
                      (name, got_values['ru_maxrss'], want_values['ru_maxrss']))
        print('# %s: %s' % (name, 'the same' if ok else 'DIFFERENT'))
        if not ok:
            failed += 1
            for label, (rc, out, err) in (('resource', want), ('resource1', got)):
                print('#   with %s (exit %d):' % (label, rc))
                for line in out + ['(stderr)'] + err:
                    print('#     ' + line)
        else:
            for line in got[1]:
                print('#     ' + line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
