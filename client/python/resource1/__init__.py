"""resource1: Python's ``resource`` module over the org.example.Resource1
bus service.

A drop-in for the standard library's ``resource``::

    import resource1 as resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

Every ``RLIMIT_*``, ``RLIM_INFINITY`` (-1) and ``RUSAGE_*`` is the local
module's, ``error`` is ``OSError``, and ``getrlimit``, ``setrlimit``,
``prlimit``, ``getrusage`` (a ``resource.struct_rusage``) and
``getpagesize`` check their arguments and raise as CPython 3.11's
``resource`` does. Where it differs:

- A hard-limit raise may be granted by polkit rather than needing root. A
  refused one is ``ValueError("not allowed to raise maximum limit ...")``
  from ``setrlimit`` (as CPython maps EPERM) and ``PermissionError`` from
  ``prlimit``; the service's reason follows in the text. A change that was
  allowed but that the service cannot make, as it lacks CAP_SYS_RESOURCE,
  raises the same, as a ``ServiceLacksCapability`` (a ``PermissionDenied``;
  from ``setrlimit`` a ``RaiseImpossible``, a ``ValueError`` too): catch it
  first to tell a misconfigured service from a refusal.
- The package holds descriptors: its connection's socket and a pidfd of
  this process (see below). They sit high, out of the way of the numbers
  the program's own ``open()`` gets, and once open they keep working when
  the program has no descriptor left; a call that needs a new one (a pidfd
  of another process, a new connection) fails with EMFILE, as ``open()``
  would.
- ``getrusage`` is read from /proc by the service: ``ru_utime`` and
  ``ru_stime`` come in the kernel's 10 ms ticks (USER_HZ), and the fields
  /proc lacks are 0 (see ``getrusage``).
- Each call is a call of a bus service: it may fail as one (``BusError``
  when the service is not there, ``Timeout``), and it lives with the
  service's bounds (below).

Every exception made from a service's answer is also a ``ServiceError``,
with the D-Bus error name in ``dbus_name`` and the service's text in
``dbus_message``.

A pid is one of the caller's pid namespace, and every process is named to
the service by a pidfd (those calls go to the bus name
``org.example.Resource1.Pidfd``, the only one of the service's that takes a
descriptor). The calling process too (``getrlimit``, ``setrlimit``,
``getrusage``, pid 0 or ``os.getpid()``): by a pidfd of it that its
connection keeps, never as the service's "caller", which is whoever owns
the bus connection -- behind a bus proxy (Flatpak's xdg-dbus-proxy) the
proxy. ``RUSAGE_THREAD`` of a thread other than the main one sends that
thread's pidfd (Linux 6.9); before Linux 6.9 (Debian 12's 6.1) its thread
id, which the service takes only from a caller in its own pid namespace,
not through a proxy. Where the kernel gives no pidfd (no pidfd_open(2)),
or refuses to pass one (ETOOMANYREFS: more of the user's descriptors in
flight than a soft NOFILE limit the program lowered), this process is
named as the service's caller, which is right unless a proxy stands
between.

Beyond ``resource``: ``setrlimits(pid, {RLIMIT_NOFILE: (soft, hard),
...})`` (all or nothing, one authorization), ``can_setrlimit(resource,
limits, pid=0)`` and ``can_setrlimits(pid, {...})`` (what setting them
would meet now: "yes", "challenge", "no" or "na", nothing changed, nobody
asked for a password), ``rlimits(pid)`` (every limit), ``rusage(pid,
who)`` (usage of another process), ``properties()``,
``can_raise_hard_limits()``, ``version()``, ``resources()``,
``subscribe()`` (RlimitChanged signals), ``explain(resource, pid)`` (where a
process's limit comes from), and ``Client`` for a connection of
one's own, with ``interactive`` (polkit may ask for a password through an
agent that runs), ``polkit_agent`` (on a terminal, pkttyagent is started
to ask) and ``timeout``. ``resource1.aio`` has the same as coroutines.

The module's functions share one connection per process, opened on first
use, reopened in a forked child (with a pidfd of the child) and after the
bus connection was lost; threads may share it. A read that fails because
the service restarted is sent once more; a change never is. A connection
holds two descriptors, its socket and its pidfd of this process, both moved
high (at or above the soft NOFILE limit less 16, below 1024) so that they
never take the lowest free numbers the program's own open() counts on:
PyMOTW's example that lowers NOFILE to 4 still gets descriptor 3.

The service's bounds
--------------------

The service and the bus bound what one caller may have them hold; each
refusal is an error, and nothing was done. The package lives with them, so
that a program that makes many calls at once (a session manager lowering
a limit of each of the hundred processes it starts, with
``asyncio.gather``) gets every one done:

- The rate limit of changes: each user (with the uids of the user
  namespaces it owns) may change 64 limits at once, then 4 a second; all
  users but root together 256, then 64 a second. Past it:
  ``LimitsExceeded`` "... over the rate limit of changes (64 at once, then
  4 a second); try again in N s". The package waits N s and sends the call
  again; the calls so refused are sent again one at a time (in ``aio`` in
  the order they were refused).
- Changes in progress (waiting for polkit or being carried out), and
  usage reads in progress: 16 per user, 100 in all, each (the service's
  --max-pending-per-uid and --max-pending). Past them: ``LimitsExceeded``
  "... in progress ...; try again once they are answered".
- Calls waiting for the bus to say who their caller is, when a connection
  is new: 32 per connection, 256 connections. Past them:
  ``LimitsExceeded`` "too many calls wait for the bus to say who their
  callers are; try again" (and, rarely, ``Failed`` "... try again").
- Calls carrying a pidfd, which go through the service's gate: 32 per
  connection, 1024 in all. Past them: ``LimitsExceeded`` "too many calls
  with descriptors are in progress ...; try again".
- The bus: 128 calls of one connection awaiting their replies (dbus-daemon's
  max_replies_per_connection). Past it: ``BusError``
  (org.freedesktop.DBus.Error.LimitsExceeded) "The maximum number of
  pending replies per connection has been reached". And what waits for the
  service to read it: for the gate, 64 descriptors (max_outgoing_unix_fds),
  which a flood of calls from anyone can fill for moments at a time. Past
  it: ``BusError`` (the same name) "Rejected: destination has a full
  message queue".

A connection keeps at most 64 calls in flight, 32 of them carrying a
pidfd; more wait, in the order they were made, for an answer to free a
place. A call refused with "try again" (no time named), or by either of
the bus's bounds, is sent again after a short pause (10 ms, doubling up to
0.5 s). All of it happens within the call's ``timeout`` (25 s unless
given), one deadline for the whole call: when the wait would pass it, the
call raises the service's refusal at once (``LimitsExceeded``, errno
EAGAIN), or ``Timeout`` if it could not even be sent.
"""

