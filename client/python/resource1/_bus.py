"""A blocking, thread-safe D-Bus connection on jeepney's parser.

It holds two descriptors: the socket and a pidfd of its own process, which
names that process to the service (the service's "caller" is whoever owns
the bus connection: behind a bus proxy, the proxy). No selector, no wake-up
pipe, no receiving thread (poll(2) needs no descriptor), so that once open it
keeps working when its process has no descriptor left (soft NOFILE lowered
under it). Both are moved high, below the soft NOFILE limit (see
move_high): they never hold the lowest numbers, which the program's open()
counts on. Threads share it: each sends its own call, and whichever thread
waits reads for all of them (one reader at a time) and hands every reply to
the thread it is for, and every signal to the subscriptions it matches. The
asyncio transport (aio.py) keeps its descriptors with the helpers here.
"""

import array
import errno
import fcntl
import itertools
import os
import resource as _resource
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


# ------------------------------------- the descriptors a connection keeps

class FdsNotSent(OSError):
    """sendmsg(2) refused to pass a descriptor: ETOOMANYREFS, which Linux
    answers an unprivileged sender whose user has more descriptors in flight
    (sent, not yet received, by any of its processes) than the sender's soft
    NOFILE limit; PyMOTW's example lowers it to 4. Nothing was sent: the
    connection is intact."""


#: Seconds between the tries of a send that FdsNotSent refused: the
#: receivers (the bus) take the descriptors in flight within moments.
FD_SEND_DELAYS = (0.001, 0.004, 0.016, 0.064)

#: How far below the soft NOFILE limit (capped at FD_SETSIZE) the descriptors
#: the package keeps are moved: room for a few connections' (see move_high).
HIGH_FD_ROOM = 16
_FD_SETSIZE = 1024


class OwnFd:
    """A descriptor closed when nothing refers to it any more: a thread that
    is building a call with it keeps it open (and its number not reused)
    while another replaces the connection that holds it."""

    __slots__ = ('fd',)

    def __init__(self, fd):
        self.fd = fd

    def __del__(self):
        try:
            os.close(self.fd)
        except OSError:
            pass


def _high_base(fd):
    """The lowest number descriptor fd is moved to (see move_high), or None
    where it stays where it is."""
    try:
        soft = _resource.getrlimit(_resource.RLIMIT_NOFILE)[0]
    except OSError:                                     # pragma: no cover
        return None
    top = _FD_SETSIZE if soft < 0 or soft > _FD_SETSIZE else soft
    if top <= HIGH_FD_ROOM or top - HIGH_FD_ROOM <= fd:
        return None
    return top - HIGH_FD_ROOM


def _dup_high(fd):
    base = _high_base(fd)
    if base is None:
        return None
    try:
        return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, base)
    except OSError:          # none free up there
        return None


def move_high(fd):
    """fd moved out of the program's way: the lowest free descriptor at or
    above the soft NOFILE limit less HIGH_FD_ROOM (the limit capped at
    FD_SETSIZE, for a program whose loop select()s on it, and since the
    kernel's table grows to the highest number used), or fd itself where none
    is free up there. Code written for ``resource`` counts on open() taking
    the lowest free number (PyMOTW's example lowers NOFILE to 4 and expects
    descriptor 3); a descriptor above a soft limit lowered later stays
    valid. Returns the descriptor kept (the other is closed)."""
    high = _dup_high(fd)
    if high is None:
        return fd
    os.close(fd)
    return high


def move_socket_high(sock):
    """The socket, moved as move_high() moves a descriptor (a new object on
    the new descriptor; the old one is closed)."""
    high = _dup_high(sock.fileno())
    if high is None:
        return sock
    moved = socket.socket(sock.family, sock.type, sock.proto, fileno=high)
    sock.close()
    return moved


def open_self_pidfd():
    """An OwnFd of a pidfd of this process, moved high, for a connection to
    keep (so a call about this process takes no descriptor of the
    program's: one that used up its descriptors still reads and changes its
    limits); None where the kernel gives no pidfd (no pidfd_open(2), or a
    seccomp filter refusing it): calls then name the service's "caller"
    (pid 0), which is this process unless a proxy stands between. Other
    failures (EMFILE) are raised."""
    try:
        fd = os.pidfd_open(os.getpid())
    except AttributeError:              # pragma: no cover - Python < 3.9
        return None
    except OSError as e:
        if e.errno in (errno.ENOSYS, errno.EPERM):
            return None
        raise
    return OwnFd(move_high(fd))


# ----------------------------------------------------------- the connection


