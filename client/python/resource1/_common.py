"""What the blocking and the asyncio clients share: names, conversions,
argument checks as CPython 3.11's resource module makes them, the
messages, the bus errors as Python exceptions, and which refusals a call
waits out. No I/O here."""

import collections as _collections
import errno as _errno
import operator as _operator
import os as _os
import random as _random
import re as _re
import resource as _stdlib
import threading as _threading

from jeepney import DBusAddress, MatchRule, MessageFlag, new_method_call
from jeepney.low_level import HeaderFields, MessageType
from jeepney.wrappers import Properties

BUS_NAME = 'org.example.Resource1'
#: The *Pidfd methods' name: the service's own connection takes no
#: descriptors (the bus refuses a call carrying one to BUS_NAME); a small
#: gate of the service's takes the pidfd here and passes the call on.
PIDFD_BUS_NAME = 'org.example.Resource1.Pidfd'
OBJECT_PATH = '/org/example/Resource1'
INTERFACE = 'org.example.Resource1'
ERROR_PREFIX = 'org.example.Resource1.Error.'
SERVICE = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=INTERFACE)
PIDFD_SERVICE = DBusAddress(OBJECT_PATH, bus_name=PIDFD_BUS_NAME,
                            interface=INTERFACE)

#: The bus's infinity (UINT64_MAX); the package's RLIM_INFINITY is -1.
BUS_INFINITY = 2 ** 64 - 1

# ------------------------------------------------------------ the resources

#: The RLIMIT_* constants the package has: the standard library's, so this
#: architecture's numbers (mips, sparc and alpha number NOFILE, AS, RSS,
#: NPROC and MEMLOCK their own way).
RLIMIT_CONSTANTS = ('RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA',
                    'RLIMIT_STACK', 'RLIMIT_CORE', 'RLIMIT_RSS',
                    'RLIMIT_NPROC', 'RLIMIT_NOFILE', 'RLIMIT_OFILE',
                    'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_SIGPENDING',
                    'RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_RTPRIO',
                    'RLIMIT_RTTIME')

#: The service's name of each resource number (index = number).
#: CPython's resource has no RLIMIT_LOCKS (Linux enforced that limit only
#: from 2.4.0 to 2.4.24), yet the service reads and sets it, as prlimit(2)
#: does: its number is 10 on every architecture (asm-generic/resource.h).
RESOURCE_NUMBERS = {name[7:]: getattr(_stdlib, name)
                    for name in RLIMIT_CONSTANTS if name != 'RLIMIT_OFILE'}
RESOURCE_NUMBERS['LOCKS'] = 10
RESOURCE_NAMES = tuple(sorted(RESOURCE_NUMBERS, key=RESOURCE_NUMBERS.get))
#: glibc's RLIM_NLIMITS, against which CPython checks a resource number
#: (the standard library does not export it): Linux's 16 resources.
RLIM_NLIMITS = len(RESOURCE_NAMES)
assert [RESOURCE_NUMBERS[n] for n in RESOURCE_NAMES] == \
    list(range(RLIM_NLIMITS)), RESOURCE_NUMBERS

#: RUSAGE_* to the service's "who".
WHO_NAMES = {_stdlib.RUSAGE_SELF: 'self', _stdlib.RUSAGE_CHILDREN: 'children',
             _stdlib.RUSAGE_THREAD: 'thread'}

RUSAGE_FIELDS = ('ru_utime', 'ru_stime', 'ru_maxrss', 'ru_ixrss',
                 'ru_idrss', 'ru_isrss', 'ru_minflt', 'ru_majflt',
                 'ru_nswap', 'ru_inblock', 'ru_oublock', 'ru_msgsnd',
                 'ru_msgrcv', 'ru_nsignals', 'ru_nvcsw', 'ru_nivcsw')

struct_rusage = _stdlib.struct_rusage

