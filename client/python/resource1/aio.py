"""resource1.aio: the functions of resource1 as asyncio coroutines.

    import asyncio, resource1, resource1.aio as aio

    async def main():
        soft, hard = await aio.getrlimit(resource1.RLIMIT_NOFILE)
        await aio.setrlimit(resource1.RLIMIT_NOFILE, (soft, hard))

The constants and exceptions are resource1's, here too (aio.RLIMIT_NOFILE,
aio.LimitsExceeded).

Many calls may be in flight on one connection; a call waiting for polkit
does not hold up the others, and a cancelled call is forgotten (its answer,
when it comes, is dropped; what the service was asked to do it may still
do). At most 64 calls are in flight on a connection, 32 of them naming a
process by its pidfd (the bus and the service's gate refuse more); the
others wait, in the order they were made, within their timeout. A call the
service refuses for one of its bounds ("try again in N s", "too many ...;
try again") is sent again once that wait is over, within its timeout, as
in resource1; calls the rate limit of changes refused are sent again one
at a time, in order. So ``asyncio.gather`` of a few hundred calls gets
every answer (see "The service's bounds" in help(resource1)).

jeepney's own asyncio integration passes no descriptors, so this module has
a small transport of its own on the event loop (socket.sendmsg with
SCM_RIGHTS), which passes the pidfds naming processes: the calling one too,
by a pidfd its connection keeps, as in resource1 (never the service's
"caller", which behind a bus proxy is the proxy).

The module's functions use one connection per event loop and process,
opened on first use; ``Client`` is a connection of one's own. Its socket
and its pidfd sit high, out of the way of the program's own descriptor
numbers.
"""

import array as _array
import asyncio as _asyncio
import collections as _collections
import errno as _errno
import itertools as _itertools
import os as _os
import socket as _socket
import sys as _sys
import weakref as _weakref

from jeepney.bus import get_bus as _get_bus
from jeepney.bus_messages import message_bus as _message_bus
from jeepney.io.blocking import prep_socket as _prep_socket
from jeepney.low_level import (HeaderFields as _HeaderFields,
                               MessageType as _MessageType,
                               Parser as _Parser)

from . import _agent, _bus, _common
from ._common import (
    ServiceError, InvalidResource, InvalidLimits, InvalidWho, NoSuchProcess,
    PermissionDenied, InteractiveAuthorizationRequired,
    ServiceLacksCapability, RaiseRefused, RaiseImpossible, Failed,
    LimitsExceeded, OtherPidNamespace, InvalidArgs, BusError, Timeout,
    RlimitChanged, LimitAnswer, Answers)
from . import (
    DEFAULT_TIMEOUT, INTERACTIVE_TIMEOUT, RLIMIT_CPU, RLIMIT_FSIZE,
    RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_RSS, RLIMIT_NPROC,
    RLIMIT_NOFILE, RLIMIT_OFILE, RLIMIT_MEMLOCK, RLIMIT_AS,
    RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_RTPRIO,
    RLIMIT_RTTIME, RLIM_INFINITY, RUSAGE_SELF, RUSAGE_CHILDREN,
    RUSAGE_THREAD, error, struct_rusage)

__all__ = [
    'getrlimit', 'setrlimit', 'prlimit', 'getrusage', 'rusage',
    'getpagesize', 'setrlimits', 'can_setrlimit', 'can_setrlimits',
    'rlimits', 'properties', 'LimitAnswer', 'Answers',
    'can_raise_hard_limits', 'version', 'resources', 'subscribe', 'Client',
    'Subscription', 'Connection', 'DEFAULT_TIMEOUT', 'INTERACTIVE_TIMEOUT',
    'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK',
    'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC', 'RLIMIT_NOFILE',
    'RLIMIT_OFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_SIGPENDING',
    'RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME',
    'RLIM_INFINITY', 'RUSAGE_SELF', 'RUSAGE_CHILDREN', 'RUSAGE_THREAD',
    'error', 'struct_rusage', 'RlimitChanged', 'ServiceError',
    'InvalidResource', 'InvalidLimits', 'InvalidWho', 'NoSuchProcess',
    'PermissionDenied', 'InteractiveAuthorizationRequired',
    'ServiceLacksCapability', 'RaiseRefused', 'RaiseImpossible', 'Failed',
    'LimitsExceeded', 'OtherPidNamespace', 'InvalidArgs', 'BusError',
    'Timeout']