import os as _os
import sys as _sys
import threading as _threading
import time as _time

from resource import (
    RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE,
    RLIMIT_RSS, RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_OFILE, RLIMIT_MEMLOCK,
    RLIMIT_AS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE,
    RLIMIT_RTPRIO, RLIMIT_RTTIME, RLIM_INFINITY, RUSAGE_SELF,
    RUSAGE_CHILDREN, RUSAGE_THREAD, struct_rusage)

from . import _agent, _bus, _common, _explain
from ._common import (
    ServiceError, InvalidResource, InvalidLimits, InvalidWho, NoSuchProcess,
    PermissionDenied, InteractiveAuthorizationRequired,
    ServiceLacksCapability, RaiseRefused, RaiseImpossible, Failed,
    LimitsExceeded, OtherPidNamespace, InvalidArgs, BusError, Timeout,
    RlimitChanged, LimitAnswer, Answers)
from ._bus import Connection as _Connection, SignalQueue as _SignalQueue

__all__ = [
    'RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK',
    'RLIMIT_CORE', 'RLIMIT_RSS', 'RLIMIT_NPROC', 'RLIMIT_NOFILE',
    'RLIMIT_OFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_SIGPENDING',
    'RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME',
    'RLIM_INFINITY', 'RUSAGE_SELF', 'RUSAGE_CHILDREN', 'RUSAGE_THREAD',
    'error', 'struct_rusage', 'getrlimit', 'setrlimit', 'prlimit',
    'getrusage', 'getpagesize', 'setrlimits', 'can_setrlimit',
    'can_setrlimits', 'rlimits', 'rusage', 'properties',
    'can_raise_hard_limits', 'version', 'resources', 'subscribe', 'explain',
    'Client', 'Subscription', 'RlimitChanged', 'LimitAnswer', 'Answers',
    'DEFAULT_TIMEOUT', 'INTERACTIVE_TIMEOUT', 'ServiceError',
    'InvalidResource', 'InvalidLimits', 'InvalidWho', 'NoSuchProcess',
    'PermissionDenied', 'InteractiveAuthorizationRequired',
    'ServiceLacksCapability', 'RaiseRefused', 'RaiseImpossible', 'Failed',
    'LimitsExceeded', 'OtherPidNamespace', 'InvalidArgs', 'BusError',
    'Timeout']