#: Calls the service answers without changing anything: retried once after
#: the service (or the bus connection) went away.
IDEMPOTENT = frozenset({'GetRlimit', 'ListRlimits', 'ListRlimitsPidfd',
                        'GetRusage', 'GetRusagePidfd', 'PageSize', 'Get',
                        'GetAll', 'Ping', 'CanSetRlimits',
                        'CanSetRlimitsPidfd'})
#: Bus errors after which an idempotent read is sent once more.
RETRY_ERRORS = frozenset({'org.freedesktop.DBus.Error.ServiceUnknown',
                          'org.freedesktop.DBus.Error.NameHasNoOwner',
                          'org.freedesktop.DBus.Error.NoReply',
                          'org.freedesktop.DBus.Error.Disconnected'})


# ---------------------------------------------------------------- exceptions

class ServiceError(Exception):
    """Mixed into every exception made from an error the service (or the
    bus) answered: ``dbus_name`` is the D-Bus error name, ``dbus_message``
    its text."""
    dbus_name = None
    dbus_message = None


class InvalidResource(ServiceError, ValueError):
    """org.example.Resource1.Error.InvalidResource"""


class InvalidLimits(ServiceError, ValueError):
    """org.example.Resource1.Error.InvalidLimits"""


class InvalidWho(ServiceError, ValueError):
    """org.example.Resource1.Error.InvalidWho"""


class NoSuchProcess(ServiceError, ProcessLookupError):
    """org.example.Resource1.Error.NoSuchProcess (errno ESRCH)"""


class PermissionDenied(ServiceError, PermissionError):
    """org.example.Resource1.Error.PermissionDenied (errno EPERM)"""


class InteractiveAuthorizationRequired(PermissionDenied):
    """org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: polkit
    would allow after authentication, which nobody could be asked for: call
    with interactive=True (an agent that runs may ask), or
    polkit_agent=True (on a terminal, pkttyagent asks)."""


class ServiceLacksCapability(PermissionDenied):
    """org.example.Resource1.Error.ServiceLacksCapability (errno EPERM, as
    the kernel said): the change was allowed (by polkit, or to root) but
    the service lacks CAP_SYS_RESOURCE, so the kernel refused it; the
    service is set up wrong, asking again does not help. A PermissionDenied
    (so a PermissionError) as before it had a name of its own; catch this
    class first to tell it from a refusal of the caller."""


class RaiseRefused(PermissionDenied, ValueError):
    """setrlimit()'s refused change: a ValueError as CPython's setrlimit
    raises for EPERM, and a PermissionError too."""


class RaiseImpossible(ServiceLacksCapability, RaiseRefused):
    """setrlimit()'s change that was allowed but that the service lacks
    CAP_SYS_RESOURCE for: a ServiceLacksCapability that is a RaiseRefused
    (so a ValueError, as CPython's setrlimit raises for EPERM) too."""


class Failed(ServiceError, OSError):
    """org.example.Resource1.Error.Failed: another system-call failure."""


class LimitsExceeded(ServiceError, OSError):
    """org.example.Resource1.Error.LimitsExceeded (errno EAGAIN): one of the
    service's bounds (the rate limit of changes, calls in progress);
    nothing was changed. The package raises it only once the call's
    timeout would pass before the wait the service asks for is over."""


class OtherPidNamespace(ServiceError, OSError):
    """org.example.Resource1.Error.OtherPidNamespace"""


class InvalidArgs(ServiceError, TypeError):
    """org.freedesktop.DBus.Error.InvalidArgs"""


class BusError(ServiceError, OSError):
    """Any other D-Bus error: the service is not running, no reply."""


class Timeout(ServiceError, TimeoutError):
    """No answer within the call's timeout (errno ETIMEDOUT)."""


RlimitChanged = _collections.namedtuple(
    'RlimitChanged', 'pid resource old_soft old_hard soft hard caller_uid',
    module='resource1')
RlimitChanged.__doc__ = """An RlimitChanged signal, one for each limit a
call changed (a limit set to what it already was sends none): pid (the
service's pid namespace), resource (short name, "NOFILE"), old_soft and
old_hard (the limits the change replaced), soft and hard (those it set; -1
is infinity), caller_uid (who asked). While /proc is mounted with hidepid=,
the service sends each only to the connection that made the change."""

