"""resource1 lives with the service's bounds: tests/python/test-python.sh runs it
in tests/with-bus.sh's fixture as nobody, first, while nobody's budget of
changes (64 at once, then 4 a second) is full.

    test_bounds.py PKGDIR

The tests run in order, each leaving the budget as the next needs it: a
session manager's hundred lowered children (64 at once, 36 waited for) use
it up; the blocking API then waits for each token; a timeout shorter than
the wait raises the service's refusal at once; last, reads, which the rate
does not bound: gathered by the hundred, and made by 200 threads. With the
package as it was, all were sent at once and every refusal raised: 32 of
the hundred children were set (the gate takes 32 calls with a pidfd from a
connection), the blocking calls were refused "try again in 0.3 s", and of
400 gathered reads 300 failed (the gate's bound, the bus's 128 pending
replies).
"""

import asyncio
import os
import resource
import subprocess
import sys
import time
import unittest

PKGDIR = sys.argv.pop(1)
sys.path.insert(0, PKGDIR)
import resource1                          # noqa: E402
import resource1.aio as aio               # noqa: E402

NOFILE = resource.RLIMIT_NOFILE
CHILDREN = 100


def nofile(pid):
    """(soft, hard) of 'Max open files' in /proc/PID/limits."""
    with open('/proc/%d/limits' % pid) as f:
        line = next(x for x in f if x.startswith('Max open files'))
    soft, hard = line.split()[3:5]
    return int(soft), int(hard)


def outcomes(results):
    """{class name: count} of gathered results (exceptions included)."""
    out = {}
    for r in results:
        k = type(r).__name__ if isinstance(r, BaseException) else 'ok'
        out[k] = out.get(k, 0) + 1
    return out