__version__ = '0.1.0'

error = OSError

#: Seconds a call may take, all told, unless a Client is given another
#: timeout.
DEFAULT_TIMEOUT = 25.0
#: The same for a call that may ask the user for a password.
INTERACTIVE_TIMEOUT = 300.0


class Client:
    """A connection of one's own to the service.

    ``interactive``: the calls allow interactive authorization (an
    authentication agent that runs, a desktop session's, may ask the user
    for a password; the service then waits up to 290 s).
    ``polkit_agent``: a call that polkit wants authenticated starts
    polkit's text agent, pkttyagent, for this process and is sent once more
    allowing interaction, so that the password is typed on the terminal;
    only when standard input is a terminal and the user is not root, and
    only then is it sent again (otherwise InteractiveAuthorizationRequired
    says what stood in the way). The agent runs until that call is
    answered. ``timeout``: seconds each call may take, all told: its wait
    for a place among the connection's calls in flight, the waits the
    service's bounds ask for and the answer (default 25, 300 when
    interactive or when the agent asks; see "The service's bounds").
    ``address``: a D-Bus address instead of the system bus. The connection
    is opened on first use; ``close()`` (or ``with``) ends it. The methods
    are the module's functions.
    """

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
        self._lock = _threading.Lock()
        # The calls the rate limit of changes refused are sent again one
        # at a time, not before _rate_until (time.monotonic()).
        self._rate_turn = _threading.Lock()
        self._rate_until = 0.0

    def __repr__(self):
        return 'Client(interactive=%r, timeout=%r, polkit_agent=%r)' % (
            self.interactive, self.timeout, self.polkit_agent)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _connection(self):
        with self._lock:
            c = self._conn
            if c is not None and (c.broken is not None or
                                  c.pid != _os.getpid()):
                if c.pid == _os.getpid():
                    c.close()
                c = self._conn = None
            if c is None:
                try:
                    c = self._conn = _Connection(self.address)
                except ServiceError:
                    raise
                except OSError as e:
                    exc = _common.make_error(
                        'org.freedesktop.DBus.Error.NoServer',
                        'cannot connect to the bus: %s' % e)
                    if e.errno is not None:    # EMFILE, ENOENT, ...
                        exc.errno = e.errno
                    raise exc from e
            return c

    def __del__(self):
        c = getattr(self, '_conn', None)
        if c is not None and c.pid == _os.getpid():
            c.close()

    def _after_fork(self):
        # The parent's connection, and its pidfd of the parent, are never
        # used here: the child makes its own, naming itself.
        self._lock = _threading.Lock()
        self._rate_turn = _threading.Lock()
        c, self._conn = self._conn, None
        if c is not None:
            try:
                c.sock.close()
            except OSError:
                pass
            c.self_pidfd = None      # this copy closed with its last reference

    def _run(self, op):
        try:
            return self._call(op, self.interactive, self.timeout)
        except ServiceError as e:
            if (not self.polkit_agent or
                    e.dbus_name != _agent.INTERACTIVE_REQUIRED):
                raise
            refused = e
        # Sent again only to an agent started for it: without one nothing
        # could answer.
        agent = _agent.PolkitAgent.open()
        try:
            if agent.running:
                return self._call(op, True, self._agent_timeout)
        except ServiceError as e:
            if e.dbus_name != _agent.INTERACTIVE_REQUIRED:
                raise
            refused = e
        finally:
            agent.close()
        message = _agent.explain(refused.dbus_message, agent)
        raise op.make_error(refused.dbus_name, message) from None

    def _attempt(self, op, interactive, deadline):
        """One sending of op; its answer converted, or the error raised.
        Where the kernel refused to pass this process's pidfd (FdsNotSent:
        its soft NOFILE limit is below the descriptors its user has in
        flight), this process is named as the service's "caller" instead,
        as where the kernel has no pidfds: right unless a bus proxy stands
        between (there the service refuses it, or takes the proxy). A pidfd
        of another process has no such stand-in."""
        conn = self._connection()
        msg, fds = op.build(interactive, conn)
        try:
            try:
                reply = conn.call(msg, _remaining(deadline))
            except _bus.FdsNotSent:
                if op.fallback is None:
                    raise
                by_number, _ = op.build(interactive, conn, by_number=True)
                reply = conn.call(by_number, _remaining(deadline))
        finally:
            for fd in fds:
                _os.close(fd)
        if _common.is_error(reply):
            raise op.error(reply)
        return op.convert(reply.body)

    def _call(self, op, interactive, timeout):
        """op's answer within timeout s. A read the service's restart
        failed is sent once more. A call refused for one of the service's
        bounds is sent again once the wait the refusal names (or a short
        pause) is over, unless that would pass the deadline: then the
        refusal is raised. Those the rate limit refused are sent again one
        at a time."""
        deadline = None if timeout is None else _time.monotonic() + timeout
        resent = False
        tries = 0
        turn = False
        try:
            while True:
                try:
                    return self._attempt(op, interactive, deadline)
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
                        self._rate_until = _time.monotonic() + wait
                        if not turn:
                            left = _remaining(deadline)
                            if not self._rate_turn.acquire(
                                    timeout=-1 if left is None else left):
                                raise
                            turn = True
                        wait = self._rate_until - _time.monotonic()
                    else:
                        tries += 1
                    if deadline is not None and \
                            _time.monotonic() + wait >= deadline:
                        raise
                    _time.sleep(max(0.0, wait))
        finally:
            if turn:
                self._rate_turn.release()

    # -- resource's functions
    def getrlimit(self, resource, /):
        """getrlimit(resource) -> (soft, hard) of the calling process."""
        return self._run(_common.op_getrlimit(resource))

    def setrlimit(self, resource, limits, /):
        """setrlimit(resource, (soft, hard)) on the calling process."""
        _sys.audit('resource.setrlimit', resource, limits)
        return self._run(_common.op_setrlimit(resource, limits))

    def prlimit(self, *args):
        """prlimit(pid, resource[, limits]) -> (soft, hard) in force before.

        pid 0 is the calling process; any other pid is one of the caller's
        pid namespace. Each is passed as a pidfd."""
        if not 2 <= len(args) <= 3:
            raise TypeError('prlimit expected 2 to 3 arguments, got %d'
                            % len(args))
        pid = _common.check_pid(args[0])
        resource = _common.as_c_int(args[1])
        limits = args[2] if len(args) == 3 else None
        if 0 <= resource < _common.RLIM_NLIMITS:
            _sys.audit('resource.prlimit', pid, resource, limits)
        return self._run(_common.op_prlimit(pid, resource, limits,
                                            len(args) == 3))

    def getrusage(self, who, /):
        """getrusage(who) -> resource.struct_rusage of the calling process.

        who: RUSAGE_SELF, RUSAGE_CHILDREN or RUSAGE_THREAD.

        The service reads /proc: ru_utime and ru_stime in the kernel's
        10 ms ticks. Fields Linux does not report are 0, meaning unknown:
        ru_ixrss, ru_idrss, ru_isrss, ru_nswap, ru_msgsnd, ru_msgrcv and
        ru_nsignals always; for RUSAGE_CHILDREN also ru_maxrss, ru_inblock,
        ru_oublock, ru_nvcsw and ru_nivcsw, which /proc lacks for children
        (so unlike resource.getrusage even for the caller)."""
        return self._run(_common.op_getrusage(who))

    def rusage(self, pid, who=RUSAGE_SELF, /):
        """rusage(pid[, who]) -> resource.struct_rusage of process pid (0:
        the calling process), which the service reads from /proc (times in
        10 ms ticks); fields Linux does not report are 0, as for
        getrusage()."""
        return self._run(_common.op_getrusage(who, pid))

    def getpagesize(self, /):
        """getpagesize() -> the system's page size in bytes."""
        return self._run(_common.op_pagesize())

    # -- beyond resource
    def setrlimits(self, pid, limits, /):
        """setrlimits(pid, {RLIMIT_NOFILE: (soft, hard), ...}) -> the old
        limits.

        One request, one authorization, all or nothing; applied in the
        order given. Keys are RLIMIT_* numbers or names ("NOFILE"); the
        old limits come back as {name: (soft, hard)}."""
        return self._run(_common.op_setrlimits(pid, limits))

    def can_setrlimits(self, pid, limits, /):
        """can_setrlimits(pid, {RLIMIT_NOFILE: (soft, hard), ...}) ->
        Answers(answer, {name: LimitAnswer(answer, action)}).

        What setrlimits(pid, limits) would meet now, without changing
        anything and without asking anyone for a password: "yes",
        "challenge", "no" or "na" for the batch and for each limit, with
        the polkit action that decided each ("" when none did)."""
        return self._run(_common.op_can_setrlimits(pid, limits))

    def can_setrlimit(self, resource, limits, /, pid=0):
        """can_setrlimit(resource, (soft, hard), pid=0) ->
        LimitAnswer(answer, action).

        What setting one limit of process pid (0: the calling process)
        would meet now: see can_setrlimits()."""
        return _one_answer(self.can_setrlimits(pid, {resource: limits}))

    def rlimits(self, pid=0, /):
        """rlimits([pid]) -> {name: (soft, hard)} of every resource."""
        return self._run(_common.op_listing(pid))

    def properties(self):
        """The service's properties: Resources, Infinity, Version,
        CanRaiseHardLimits."""
        return self._run(_common.op_get_all_properties())

    def can_raise_hard_limits(self):
        """Whether the service holds CAP_SYS_RESOURCE
        (CanRaiseHardLimits)."""
        op = _common.op_get_property('CanRaiseHardLimits')
        return bool(self._run(op))

    def version(self):
        """The service's Version property."""
        return self._run(_common.op_get_property('Version'))

    def resources(self):
        """The resource names the service offers (Resources)."""
        return list(self._run(_common.op_get_property('Resources')))

    def explain(self, resource, pid=0, /, *, to=None):
        """explain() (see the module's), asking this connection's service
        what raising the limit would take (can_setrlimits())."""
        return _explain.explain(resource, pid, self.can_setrlimits, to)

    def subscribe(self):
        """A Subscription to RlimitChanged: ``get(timeout)`` or iterate."""
        return Subscription(self)