# A traceback names a class by its module and name: the module a program
# imports them from, as CPython's own C modules name theirs (socket.timeout,
# not _socket.timeout).
for _cls in (ServiceError, InvalidResource, InvalidLimits, InvalidWho,
             NoSuchProcess, PermissionDenied,
             InteractiveAuthorizationRequired, ServiceLacksCapability,
             RaiseRefused, RaiseImpossible, Failed, LimitsExceeded,
             OtherPidNamespace, InvalidArgs, BusError, Timeout):
    _cls.__module__ = 'resource1'
del _cls

DISCONNECTED = 'org.freedesktop.DBus.Error.Disconnected'
TIMEOUT = 'org.freedesktop.DBus.Error.Timeout'

ERRORS = {
    ERROR_PREFIX + 'InvalidResource': (InvalidResource, _errno.EINVAL),
    ERROR_PREFIX + 'InvalidLimits': (InvalidLimits, _errno.EINVAL),
    ERROR_PREFIX + 'InvalidWho': (InvalidWho, _errno.EINVAL),
    ERROR_PREFIX + 'NoSuchProcess': (NoSuchProcess, _errno.ESRCH),
    ERROR_PREFIX + 'PermissionDenied': (PermissionDenied, _errno.EPERM),
    ERROR_PREFIX + 'ServiceLacksCapability':
        (ServiceLacksCapability, _errno.EPERM),
    'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired':
        (InteractiveAuthorizationRequired, _errno.EPERM),
    ERROR_PREFIX + 'Failed': (Failed, None),
    ERROR_PREFIX + 'LimitsExceeded': (LimitsExceeded, _errno.EAGAIN),
    ERROR_PREFIX + 'OtherPidNamespace': (OtherPidNamespace, _errno.EINVAL),
    'org.freedesktop.DBus.Error.InvalidArgs': (InvalidArgs, None),
    TIMEOUT: (Timeout, _errno.ETIMEDOUT),
    'org.freedesktop.DBus.Error.NoReply': (Timeout, _errno.ETIMEDOUT),
    DISCONNECTED: (BusError, _errno.ECONNRESET),
}

_STRERRORS = {_os.strerror(e): e
              for e in sorted(_errno.errorcode, reverse=True)}


def _errno_in(text):
    """The errno whose strerror text ends the service's Failed message."""
    for s, e in _STRERRORS.items():
        if text.endswith(s) or (s + ' ') in text or (s + ';') in text:
            return e
    return _errno.EIO


def make_error(name, message, cls=None, text=None):
    """The exception for bus error ``name`` with ``message``. ``cls`` and
    ``text`` override the class and the leading text (as the drop-in
    functions do to raise what CPython raises)."""
    base, err = ERRORS.get(name, (BusError, None))
    if cls is None:
        cls = base
    if err is None and issubclass(cls, OSError):
        if cls is Failed:
            err = _errno_in(message)
        elif name.endswith(('.Timeout', '.NoReply', '.TimedOut')):
            err = _errno.ETIMEDOUT
        elif name.endswith(('.ServiceUnknown', '.NameHasNoOwner')):
            err = _errno.ECONNREFUSED
        else:
            err = _errno.EIO
    if text is not None:
        exc = cls('%s (%s: %s)' % (text, name, message))
    elif issubclass(cls, OSError) and err is not None:
        exc = cls(err, '%s (%s: %s)' % (_os.strerror(err), name, message))
    else:
        exc = cls('%s: %s' % (name, message))
    if issubclass(cls, OSError) and err is not None:
        exc.errno = err
    exc.dbus_name = name
    exc.dbus_message = message
    return exc


def _error_of(reply):
    """(name, message) of an error reply."""
    name = reply.header.fields.get(HeaderFields.error_name,
                                   'org.freedesktop.DBus.Error.Failed')
    body = reply.body
    return name, body[0] if body and isinstance(body[0], str) else ''


