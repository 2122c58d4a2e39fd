"""resource1 against the real service, with the local resource module as the
oracle (tests/python/test-python.sh runs it in tests/with-bus.sh's fixture as root,
as nobody and as daemon; the package's folder is the first argument).

    test_resource1.py PKGDIR [unittest arguments]

Environment: RESOURCE1_SPEC (the spec, for its error names), RESOURCE1D_USER
(the daemon's own user, with-bus.sh's), TARGET (the pid of a process of that
user, for daemon's asyncio tests).
"""

import asyncio
import errno
import os
import re
import resource
import socket
import subprocess
import sys
import textwrap
import threading
import time
import unittest

PKGDIR = sys.argv.pop(1)
sys.path.insert(0, PKGDIR)
import resource1                          # noqa: E402
import resource1.aio as aio               # noqa: E402
from resource1 import _common             # noqa: E402

UID = os.getuid()
PY = sys.executable
R = resource.RLIMIT_CORE


def pidfd_pid(fd):
    """The pid a pidfd names (a thread's id for a thread's pidfd), as its fdinfo says."""
    with open('/proc/self/fdinfo/%d' % fd) as f:
        return next(int(l.split()[1]) for l in f if l.startswith('Pid:'))


def thread_pidfds():
    """Whether this kernel gives a thread's pidfd (PIDFD_THREAD, Linux 6.9)."""
    try:
        os.close(os.pidfd_open(os.getpid(), _common.PIDFD_THREAD))
        return True
    except OSError:
        return False


def proc_limit(pid, label):
    """A limit of pid as /proc/PID/limits shows it (the line starting with
    label): root may not ask prlimit(2) about another user's process without
    CAP_SYS_RESOURCE. Infinity is -1, as resource has it."""
    with open('/proc/%d/limits' % pid) as f:
        line = next(l for l in f if l.startswith(label))
    return tuple(-1 if x == 'unlimited' else int(x) for x in line[len(label):].split()[:2])


def service_user_sleep():
    """A sleep of the daemon's own user (the unit's User=): the daemon's own
    prlimit(2) may change it without CAP_SYS_RESOURCE, which the fixture may
    lack. Returned once it runs with that user's ids."""
    user = os.environ['RESOURCE1D_USER']
    p = subprocess.Popen(['setpriv', '--reuid', user, '--regid', user, '--clear-groups', 'sleep', '60'])
    for _ in range(500):
        with open('/proc/%d/comm' % p.pid) as f:
            if f.read().startswith('sleep'):
                break
        time.sleep(0.01)
    return p


def run_py(code, *args, **kw):
    """Runs code in a fresh interpreter (descriptors 0-2 only) with the package."""
    return subprocess.run([PY, '-c', textwrap.dedent(code), PKGDIR] + list(args),
                          capture_output=True, text=True, timeout=60, **kw)


class Constants(unittest.TestCase):
    def test_every_constant_is_the_local_modules(self):
        names = [n for n in dir(resource) if n.startswith(('RLIMIT_', 'RLIM_', 'RUSAGE_'))]
        self.assertTrue(names)
        for n in names:
            self.assertEqual(getattr(resource1, n), getattr(resource, n), n)
        ours = [n for n in dir(resource1) if n.startswith(('RLIMIT_', 'RLIM_', 'RUSAGE_'))]
        self.assertEqual(sorted(ours), sorted(names))
        self.assertEqual(resource1.RLIM_INFINITY, -1)

    def test_error_and_struct_rusage(self):
        self.assertIs(resource1.error, OSError)
        self.assertIs(resource1.struct_rusage, resource.struct_rusage)
        self.assertIsInstance(resource1.getrusage(resource1.RUSAGE_SELF), resource.struct_rusage)

    def test_the_functions_resource_has(self):
        for f in ('getrlimit', 'setrlimit', 'prlimit', 'getrusage', 'getpagesize'):
            self.assertTrue(callable(getattr(resource1, f)), f)
            self.assertTrue(getattr(resource1, f).__doc__, f)

    def test_destinations(self):
        """A call carrying a pidfd goes to the gate's name (the service's own
        takes no descriptors); every other to the service's. This process
        (pid 0, os.getpid(), getrlimit, setrlimit, getrusage) is named by a
        pidfd of it, never as the service's "caller" (behind a bus proxy that
        is the proxy); a thread by its own pidfd where the kernel has
        PIDFD_THREAD (Linux 6.9)."""
        from jeepney.low_level import HeaderFields
        other = os.getppid()
        me = os.getpid()
        ops = [(_common.op_getrlimit(R), 'PrlimitPidfd', me),
               (_common.op_setrlimit(R, (0, 0)), 'PrlimitPidfd', me),
               (_common.op_pagesize(), 'PageSize', None),
               (_common.op_get_property('Version'), 'Get', None),
               (_common.op_prlimit(0, R), 'PrlimitPidfd', me),
               (_common.op_prlimit(me, R), 'PrlimitPidfd', me),
               (_common.op_getrusage(resource1.RUSAGE_SELF, 0), 'GetRusagePidfd', me),
               (_common.op_getrusage(resource1.RUSAGE_CHILDREN, 0), 'GetRusagePidfd', me),
               (_common.op_getrusage(resource1.RUSAGE_THREAD, 0), 'GetRusagePidfd', me),
               (_common.op_listing(0), 'ListRlimitsPidfd', me),
               (_common.op_setrlimits(0, {R: (0, 0)}), 'SetRlimitsPidfd', me),
               (_common.op_can_setrlimits(0, {R: (0, 0)}), 'CanSetRlimitsPidfd', me),
               (_common.op_prlimit(other, R), 'PrlimitPidfd', other),
               (_common.op_getrusage(resource1.RUSAGE_SELF, other), 'GetRusagePidfd', other),
               (_common.op_listing(other), 'ListRlimitsPidfd', other),
               (_common.op_setrlimits(other, {R: (0, 0)}), 'SetRlimitsPidfd', other),
               (_common.op_can_setrlimits(other, {R: (0, 0)}), 'CanSetRlimitsPidfd', other)]
        self.assertEqual(_common.PIDFD_BUS_NAME, 'org.example.Resource1.Pidfd')
        conn = resource1._default._connection()
        for op, method, pid in ops:
            for c in (conn, None):          # on a connection (its pidfd), or alone
                msg, fds = op.build(False, c)
                f = msg.header.fields
                dest = _common.PIDFD_BUS_NAME if method.endswith('Pidfd') else _common.BUS_NAME
                self.assertEqual((f[HeaderFields.member], f[HeaderFields.destination]), (method, dest))
                if pid is not None:
                    self.assertEqual(pidfd_pid(msg.body[0]), pid, method)
                self.assertEqual(len(fds), 0 if pid is None or (c is conn and pid == me) else 1, method)
                for fd in fds:
                    os.close(fd)

    def test_a_thread_names_itself_by_its_pidfd(self):
        from jeepney.low_level import HeaderFields
        conn = resource1._default._connection()
        got = []

        def build():                    # while the thread lives
            msg, fds = _common.op_getrusage(resource1.RUSAGE_THREAD, 0).build(False, conn)
            try:
                got.append((threading.get_native_id(), msg.header.fields[HeaderFields.member],
                            pidfd_pid(msg.body[0]) if fds else msg.body))
            finally:
                for fd in fds:
                    os.close(fd)
        t = threading.Thread(target=build)
        t.start()
        t.join()
        tid, member, named = got[0]
        if thread_pidfds():
            self.assertEqual((member, named), ('GetRusagePidfd', tid))
        else:                              # Linux before 6.9: its id, as before
            self.assertEqual((member, named), ('GetRusage', (tid, 'thread')))


