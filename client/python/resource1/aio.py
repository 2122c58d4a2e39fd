"""resource1.aio: the functions of resource1 as asyncio coroutines.

    import asyncio, resource1, resource1.aio as aio

    async def main():
        soft, hard = await aio.getrlimit(resource1.RLIMIT_NOFILE)
        await aio.setrlimit(resource1.RLIMIT_NOFILE, (soft, hard))

Many calls may be in flight on one connection; a call waiting for polkit
does not hold up the others, and a cancelled call is forgotten (its answer,
when it comes, is dropped; what the service was asked to do it may still do).
jeepney's own asyncio integration passes no descriptors, so this module has a
small transport of its own on the event loop (socket.sendmsg with
SCM_RIGHTS), which passes the pidfds naming processes: the calling one too,
by a pidfd its connection keeps, as in resource1 (never the service's
"caller", which behind a bus proxy is the proxy).

The module's functions use one connection per event loop and process,
opened on first use; ``Client`` is a connection of one's own. Its socket and
its pidfd sit high, out of the way of the program's own descriptor numbers.
"""

import array
import asyncio
import errno
import itertools
import os
import socket
import weakref

from jeepney.bus import get_bus
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import prep_socket
from jeepney.low_level import HeaderFields, MessageType, Parser

from . import _agent, _bus, _common
from ._common import ServiceError, RlimitChanged
from . import (DEFAULT_TIMEOUT, INTERACTIVE_TIMEOUT, RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA,
               RLIMIT_STACK, RLIMIT_CORE, RLIMIT_RSS, RLIMIT_NPROC, RLIMIT_NOFILE,
               RLIMIT_OFILE, RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE,
               RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIM_INFINITY, RUSAGE_SELF,
               RUSAGE_CHILDREN, RUSAGE_THREAD, error, struct_rusage)

# The constants and exceptions are resource1's, here too (aio.RLIMIT_NOFILE).
__all__ = ['getrlimit', 'setrlimit', 'prlimit', 'getrusage', 'rusage', 'getpagesize',
           'setrlimits', 'rlimits', 'properties', 'subscribe', 'Client', 'Subscription',
           'Connection', 'ServiceError', 'RlimitChanged', 'RLIMIT_CPU', 'RLIMIT_FSIZE',
           'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC',
           'RLIMIT_NOFILE', 'RLIMIT_OFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_SIGPENDING',
           'RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME', 'RLIM_INFINITY',
           'RUSAGE_SELF', 'RUSAGE_CHILDREN', 'RUSAGE_THREAD', 'error', 'struct_rusage']

_ANCILLARY = socket.CMSG_SPACE(64 * array.array('i').itemsize)