_ANCILLARY = _socket.CMSG_SPACE(64 * _array.array('i').itemsize)


def _settle(fut, value):
    if not fut.done():
        fut.set_result(value)


class _Places:
    """``n`` places, given in the order they were asked for (asyncio's
    Semaphore takes no deadline, and its order was not kept before Python
    3.11.1)."""

    def __init__(self, n):
        self._free = n
        self._waiting = _collections.deque()

    async def take(self, loop, deadline):
        """True once a place is the caller's; False when the deadline (of
        loop.time()) passed first or the connection failed."""
        while self._waiting and self._waiting[0].done():
            self._waiting.popleft()          # gave up waiting
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return True
        fut = loop.create_future()
        self._waiting.append(fut)
        timer = (None if deadline is None
                 else loop.call_at(deadline, _settle, fut, False))
        try:
            return await fut
        except _asyncio.CancelledError:
            if fut.done() and not fut.cancelled() and fut.result():
                self.give()                  # given to a caller that left
            raise
        finally:
            if timer is not None:
                timer.cancel()

    def give(self):
        """Gives a place back: to the first one waiting, if any."""
        while self._waiting:
            fut = self._waiting.popleft()
            if not fut.done():
                fut.set_result(True)
                return
        self._free += 1

    def fail(self):
        """Tells everyone waiting that no place will come."""
        while self._waiting:
            _settle(self._waiting.popleft(), False)