def _remaining(deadline):
    """Seconds left until deadline (time.monotonic()); None: no end."""
    return None if deadline is None else max(0.0,
                                             deadline - _time.monotonic())


class Subscription:
    """RlimitChanged signals of the service, as RlimitChanged tuples.

    While /proc is mounted with hidepid=, the service sends each signal
    only to the connection that made the change.
    ``get(timeout=None)`` returns the next one (None at the timeout);
    iterating yields them; ``close()`` (or ``with``) ends the
    subscription."""

    def __init__(self, client):
        from jeepney.bus_messages import message_bus
        self._client = client
        self._conn = client._connection()
        self._queue = _SignalQueue(_common.is_rlimit_changed)
        self._conn.add_queue(self._queue)
        self._rule = _common.rlimit_changed_rule()
        reply = self._conn.call(message_bus.AddMatch(self._rule),
                                client.timeout)
        if _common.is_error(reply):
            self._conn.remove_queue(self._queue)
            raise _common.Op('AddMatch').error(reply)

    def get(self, timeout=None):
        deadline = None if timeout is None else _time.monotonic() + timeout
        c = self._conn
        with c._cond:
            if not c.wait(lambda: bool(self._queue.items), deadline):
                return None
            return _common.signal_from_msg(self._queue.items.pop(0))

    def __iter__(self):
        while True:
            yield self.get()

    def close(self):
        from jeepney.bus_messages import message_bus
        self._conn.remove_queue(self._queue)
        if self._conn.broken is None and self._conn.pid == _os.getpid():
            try:
                self._conn.call(message_bus.RemoveMatch(self._rule),
                                self._client.timeout)
            except ServiceError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_default = Client()