class Connection:
    """A D-Bus connection on an asyncio event loop, passing descriptors. Its
    socket and its pidfd of this process (which names the process to the
    service, whatever the bus thinks the caller is) are kept high, out of
    the way of the program's own descriptor numbers."""

    @classmethod
    async def open(cls, address=None):
        loop = asyncio.get_running_loop()
        addr = get_bus(address or 'SYSTEM')
        sock = await loop.run_in_executor(None, prep_socket, addr, True, 5.0)
        sock = _bus.move_socket_high(sock)
        try:
            self_pidfd = _bus.open_self_pidfd()
        except OSError:
            sock.close()
            raise
        self = cls(sock, loop, self_pidfd)
        try:
            reply = await self.call(message_bus.Hello(), 10.0)
        except BaseException:
            self.close()
            raise
        self.unique_name = reply.body[0]
        return self

    def __init__(self, sock, loop, self_pidfd=None):
        self.sock = sock
        self.loop = loop
        self.pid = os.getpid()
        #: an OwnFd of this process's pidfd, which names it (None: none)
        self.self_pidfd = self_pidfd
        sock.setblocking(False)
        self._parser = Parser()
        self._serials = itertools.count(1)
        self._futures = {}
        self._queues = []
        self._send_lock = asyncio.Lock()
        self.broken = None
        loop.add_reader(sock.fileno(), self._on_readable)

    @property
    def pending(self):
        """How many calls wait for an answer."""
        return len(self._futures)

    def _fail(self, exc):
        if self.broken is None:
            self.broken = exc
        try:
            self.loop.remove_reader(self.sock.fileno())
        except (ValueError, OSError):
            pass
        err = _common.make_error('org.freedesktop.DBus.Error.Disconnected',
                                 'the connection to the bus was lost: %s' % exc)
        for fut in self._futures.values():
            if not fut.done():
                fut.set_exception(err)

    def _on_readable(self):
        try:
            data, anc, flags, _ = self.sock.recvmsg(65536, _ANCILLARY)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self._fail(e)
            return
        nfds = 0
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array('i')
                fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
                for fd in fds:
                    os.close(fd)
                nfds += len(fds)
        if not data:
            self._fail(ConnectionResetError('the bus closed the connection'))
            return
        self._parser.add_data(data, [-1] * nfds)
        while True:
            try:
                m = self._parser.get_next_message()
            except ValueError as e:
                self._fail(e)
                return
            if m is None:
                break
            t = m.header.message_type
            if t in (MessageType.method_return, MessageType.error):
                fut = self._futures.pop(m.header.fields.get(HeaderFields.reply_serial), None)
                if fut is not None and not fut.done():
                    fut.set_result(m)
            elif t == MessageType.signal:
                for matches, q in self._queues:
                    if matches(m):
                        q.put_nowait(m)

    async def _writable(self):
        fut = self.loop.create_future()
        fd = self.sock.fileno()
        self.loop.add_writer(fd, lambda: fut.done() or fut.set_result(None))
        try:
            await fut
        finally:
            self.loop.remove_writer(fd)

    async def _send_all(self, data, fds):
        async with self._send_lock:
            anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)] if fds else []
            view = memoryview(data)
            delays = iter(_bus.FD_SEND_DELAYS)
            while view:
                try:
                    n = self.sock.sendmsg([view], anc)
                except (BlockingIOError, InterruptedError):
                    await self._writable()
                    continue
                except OSError as e:
                    # As resource1's blocking connection: nothing was sent.
                    if not anc or e.errno != errno.ETOOMANYREFS:
                        raise
                    delay = next(delays, None)
                    if delay is None:
                        raise _bus.FdsNotSent(e.errno, 'cannot pass a pidfd: %s (more descriptors of this user '
                                                          'are in flight than its soft NOFILE limit)' % e.strerror)
                    await asyncio.sleep(delay)
                    continue
                anc = []
                view = view[n:]

    async def call(self, msg, timeout):
        """Sends msg; returns its reply (a method return or an error message)."""
        if self.broken is not None:
            raise _common.make_error('org.freedesktop.DBus.Error.Disconnected',
                                     'the connection to the bus was lost: %s' % self.broken)
        serial = next(self._serials)
        fds = array.array('i')
        data = _common.serialise(msg, serial, fds)
        fut = self.loop.create_future()
        self._futures[serial] = fut
        try:
            # A message half written would garble the stream: the send is
            # finished even when the call is cancelled.
            try:
                await asyncio.shield(self.loop.create_task(self._send_all(data, fds)))
            except _bus.FdsNotSent:
                raise
            except OSError as e:
                self._fail(e)
                raise _common.make_error('org.freedesktop.DBus.Error.Disconnected', str(e)) from e
            try:
                return await asyncio.wait_for(fut, timeout)
            except asyncio.TimeoutError:
                raise _common.make_error('org.freedesktop.DBus.Error.Timeout',
                                         'no reply within %g s' % timeout) from None
        finally:
            self._futures.pop(serial, None)

    def add_queue(self, matches, queue):
        self._queues.append((matches, queue))

    def remove_queue(self, queue):
        self._queues = [(m, q) for m, q in self._queues if q is not queue]

    def close(self):
        if self.broken is None:
            self._fail(ConnectionAbortedError('closed'))
        try:
            self.sock.close()
        except OSError:
            pass