class Package(unittest.TestCase):
    """What dir(), help() and a traceback show of the package."""

    def test_public_names_are_the_api(self):
        import pydoc
        for mod, extra in ((resource1, {'aio'}), (aio, set())):
            public = {n for n in dir(mod) if not n.startswith('_')}
            self.assertEqual(public - set(mod.__all__) - extra, set(),
                             mod.__name__)
            self.assertEqual([n for n in mod.__all__ if not hasattr(mod, n)],
                             [], mod.__name__)
        for n in ('asyncio', 'socket', 'os', 'Parser', 'array', 'weakref'):
            self.assertNotIn(n, dir(aio))
        text = pydoc.render_doc(aio, renderer=pydoc.plaintext)
        for n in ('Parser', 'get_bus', 'prep_socket', 'HeaderFields'):
            self.assertNotIn(n, text)
        # the same calls as resource1's, as coroutines
        for n in ('getrlimit', 'setrlimit', 'prlimit', 'getrusage', 'rusage',
                  'getpagesize', 'setrlimits', 'can_setrlimit',
                  'can_setrlimits', 'rlimits', 'properties',
                  'can_raise_hard_limits', 'version', 'resources',
                  'subscribe'):
            self.assertTrue(asyncio.iscoroutinefunction(getattr(aio, n)), n)
            self.assertIn(n, resource1.__all__)
        for n in resource1.__all__:
            if n[0].isupper() and isinstance(getattr(resource1, n), type) \
                    and issubclass(getattr(resource1, n), Exception):
                self.assertIs(getattr(aio, n), getattr(resource1, n))
                self.assertEqual(getattr(resource1, n).__module__,
                                 'resource1', n)

    def test_a_traceback_names_only_public_classes(self):
        """An uncaught refusal of setrlimit reads as CPython's would: the
        class a program can name (resource1.RaiseRefused, or
        resource1.RaiseImpossible where the service lacks the
        capability), never a private one."""
        r = run_py('''
            import resource, sys
            sys.path.insert(0, sys.argv[1])
            import resource1
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource1.setrlimit(resource1.RLIMIT_NOFILE, (soft, hard + 1))
            ''')
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn('Traceback (most recent call last)', r.stderr)
        last = r.stderr.rstrip().splitlines()[-1]
        self.assertRegex(last, r'^resource1\.(RaiseRefused|RaiseImpossible): '
                               r'not allowed to raise maximum limit \(',
                         r.stderr)
        self.assertNotRegex(r.stderr, r'\b_[A-Z]\w*Impossible|_common\.[A-Z]')
        if UID == 0 and not resource1.can_raise_hard_limits():
            self.assertTrue(last.startswith('resource1.RaiseImpossible:'),
                            last)

    def test_the_docstring_says_where_it_differs(self):
        doc = resource1.__doc__
        self.assertFalse('one difference' in doc, 'one difference')
        for says in ('polkit', 'descriptors', '10 ms ticks',
                     "The service's bounds", 'try again in N s',
                     'pending replies per connection',
                     'in the order they were made'):
            self.assertTrue(says in doc, says)

    def test_the_numbers_are_the_standard_librarys(self):
        import inspect
        for mod in (resource1, _common):
            self.assertEqual(re.findall(r'(?m)^RLIMIT_\w+ *= *\d+',
                                        inspect.getsource(mod)), [])
        for name, number in _common.RESOURCE_NUMBERS.items():
            self.assertEqual(number, getattr(resource, 'RLIMIT_' + name,
                                             10 if name == 'LOCKS' else None))
            self.assertEqual(_common.RESOURCE_NAMES[number], name)