def _reset_after_fork():
    _default._after_fork()


_os.register_at_fork(after_in_child=_reset_after_fork)


def getrlimit(resource, /):
    """getrlimit(resource) -> (soft, hard): the calling process's limits of
    resource (an RLIMIT_* constant); RLIM_INFINITY (-1) is no limit. The
    process is named to the service by a pidfd of it (behind a bus proxy,
    the bus's caller is the proxy)."""
    return _default._run(_common.op_getrlimit(resource))


def setrlimit(resource, limits, /):
    """setrlimit(resource, (soft, hard)): sets the calling process's limits
    (named to the service by a pidfd of it, as for getrlimit).

    Raising a hard limit needs root or polkit's org.example.resource1.
    raise-hard-limit; refused, it is ValueError("not allowed to raise
    maximum limit (<the service's reason>)"), also a PermissionError."""
    _sys.audit('resource.setrlimit', resource, limits)
    return _default._run(_common.op_setrlimit(resource, limits))


def prlimit(*args):
    """prlimit(pid, resource[, limits]) -> (soft, hard).

    Without limits: pid's limits. With them: sets them and returns those in
    force before. pid 0 is the calling process; other pids are of the
    caller's pid namespace; each is named to the service by a pidfd.
    PermissionError, ProcessLookupError as CPython's prlimit."""
    return _default.prlimit(*args)