class Client:
    """A connection of one's own, on the running event loop; the methods are
    the module's coroutines. ``interactive``, ``polkit_agent`` and ``timeout``
    as in resource1.Client (pkttyagent is started and stopped off the event
    loop, in its default executor)."""

    def __init__(self, interactive=False, timeout=None, address=None, polkit_agent=False):
        self.interactive = bool(interactive)
        self.polkit_agent = bool(polkit_agent)
        self.timeout = timeout if timeout is not None else (
            INTERACTIVE_TIMEOUT if interactive else DEFAULT_TIMEOUT)
        self._agent_timeout = timeout if timeout is not None else INTERACTIVE_TIMEOUT
        self.address = address or os.environ.get('RESOURCE1_BUS_ADDRESS')
        self._conn = None
        self._opening = None

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self.close()

    def close(self):
        c, self._conn = self._conn, None
        if c is not None:
            c.close()

    @property
    def pending(self):
        """How many calls of this client wait for an answer."""
        return 0 if self._conn is None else self._conn.pending

    async def _connection(self):
        c = self._conn
        if c is not None and (c.broken is not None or c.pid != os.getpid()
                              or c.loop is not asyncio.get_running_loop()):
            if c.pid == os.getpid():
                c.close()
            c = self._conn = None
        if c is None:
            if self._opening is None or self._opening.done():
                self._opening = asyncio.ensure_future(self._open())
            c = await asyncio.shield(self._opening)
        return c

    async def _open(self):
        try:
            self._conn = await Connection.open(self.address)
        except ServiceError:
            raise
        except OSError as e:
            exc = _common.make_error('org.freedesktop.DBus.Error.NoServer',
                                     'cannot connect to the bus: %s' % e)
            if e.errno is not None:
                exc.errno = e.errno
            raise exc from e
        return self._conn

    async def _run(self, op):
        try:
            return await self._call(op, self.interactive, self.timeout)
        except ServiceError as e:
            if not self.polkit_agent or e.dbus_name != _agent.INTERACTIVE_REQUIRED:
                raise
            refused = e
        # Sent again only to an agent started for it (as resource1.Client).
        loop = asyncio.get_running_loop()
        agent = await loop.run_in_executor(None, _agent.PolkitAgent.open)
        try:
            if agent.running:
                return await self._call(op, True, self._agent_timeout)
        except ServiceError as e:
            if e.dbus_name != _agent.INTERACTIVE_REQUIRED:
                raise
            refused = e
        finally:
            await loop.run_in_executor(None, agent.close)
        message = _agent.explain(refused.dbus_message, agent)
        raise op.make_error(refused.dbus_name, message) from None

    @staticmethod
    async def _send_call(conn, op, msg, interactive, timeout):
        """As resource1.Client._send_call."""
        try:
            return await conn.call(msg, timeout)
        except _bus.FdsNotSent:
            if op.fallback is None:
                raise
        by_number, _ = op.build(interactive, conn, by_number=True)
        return await conn.call(by_number, timeout)

    async def _call(self, op, interactive, timeout):
        for attempt in (0, 1):
            conn = await self._connection()
            msg, fds = op.build(interactive, conn)
            try:
                reply = await self._send_call(conn, op, msg, interactive, timeout)
            except ServiceError as e:
                if attempt == 0 and op.idempotent and e.dbus_name in _common.RETRY_ERRORS:
                    continue
                raise
            finally:
                for fd in fds:
                    os.close(fd)
            if reply.header.message_type == MessageType.error:
                exc = op.error(reply)
                if attempt == 0 and op.idempotent and exc.dbus_name in _common.RETRY_ERRORS:
                    continue
                raise exc
            return op.convert(reply.body)

    async def getrlimit(self, resource, /):
        """getrlimit(resource) -> (soft, hard)"""
        return await self._run(_common.op_getrlimit(resource))

    async def setrlimit(self, resource, limits, /):
        """setrlimit(resource, (soft, hard))"""
        import sys
        sys.audit('resource.setrlimit', resource, limits)
        return await self._run(_common.op_setrlimit(resource, limits))

    async def prlimit(self, *args):
        """prlimit(pid, resource[, limits]) -> (soft, hard)"""
        if not 2 <= len(args) <= 3:
            raise TypeError('prlimit expected 2 to 3 arguments, got %d' % len(args))
        return await self._run(_common.op_prlimit(args[0], args[1], args[2] if len(args) == 3 else None,
                                                  len(args) == 3))

    async def getrusage(self, who, /):
        """getrusage(who) -> resource.struct_rusage (as resource1.getrusage:
        a field Linux does not report is 0, meaning unknown)"""
        return await self._run(_common.op_getrusage(who))

    async def rusage(self, pid, who=RUSAGE_SELF, /):
        """rusage(pid[, who]) -> resource.struct_rusage of process pid (a
        field Linux does not report is 0, meaning unknown)"""
        return await self._run(_common.op_getrusage(who, pid))

    async def getpagesize(self):
        """getpagesize() -> bytes"""
        return await self._run(_common.op_pagesize())

    async def setrlimits(self, pid, limits, /):
        """setrlimits(pid, {resource: (soft, hard)}) -> {name: old (soft, hard)}"""
        return await self._run(_common.op_setrlimits(pid, limits))

    async def rlimits(self, pid=0, /):
        """rlimits([pid]) -> {name: (soft, hard)}"""
        return await self._run(_common.op_listing(pid))

    async def properties(self):
        """The service's properties as a dict."""
        return await self._run(_common.op_get_all_properties())

    async def can_raise_hard_limits(self):
        return bool(await self._run(_common.op_get_property('CanRaiseHardLimits')))

    async def version(self):
        return await self._run(_common.op_get_property('Version'))

    async def resources(self):
        return list(await self._run(_common.op_get_property('Resources')))

    async def subscribe(self):
        """An asyncio Subscription to RlimitChanged (``await sub.get(timeout)``)."""
        conn = await self._connection()
        sub = Subscription(self, conn)
        reply = await conn.call(message_bus.AddMatch(sub._rule), self.timeout)
        if reply.header.message_type == MessageType.error:
            conn.remove_queue(sub._queue)
            raise _common.Op('AddMatch').error(reply)
        return sub