class Oracle(unittest.TestCase):
    """Each function's answer against the local module's."""

    def test_getrlimit_every_resource(self):
        for r in range(resource.RLIM_NLIMITS if hasattr(resource, 'RLIM_NLIMITS') else 16):
            self.assertEqual(resource1.getrlimit(r), resource.getrlimit(r), r)

    def test_prlimit_self_and_another(self):
        for r in (resource.RLIMIT_NOFILE, resource.RLIMIT_STACK, resource.RLIMIT_AS):
            self.assertEqual(resource1.prlimit(0, r), resource.prlimit(0, r))
            self.assertEqual(resource1.prlimit(os.getpid(), r), resource.prlimit(0, r))
        with subprocess.Popen(['sleep', '30']) as p:
            try:
                for r in (resource.RLIMIT_NOFILE, resource.RLIMIT_CORE, resource.RLIMIT_CPU):
                    self.assertEqual(resource1.prlimit(p.pid, r), resource.prlimit(p.pid, r))
                soft, hard = resource.prlimit(p.pid, R)
                new = (0 if soft != 0 else 1, hard)
                self.assertEqual(resource1.prlimit(p.pid, R, new), (soft, hard))
                self.assertEqual(resource.prlimit(p.pid, R), new)
                self.assertEqual(resource1.rlimits(p.pid)['CORE'], new)
            finally:
                p.kill()

    def test_prlimit_of_a_thread_id(self):
        ev = threading.Event()
        tids = []
        t = threading.Thread(target=lambda: (tids.append(threading.get_native_id()), ev.wait(10)))
        t.start()
        try:
            while not tids:
                time.sleep(0.01)
            self.assertEqual(resource1.prlimit(tids[0], R), resource.prlimit(tids[0], R))
        finally:
            ev.set()
            t.join()

    def test_setrlimit(self):
        old = resource.getrlimit(R)
        try:
            for soft in (0, 4096, old[1] if old[1] != -1 else 1 << 40):
                self.assertIsNone(resource1.setrlimit(R, (soft, old[1])))
                self.assertEqual(resource.getrlimit(R), (soft, old[1]))
        finally:
            resource.setrlimit(R, old)

    def test_setrlimit_infinity_both_ways(self):
        old = resource.getrlimit(resource.RLIMIT_FSIZE)
        if old[1] != resource.RLIM_INFINITY:
            self.skipTest('FSIZE hard limit is not infinity here')
        resource1.setrlimit(resource.RLIMIT_FSIZE, (1 << 30, resource1.RLIM_INFINITY))
        self.assertEqual(resource.getrlimit(resource.RLIMIT_FSIZE), (1 << 30, -1))
        resource1.setrlimit(resource.RLIMIT_FSIZE, (-1, -1))
        self.assertEqual(resource.getrlimit(resource.RLIMIT_FSIZE), (-1, -1))
        self.assertEqual(resource1.getrlimit(resource.RLIMIT_FSIZE), (-1, -1))

    def test_getrusage(self):
        before = resource.getrusage(resource.RUSAGE_SELF)
        ours = resource1.getrusage(resource1.RUSAGE_SELF)
        after = resource.getrusage(resource.RUSAGE_SELF)
        # /proc's times are clock ticks (10 ms); the counters are exact.
        self.assertLessEqual(ours.ru_utime, after.ru_utime + 0.011)
        self.assertGreaterEqual(ours.ru_utime, before.ru_utime - 0.011)
        self.assertLessEqual(ours.ru_stime, after.ru_stime + 0.011)
        self.assertTrue(before.ru_minflt <= ours.ru_minflt <= after.ru_minflt,
                        (before.ru_minflt, ours.ru_minflt, after.ru_minflt))
        # VmHWM (what the service reads) and ru_maxrss count a little differently
        self.assertLess(abs(ours.ru_maxrss - after.ru_maxrss), after.ru_maxrss * 0.2 + 1024,
                        (before.ru_maxrss, ours.ru_maxrss, after.ru_maxrss))
        for w in (resource.RUSAGE_CHILDREN, resource.RUSAGE_THREAD):
            self.assertIsInstance(resource1.getrusage(w), resource.struct_rusage)
        self.assertEqual(resource1.getrusage(resource.RUSAGE_CHILDREN).ru_majflt,
                         resource.getrusage(resource.RUSAGE_CHILDREN).ru_majflt)

    def test_getpagesize(self):
        self.assertEqual(resource1.getpagesize(), resource.getpagesize())

    def test_beyond_resource(self):
        listing = resource1.rlimits()
        for name, lim in listing.items():
            if name != 'LOCKS':
                self.assertEqual(lim, resource.getrlimit(getattr(resource, 'RLIMIT_' + name)), name)
        props = resource1.properties()
        self.assertEqual(props['Infinity'], 2 ** 64 - 1)
        self.assertEqual(props['Resources'], resource1.resources())
        self.assertEqual(props['Version'], resource1.version())
        self.assertIsInstance(resource1.can_raise_hard_limits(), bool)
        old = resource.getrlimit(R)
        fs = resource.getrlimit(resource.RLIMIT_FSIZE)
        try:
            prev = resource1.setrlimits(0, {R: (0, old[1]), 'FSIZE': (1 << 20, fs[1])})
            self.assertEqual(prev, {'CORE': old, 'FSIZE': fs})
            self.assertEqual(resource.getrlimit(R), (0, old[1]))
            self.assertEqual(resource.getrlimit(resource.RLIMIT_FSIZE), (1 << 20, fs[1]))
        finally:
            resource.setrlimit(R, old)
            resource.setrlimit(resource.RLIMIT_FSIZE, fs)
        with subprocess.Popen(['sleep', '30']) as p:
            try:
                u = resource1.rusage(p.pid)
                self.assertIsInstance(u, resource.struct_rusage)
            finally:
                p.kill()

    def test_subscription(self):
        old = resource.getrlimit(R)
        with resource1.subscribe() as sub:
            new = (0 if old[0] != 0 else 1, old[1])
            resource1.setrlimit(R, new)
            sig = sub.get(5)
            resource.setrlimit(R, old)
        self.assertIsNotNone(sig)
        self.assertEqual((sig.pid, sig.resource, (sig.old_soft, sig.old_hard), (sig.soft, sig.hard),
                          sig.caller_uid),
                         (os.getpid(), 'CORE', old, new, UID))