def getrusage(who, /):
    """getrusage(who) -> resource.struct_rusage of the calling process
    (named by a pidfd of it, as for getrlimit); who is RUSAGE_SELF,
    RUSAGE_CHILDREN or RUSAGE_THREAD (the calling thread: its own pidfd,
    Linux 6.9; before it, its thread id, which the service takes only on
    the host, not through a bus proxy).

    The service reads /proc: ru_utime and ru_stime in the kernel's 10 ms
    ticks. Fields Linux does not report are 0, meaning unknown: ru_ixrss,
    ru_idrss, ru_isrss, ru_nswap, ru_msgsnd, ru_msgrcv and ru_nsignals
    always; for RUSAGE_CHILDREN also ru_maxrss, ru_inblock, ru_oublock,
    ru_nvcsw and ru_nivcsw, which /proc lacks for children (so unlike
    resource.getrusage even for the caller)."""
    return _default._run(_common.op_getrusage(who))


def rusage(pid, who=RUSAGE_SELF, /):
    """rusage(pid[, who]) -> resource.struct_rusage of process pid (0: the
    calling process), which the service reads from /proc (times in 10 ms
    ticks); fields Linux does not report are 0, as for getrusage()."""
    return _default.rusage(pid, who)


def getpagesize():
    """getpagesize() -> the page size in bytes (the service's PageSize)."""
    return _default._run(_common.op_pagesize())


def setrlimits(pid, limits, /):
    """setrlimits(pid, {RLIMIT_NOFILE: (soft, hard), ...}) -> {name: old
    (soft, hard)}.

    All or nothing, one authorization. pid 0 is the calling process."""
    return _default.setrlimits(pid, limits)


def _one_answer(answers):
    """The one limit's LimitAnswer of a batch of one."""
    (only,) = answers.limits.values()
    return only


def can_setrlimits(pid, limits, /):
    """can_setrlimits(pid, {RLIMIT_NOFILE: (soft, hard), ...}) ->
    Answers(answer, {name: LimitAnswer(answer, action)}).

    What setrlimits(pid, limits) would meet now, nothing changed and nobody
    asked: "yes" (allowed), "challenge" (allowed once the user
    authenticates: call with a Client(interactive=True) or
    Client(polkit_agent=True)), "no" (refused) or "na" (not available here,
    whoever allows it). pid 0 is the calling process."""
    return _default.can_setrlimits(pid, limits)


