"""resource1.explain() on real processes in tests/with-bus.sh's fixture, as
root, inside tests/client/explain/mount.sh (tests/client/explain's limits.conf and
limits.d/ bound over /etc/security's, the group r1explain with nobody in
it). tests/test-python.sh runs it:

    tests/client/explain/mount.sh DIR test_explain.py PKGDIR EXPECTED_PY

PKGDIR: the package's folder; EXPECTED_PY: tests/client/explain/expected.py, the
pam_limits answers tests/test-explain.sh holds resourcectl to.
Environment: RESOURCECTL (this build's), whose --json every answer here
must equal.
"""

import errno
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

PKGDIR = sys.argv.pop(1)
EXPECTED_PY = sys.argv.pop(1)
sys.path.insert(0, PKGDIR)
import resource1                          # noqa: E402

_spec = importlib.util.spec_from_file_location('expected', EXPECTED_PY)
expected = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(expected)

RESOURCECTL = os.environ.get('RESOURCECTL')
NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
USERS = {'root': (0, 0), 'games': (5, 60), 'nobody': (65534, 65534),
         'sys': (3, 3), 'daemon': (1, 1)}


def wait_comm(pid, comm, seconds=5):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with open('/proc/%d/comm' % pid) as f:
                if f.read().strip() == comm:
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise AssertionError('pid %d never became %s' % (pid, comm))