class CanSet(unittest.TestCase):
    """can_setrlimit() and can_setrlimits(), sync and aio: what setting
    limits would meet, nothing changed, nobody asked for a password."""

    RH = 'org.example.resource1.raise-hard-limit'

    def raised(self):
        """The answer to a hard raise of this process's own limit: root
        needs no action; nobody polkit's default, authentication; either is
        "na" while the service lacks CAP_SYS_RESOURCE."""
        if not resource1.can_raise_hard_limits():
            return resource1.LimitAnswer('na', '' if UID == 0 else self.RH)
        return resource1.LimitAnswer('yes' if UID == 0 else 'challenge',
                                     '' if UID == 0 else self.RH)

    def test_one_limit_and_a_batch(self):
        n = resource.RLIMIT_NOFILE
        old, core = resource.getrlimit(n), resource.getrlimit(R)
        lower = resource1.can_setrlimit(n, (old[0] - 1, old[1]))
        self.assertEqual(lower, ('yes', ''))
        self.assertEqual((lower.answer, lower.action), ('yes', ''))
        self.assertEqual(resource1.can_setrlimit('NOFILE', (old[0], old[1] + 1)), self.raised())
        with resource1.Client(interactive=True, timeout=10) as c:   # nobody asked all the same
            self.assertEqual(c.can_setrlimit(n, (old[0], old[1] + 1), 0), self.raised())
        both = resource1.can_setrlimits(os.getpid(), {R: (0, core[1]), n: (old[0], old[1] + 1)})
        self.assertEqual(list(both.limits), ['CORE', 'NOFILE'])
        self.assertEqual(both.limits['NOFILE'], self.raised())
        self.assertEqual(both.answer, self.raised().answer)
        self.assertIsInstance(both, resource1.Answers)
        self.assertEqual((resource.getrlimit(n), resource.getrlimit(R)), (old, core))

    def test_another_process_and_errors(self):
        with subprocess.Popen(['sleep', '30']) as p:
            try:
                lim = proc_limit(p.pid, 'Max core file size')
                got = resource1.can_setrlimit(R, (0, 0), pid=p.pid)
                self.assertEqual(got, ('yes', ''))     # its own child, lowered
                self.assertEqual(proc_limit(p.pid, 'Max core file size'), lim)
            finally:
                p.kill()
        with self.assertRaises(ValueError) as cm:
            resource1.can_setrlimits(0, [('CORE', (0, 0)), ('core', (0, 0))])
        self.assertIsInstance(cm.exception, resource1.InvalidLimits)
        with self.assertRaises(ValueError):
            resource1.can_setrlimit(R, (2, 1))
        with self.assertRaises(ProcessLookupError):
            resource1.can_setrlimit(R, (0, 0), -1)

    def test_aio(self):
        n = resource.RLIMIT_NOFILE
        old = resource.getrlimit(n)

        async def main():
            return await asyncio.gather(aio.can_setrlimit(n, (old[0], old[1] + 1)),
                                        aio.can_setrlimits(0, {'NOFILE': (old[0] - 1, old[1])}))
        one, batch = asyncio.run(main())
        self.assertEqual(one, self.raised())
        self.assertEqual(batch, ('yes', {'NOFILE': ('yes', '')}))
        self.assertEqual(resource.getrlimit(n), old)


def outcome(f, *args):
    try:
        return ('value', f(*args))
    except Exception as e:
        return (type(e), str(e))


class Arguments(unittest.TestCase):
    """Bad input gets what resource gives it: the same exception class and,
    for the checks made before any call, the same text."""

    BAD = [
        ('getrlimit', ('x',)), ('getrlimit', (1.5,)), ('getrlimit', (None,)),
        ('getrlimit', (2 ** 40,)), ('getrlimit', (-2 ** 40,)), ('getrlimit', (-1,)),
        ('getrlimit', (16,)), ('getrlimit', (99,)),
        ('setrlimit', (R, 5)), ('setrlimit', (R, (1,))), ('setrlimit', (R, (1, 2, 3))),
        ('setrlimit', (R, ('a', 1))), ('setrlimit', (R, (1.0, 1))), ('setrlimit', (R, (2 ** 70, 0))),
        ('setrlimit', (R, (0, -2 ** 70))), ('setrlimit', (99, (0, 0))), ('setrlimit', ('x', (0, 0))),
        ('setrlimit', (R, None)), ('setrlimit', (-1, (0, 0))),
        ('prlimit', (-1, resource.RLIMIT_AS)), ('prlimit', (0, 99)), ('prlimit', ('x', R)),
        ('prlimit', (2 ** 40, R)), ('prlimit', (0, R, None)), ('prlimit', (0, R, (1,))),
        ('prlimit', (0, R, (2 ** 70, 0))),
        ('getrusage', (42,)), ('getrusage', ('x',)), ('getrusage', (2 ** 40,)), ('getrusage', (-2,)),
    ]
    ARITY = [('getrlimit', ()), ('getrlimit', (1, 2)), ('setrlimit', ()), ('setrlimit', (1,)),
             ('setrlimit', (1, (0, 0), 3)), ('prlimit', ()), ('prlimit', (0,)),
             ('prlimit', (0, R, (0, 0), 4)), ('getrusage', ()), ('getrusage', (0, 0)),
             ('getpagesize', (1,))]

    def test_bad_arguments(self):
        for name, args in self.BAD:
            want = outcome(getattr(resource, name), *args)
            got = outcome(getattr(resource1, name), *args)
            self.assertNotEqual(want[0], 'value', (name, args))
            self.assertTrue(issubclass(got[0], want[0]), (name, args, want, got))
            self.assertEqual(got[1], want[1], (name, args))

    def test_arity(self):
        for name, args in self.ARITY:
            want = outcome(getattr(resource, name), *args)
            got = outcome(getattr(resource1, name), *args)
            self.assertIs(want[0], TypeError, (name, args))
            self.assertIs(got[0], TypeError, (name, args, got))

    def test_soft_above_hard(self):
        old = resource.getrlimit(R)
        lim = (2000, 1000)
        want = outcome(resource.setrlimit, R, lim)
        got = outcome(resource1.setrlimit, R, lim)
        self.assertIs(want[0], ValueError)
        self.assertTrue(issubclass(got[0], ValueError))
        self.assertTrue(got[1].startswith(want[1]), (got, want))
        self.assertEqual(resource.getrlimit(R), old)
        got = outcome(resource1.prlimit, 0, R, lim)
        self.assertTrue(issubclass(got[0], ValueError) and got[1].startswith(want[1]), got)

    def test_negative_values_wrap_as_in_cpython(self):
        old = resource.getrlimit(resource.RLIMIT_FSIZE)
        if old[1] != -1:
            self.skipTest('FSIZE hard limit is not infinity here')
        try:
            resource.setrlimit(resource.RLIMIT_FSIZE, (-5, -1))
            want = resource.getrlimit(resource.RLIMIT_FSIZE)
            resource.setrlimit(resource.RLIMIT_FSIZE, old)
            resource1.setrlimit(resource.RLIMIT_FSIZE, (-5, -1))
            self.assertEqual(resource.getrlimit(resource.RLIMIT_FSIZE), want)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, old)


