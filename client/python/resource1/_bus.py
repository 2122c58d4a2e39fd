"""A blocking, thread-safe D-Bus connection on jeepney's parser.

It holds one descriptor only, the socket: no selector, no wake-up pipe, no
receiving thread (poll(2) needs no descriptor), so that once open it keeps
working when its process has no descriptor left (soft NOFILE lowered under
it). Threads share it: each sends its own call, and whichever thread waits
reads for all of them (one reader at a time) and hands every reply to the
thread it is for, and every signal to the subscriptions it matches.
"""

import array
import itertools
import os
import select
import socket
import threading
import time

from jeepney.bus import get_bus
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import prep_socket
from jeepney.low_level import HeaderFields, MessageType, Parser

from . import _common

_ANCILLARY = socket.CMSG_SPACE(64 * array.array('i').itemsize)


class Connection:
    """One connection to the system bus (or ``address``)."""

    def __init__(self, address=None, auth_timeout=5.0):
        addr = get_bus(address or 'SYSTEM')
        self.sock = prep_socket(addr, enable_fds=True, timeout=auth_timeout)
        self.sock.settimeout(None)
        self.pid = os.getpid()
        self._parser = Parser()
        self._serials = itertools.count(1)
        self._cond = threading.Condition(threading.Lock())
        self._send_lock = threading.Lock()
        self._replies = {}
        self._reading = False
        self._retired = False
        self.broken = None
        self._queues = []
        self.unique_name = self.call(message_bus.Hello(), 10.0).body[0]

    # -- sending
    def _send(self, msg, serial):
        fds = array.array('i')
        data = _common.serialise(msg, serial, fds)
        with self._send_lock:
            try:
                if fds:
                    sent = self.sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])
                    if sent < len(data):
                        self.sock.sendall(data[sent:])
                else:
                    self.sock.sendall(data)
            except OSError as e:
                self._break(e)
                raise _common.make_error('org.freedesktop.DBus.Error.Disconnected', str(e)) from e

    # -- receiving, by whichever thread waits
    def _read(self, timeout):
        """Reads what is there (waiting up to ``timeout`` s) and dispatches it."""
        p = select.poll()
        p.register(self.sock.fileno(), select.POLLIN)
        if not p.poll(None if timeout is None else max(0, int(timeout * 1000) + 1)):
            return
        data, anc, flags, _ = self.sock.recvmsg(65536, _ANCILLARY, socket.MSG_DONTWAIT)
        nfds = 0
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array('i')
                fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
                for fd in fds:     # nothing the service sends us carries one
                    os.close(fd)
                nfds += len(fds)
        if not data:
            raise ConnectionResetError('the bus closed the connection')
        self._parser.add_data(data, [-1] * nfds)
        msgs = []
        while True:
            m = self._parser.get_next_message()
            if m is None:
                break
            msgs.append(m)
        return msgs

    def _dispatch(self, msgs):
        for m in msgs or ():
            t = m.header.message_type
            if t in (MessageType.method_return, MessageType.error):
                s = m.header.fields.get(HeaderFields.reply_serial)
                if s in self._replies:
                    self._replies[s] = m
            elif t == MessageType.signal:
                for q in self._queues:
                    if q.matches(m):
                        q.items.append(m)

    def _break(self, exc):
        with self._cond:
            if self.broken is None:
                self.broken = exc
            self._cond.notify_all()

    def wait(self, done, deadline):
        """Waits (with the condition held by the caller) until ``done()``."""
        while not done():
            if self.broken is not None:
                raise _common.make_error('org.freedesktop.DBus.Error.Disconnected',
                                         'the connection to the bus was lost: %s' % self.broken)
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            if self._reading:
                self._cond.wait(remaining)
                continue
            self._reading = True
            self._cond.release()
            try:
                msgs = self._read(remaining)
                err = None
            except (OSError, ValueError) as e:
                msgs, err = None, e
            finally:
                self._cond.acquire()
                self._reading = False
            if err is not None and not isinstance(err, (BlockingIOError, InterruptedError)):
                if self.broken is None:
                    self.broken = err
            self._dispatch(msgs)
            self._cond.notify_all()
        return True

    def call(self, msg, timeout):
        """Sends ``msg`` and returns its reply (a method return or an error)."""
        if self.broken is not None:
            raise _common.make_error('org.freedesktop.DBus.Error.Disconnected',
                                     'the connection to the bus was lost: %s' % self.broken)
        serial = next(self._serials)
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._replies[serial] = None
        try:
            self._send(msg, serial)
            with self._cond:
                if not self.wait(lambda: self._replies[serial] is not None, deadline):
                    raise _common.make_error('org.freedesktop.DBus.Error.Timeout',
                                             'no reply within %g s' % timeout)
                return self._replies[serial]
        finally:
            with self._cond:
                self._replies.pop(serial, None)
            self._close_if_retired()

    def add_queue(self, q):
        with self._cond:
            self._queues.append(q)

    def remove_queue(self, q):
        with self._cond:
            if q in self._queues:
                self._queues.remove(q)
        self._close_if_retired()

    def retire(self):
        """No new calls: closed once the calls other threads wait for are
        answered and its subscriptions ended."""
        self._retired = True
        self._close_if_retired()

    def _close_if_retired(self):
        with self._cond:
            idle = self._retired and not self._replies and not self._queues
        if idle:
            self.close()

    def close(self):
        self._break(ConnectionAbortedError('closed'))
        try:
            self.sock.close()
        except OSError:
            pass


class SignalQueue:
    """Signals a subscription matched, kept until read."""

    def __init__(self, matches):
        self.matches = matches
        self.items = []