def error_from_reply(reply):
    return make_error(*_error_of(reply))


def is_error(reply):
    return reply.header.message_type == MessageType.error


# ------------------------------------------------ the service's bounds, waited

#: Calls one connection keeps in flight (sent, not answered yet) at most;
#: more wait, in the order they were made, for an answer to free a place.
#: The bus refuses a connection's call past 128 awaiting their replies
#: (dbus-daemon's max_replies_per_connection: "The maximum number of
#: pending replies per connection has been reached"); half of that leaves
#: room for a bus whose limit is set lower. A call whose timeout passes
#: while it waits raises Timeout, unsent. A call given up (its timeout, a
#: cancelled task) keeps its place until its answer comes, as the bus
#: counts it until then.
MAX_IN_FLIGHT = 64
#: Of those, calls that carry a descriptor (every call naming a process by
#: its pidfd, this one's too): the service's gate takes 32 at a time from
#: one connection ("too many calls with descriptors are in progress from
#: this connection; try again").
MAX_FDS_IN_FLIGHT = 32

#: The first pause before a call the service refused for a bound that
#: names no time ("...; try again") is sent again; each next pause is
#: twice as long, up to BUSY_DELAY_MAX, less a random part of up to half
#: so that the callers waiting do not all come back at once.
BUSY_DELAY = 0.01
BUSY_DELAY_MAX = 0.5

_TRY_AGAIN_IN = _re.compile(r'try again in ([0-9]+(?:\.[0-9]+)?) s\b')


def retry_after(exc, tries):
    """When a call refused with ``exc`` is sent again: (seconds, True) for
    the service's rate limit of changes ("try again in N s"), (seconds,
    False) for a bound on calls in progress (the service's "...; try
    again", the bus's pending replies, or its queue to the service full),
    after the call's ``tries``-th such refusal; None for any other error."""
    name, message = exc.dbus_name, exc.dbus_message or ''
    if name == ERROR_PREFIX + 'LimitsExceeded':
        m = _TRY_AGAIN_IN.search(message)
        if m:
            return float(m.group(1)), True
        if 'try again' not in message:
            return None
    elif name == ERROR_PREFIX + 'Failed':
        # The service's loop had not learnt who the caller is yet.
        if not message.endswith('; try again'):
            return None
    elif name == 'org.freedesktop.DBus.Error.LimitsExceeded':
        # The bus's bounds on this connection's calls awaiting replies and
        # on what waits for the service to read it: nothing was delivered.
        # The second is the gate's (64 descriptors, dbus-daemon's
        # max_outgoing_unix_fds), which another user's flood of calls can
        # fill for a moment at a time.
        if ('pending replies' not in message
                and 'full message queue' not in message):
            return None
    else:
        return None
    delay = min(BUSY_DELAY * 2 ** min(tries, 16), BUSY_DELAY_MAX)
    return delay * _random.uniform(0.5, 1.0), False


def no_room_error(timeout, fds):
    """The Timeout of a call that waited ``timeout`` s for a place among its
    connection's calls in flight (see MAX_IN_FLIGHT), not sent."""
    return make_error(TIMEOUT, 'not sent within %g s: %d calls%s of this '
                      'connection were in flight, the most it sends at once'
                      % (timeout, MAX_FDS_IN_FLIGHT if fds else MAX_IN_FLIGHT,
                         ' carrying a descriptor' if fds else ''))


# ------------------------------------------------------------ argument checks

def as_c_int(value, what='int'):
    """CPython's "i" converter: __index__, then a C int's range."""
    v = _operator.index(value)
    if not -2 ** 31 <= v < 2 ** 31:
        raise OverflowError('Python int too large to convert to C int')
    return v


def _as_c_long(value):
    v = _operator.index(value)
    if not -2 ** 63 <= v < 2 ** 63:
        raise OverflowError('Python int too large to convert to C long')
    return v