class Errors(unittest.TestCase):
    EXPECTED = {
        'InvalidResource': ValueError, 'InvalidLimits': ValueError, 'InvalidWho': ValueError,
        'NoSuchProcess': ProcessLookupError, 'PermissionDenied': PermissionError,
        'InteractiveAuthorizationRequired': PermissionError, 'ServiceLacksCapability': PermissionError,
        'Failed': OSError,
        'LimitsExceeded': OSError, 'OtherPidNamespace': OSError, 'InvalidArgs': TypeError,
        # the bus's and the gate's answers to a call sent to the wrong name
        # (the package sends each to its own: test_destinations)
        'NotSupported': resource1.BusError, 'UnknownMethod': resource1.BusError,
    }

    def test_every_error_name_of_the_spec(self):
        with open(os.environ['RESOURCE1_SPEC']) as f:
            spec = f.read()
        names = set(re.findall(r'org\.(?:example\.Resource1|freedesktop\.DBus)\.Error\.\w+', spec))
        self.assertGreaterEqual(len(names), 10)
        for name in names:
            short = name.rsplit('.', 1)[1]
            e = _common.make_error(name, 'the service says why')
            self.assertIsInstance(e, self.EXPECTED[short], name)
            self.assertIsInstance(e, resource1.ServiceError, name)
            self.assertEqual((e.dbus_name, e.dbus_message), (name, 'the service says why'))
            self.assertIn('the service says why', str(e))
            if isinstance(e, OSError):
                self.assertIsNotNone(e.errno, name)
        self.assertEqual(_common.make_error(_common.ERROR_PREFIX + 'NoSuchProcess', '').errno, errno.ESRCH)
        self.assertEqual(_common.make_error(_common.ERROR_PREFIX + 'PermissionDenied', '').errno, errno.EPERM)
        e = _common.make_error(_common.ERROR_PREFIX + 'ServiceLacksCapability', 'the service lacks it')
        self.assertIsInstance(e, resource1.ServiceLacksCapability)
        self.assertIsInstance(e, resource1.PermissionDenied)     # as before it had a name of its own
        self.assertEqual(e.errno, errno.EPERM)                   # what the kernel said
        self.assertNotIsInstance(_common.make_error(_common.ERROR_PREFIX + 'PermissionDenied', ''),
                                 resource1.ServiceLacksCapability)
        e = _common.make_error(_common.ERROR_PREFIX + 'Failed', 'reading /proc/5/io: Input/output error')
        self.assertEqual(e.errno, errno.EIO)
        e = _common.make_error('org.freedesktop.DBus.Error.ServiceUnknown', 'not there')
        self.assertIsInstance(e, OSError)

    def _raw(self, method, sig, body):
        return resource1._default._run(_common.Op(method, sig, body))

    def test_errors_of_the_real_service(self):
        cases = [('GetRlimit', 's', ('VMEM',), 'InvalidResource', ValueError),
                 ('GetRusage', 'us', (0, 'nobody'), 'InvalidWho', ValueError),
                 ('GetRlimit', 'u', (5,), 'InvalidArgs', TypeError),
                 ('SetRlimits', 'ua(stt)', (0, []), 'InvalidLimits', ValueError),
                 ('GetRlimit', 's', ('nosuch',), 'InvalidResource', ValueError)]
        for method, sig, body, short, cls in cases:
            with self.assertRaises(cls) as cm:
                self._raw(method, sig, body)
            self.assertTrue(cm.exception.dbus_name.endswith('.' + short), cm.exception.dbus_name)
            self.assertTrue(cm.exception.dbus_message)
        with self.assertRaises(ValueError) as cm:
            resource1.setrlimits(0, [('CORE', (0, 0)), ('core', (0, 0))])
        self.assertEqual(cm.exception.dbus_name, _common.ERROR_PREFIX + 'InvalidLimits')

    def test_no_such_process(self):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        time.sleep(0.3)                   # a zombie: its pidfd opens
        fd = os.pidfd_open(pid)
        os.waitpid(pid, 0)                # and now it is gone
        try:
            with self.assertRaises(ProcessLookupError) as cm:
                self._raw('PrlimitPidfd', 'hsbtt', (fd, 'CORE', False, 0, 0))
            self.assertEqual(cm.exception.dbus_name, _common.ERROR_PREFIX + 'NoSuchProcess')
            self.assertEqual(cm.exception.errno, errno.ESRCH)
        finally:
            os.close(fd)
        self.assertEqual(outcome(resource.prlimit, pid, R)[0], ProcessLookupError)
        with self.assertRaises(ProcessLookupError):
            resource1.prlimit(pid, R)


