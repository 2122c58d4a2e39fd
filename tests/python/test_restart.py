"""resource1 while the service restarts (tests/with-bus.sh --no-daemon: this
test starts and kills resource1d itself, $RESOURCE1D):

    test_restart.py PKGDIR

The lazily opened connection outlives the service: after a restart a read
and a change are answered by the new service on the same connection; while
it is gone a read is sent once more and then fails, a change is sent once;
and (on a fake connection) a read whose answer was lost because the service
went away (NoReply) is sent once more, a change never is."""
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
            self.assertIs(resource1._default._conn, conn)
            resource.setrlimit(R, old)
        finally:
            stop_daemon(d)


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


class Retry(unittest.TestCase):
    def client(self):
        c = resource1.Client()
        c._conn = FakeConnection()
        return c

    def test_a_read_is_sent_once_more(self):
        c = self.client()
        self.assertEqual(c.getrlimit(R), (5, -1))
        self.assertEqual(c._conn.sent, ['PrlimitPidfd', 'PrlimitPidfd'])   # this process, by pidfd

    def test_a_change_is_never_resent(self):
        c = self.client()
        with self.assertRaises(OSError) as cm:
            c.prlimit(0, R, (0, 0))
        self.assertEqual(cm.exception.dbus_name, 'org.freedesktop.DBus.Error.NoReply')
        self.assertEqual(c._conn.sent, ['PrlimitPidfd'])


if __name__ == '__main__':
    prog = unittest.main(exit=False, verbosity=2)
    r = prog.result
    print('# test_restart: %d run, %d failures, %d errors' % (r.testsRun, len(r.failures), len(r.errors)))
    sys.exit(0 if r.wasSuccessful() else 1)