def check_resource(resource):
    """An RLIMIT_* number as CPython checks it; returns the service's
    name."""
    r = as_c_int(resource)
    if r < 0 or r >= RLIM_NLIMITS:
        raise ValueError('invalid resource specified')
    return RESOURCE_NAMES[r]


def resource_name(resource):
    """A resource given as a number or as a name ("NOFILE",
    "RLIMIT_NOFILE")."""
    if isinstance(resource, str):
        n = resource.upper()
        if n.startswith('RLIMIT_'):
            n = n[7:]
        if n == 'OFILE':
            n = 'NOFILE'
        if n not in RESOURCE_NUMBERS:
            raise ValueError('invalid resource specified')
        return n
    return check_resource(resource)


def limits_to_bus(limits):
    """CPython's py2rlimit: a sequence of two integers (C longs), -1 or any
    negative value wrapped as rlim_t is (so -1 is infinity)."""
    t = tuple(limits)
    if len(t) != 2:
        raise ValueError('expected a tuple of 2 integers')
    cur = _as_c_long(t[0])
    mx = _as_c_long(t[1])
    return cur & BUS_INFINITY, mx & BUS_INFINITY


def value_from_bus(v):
    """rlimit2py: a uint64 as the C long CPython returns (infinity is
    -1)."""
    return v - 2 ** 64 if v >= 2 ** 63 else v


def limits_from_bus(soft, hard):
    return value_from_bus(soft), value_from_bus(hard)


def check_who(who):
    w = as_c_int(who)
    if w not in WHO_NAMES:
        raise ValueError('invalid who parameter')
    return WHO_NAMES[w]


def check_pid(pid):
    p = _operator.index(pid)
    if p > 2 ** 31 - 1:       # pid_t: the "i" format of PyArg_Parse
        raise OverflowError('signed integer is greater than maximum')
    if p < -2 ** 31:
        raise OverflowError('signed integer is less than minimum')
    return p


def rusage_from_bus(d):
    vals = []
    for f in RUSAGE_FIELDS:
        v = d.get(f, ('x', 0))
        v = v[1] if isinstance(v, tuple) else v
        vals.append(float(v) if f in ('ru_utime', 'ru_stime') else int(v))
    return struct_rusage(vals)


# ------------------------------------------------------------------ messages

def call(method, signature=None, body=(), interactive=False):
    msg = new_method_call(service_of(method), method, signature, body)
    if interactive:
        msg.header.flags |= MessageFlag.allow_interactive_authorization
    return msg


def get_property(name):
    return Properties(SERVICE).get(name)


def get_all_properties():
    return Properties(SERVICE).get_all()


def own_pid(pid):
    """True when pid names the calling process (0 or its own pid): named by
    its connection's pidfd of it (SELF)."""
    return pid == 0 or pid == _os.getpid()


def setrlimits_body(limits):
    """{resource: (soft, hard)} to a(stt), in the order given."""
    items = limits.items() if hasattr(limits, 'items') else limits
    out = []
    for res, lim in items:
        out.append((resource_name(res),) + limits_to_bus(lim))
    return out


def listing_from_bus(entries):
    """a(stt) to {name: (soft, hard)} with -1 for infinity."""
    return {name: limits_from_bus(s, h) for name, s, h in entries}


# ------------------------------------------------------ this process, by pidfd

#: Op.pidfd_of for "this process": a pidfd of the calling process, which
#: its connection keeps (Connection.self_pidfd). The service's own "caller"
#: (pid 0, GetRlimit, SetRlimit) is whoever owns the bus connection, which
#: behind a bus proxy (Flatpak's xdg-dbus-proxy) is the proxy, not this
#: program.
SELF = 'self'

#: pidfd_open(2)'s flag for a thread's pidfd (Linux 6.9), which os lacks.
PIDFD_THREAD = _os.O_EXCL