@unittest.skipUnless(UID == 65534, 'as nobody')
class AsNobody(unittest.TestCase):
    def test_refused_hard_raise_leaves_the_limit(self):
        r = resource.RLIMIT_NOFILE
        old = resource.getrlimit(r)
        want = outcome(resource.setrlimit, r, (old[0], old[1] + 1))
        self.assertEqual(want, (ValueError, 'not allowed to raise maximum limit'))
        with self.assertRaises(ValueError) as cm:
            resource1.setrlimit(r, (old[0], old[1] + 1))
        e = cm.exception
        self.assertTrue(str(e).startswith('not allowed to raise maximum limit ('), str(e))
        self.assertIsInstance(e, PermissionError)
        self.assertIn(e.dbus_name, (_common.ERROR_PREFIX + 'PermissionDenied',
                                    'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired'))
        self.assertIn(e.dbus_message, str(e))
        self.assertEqual(resource.getrlimit(r), old)
        with self.assertRaises(PermissionError) as cm:
            resource1.prlimit(0, r, (old[0], old[1] + 1))
        self.assertEqual(cm.exception.errno, errno.EPERM)
        self.assertEqual(resource.getrlimit(r), old)
        with self.assertRaises(PermissionError) as cm:
            resource1.setrlimits(0, {resource.RLIMIT_CORE: (0, 0), r: (old[0], old[1] + 1)})
        self.assertNotIsInstance(cm.exception, resource1.ServiceLacksCapability)   # a refusal
        self.assertEqual(resource.getrlimit(r), old)

    def test_authentication_needed_says_what_is_missing(self):
        # polkit's default for nobody is auth_admin, and no agent runs here
        r = resource.RLIMIT_NOFILE
        old = resource.getrlimit(r)
        for interactive, says in ((False, 'needs authentication, but the call did not allow interactive '
                                          'authorization'),
                                  (True, 'needs authentication, but no authentication agent answered')):
            with resource1.Client(interactive=interactive, timeout=10) as c:
                with self.assertRaises(resource1.InteractiveAuthorizationRequired) as cm:
                    c.prlimit(0, r, (old[0], old[1] + 1))
            self.assertIn(says, cm.exception.dbus_message, interactive)
        self.assertEqual(resource.getrlimit(r), old)

    def test_another_users_process(self):
        # root's pid 1: the kernel lets nobody read its limits not even, the
        # service does (as /proc/1/limits); changing them is refused by both.
        self.assertIs(outcome(resource.prlimit, 1, R)[0], PermissionError)
        lim = resource1.prlimit(1, R)
        with open('/proc/1/limits') as f:
            line = next(l for l in f if l.startswith('Max core file size'))
        self.assertEqual([int(x) if x.isdigit() else -1 for x in line.split()[4:6]], list(lim))
        want = outcome(resource.prlimit, 1, R, lim)
        got = outcome(resource1.prlimit, 1, R, lim if lim[0] == 0 else (0, lim[1]))
        self.assertIs(want[0], PermissionError)
        self.assertTrue(issubclass(got[0], PermissionError), got)
        self.assertEqual(resource1.prlimit(1, R), lim)


@unittest.skipUnless(UID == 0, 'as root')
class AsRoot(unittest.TestCase):
    def test_a_service_without_cap_sys_resource(self):
        # root is allowed a hard raise; only the service's capability is missing
        if resource1.can_raise_hard_limits():
            self.skipTest('the service holds CAP_SYS_RESOURCE: its lack cannot be seen here')
        r = resource.RLIMIT_NOFILE
        old = resource.getrlimit(r)
        with self.assertRaises(ValueError) as cm:     # setrlimit raises what CPython raises for EPERM
            resource1.setrlimit(r, (old[0], old[1] + 1))
        self.assertIsInstance(cm.exception, resource1.ServiceLacksCapability)
        self.assertTrue(str(cm.exception).startswith('not allowed to raise maximum limit ('))
        with self.assertRaises(resource1.ServiceLacksCapability) as cm:
            resource1.prlimit(0, r, (old[0], old[1] + 1))
        e = cm.exception
        self.assertIsInstance(e, PermissionError)
        self.assertEqual((e.errno, e.dbus_name), (errno.EPERM, _common.ERROR_PREFIX + 'ServiceLacksCapability'))
        self.assertIn('the service lacks CAP_SYS_RESOURCE', e.dbus_message)
        self.assertEqual(resource.getrlimit(r), old)
        # A batch with the raise last, on a process the daemon may change
        # otherwise: the others are set, then put back.
        with service_user_sleep() as p:
            core, nofile = proc_limit(p.pid, 'Max core file size'), proc_limit(p.pid, 'Max open files')
            with self.assertRaises(resource1.ServiceLacksCapability) as cm:
                resource1.setrlimits(p.pid, {resource.RLIMIT_CORE: (0, core[1]),
                                             r: (nofile[0], nofile[1] + 1)})
            self.assertIn('the kernel refused NOFILE (the service lacks CAP_SYS_RESOURCE); the limits set were restored',
                          cm.exception.dbus_message)
            self.assertEqual((proc_limit(p.pid, 'Max core file size'), proc_limit(p.pid, 'Max open files')),
                             (core, nofile))
            p.kill()

    def test_prlimit_in_another_pid_namespace_names_its_pid_1(self):
        outer = resource.prlimit(1, R)
        code = '''
            import os, sys, resource, traceback
            sys.path.insert(0, sys.argv[1])
            import resource1
            from resource1 import _common
            assert os.getpid() == 1, os.getpid()
            hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
            resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
            pid = os.fork()
            if pid == 0:
                try:
                    old = resource1.prlimit(1, resource1.RLIMIT_CORE, (4096, hard))
                    assert old == (0, hard), old
                    assert resource.prlimit(1, resource.RLIMIT_CORE) == (4096, hard)
                    assert resource1.prlimit(1, resource1.RLIMIT_CORE) == (4096, hard)
                    try:   # a pid number from here would name another process
                        resource1._default._run(_common.Op('Prlimit', 'usbtt', (1, 'CORE', False, 0, 0)))
                        os._exit(3)
                    except resource1.OtherPidNamespace as e:
                        assert e.dbus_name.endswith('OtherPidNamespace')
                    os._exit(0)
                except BaseException:
                    traceback.print_exc()
                    os._exit(2)
            _, st = os.waitpid(pid, 0)
            assert st == 0, st
            assert resource.getrlimit(resource.RLIMIT_CORE) == (4096, hard)
            print('ok')
        '''
        p = subprocess.run(['unshare', '--pid', '--fork', '--mount-proc', PY, '-c',
                            textwrap.dedent(code), PKGDIR], capture_output=True, text=True, timeout=60)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, 'ok'), p.stderr)
        self.assertEqual(resource.prlimit(1, R), outer)