def read_pid(path, seconds=5):
    """The pid a shell wrote to path, once it has."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with open(path) as f:
                text = f.read()
            if text.endswith('\n'):
                return int(text)
        except OSError:
            pass
        time.sleep(0.02)
    raise AssertionError('nothing written to ' + path)


def resourcectl_json(pid, name):
    out = subprocess.run([RESOURCECTL, 'explain', '--json', '--pid',
                          str(pid), name], check=True, capture_output=True)
    return json.loads(out.stdout)


class Explain(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        os.chmod(cls.tmp, 0o755)
        cls.procs = []
        # A shell lowers its own NOFILE (prlimit, from outside), then starts
        # a child.
        child_file = os.path.join(cls.tmp, 'child')
        # Background processes get no stdout or stderr of the test's: the
        # suite reads those through a pipe until every writer has gone.
        cls.shell = subprocess.Popen(
            ['sh', '-c', 'prlimit --pid $$ --nofile=300:400 && '
             '{ sleep 600 & echo $! > "$0"; wait; }', child_file],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.procs.append(cls.shell)
        cls.child = read_pid(child_file)
        # A process of each user.
        cls.of = {}
        for user, (uid, gid) in USERS.items():
            p = subprocess.Popen(['setpriv', '--reuid=%d' % uid,
                                  '--regid=%d' % gid, '--init-groups',
                                  'sleep', '600'],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            cls.procs.append(p)
            cls.of[user] = p.pid
        for pid in cls.of.values():
            wait_comm(pid, 'sleep')

    @classmethod
    def tearDownClass(cls):
        try:
            os.kill(cls.child, 9)
        except OSError:
            pass
        for p in cls.procs:
            p.kill()
            p.wait()
        shutil.rmtree(cls.tmp)

    def test_chain_names_the_shell_that_changed_it(self):
        d = resource1.explain(resource.RLIMIT_NOFILE, self.child)
        self.assertEqual((d['soft'], d['hard']), (300, 400))
        self.assertEqual(d['changed_at'], {'pid': self.shell.pid,
                                           'comm': 'sh'})
        self.assertEqual(d['origin'], 'changed')
        self.assertEqual([c['pid'] for c in d['chain'][:3]],
                         [self.child, self.shell.pid, os.getpid()])
        self.assertEqual(d['chain'][-1]['pid'], 1)
        self.assertEqual(d['chain_end'], 'top')

    def test_pid_0_is_the_calling_process(self):
        d = resource1.explain(resource.RLIMIT_NOFILE)
        self.assertEqual(d['pid'], os.getpid())
        self.assertEqual(d['chain'][1]['pid'], os.getppid())
        self.assertEqual((d['soft'], d['hard']),
                         resource.getrlimit(resource.RLIMIT_NOFILE))

    @unittest.skipUnless(RESOURCECTL, 'RESOURCECTL is not set')
    def test_the_same_as_resourcectl_explain_json(self):
        for pid in [self.child, self.shell.pid] + list(self.of.values()):
            for name in ('NOFILE', 'CORE', 'NICE', 'RTPRIO', 'CPU',
                         'MEMLOCK', 'RTTIME', 'NPROC'):
                with self.subTest(pid=pid, resource=name):
                    self.assertEqual(resource1.explain(name, pid),
                                     resourcectl_json(pid, name))

    def test_pam_limits_as_expected_json_and_a_real_session(self):
        for user, pid in self.of.items():
            with self.subTest(user=user):
                d = resource1.explain(resource.RLIMIT_NOFILE, pid)
                self.assertEqual(expected.differences(user, d), [])
                if user == 'daemon':
                    continue        # its "-" line leaves runuser's own limits
                out = subprocess.run(
                    ['runuser', '-u', user, '--', 'cat', '/proc/self/limits'],
                    check=True, capture_output=True, text=True).stdout
                line = next(x for x in out.splitlines()
                            if x.startswith('Max open files'))
                self.assertEqual(
                    [int(x) for x in line.split()[3:5]],
                    [d['pam_limits']['soft'], d['pam_limits']['hard']])

    def test_the_kernels_ceiling_is_nr_open(self):
        with open('/proc/sys/fs/nr_open') as f:
            nr_open = int(f.read())
        d = resource1.explain('NOFILE', self.child)
        self.assertEqual(d['kernel']['ceiling'], nr_open)
        self.assertEqual(d['kernel']['sysctl'], 'fs.nr_open')
        self.assertEqual(d['raise']['hard']['to'], nr_open)

    @unittest.skipIf(os.path.isdir('/run/systemd/system'),
                     'systemd is the init system here')
    def test_no_systemd_here(self):
        d = resource1.explain('NOFILE', self.child)
        self.assertEqual(d['systemd'], {
            'running': False, 'cgroup': None, 'units': [],
            'note': 'not the init system here (no /run/systemd/system)'})

    def test_raise_asked_of_the_service_as_root(self):
        # The service's CanSetRlimits, each side alone: root's soft raise is
        # "yes" without an action, its hard raise "na" where the service
        # lacks CAP_SYS_RESOURCE ("yes" where it has it).
        hard = 'yes' if resource1.can_raise_hard_limits() else 'na'
        with open('/proc/sys/fs/nr_open') as f:
            nr_open = int(f.read())
        d = resource1.explain('NOFILE', self.child)
        self.assertEqual(d['raise'], {
            'caller_uid': 0, 'to': None,
            'soft': {'to': 400, 'request': {'soft': 400, 'hard': 400},
                     'answer': 'yes', 'action': '', 'error': None},
            'hard': {'to': nr_open,
                     'request': {'soft': 300, 'hard': nr_open},
                     'answer': hard, 'action': '', 'error': None}})
        self.assertEqual(resource1.Client().explain('NOFILE', self.child),
                         d)

    def test_raise_to(self):
        d = resource1.explain('NOFILE', self.child, to=350)['raise']
        self.assertEqual((d['to'], d['soft']['request'], d['hard']),
                         (350, {'soft': 350, 'hard': 400}, None))
        # Above fs.nr_open: "na", the kernel refuses it from anyone.
        d = resource1.explain('NOFILE', self.child, to='infinity')['raise']
        self.assertEqual((d['to'], d['hard']['request'], d['hard']['answer'],
                          d['hard']['action']),
                         ('infinity', {'soft': 300, 'hard': 'infinity'},
                          'na', ''))
        self.assertEqual(resource1.explain('NOFILE', self.child, to=-1),
                         resource1.explain('NOFILE', self.child,
                                           to='infinity'))
        d = resource1.explain('NOFILE', self.child, to=300)['raise']
        self.assertEqual((d['soft'], d['hard']), (None, None))
        with self.assertRaises(ValueError):
            resource1.explain('NOFILE', self.child, to='lots')
        if RESOURCECTL:
            for to in ('350', '5000', 'infinity'):
                with self.subTest(to=to):
                    out = subprocess.run(
                        [RESOURCECTL, 'explain', '--json', '--to', to,
                         '--pid', str(self.child), 'NOFILE'],
                        check=True, capture_output=True)
                    self.assertEqual(
                        json.loads(out.stdout),
                        resource1.explain('NOFILE', self.child,
                                          to=int(to) if to.isdigit()
                                          else to))

    def test_raise_without_the_service(self):
        # A bus that is not there: the rest is explained, and the raise
        # says it could not ask.
        env = dict(os.environ,
                   DBUS_SYSTEM_BUS_ADDRESS='unix:path=' +
                   os.path.join(self.tmp, 'no-bus'))
        out = subprocess.run(
            [sys.executable, '-c', self.EXPLAIN, PKGDIR, str(self.child)],
            env=env, capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        d = json.loads(out.stdout)
        self.assertEqual((d['soft'], d['hard'], d['changed_at']['pid']),
                         (300, 400, self.shell.pid))
        for side in ('soft', 'hard'):
            self.assertEqual((d['raise'][side]['answer'],
                              d['raise'][side]['action'],
                              d['raise'][side]['error']),
                             (None, None, 'unreachable'))

    def run_as_nobody(self, code, *args, proc=None):
        """code run by python3 as nobody (with the package); in a mount
        namespace whose /proc is mounted hidepid=invisible when proc is
        'hidepid'."""
        cmd = NOBODY + [sys.executable, '-c', code, PKGDIR] + [
            str(a) for a in args]
        if proc == 'hidepid':
            cmd = ['unshare', '--mount', '--propagation', 'private', 'sh',
                   '-c', 'mount -t proc -o hidepid=invisible proc /proc && '
                   'exec "$@"', 'sh'] + cmd
        out = subprocess.run(cmd, capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    EXPLAIN = ('import json, sys; sys.path.insert(0, sys.argv[1]); '
               'import resource1\n'
               'try:\n'
               '    print(json.dumps(resource1.explain("NOFILE", '
               'int(sys.argv[2]))))\n'
               'except ProcessLookupError as e:\n'
               '    print(json.dumps([e.errno, str(e)]))\n')

    def test_raise_asked_for_a_user(self):
        # nobody (the actions' defaults here: auth_admin, "challenge"), its
        # own process and another user's (games'). Where the service lacks
        # CAP_SYS_RESOURCE it can do neither ("na"), but the actions that
        # decided still differ.
        capable = resource1.can_raise_hard_limits()
        procs = {}
        for user in ('nobody', 'games'):
            uid, gid = USERS[user]
            procs[user] = subprocess.Popen(
                ['prlimit', '--nofile=1000:2000', 'setpriv',
                 '--reuid=%d' % uid, '--regid=%d' % gid, '--clear-groups',
                 'sleep', '600'],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.addCleanup(procs[user].wait)
            self.addCleanup(procs[user].kill)
            wait_comm(procs[user].pid, 'sleep')
        own = json.loads(self.run_as_nobody(self.EXPLAIN, procs['nobody'].pid))
        self.assertEqual(own['raise']['caller_uid'], 65534)
        self.assertEqual((own['raise']['soft']['answer'],
                          own['raise']['soft']['action']), ('yes', ''))
        self.assertEqual((own['raise']['hard']['answer'],
                          own['raise']['hard']['action']),
                         ('challenge' if capable else 'na',
                          'org.example.resource1.raise-hard-limit'))
        other = json.loads(self.run_as_nobody(self.EXPLAIN,
                                              procs['games'].pid))
        for side in ('soft', 'hard'):
            self.assertEqual((other['raise'][side]['answer'],
                              other['raise'][side]['action']),
                             ('challenge' if capable else 'na',
                              'org.example.resource1.manage-other'))

    def test_hidepid_hides_an_ancestor_and_a_process(self):
        # A parent of root's, under a name and with limits of its own, whose
        # child (nobody's) lowers its own before it becomes sleep.
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        hs, hh = (17171, 18181) if hard >= 18181 else (hard - 7, hard - 3)
        parent = os.path.join(self.tmp, 'r1hiddenparent')
        shutil.copy(shutil.which('sh'), parent)
        kid_file = os.path.join(self.tmp, 'hidden-child')
        p = subprocess.Popen(
            [parent, '-c', 'prlimit --pid $$ --nofile=%d:%d && '
             '{ prlimit --nofile=500:600 %s sleep 600 & echo $! > "$0"; '
             'wait; }' % (hs, hh, ' '.join(NOBODY)), kid_file],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        kid = None
        try:
            kid = read_pid(kid_file)
            wait_comm(kid, 'sleep')
            text = self.run_as_nobody(self.EXPLAIN, kid, proc='hidepid')
            d = json.loads(text)
            self.assertEqual(len(d['chain']), 2)
            self.assertEqual(d['chain'][0]['pid'], kid)
            self.assertEqual(d['chain'][1], {
                'pid': p.pid, 'visible': False, 'comm': None, 'uid': None,
                'soft': None, 'hard': None})
            self.assertEqual((d['chain_end'], d['origin'], d['changed_at']),
                             ('hidden', 'unknown', None))
            self.assertNotIn('r1hiddenparent', text)
            self.assertNotIn(str(hs), text)
            self.assertNotIn(str(hh), text)
            hidden = json.loads(self.run_as_nobody(self.EXPLAIN, self.child,
                                                   proc='hidepid'))
            self.assertEqual(hidden, [errno.ESRCH, '[Errno 3] pid %d: no such '
                                      'process, or not visible to you'
                                      % self.child])
            if RESOURCECTL:
                self.assertEqual(d, json.loads(self.run_as_nobody(
                    'import subprocess, sys; subprocess.run([sys.argv[2], '
                    '"explain", "--json", "--pid", sys.argv[3], "NOFILE"])',
                    RESOURCECTL, kid, proc='hidepid')))
        finally:
            if kid:
                os.kill(kid, 9)
            p.kill()
            p.wait()

    def test_arguments(self):
        self.assertEqual(resource1.explain('nofile', self.child)['resource'],
                         'NOFILE')
        self.assertEqual(resource1.explain(resource.RLIMIT_CORE,
                                           self.child)['resource'], 'CORE')
        with self.assertRaises(ValueError):
            resource1.explain(99)
        with self.assertRaises(ValueError):
            resource1.explain('NOFLIE')
        with self.assertRaises(TypeError):
            resource1.explain('NOFILE', 'one')
        for pid in (999999999, -1):
            with self.assertRaises(ProcessLookupError):
                resource1.explain('NOFILE', pid)


if __name__ == '__main__':
    prog = unittest.main(exit=False, verbosity=2)
    sys.exit(0 if prog.result.wasSuccessful() else 1)