def pidfd_open(pid):
    """A pidfd of pid; a thread id names its process (as prlimit(2) takes
    one), which pidfd_open(2) refuses for a thread other than the leader
    (EINVAL, or ENOENT on newer kernels)."""
    try:
        return _os.pidfd_open(pid)
    except OSError as e:
        if e.errno not in (_errno.EINVAL, _errno.ENOENT):
            raise
        try:
            with open('/proc/%d/status' % pid) as f:
                tgid = next(int(line.split()[1]) for line in f
                            if line.startswith('Tgid:'))
        except (OSError, StopIteration, ValueError):
            raise e from None
        return _os.pidfd_open(tgid)


def service_of(method):
    """Where a method of INTERFACE is sent: the *Pidfd methods, which carry
    a descriptor, to the gate's name; every other to the service's."""
    return PIDFD_SERVICE if method.endswith('Pidfd') else SERVICE


class Op:
    """One call of the service: how to build it, what its reply means, and
    which CPython texts its errors take (``texts``: error name -> (class,
    text)). ``pidfd_of`` names what the body's first value, a pidfd, is
    of: a pid (a pidfd opened for the call), SELF (this process: its
    connection's pidfd), or ('thread', tid) (a thread's pidfd, Linux 6.9).
    ``fallback`` is (method, signature, body) by number for where the
    kernel gives no such pidfd."""

    __slots__ = ('method', 'signature', 'body', 'convert', 'texts',
                 'idempotent', 'pidfd_of', 'address', 'fallback')

    def __init__(self, method, signature=None, body=(), convert=None,
                 texts=None, pidfd_of=None, address=None, fallback=None,
                 idempotent=None):
        self.method = method
        self.signature = signature
        self.body = tuple(body)
        self.convert = convert or (lambda b: b)
        self.texts = texts or {}
        self.idempotent = (method in IDEMPOTENT if idempotent is None
                           else idempotent)
        self.pidfd_of = pidfd_of
        self.address = address
        self.fallback = fallback

    def _pidfd(self, conn):
        """(the pidfd, whether to close it once sent), or None: use the
        fallback."""
        target = self.pidfd_of
        if target == SELF:
            own = getattr(conn, 'self_pidfd', False)
            if own is None:                  # this kernel gives none
                return None
            if own is not False:
                return own.fd, False
            try:                 # no connection given: one for this call
                return _os.pidfd_open(_os.getpid()), True
            except OSError as e:
                if e.errno in (_errno.ENOSYS, _errno.EPERM):
                    return None
                raise
        if isinstance(target, tuple):        # ('thread', tid)
            try:
                return _os.pidfd_open(target[1], PIDFD_THREAD), True
            except OSError as e:
                # Before Linux 6.9 (EINVAL: an unknown flag), or no pidfd
                # at all: the thread's id, which the service takes only
                # from a caller in its own pid namespace.
                if e.errno in (_errno.EINVAL, _errno.ENOSYS, _errno.EPERM):
                    return None
                raise
        return pidfd_open(target), True

    def build(self, interactive, conn=None, by_number=False):
        """The message, and the descriptors to close once it is sent. conn:
        the connection it goes out on, whose pidfd of this process it uses.
        by_number: the fallback, with no descriptor."""
        fds = []
        method, signature, body = self.method, self.signature, self.body
        if self.pidfd_of is not None:
            got = None if by_number else self._pidfd(conn)
            if got is None:
                method, signature, body = self.fallback
            else:
                fd, close = got
                if close:
                    fds.append(fd)
                body = (fd,) + body
        address = (self.address if self.address is not None
                   else service_of(method))
        msg = new_method_call(address, method, signature, body)
        if interactive:
            msg.header.flags |= MessageFlag.allow_interactive_authorization
        return msg, fds

    def error(self, reply):
        return self.make_error(*_error_of(reply))

    def make_error(self, name, message):
        """The exception this call raises for error ``name`` with
        ``message``."""
        if name in self.texts:
            cls, text = self.texts[name]
            return make_error(name, message, cls, text)
        return make_error(name, message)


_PROPS = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME,
                     interface='org.freedesktop.DBus.Properties')