class Connection:
    """A D-Bus connection on an asyncio event loop, passing descriptors.
    Its socket and its pidfd of this process (which names the process to
    the service, whatever the bus thinks the caller is) are kept high, out
    of the way of the program's own descriptor numbers. At most
    MAX_IN_FLIGHT calls are in flight on it (MAX_FDS_IN_FLIGHT of them
    carrying a descriptor); the others wait in order."""

    #: Calls in flight at most (see resource1's "The service's bounds").
    MAX_IN_FLIGHT = _common.MAX_IN_FLIGHT
    #: Of those, carrying a descriptor.
    MAX_FDS_IN_FLIGHT = _common.MAX_FDS_IN_FLIGHT

    @classmethod
    async def open(cls, address=None):
        loop = _asyncio.get_running_loop()
        addr = _get_bus(address or 'SYSTEM')
        sock = await loop.run_in_executor(None, _prep_socket, addr, True,
                                          5.0)
        sock = _bus.move_socket_high(sock)
        try:
            self_pidfd = _bus.open_self_pidfd()
        except OSError:
            sock.close()
            raise
        self = cls(sock, loop, self_pidfd)
        try:
            reply = await self.call(_message_bus.Hello(), 10.0)
        except BaseException:
            self.close()
            raise
        self.unique_name = reply.body[0]
        return self

    def __init__(self, sock, loop, self_pidfd=None):
        self.sock = sock
        self.loop = loop
        self.pid = _os.getpid()
        #: an OwnFd of this process's pidfd, which names it (None: none)
        self.self_pidfd = self_pidfd
        sock.setblocking(False)
        self._parser = _Parser()
        self._serials = _itertools.count(1)
        self._futures = {}
        self._queues = []
        self._send_lock = _asyncio.Lock()
        self.broken = None
        self._places = _Places(self.MAX_IN_FLIGHT)
        self._fd_places = _Places(self.MAX_FDS_IN_FLIGHT)
        # serial -> the places it holds, for every call sent whose answer
        # has not come yet (given up or not: the bus counts it)
        self._holding = {}
        # The calls the rate limit of changes refused are sent again one
        # at a time, in order, not before rate_until (loop.time()).
        self.rate_turn = _Places(1)
        self.rate_until = 0.0
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
        err = self._lost()
        for fut in self._futures.values():
            if not fut.done():
                fut.set_exception(err)
        for places in (self._fd_places, self._places, self.rate_turn):
            places.fail()

    def _lost(self):
        return _common.make_error(_common.DISCONNECTED,
                                  'the connection to the bus was lost: %s'
                                  % self.broken)

    def _free(self, serial):
        for places in self._holding.pop(serial, ()):
            places.give()

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
            if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                fds = _array.array('i')
                fds.frombytes(payload[:len(payload) -
                                      len(payload) % fds.itemsize])
                for fd in fds:
                    _os.close(fd)
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
            if t in (_MessageType.method_return, _MessageType.error):
                serial = m.header.fields.get(_HeaderFields.reply_serial)
                self._free(serial)
                fut = self._futures.pop(serial, None)
                if fut is not None and not fut.done():
                    fut.set_result(m)
            elif t == _MessageType.signal:
                for matches, q in self._queues:
                    if matches(m):
                        q.put_nowait(m)

    async def _writable(self):
        fut = self.loop.create_future()
        fd = self.sock.fileno()
        self.loop.add_writer(fd, _settle, fut, None)
        try:
            await fut
        finally:
            self.loop.remove_writer(fd)

    async def _send_all(self, data, fds):
        async with self._send_lock:
            anc = ([(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)] if fds
                   else [])
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
                    if not anc or e.errno != _errno.ETOOMANYREFS:
                        raise
                    delay = next(delays, None)
                    if delay is None:
                        raise _bus.FdsNotSent(e.errno,
                                              _bus.fds_not_sent_text(e))
                    await _asyncio.sleep(delay)
                    continue
                anc = []
                view = view[n:]

    def _sent(self, serial, task):
        """The end of a send, whether its call still waits or not."""
        if task.cancelled():
            self._free(serial)
            return
        e = task.exception()
        if e is None:
            return
        self._free(serial)                   # nothing of it was sent
        if not isinstance(e, _bus.FdsNotSent):
            self._fail(e)

    async def _take_places(self, fds, deadline, timeout):
        """The places a call needs (see MAX_IN_FLIGHT), in order."""
        held = []
        try:
            wanted = (self._fd_places, self._places) if fds else \
                (self._places,)
            for places in wanted:
                if not await places.take(self.loop, deadline):
                    if self.broken is not None:
                        raise self._lost()
                    raise _common.no_room_error(timeout, fds)
                held.append(places)
        except BaseException:
            for places in held:
                places.give()
            raise
        return held

    async def call(self, msg, timeout):
        """Sends msg; returns its reply (a method return or an error
        message). Waits first, within the timeout, for a place among the
        calls in flight."""
        if self.broken is not None:
            raise self._lost()
        deadline = None if timeout is None else self.loop.time() + timeout
        serial = next(self._serials)
        fds = _array.array('i')
        data = _common.serialise(msg, serial, fds)
        held = await self._take_places(bool(fds), deadline, timeout)
        if self.broken is not None:
            for places in held:
                places.give()
            raise self._lost()
        self._holding[serial] = held
        fut = self.loop.create_future()
        self._futures[serial] = fut
        try:
            # A message half written would garble the stream: the send is
            # finished even when the call is cancelled.
            send = self.loop.create_task(self._send_all(data, fds))
            send.add_done_callback(lambda t: self._sent(serial, t))
            try:
                await _asyncio.shield(send)
            except _bus.FdsNotSent:
                raise
            except OSError as e:
                raise _common.make_error(_common.DISCONNECTED,
                                         str(e)) from e
            remaining = (None if deadline is None
                         else max(0.0, deadline - self.loop.time()))
            try:
                return await _asyncio.wait_for(fut, remaining)
            except _asyncio.TimeoutError:
                raise _common.make_error(_common.TIMEOUT,
                                         'no reply within %g s'
                                         % timeout) from None
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
    """A connection of one's own, on the running event loop; the methods
    are the module's coroutines. ``interactive``, ``polkit_agent`` and
    ``timeout`` as in resource1.Client (pkttyagent is started and stopped
    off the event loop, in its default executor); ``timeout`` bounds each
    call as a whole: its wait for a place among the calls in flight, and
    the waits the service's bounds ask for."""

    def __init__(self, interactive=False, timeout=None, address=None,
                 polkit_agent=False):
        self.interactive = bool(interactive)
        self.polkit_agent = bool(polkit_agent)
        self.timeout = timeout if timeout is not None else (
            INTERACTIVE_TIMEOUT if interactive else DEFAULT_TIMEOUT)
        self._agent_timeout = (timeout if timeout is not None
                               else INTERACTIVE_TIMEOUT)
        self.address = address or _os.environ.get('RESOURCE1_BUS_ADDRESS')
        self._conn = None
        self._opening = None

    def __repr__(self):
        return 'aio.Client(interactive=%r, timeout=%r, polkit_agent=%r)' % (
            self.interactive, self.timeout, self.polkit_agent)

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
        if c is not None and (c.broken is not None or
                              c.pid != _os.getpid() or
                              c.loop is not _asyncio.get_running_loop()):
            if c.pid == _os.getpid():
                c.close()
            c = self._conn = None
        if c is None:
            if self._opening is None or self._opening.done():
                self._opening = _asyncio.ensure_future(self._open())
            c = await _asyncio.shield(self._opening)
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
            if (not self.polkit_agent or
                    e.dbus_name != _agent.INTERACTIVE_REQUIRED):
                raise
            refused = e
        # Sent again only to an agent started for it (as resource1.Client).
        loop = _asyncio.get_running_loop()
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

    async def _attempt(self, op, interactive, deadline):
        """One sending of op (two where the kernel refused to pass this
        process's pidfd, as in resource1.Client); its answer converted, or
        the error raised."""
        conn = await self._connection()
        loop = conn.loop
        msg, fds = op.build(interactive, conn)
        try:
            try:
                reply = await conn.call(msg, _remaining(loop, deadline))
            except _bus.FdsNotSent:
                if op.fallback is None:
                    raise
                by_number, _ = op.build(interactive, conn, by_number=True)
                reply = await conn.call(by_number,
                                        _remaining(loop, deadline))
        finally:
            for fd in fds:
                _os.close(fd)
        if _common.is_error(reply):
            raise op.error(reply)
        return op.convert(reply.body)

    async def _call(self, op, interactive, timeout):
        """op's answer within timeout s, as resource1.Client._call: a read
        the service's restart failed is sent once more; a call refused for
        a bound is sent again once the wait it names is over, unless that
        would pass the deadline (then the refusal is raised); those the
        rate limit refused, one at a time, in order."""
        loop = _asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        resent = False
        tries = 0
        turn = None           # the connection whose rate turn is held
        try:
            while True:
                try:
                    return await self._attempt(op, interactive, deadline)
                except ServiceError as e:
                    if (not resent and op.idempotent and
                            e.dbus_name in _common.RETRY_ERRORS):
                        resent = True
                        continue
                    after = _common.retry_after(e, tries)
                    if after is None:
                        raise
                    wait, rate = after
                    if rate:
                        conn = await self._connection()
                        conn.rate_until = loop.time() + wait
                        if turn is None:
                            if not await conn.rate_turn.take(loop,
                                                             deadline):
                                raise
                            turn = conn
                        wait = turn.rate_until - loop.time()
                    else:
                        tries += 1
                    if deadline is not None and \
                            loop.time() + wait >= deadline:
                        raise
                    await _asyncio.sleep(max(0.0, wait))
        finally:
            if turn is not None:
                turn.rate_turn.give()

    async def getrlimit(self, resource, /):
        """getrlimit(resource) -> (soft, hard)"""
        return await self._run(_common.op_getrlimit(resource))

    async def setrlimit(self, resource, limits, /):
        """setrlimit(resource, (soft, hard))"""
        _sys.audit('resource.setrlimit', resource, limits)
        return await self._run(_common.op_setrlimit(resource, limits))

    async def prlimit(self, *args):
        """prlimit(pid, resource[, limits]) -> (soft, hard)"""
        if not 2 <= len(args) <= 3:
            raise TypeError('prlimit expected 2 to 3 arguments, got %d'
                            % len(args))
        pid = _common.check_pid(args[0])
        resource = _common.as_c_int(args[1])
        limits = args[2] if len(args) == 3 else None
        if 0 <= resource < _common.RLIM_NLIMITS:
            _sys.audit('resource.prlimit', pid, resource, limits)
        return await self._run(_common.op_prlimit(pid, resource, limits,
                                                  len(args) == 3))

    async def getrusage(self, who, /):
        """getrusage(who) -> resource.struct_rusage (as resource1.getrusage:
        a field Linux does not report is 0, meaning unknown; times in the
        10 ms ticks of /proc)"""
        return await self._run(_common.op_getrusage(who))

    async def rusage(self, pid, who=RUSAGE_SELF, /):
        """rusage(pid[, who]) -> resource.struct_rusage of process pid (a
        field Linux does not report is 0, meaning unknown)"""
        return await self._run(_common.op_getrusage(who, pid))

    async def getpagesize(self):
        """getpagesize() -> bytes"""
        return await self._run(_common.op_pagesize())

    async def setrlimits(self, pid, limits, /):
        """setrlimits(pid, {resource: (soft, hard)}) -> {name: old (soft,
        hard)}"""
        return await self._run(_common.op_setrlimits(pid, limits))

    async def can_setrlimits(self, pid, limits, /):
        """can_setrlimits(pid, {resource: (soft, hard)}) -> Answers(answer,
        {name: LimitAnswer(answer, action)}): what setrlimits() would meet
        now, nothing changed, nobody asked."""
        return await self._run(_common.op_can_setrlimits(pid, limits))

    async def can_setrlimit(self, resource, limits, /, pid=0):
        """can_setrlimit(resource, (soft, hard), pid=0) ->
        LimitAnswer(answer, action)"""
        answers = await self.can_setrlimits(pid, {resource: limits})
        (only,) = answers.limits.values()
        return only

    async def rlimits(self, pid=0, /):
        """rlimits([pid]) -> {name: (soft, hard)}"""
        return await self._run(_common.op_listing(pid))

    async def properties(self):
        """The service's properties as a dict."""
        return await self._run(_common.op_get_all_properties())

    async def can_raise_hard_limits(self):
        """Whether the service holds CAP_SYS_RESOURCE
        (CanRaiseHardLimits)."""
        op = _common.op_get_property('CanRaiseHardLimits')
        return bool(await self._run(op))

    async def version(self):
        """The service's Version property."""
        return await self._run(_common.op_get_property('Version'))

    async def resources(self):
        """The resource names the service offers (Resources)."""
        return list(await self._run(_common.op_get_property('Resources')))

    async def subscribe(self):
        """An asyncio Subscription to RlimitChanged (``await
        sub.get(timeout)``)."""
        conn = await self._connection()
        sub = Subscription(self, conn)
        reply = await conn.call(_message_bus.AddMatch(sub._rule),
                                self.timeout)
        if _common.is_error(reply):
            conn.remove_queue(sub._queue)
            raise _common.Op('AddMatch').error(reply)
        return sub