class Examples(unittest.TestCase):
    def test_soft_nofile_4_fails_in_open(self):
        p = run_py('''
            import errno, os, sys, traceback
            sys.path.insert(0, sys.argv[1])
            import resource1 as resource
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (4, hard))
            files = []
            try:
                while True:
                    files.append(open('/dev/null'))
            except OSError as e:
                assert e.errno == errno.EMFILE, e
                # raised by open() itself: no frame of the bus code
                assert len(traceback.extract_tb(e.__traceback__)) == 1, traceback.format_exc()
            # the package's socket and pidfd took none of the low numbers
            assert [f.fileno() for f in files] == [3], [f.fileno() for f in files]
            assert resource.getrlimit(resource.RLIMIT_NOFILE) == (4, hard)
            assert resource.prlimit(0, resource.RLIMIT_NOFILE) == (4, hard)
            resource.getrusage(resource.RUSAGE_SELF)
            # what needs a new descriptor fails as open() does: EMFILE
            for call in (lambda: resource.Client().getpagesize(),
                         lambda: resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE)):
                try:
                    call()
                    raise SystemExit('no EMFILE')
                except OSError as e:
                    assert e.errno == errno.EMFILE, e
            assert resource.getpagesize() > 0 and resource._default._conn.broken is None
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
            files.append(open('/dev/null'))
            print(len(files), resource.getrlimit(resource.RLIMIT_NOFILE) == (soft, hard))
        ''')
        self.assertEqual((p.returncode, p.stdout.split()[-1:]), (0, ['True']), p.stderr)

    @unittest.skipIf(UID == 0, 'root may pass descriptors whatever is in flight (CAP_SYS_ADMIN)')
    def test_a_pidfd_the_kernel_will_not_pass(self):
        # Linux refuses to pass a descriptor (ETOOMANYREFS) for a sender whose
        # user has more in flight than its soft NOFILE limit: the package
        # names this process by number then (the service's caller), and its
        # connection stays as it is.
        p = run_py('''
            import array, errno, socket, sys
            sys.path.insert(0, sys.argv[1])
            import resource
            import resource1
            soft, hard = resource1.getrlimit(resource1.RLIMIT_NOFILE)
            conn = resource1._default._conn
            a, b = socket.socketpair()
            for _ in range(8):         # never received: 8 of this user's in flight
                a.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [0]))])
            resource1.setrlimit(resource1.RLIMIT_NOFILE, (4, hard))
            assert resource.getrlimit(resource.RLIMIT_NOFILE) == (4, hard)
            try:
                a.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [0]))])
                raise SystemExit('the kernel passed a descriptor')
            except OSError as e:
                assert e.errno == errno.ETOOMANYREFS, e
            assert resource1.getrlimit(resource1.RLIMIT_NOFILE) == (4, hard)
            assert resource1.prlimit(0, resource1.RLIMIT_NOFILE) == (4, hard)
            resource1.setrlimit(resource1.RLIMIT_NOFILE, (6, hard))
            assert resource.getrlimit(resource.RLIMIT_NOFILE) == (6, hard)
            ours = resource1.getrusage(resource1.RUSAGE_SELF).ru_maxrss
            with open('/proc/self/status') as f:       # what the service reads: this process's
                hwm = next(int(l.split()[1]) for l in f if l.startswith('VmHWM:'))
            assert 0.8 < ours / hwm < 1.25, (ours, hwm)
            print(resource1._default._conn is conn and conn.broken is None)
        ''')
        self.assertEqual((p.returncode, p.stdout.split()[-1:]), (0, ['True']), p.stderr)

    def test_one_second_of_cpu_then_sigxcpu(self):
        p = run_py('''
            import signal, sys, time
            sys.path.insert(0, sys.argv[1])
            import resource1 as resource
            got = []
            signal.signal(signal.SIGXCPU, lambda *a: got.append(1))
            soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
            resource.setrlimit(resource.RLIMIT_CPU, (1, hard))
            t = time.monotonic()
            while not got and time.monotonic() - t < 20:
                pass
            print('SIGXCPU' if got else 'none', round(time.process_time()))
        ''')
        self.assertEqual((p.returncode, p.stdout.split()[:1]), (0, ['SIGXCPU']), p.stderr)