def can_setrlimit(resource, limits, /, pid=0):
    """can_setrlimit(resource, (soft, hard), pid=0) -> LimitAnswer(answer,
    action): can_setrlimits() of one limit."""
    return _default.can_setrlimit(resource, limits, pid=pid)


def rlimits(pid=0, /):
    """rlimits([pid]) -> {name: (soft, hard)}: every limit, as prlimit(1)
    lists them."""
    return _default.rlimits(pid)


def properties():
    """{'Resources': [...], 'Infinity': ..., 'Version': ...,
    'CanRaiseHardLimits': ...}"""
    return _default.properties()


def can_raise_hard_limits():
    """Whether the service can raise hard limits (holds CAP_SYS_RESOURCE)."""
    return _default.can_raise_hard_limits()


def version():
    """The service's version."""
    return _default.version()


def resources():
    """The names of the resources the service offers."""
    return _default.resources()


def subscribe():
    """A Subscription to the service's RlimitChanged signals (see
    Subscription)."""
    return _default.subscribe()


def explain(resource, pid=0, /, *, to=None):
    """explain(resource, pid=0, *, to=None) -> dict

    Where the limit resource (an RLIMIT_* constant, or a name such as
    "NOFILE") of process pid comes from, as far as the caller may see:
    what ``resourcectl explain --json RESOURCE --pid PID`` prints, as a
    dict of the same keys (resourcectl(1) documents them). pid 0 is the
    calling process; other pids are of the caller's pid namespace, read in
    the /proc mounted here. Limits are numbers, or the string "infinity".

    - "soft", "hard": the process's limits; "chain": the process and its
      ancestors up to pid 1, each {"pid", "visible", "comm", "uid",
      "soft", "hard"}, as far as /proc shows them to the caller (an
      ancestor it hides is {"visible": False} with its number alone, and
      the chain ends there: "chain_end" is "top", "hidden", "exited" or
      "truncated"); "changed_at" ({"pid", "comm"}): the nearest process
      whose limits differ from its parent's, where the value came from
      ("origin" "changed"), or pid 1 when all are the same ("top"), or None
      ("unknown");
    - "systemd": whether systemd is the init system ("running"), the
      process's cgroup and unit, with the unit's Limit...= ("limit") and
      its manager's DefaultLimit...= ("default"), asked over D-Bus of the
      system manager and, for a user@UID.service, of that user manager;
    - "pam_limits": the lines of /etc/security/limits.conf and
      limits.d/*.conf about this resource that match the process's user,
      each with the sides whose value pam_limits ends with ("sets") or why
      it has no effect ("ignored"), and what it sets at a login ("soft",
      "hard"; None when unknown), starting from pid 1's limits ("base"),
      as Debian 12's pam_limits does; "services": the /etc/pam.d stacks
      that run it;
    - "kernel": the most the limit can be or mean ("ceiling": fs.nr_open
      for NOFILE);
    - "raise": what raising it would take, as the service answers it
      (can_setrlimits(), nothing changed, nobody asked for a password),
      each side asked alone: "soft" up to the hard limit (or to ``to``
      when that is lower), the hard one kept; "hard" up to ``to``, or else
      to the kernel's ceiling (infinity where there is none), the soft one
      kept. Each is None when the limit is there already, or {"to",
      "request" ({"soft", "hard"}: the limit asked about), "answer"
      ("yes", "challenge", "no" or "na", as can_setrlimits() answers),
      "action" (the polkit action that decided it, "" when none did),
      "error"}; without an answer, "answer" and "action" are None and
      "error" says why: "unreachable" (no bus, no service, no answer in
      time), or the service's error name. The rest is shown without the
      service. "caller_uid": the caller's effective uid; "to": ``to`` as
      given (None: not given). ``to``: an integer (negative or
      RLIM_INFINITY: infinity), or "infinity".

    Nothing is changed. ProcessLookupError when /proc shows no such
    process to the caller (it does not exist, or hidepid= hides it)."""
    return _default.explain(resource, pid, to=to)