class Connection:
    """One connection to the system bus (or ``address``).

    At most _common.MAX_IN_FLIGHT calls are in flight on it at once
    (_common.MAX_FDS_IN_FLIGHT of them carrying a descriptor); a call past
    that waits, within its timeout, until an answer frees a place. A call
    given up before its answer came keeps its place until the answer comes,
    as the bus counts it until then."""

    def __init__(self, address=None, auth_timeout=5.0):
        addr = get_bus(address or 'SYSTEM')
        self.sock = move_socket_high(prep_socket(addr, enable_fds=True,
                                                 timeout=auth_timeout))
        self.sock.settimeout(None)
        self.pid = os.getpid()
        try:
            #: an OwnFd of this process's pidfd (None: the kernel gives none)
            self.self_pidfd = open_self_pidfd()
        except OSError:
            self.sock.close()
            raise
        self._parser = Parser()
        self._serials = itertools.count(1)
        self._cond = threading.Condition(threading.Lock())
        self._send_lock = threading.Lock()
        self._replies = {}
        self._reading = False
        self.broken = None
        self._queues = []
        # serial -> whether it carries a descriptor, for every call sent
        # whose answer has not come yet (given up or not)
        self._in_flight = {}
        self._fds_in_flight = 0
        self.unique_name = self.call(message_bus.Hello(), 10.0).body[0]

    # -- sending
    def _sendmsg_fds(self, data, fds):
        """The first part of data with the descriptors; FdsNotSent
        when the kernel keeps refusing them (nothing sent)."""
        anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)]
        for delay in FD_SEND_DELAYS + (None,):
            try:
                return self.sock.sendmsg([data], anc)
            except OSError as e:
                if e.errno != errno.ETOOMANYREFS:
                    raise
                if delay is None:
                    raise FdsNotSent(e.errno, fds_not_sent_text(e))
                time.sleep(delay)

    def _send(self, data, fds):
        with self._send_lock:
            try:
                if fds:
                    sent = self._sendmsg_fds(data, fds)
                    if sent < len(data):
                        self.sock.sendall(data[sent:])
                else:
                    self.sock.sendall(data)
            except FdsNotSent:
                raise
            except OSError as e:
                self._break(e)
                raise _common.make_error(_common.DISCONNECTED,
                                         str(e)) from e

    # -- the calls in flight (with self._cond held)
    def _has_room(self, fds):
        return (len(self._in_flight) < _common.MAX_IN_FLIGHT and
                (not fds or
                 self._fds_in_flight < _common.MAX_FDS_IN_FLIGHT))

    def _take_place(self, serial, fds):
        self._in_flight[serial] = fds
        self._fds_in_flight += fds

    def _free_place(self, serial):
        fds = self._in_flight.pop(serial, None)
        if fds is not None:
            self._fds_in_flight -= fds

    # -- receiving, by whichever thread waits
    def _read(self, timeout):
        """Reads what is there (waiting up to ``timeout`` s)."""
        p = select.poll()
        p.register(self.sock.fileno(), select.POLLIN)
        ms = None if timeout is None else max(0, int(timeout * 1000) + 1)
        if not p.poll(ms):
            return
        data, anc, flags, _ = self.sock.recvmsg(65536, _ANCILLARY,
                                                socket.MSG_DONTWAIT)
        nfds = 0
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array('i')
                fds.frombytes(payload[:len(payload) -
                                      len(payload) % fds.itemsize])
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
                self._free_place(s)
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

    def _lost(self):
        return _common.make_error(_common.DISCONNECTED,
                                  'the connection to the bus was lost: %s'
                                  % self.broken)

    def wait(self, done, deadline):
        """Waits (with the condition held by the caller) until ``done()``;
        False when the deadline passed first."""
        while not done():
            if self.broken is not None:
                raise self._lost()
            remaining = (None if deadline is None
                         else deadline - time.monotonic())
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
            if err is not None and not isinstance(
                    err, (BlockingIOError, InterruptedError)):
                if self.broken is None:
                    self.broken = err
            self._dispatch(msgs)
            self._cond.notify_all()
        return True

    def call(self, msg, timeout):
        """Sends ``msg`` and returns its reply (a method return or an
        error); waits first, within the timeout, for a place among the
        calls in flight."""
        if self.broken is not None:
            raise self._lost()
        deadline = None if timeout is None else time.monotonic() + timeout
        serial = next(self._serials)
        fds = array.array('i')
        data = _common.serialise(msg, serial, fds)
        with self._cond:
            # Whoever waits for a place reads too: the answers that free
            # one may be those of calls nobody waits for any more.
            if not self.wait(lambda: self._has_room(bool(fds)), deadline):
                raise _common.no_room_error(timeout, bool(fds))
            self._take_place(serial, bool(fds))
            self._replies[serial] = None
        try:
            try:
                self._send(data, fds)
            except BaseException:
                with self._cond:
                    self._free_place(serial)
                raise
            with self._cond:
                if not self.wait(lambda: self._replies[serial] is not None,
                                 deadline):
                    raise _common.make_error(_common.TIMEOUT,
                                             'no reply within %g s' % timeout)
                return self._replies[serial]
        finally:
            with self._cond:
                self._replies.pop(serial, None)

    def add_queue(self, q):
        with self._cond:
            self._queues.append(q)

    def remove_queue(self, q):
        with self._cond:
            if q in self._queues:
                self._queues.remove(q)

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


def fds_not_sent_text(e):
    return ('cannot pass a pidfd: %s (more descriptors of this user are in '
            'flight than its soft NOFILE limit)' % e.strerror)