class ForkAndThreads(unittest.TestCase):
    def test_descriptors_the_package_keeps(self):
        # One connection: its socket and its pidfd of this process, both
        # high; a pidfd of another process lives for its call only.
        resource1.getrlimit(R)
        c = resource1._default._conn
        before = sorted(os.listdir('/proc/self/fd'))
        for _ in range(20):
            resource1.prlimit(os.getppid(), R)
            resource1.getrusage(resource1.RUSAGE_SELF)
            resource1.setrlimits(0, {R: resource.getrlimit(R)})
        self.assertEqual(sorted(os.listdir('/proc/self/fd')), before)
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        top = min(soft, 1024) if soft != resource.RLIM_INFINITY else 1024
        if top > 32:
            for fd in (c.sock.fileno(), c.self_pidfd.fd):
                self.assertGreaterEqual(fd, top - resource1._bus.HIGH_FD_ROOM)
                self.assertLess(fd, top)
        self.assertEqual(pidfd_pid(c.self_pidfd.fd), os.getpid())

    def test_threads_share_the_connection(self):
        want = resource.getrlimit(resource.RLIMIT_NOFILE)
        errors = []

        def work():
            try:
                for _ in range(40):
                    assert resource1.getrlimit(resource.RLIMIT_NOFILE) == want
                    assert resource1.getpagesize() == resource.getpagesize()
            except BaseException as e:
                errors.append(e)
        ts = [threading.Thread(target=work) for _ in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        self.assertEqual(errors, [])

    def test_a_forked_child_names_itself(self):
        resource1.getrlimit(R)           # the parent's connection is open
        parent_conn = resource1._default._conn
        old = resource.getrlimit(R)
        new = (0 if old[0] != 0 else 1, old[1])
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            ok = False
            try:
                resource1.setrlimit(R, new)
                ok = (resource.getrlimit(R) == new and resource1.getrlimit(R) == new and
                      resource1._default._conn is not parent_conn)
            finally:
                os.write(w, b'1' if ok else b'0')
                os._exit(0)
        os.close(w)
        self.assertEqual(os.read(r, 1), b'1')
        os.close(r)
        os.waitpid(pid, 0)
        self.assertEqual(resource.getrlimit(R), old)
        self.assertEqual(resource1.getrlimit(R), old)

    def test_a_lost_connection(self):
        old = resource.getrlimit(R)
        resource1.getrlimit(R)
        resource1._default._conn.sock.shutdown(socket.SHUT_RDWR)
        self.assertEqual(resource1.getrlimit(R), old)            # a read: sent again
        resource1._default._conn.sock.shutdown(socket.SHUT_RDWR)
        with self.assertRaises(OSError) as cm:                    # a change: never resent
            resource1.setrlimit(R, (0, old[1]))
        self.assertEqual(cm.exception.dbus_name, 'org.freedesktop.DBus.Error.Disconnected')
        self.assertEqual(resource.getrlimit(R), old)
        self.assertEqual(resource1.getrlimit(R), old)

    def test_client_with_its_own_connection(self):
        with resource1.Client(timeout=5) as c:
            self.assertEqual(c.getrlimit(R), resource.getrlimit(R))
            self.assertIsNot(c._conn, resource1._default._conn)
        with resource1.Client(interactive=True) as c:
            self.assertEqual(c.timeout, 300.0)
            self.assertEqual(c.getpagesize(), resource.getpagesize())


class Asyncio(unittest.TestCase):
    def test_calls_in_flight_and_pidfds(self):
        async def main():
            with subprocess.Popen(['sleep', '30']) as p:
                try:
                    got = await asyncio.gather(*[aio.getrlimit(r) for r in range(16)],
                                               aio.prlimit(p.pid, resource.RLIMIT_NOFILE),
                                               aio.rlimits(p.pid), aio.getpagesize(),
                                               aio.getrusage(resource.RUSAGE_SELF))
                finally:
                    p.kill()
            return got
        got = asyncio.run(main())
        self.assertEqual(got[:16], [resource.getrlimit(r) for r in range(16)])
        self.assertEqual(got[18], resource.getpagesize())
        self.assertIsInstance(got[19], resource.struct_rusage)
        self.assertEqual(got[16], got[17]['NOFILE'])

    def test_errors_and_arguments(self):
        async def main():
            with self.assertRaises(ValueError):
                await aio.getrlimit(99)
            with self.assertRaises(TypeError):
                await aio.setrlimit(R, 5)
            with self.assertRaises(ProcessLookupError):
                await aio.prlimit(-1, R)
            with self.assertRaises(ValueError) as cm:
                await aio.setrlimits(0, [('CORE', (0, 0)), ('CORE', (0, 0))])
            self.assertTrue(cm.exception.dbus_name.endswith('InvalidLimits'))
            old = resource.getrlimit(R)
            sub = await aio.subscribe()
            await aio.setrlimit(R, (0 if old[0] else 1, old[1]))
            sig = await sub.get(5)
            await sub.close()
            resource.setrlimit(R, old)
            return sig, old
        sig, old = asyncio.run(main())
        self.assertEqual((sig.pid, sig.resource, (sig.old_soft, sig.old_hard), sig.hard),
                         (os.getpid(), 'CORE', old, old[1]))


@unittest.skipUnless(UID == 1 and os.environ.get('TARGET'), 'as daemon, with another user\'s process')
class AsyncioSlowPolkit(unittest.TestCase):
    """tests/rules/client-slow.rules: daemon's changes with soft 343 wait ~2 s for polkit."""

    def test_slow_answer_others_answered_and_a_cancelled_call(self):
        target = int(os.environ['TARGET'])
        # Reading another user's limits needs the service (as /proc/PID/limits)
        nofile = resource1.prlimit(target, resource.RLIMIT_NOFILE)
        core = resource1.prlimit(target, R)
        self.assertEqual(nofile, resource.getrlimit(resource.RLIMIT_NOFILE))   # both inherited from root's

        async def main():
            client = aio._default()
            await aio.getpagesize()
            t0 = time.monotonic()
            slow = asyncio.ensure_future(aio.prlimit(target, resource.RLIMIT_NOFILE, (343, nofile[1])))
            doomed = asyncio.ensure_future(aio.prlimit(target, R, (343, core[1])))
            await asyncio.sleep(0.3)
            self.assertFalse(slow.done())
            self.assertEqual(client.pending, 2)
            doomed.cancel()
            with self.assertRaises(asyncio.CancelledError):
                await doomed
            self.assertEqual(client.pending, 1)             # the cancelled call is forgotten
            for _ in range(10):
                self.assertEqual(await aio.getrlimit(resource.RLIMIT_NOFILE),
                                 resource.getrlimit(resource.RLIMIT_NOFILE))
                self.assertEqual(await aio.prlimit(target, R), core)
            answered = time.monotonic() - t0
            self.assertLess(answered, 1.5)
            self.assertFalse(slow.done())
            self.assertEqual(await slow, nofile)
            took = time.monotonic() - t0
            await asyncio.sleep(1.0)                          # the cancelled one's reply: dropped
            self.assertEqual(client.pending, 0)
            self.assertEqual(await aio.getpagesize(), resource.getpagesize())
            return answered, took
        answered, took = asyncio.run(main())
        self.assertGreater(took, 1.5)
        self.assertEqual(resource1.prlimit(target, resource.RLIMIT_NOFILE), (343, nofile[1]))


if __name__ == '__main__':
    prog = unittest.main(exit=False, verbosity=2)
    r = prog.result
    print('# test_resource1 as uid %d: %d run, %d failures, %d errors, %d skipped'
          % (UID, r.testsRun, len(r.failures), len(r.errors), len(r.skipped)))
    sys.exit(0 if r.wasSuccessful() else 1)