def _remaining(loop, deadline):
    return None if deadline is None else max(0.0, deadline - loop.time())


class Subscription:
    """RlimitChanged signals as RlimitChanged tuples; ``async with``.

    While /proc is mounted with hidepid=, the service sends each signal
    only to the connection that made the change."""

    def __init__(self, client, conn):
        self._client = client
        self._conn = conn
        self._queue = _asyncio.Queue()
        self._rule = _common.rlimit_changed_rule()
        conn.add_queue(_common.is_rlimit_changed, self._queue)

    async def get(self, timeout=None):
        """The next signal, or None after timeout seconds."""
        try:
            m = await _asyncio.wait_for(self._queue.get(), timeout)
        except _asyncio.TimeoutError:
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
                await self._conn.call(_message_bus.RemoveMatch(self._rule),
                                      self._client.timeout)
            except ServiceError:
                pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()


_defaults = _weakref.WeakKeyDictionary()


def _reset_after_fork():
    _defaults.clear()


_os.register_at_fork(after_in_child=_reset_after_fork)


def _default():
    loop = _asyncio.get_running_loop()
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
    """setrlimits(pid, {resource: (soft, hard)}) -> {name: old (soft,
    hard)}."""
    return await _default().setrlimits(pid, limits)


async def can_setrlimits(pid, limits, /):
    """can_setrlimits(pid, {resource: (soft, hard)}) -> Answers(answer,
    {name: LimitAnswer(answer, action)})."""
    return await _default().can_setrlimits(pid, limits)


async def can_setrlimit(resource, limits, /, pid=0):
    """can_setrlimit(resource, (soft, hard), pid=0) -> LimitAnswer(answer,
    action)."""
    return await _default().can_setrlimit(resource, limits, pid=pid)


async def rlimits(pid=0, /):
    """rlimits([pid]) -> {name: (soft, hard)}."""
    return await _default().rlimits(pid)


async def properties():
    """The service's properties."""
    return await _default().properties()


async def can_raise_hard_limits():
    """Whether the service can raise hard limits (holds CAP_SYS_RESOURCE)."""
    return await _default().can_raise_hard_limits()


async def version():
    """The service's version."""
    return await _default().version()


async def resources():
    """The names of the resources the service offers."""
    return await _default().resources()


async def subscribe():
    """A Subscription to RlimitChanged on the loop's shared connection."""
    return await _default().subscribe()