class Subscription:
    """RlimitChanged signals as RlimitChanged tuples; ``async with``.

    While /proc is mounted with hidepid=, the service sends each signal
    only to the connection that made the change."""

    def __init__(self, client, conn):
        self._client = client
        self._conn = conn
        self._queue = asyncio.Queue()
        self._rule = _common.rlimit_changed_rule()
        conn.add_queue(_common.is_rlimit_changed, self._queue)

    async def get(self, timeout=None):
        """The next signal, or None after timeout seconds."""
        try:
            m = await asyncio.wait_for(self._queue.get(), timeout)
        except asyncio.TimeoutError:
            return None
        return _common.signal_from_msg(m)

    def __aiter__(self):
        return self

    async def __anext__(self):
        return await self.get()

    async def close(self):
        self._conn.remove_queue(self._queue)
        if self._conn.broken is None:
            try:
                await self._conn.call(message_bus.RemoveMatch(self._rule), self._client.timeout)
            except ServiceError:
                pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()


_defaults = weakref.WeakKeyDictionary()


def _reset_after_fork():
    _defaults.clear()


os.register_at_fork(after_in_child=_reset_after_fork)


def _default():
    loop = asyncio.get_running_loop()
    c = _defaults.get(loop)
    if c is None:
        c = _defaults[loop] = Client()
    return c


async def getrlimit(resource, /):
    """getrlimit(resource) -> (soft, hard) of the calling process."""
    return await _default().getrlimit(resource)


async def setrlimit(resource, limits, /):
    """setrlimit(resource, (soft, hard)) on the calling process."""
    return await _default().setrlimit(resource, limits)


async def prlimit(*args):
    """prlimit(pid, resource[, limits]) -> (soft, hard)."""
    return await _default().prlimit(*args)


async def getrusage(who, /):
    """getrusage(who) -> resource.struct_rusage of the calling process."""
    return await _default().getrusage(who)


async def rusage(pid, who=RUSAGE_SELF, /):
    """rusage(pid[, who]) -> resource.struct_rusage of process pid."""
    return await _default().rusage(pid, who)


async def getpagesize():
    """getpagesize() -> the page size in bytes."""
    return await _default().getpagesize()


async def setrlimits(pid, limits, /):
    """setrlimits(pid, {resource: (soft, hard)}) -> {name: old (soft, hard)}."""
    return await _default().setrlimits(pid, limits)


async def rlimits(pid=0, /):
    """rlimits([pid]) -> {name: (soft, hard)}."""
    return await _default().rlimits(pid)


async def properties():
    """The service's properties."""
    return await _default().properties()


async def subscribe():
    """A Subscription to RlimitChanged on the loop's shared connection."""
    return await _default().subscribe()
