"""resource1 while the service restarts (tests/with-bus.sh --no-daemon: this
test starts and kills resource1d itself, $RESOURCE1D):

    test_restart.py PKGDIR

The lazily opened connection outlives the service: while it is gone a read
is sent once more and then fails, a change is sent once; after a restart a
read and a change are answered by the new service, on a new connection, since
the new service cannot vouch for the process that opened the old one (it did
not see it appear: pid 0 is NoSuchProcess there, and the call is sent once
more on a new connection); and (on a fake connection) a read whose answer was
lost because the service went away (NoReply) is sent once more, a change
never is, and a call naming the caller that the service could not vouch for
is sent once more on a new connection."""
import os
import resource
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, sys.argv.pop(1))
import resource1                                  # noqa: E402
from jeepney.low_level import Header, Message, MessageType, HeaderFields, Endianness  # noqa: E402

R = resource.RLIMIT_CORE


def start_daemon():
    d = subprocess.Popen([os.environ['RESOURCE1D']], stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            resource1.Client(timeout=2).version()
            return d
        except OSError:
            time.sleep(0.05)
    raise RuntimeError('resource1d did not take its name')


def stop_daemon(d):
    d.send_signal(signal.SIGKILL)
    d.wait()
    time.sleep(0.2)


class Restart(unittest.TestCase):
    def test_the_connection_outlives_the_service(self):
        d = start_daemon()
        old = resource.getrlimit(R)
        self.assertEqual(resource1.getrlimit(R), old)
        conn = resource1._default._conn
        stop_daemon(d)
        with self.assertRaises(OSError) as cm:        # read: sent twice, no one answers
            resource1.getrlimit(R)
        self.assertEqual(cm.exception.dbus_name, 'org.freedesktop.DBus.Error.ServiceUnknown')
        with self.assertRaises(OSError):
            resource1.setrlimit(R, (0 if old[0] else 1, old[1]))
        self.assertEqual(resource.getrlimit(R), old)
        d = start_daemon()
        try:
            self.assertEqual(resource1.getrlimit(R), old)
            new = (0 if old[0] else 1, old[1])
            resource1.setrlimit(R, new)
            self.assertEqual(resource.getrlimit(R), new)
            self.assertIsNot(resource1._default._conn, conn)
            self.assertEqual(conn.sock.fileno(), -1)   # the old one closed once answered
            resource.setrlimit(R, old)
        finally:
            stop_daemon(d)


class RestartAsyncio(unittest.TestCase):
    def test_a_connection_older_than_the_service_is_replaced_and_closed(self):
        import asyncio
        import resource1.aio as aio

        async def main():
            async with aio.Client() as c:
                d = start_daemon()
                try:
                    first, conn = await c.getrlimit(R), c._conn
                finally:
                    stop_daemon(d)
                d = start_daemon()
                try:
                    return first, await c.getrlimit(R), conn, c._conn
                finally:
                    stop_daemon(d)

        first, again, conn, now = asyncio.run(main())
        self.assertEqual(first, resource.getrlimit(R))
        self.assertEqual(again, first)
        self.assertIsNot(now, conn)
        self.assertEqual(conn.sock.fileno(), -1)      # the old one closed once answered


def reply(kind, serial, body=(), error=None):
    fields = {HeaderFields.reply_serial: serial}
    if error:
        fields[HeaderFields.error_name] = error
        fields[HeaderFields.signature] = 's'
        body = (body,)
    elif body:
        fields[HeaderFields.signature] = 'tt'
    return Message(Header(Endianness.little, kind, 0, 1, 0, serial, fields), body)


class FakeConnection:
    """Answers NoReply first, then the given reply."""
    broken = None

    def __init__(self):
        self.pid = os.getpid()
        self.sent = []

    def call(self, msg, timeout):
        self.sent.append(msg.header.fields[HeaderFields.member])
        if len(self.sent) == 1:
            return reply(MessageType.error, 1, 'Message recipient disconnected from message bus without replying',
                         'org.freedesktop.DBus.Error.NoReply')
        return reply(MessageType.method_return, 2, (5, 2 ** 64 - 1))

    def close(self):
        pass

    def retire(self):
        self.retired = True


class CallerUnknownConnection(FakeConnection):
    """Answers NoSuchProcess, as the service does for pid 0 on a connection
    older than itself."""

    def call(self, msg, timeout):
        self.sent.append(msg.header.fields[HeaderFields.member])
        return reply(MessageType.error, 1, 'pid 0 (the caller): this bus connection is older than what the '
                     'service saw appear', 'org.example.Resource1.Error.NoSuchProcess')


class AnsweringConnection(FakeConnection):
    def call(self, msg, timeout):
        self.sent.append(msg.header.fields[HeaderFields.member])
        return reply(MessageType.method_return, 2, (5, 2 ** 64 - 1))


class Retry(unittest.TestCase):
    def client(self):
        c = resource1.Client()
        c._conn = FakeConnection()
        return c

    def test_pid0_the_service_cannot_vouch_for_is_sent_once_more_on_a_new_connection(self):
        for name, call, want in [('GetRlimit', lambda c: c.getrlimit(R), (5, -1)),
                                 ('SetRlimit', lambda c: c.setrlimit(R, (0, 0)), None),
                                 ('Prlimit', lambda c: c.prlimit(0, R, (0, 0)), (5, -1)),
                                 ('Prlimit', lambda c: c.prlimit(os.getpid(), R), (5, -1))]:
            c = resource1.Client()
            old, new = CallerUnknownConnection(), AnsweringConnection()
            c._conn = old
            c._connection = lambda c=c, new=new: c._conn or setattr(c, '_conn', new) or new
            self.assertEqual(call(c), want)
            self.assertEqual((old.sent, new.sent), ([name], [name]))
            self.assertTrue(old.retired)
        # A process named by pidfd: its NoSuchProcess is the answer.
        c = resource1.Client()
        c._conn = CallerUnknownConnection()
        with self.assertRaises(ProcessLookupError):
            c.prlimit(os.getppid(), R)
        self.assertEqual(c._conn.sent, ['PrlimitPidfd'])

    def test_a_read_is_sent_once_more(self):
        c = self.client()
        self.assertEqual(c.getrlimit(R), (5, -1))
        self.assertEqual(c._conn.sent, ['GetRlimit', 'GetRlimit'])

    def test_a_change_is_never_resent(self):
        c = self.client()
        with self.assertRaises(OSError) as cm:
            c.prlimit(0, R, (0, 0))
        self.assertEqual(cm.exception.dbus_name, 'org.freedesktop.DBus.Error.NoReply')
        self.assertEqual(c._conn.sent, ['Prlimit'])


if __name__ == '__main__':
    prog = unittest.main(exit=False, verbosity=2)
    r = prog.result
    print('# test_restart: %d run, %d failures, %d errors' % (r.testsRun, len(r.failures), len(r.errors)))
    sys.exit(0 if r.wasSuccessful() else 1)