_NOT_ALLOWED = 'not allowed to raise maximum limit'
_EXCEEDS = 'current limit exceeds maximum limit'
_INVALID_RESOURCE = {ERROR_PREFIX + 'InvalidResource':
                     (InvalidResource, 'invalid resource specified')}


def _limits(body):
    return limits_from_bus(body[0], body[1])


def _nothing(body):
    return None


def _listing(body):
    return listing_from_bus(body[0])


def _rusage(body):
    return rusage_from_bus(body[0])


def op_getrlimit(resource):
    name = check_resource(resource)
    return Op('PrlimitPidfd', 'hsbtt', (name, False, 0, 0), _limits,
              _INVALID_RESOURCE, pidfd_of=SELF,
              fallback=('GetRlimit', 's', (name,)), idempotent=True)


def op_setrlimit(resource, limits):
    name = check_resource(resource)
    soft, hard = limits_to_bus(limits)
    texts = dict(_INVALID_RESOURCE)
    texts[ERROR_PREFIX + 'InvalidLimits'] = (InvalidLimits, _EXCEEDS)
    texts[ERROR_PREFIX + 'PermissionDenied'] = (RaiseRefused, _NOT_ALLOWED)
    texts[ERROR_PREFIX + 'ServiceLacksCapability'] = (RaiseImpossible,
                                                      _NOT_ALLOWED)
    texts['org.freedesktop.DBus.Error.InteractiveAuthorizationRequired'] = (
        RaiseRefused, _NOT_ALLOWED)
    return Op('PrlimitPidfd', 'hsbtt', (name, True, soft, hard), _nothing,
              texts, pidfd_of=SELF,
              fallback=('SetRlimit', 'stt', (name, soft, hard)))


def _no_such_process():
    return ProcessLookupError(_errno.ESRCH, _os.strerror(_errno.ESRCH))


def op_prlimit(pid, resource, limits=None, has_limits=False):
    pid = check_pid(pid)
    name = check_resource(resource)
    if has_limits:
        soft, hard = limits_to_bus(limits)
    else:
        soft = hard = 0
    texts = dict(_INVALID_RESOURCE)
    texts[ERROR_PREFIX + 'InvalidLimits'] = (InvalidLimits, _EXCEEDS)
    body = (name, has_limits, soft, hard)
    if own_pid(pid):
        return Op('PrlimitPidfd', 'hsbtt', body, _limits, texts,
                  pidfd_of=SELF, fallback=('Prlimit', 'usbtt', (0,) + body))
    if pid < 0:
        raise _no_such_process()
    return Op('PrlimitPidfd', 'hsbtt', body, _limits, texts, pidfd_of=pid)


def op_getrusage(who, pid=0):
    w = check_who(who)
    pid = check_pid(pid)
    texts = {ERROR_PREFIX + 'InvalidWho': (InvalidWho,
                                           'invalid who parameter')}
    if own_pid(pid):
        if w == 'thread':
            tid = _threading.get_native_id()
            if tid != _os.getpid():
                # The calling thread: its own pidfd (the main thread's is
                # the process's, which names it).
                return Op('GetRusagePidfd', 'hs', (w,), _rusage, texts,
                          pidfd_of=('thread', tid),
                          fallback=('GetRusage', 'us', (tid, w)),
                          idempotent=True)
        return Op('GetRusagePidfd', 'hs', (w,), _rusage, texts,
                  pidfd_of=SELF, fallback=('GetRusage', 'us', (0, w)),
                  idempotent=True)
    if pid < 0:
        raise _no_such_process()
    return Op('GetRusagePidfd', 'hs', (w,), _rusage, texts, pidfd_of=pid)


def op_pagesize():
    return Op('PageSize', None, (), lambda b: int(b[0]))


def op_listing(pid=0):
    pid = check_pid(pid)
    if own_pid(pid):
        return Op('ListRlimitsPidfd', 'h', (), _listing, pidfd_of=SELF,
                  fallback=('ListRlimits', 'u', (0,)))
    if pid < 0:
        raise _no_such_process()
    return Op('ListRlimitsPidfd', 'h', (), _listing, pidfd_of=pid)