class Bounds(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.children = [subprocess.Popen(['sleep', '120'])
                        for _ in range(CHILDREN)]
        for p in cls.children:
            for _ in range(200):
                with open('/proc/%d/comm' % p.pid) as f:
                    if f.read().startswith('sleep'):
                        break
                time.sleep(0.005)
        cls.soft, cls.hard = resource.getrlimit(NOFILE)
        # Each change of a test sets a value no test set before: a limit
        # set to what it is already is no change, and costs no budget.
        cls.next_soft = 64

    @classmethod
    def tearDownClass(cls):
        for p in cls.children:
            p.kill()
            p.wait()

    def lower(self):
        self.__class__.next_soft += 1
        return self.next_soft, self.hard

    def test_1_a_session_manager_lowers_nofile_of_100_children(self):
        wanted = [self.lower() for _ in self.children]

        async def login():
            return await asyncio.gather(
                *[aio.prlimit(p.pid, NOFILE, lim)
                  for p, lim in zip(self.children, wanted)],
                return_exceptions=True)
        t0 = time.monotonic()
        got = asyncio.run(login())
        took = time.monotonic() - t0
        print('# %d children lowered in %.1f s: %s'
              % (CHILDREN, took, outcomes(got)), file=sys.stderr)
        self.assertEqual(outcomes(got), {'ok': CHILDREN},
                         [r for r in got if isinstance(r, Exception)][:3])
        self.assertEqual(got, [(self.soft, self.hard)] * CHILDREN)
        self.assertEqual([nofile(p.pid) for p in self.children], wanted)
        # 36 past the budget, at 4 a second: it was waited for.
        self.assertGreater(took, 5.0)

    def test_2_the_blocking_api_waits_past_the_rate_limit(self):
        # The budget is spent: each of these waits for its token.
        t0 = time.monotonic()
        for p in self.children[:6]:
            lim = self.lower()
            self.assertEqual(resource1.prlimit(p.pid, NOFILE, lim)[1],
                             self.hard)
            self.assertEqual(nofile(p.pid), lim)
        took = time.monotonic() - t0
        print('# 6 changes, one after the other, in %.2f s' % took,
              file=sys.stderr)
        self.assertGreater(took, 0.75)

    def test_3_a_timeout_shorter_than_the_wait_raises_at_once(self):
        child = self.children[10].pid
        resource1.prlimit(child, NOFILE, self.lower())   # the last token
        before = nofile(child)
        # The next token is 0.25 s away: the service says "try again in
        # 0.3 s", past the 0.2 s timeout, and the call raises that at once.
        with resource1.Client(timeout=0.2) as c:
            t0 = time.monotonic()
            with self.assertRaises(resource1.LimitsExceeded) as cm:
                c.prlimit(child, NOFILE, self.lower())
            took = time.monotonic() - t0
        e = cm.exception
        self.assertIn('over the rate limit of changes', e.dbus_message)
        self.assertRegex(e.dbus_message, r'try again in [0-9.]+ s$')
        self.assertEqual(e.dbus_name,
                         'org.example.Resource1.Error.LimitsExceeded')
        self.assertLess(took, 0.1)
        self.assertEqual(nofile(child), before)

        # Gathered with a 1 s timeout: those whose turn comes within it
        # are done, the others raise the refusal by their deadline.
        pids = [p.pid for p in self.children[20:32]]
        wanted = [self.lower() for _ in pids]
        before = [nofile(pid) for pid in pids]

        async def some():
            c = aio.Client(timeout=1.0)
            try:
                return await asyncio.gather(
                    *[c.prlimit(pid, NOFILE, lim)
                      for pid, lim in zip(pids, wanted)],
                    return_exceptions=True)
            finally:
                c.close()
        t0 = time.monotonic()
        got = asyncio.run(some())
        took = time.monotonic() - t0
        print('# 12 changes with a 1 s timeout: %s in %.2f s'
              % (outcomes(got), took), file=sys.stderr)
        done = outcomes(got)
        self.assertEqual(set(done), {'ok', 'LimitsExceeded'})
        self.assertGreaterEqual(done['ok'], 2)
        self.assertLess(took, 1.5)
        for pid, r, lim, old in zip(pids, got, wanted, before):
            self.assertEqual(nofile(pid), old if isinstance(r, Exception)
                             else lim)

    def test_4_300_gathered_reads(self):
        async def reads():
            return await asyncio.gather(
                *[aio.getrlimit(NOFILE) for _ in range(300)],
                *[aio.rusage(p.pid) for p in self.children],
                return_exceptions=True)
        t0 = time.monotonic()
        got = asyncio.run(reads())
        took = time.monotonic() - t0
        print('# 300 getrlimit and %d rusage gathered in %.2f s: %s'
              % (CHILDREN, took, outcomes(got)), file=sys.stderr)
        self.assertEqual(outcomes(got), {'ok': 300 + CHILDREN},
                         [r for r in got if isinstance(r, Exception)][:3])
        self.assertEqual(got[:300], [resource.getrlimit(NOFILE)] * 300)
        for r in got[300:]:
            self.assertIsInstance(r, resource.struct_rusage)

    def test_5_calls_in_flight_are_bounded(self):
        """A connection's calls awaiting their answer never pass 64, below
        the bus's 128 per connection; the rest wait their turn."""
        async def main():
            c = aio.Client()
            most = 0
            try:
                calls = asyncio.gather(
                    *[c.getpagesize() for _ in range(200)],
                    *[c.getrlimit(NOFILE) for _ in range(100)])
                while not calls.done():
                    most = max(most, c.pending)
                    await asyncio.sleep(0)
                return most, await calls
            finally:
                c.close()
        most, got = asyncio.run(main())
        print('# at most %d of 300 calls awaited their answer at once'
              % most, file=sys.stderr)
        self.assertEqual(got, [resource.getpagesize()] * 200 +
                         [resource.getrlimit(NOFILE)] * 100)
        self.assertLessEqual(most, 64)
        self.assertGreaterEqual(most, 32)

    def test_6_threads_share_the_blocking_connection(self):
        """200 threads' reads on the module's one blocking connection:
        the usage reads past the service's 16 in progress per user wait
        and are sent again."""
        import threading
        got, failed = [], []

        def reads():
            try:
                got.append(resource1.getrlimit(NOFILE))
                got.append(resource1.getrusage(resource.RUSAGE_SELF))
            except Exception as e:
                failed.append(e)
        threads = [threading.Thread(target=reads) for _ in range(200)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        print('# 200 threads: %d answers, %d errors' % (len(got), len(failed)),
              file=sys.stderr)
        self.assertEqual(failed, [])
        self.assertEqual(len(got), 400)


if __name__ == '__main__':
    prog = unittest.main(exit=False, verbosity=2)
    r = prog.result
    print('# test_bounds as uid %d: %d run, %d failures, %d errors'
          % (os.getuid(), r.testsRun, len(r.failures), len(r.errors)))
    sys.exit(0 if r.wasSuccessful() else 1)