def op_setrlimits(pid, limits):
    pid = check_pid(pid)
    body = setrlimits_body(limits)
    if own_pid(pid):
        return Op('SetRlimitsPidfd', 'ha(stt)', (body,), _listing,
                  pidfd_of=SELF, fallback=('SetRlimits', 'ua(stt)',
                                           (0, body)))
    if pid < 0:
        raise _no_such_process()
    return Op('SetRlimitsPidfd', 'ha(stt)', (body,), _listing, pidfd_of=pid)


#: One limit's answer to can_setrlimits(): ``answer`` is "yes" (allowed,
#: nobody asked), "challenge" (allowed once the user authenticates), "no"
#: (polkit refuses it) or "na" (not available here: the kernel or the
#: service cannot, whoever allows it); ``action`` the polkit action that
#: decided it, "" when polkit has no say.
LimitAnswer = _collections.namedtuple('LimitAnswer', 'answer action')
#: can_setrlimits()'s result: the batch's ``answer`` and ``limits``,
#: {name: LimitAnswer} in the order given.
Answers = _collections.namedtuple('Answers', 'answer limits')


def _answers(body):
    return Answers(body[0], {name: LimitAnswer(answer, action)
                             for name, answer, action in body[1]})


def op_can_setrlimits(pid, limits):
    pid = check_pid(pid)
    body = setrlimits_body(limits)
    if own_pid(pid):
        return Op('CanSetRlimitsPidfd', 'ha(stt)', (body,), _answers,
                  pidfd_of=SELF, fallback=('CanSetRlimits', 'ua(stt)',
                                           (0, body)))
    if pid < 0:
        raise _no_such_process()
    return Op('CanSetRlimitsPidfd', 'ha(stt)', (body,), _answers,
              pidfd_of=pid)


def op_get_property(name):
    return Op('Get', 'ss', (INTERFACE, name), lambda b: b[0][1],
              address=_PROPS)


def op_get_all_properties():
    return Op('GetAll', 's', (INTERFACE,),
              lambda b: {k: v[1] for k, v in b[0].items()}, address=_PROPS)


def rlimit_changed_rule():
    return MatchRule(type='signal', sender=BUS_NAME, interface=INTERFACE,
                     member='RlimitChanged', path=OBJECT_PATH)


def is_rlimit_changed(msg):
    f = msg.header.fields
    return (msg.header.message_type == MessageType.signal and
            f.get(HeaderFields.interface) == INTERFACE and
            f.get(HeaderFields.member) == 'RlimitChanged')


def signal_from_msg(msg):
    pid, res, old_soft, old_hard, soft, hard, uid = msg.body
    return RlimitChanged(pid, res, value_from_bus(old_soft),
                         value_from_bus(old_hard), value_from_bus(soft),
                         value_from_bus(hard), uid)


# ------------------------------------------------------------- serialising

_SERIALISED = {}
_SERIALISED_MAX = 512


def serialise(msg, serial, fds):
    """msg's bytes with ``serial``. jeepney's serialiser is the dearest part
    of a call (tens of µs), and most calls repeat (GetRlimit of one
    resource, PageSize, a property): a message carrying no descriptor is
    serialised once and its serial patched in (bytes 8-11 of the header)
    afterwards."""
    h = msg.header
    sig = h.fields.get(HeaderFields.signature, '')
    if 'h' not in sig:
        try:
            key = (int(h.flags), tuple(sorted(h.fields.items())), msg.body)
            data = _SERIALISED.get(key)
        except TypeError:           # a list in the body: not kept
            key = data = None
        if data is None:
            data = msg.serialise(serial=1, fds=fds)
            if key is not None and len(_SERIALISED) < _SERIALISED_MAX:
                _SERIALISED[key] = data
        out = bytearray(data)
        order = 'little' if out[0:1] == b'l' else 'big'
        out[8:12] = serial.to_bytes(4, order)
        return bytes(out)
    return msg.serialise(serial=serial, fds=fds)
