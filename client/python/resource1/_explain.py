"""explain(): where a process's limit comes from, as far as the caller may
see -- the same reading as ``resourcectl explain --json``, which returns the
same structure (resourcectl(1) documents its keys; the tests compare the
two on the same processes and the same files).

Everything is read as the caller: /proc shows what it shows (hidepid=), and
what cannot be read is said, never guessed. Nothing is changed; what
raising the limit would take is asked of the service (CanSetRlimits, which
asks nobody for a password), and without the service the rest is shown.
"""

import errno as _errno
import os as _os
import pwd as _pwd
import re as _re

from . import _common, _pam_limits
from ._procfs import INFINITY, limit as _limit, proc_limits as _proc_limits
from ._procfs import read as _read, text as _text

_UID_MASK = 2 ** 32 - 1

#: Resource: (description, units), as prlimit(1) words them (the one
#: table of interfaces/resource1-names.c).
DESCRIPTIONS = {
    'CPU': ('CPU time', 'seconds'),
    'FSIZE': ('max file size', 'bytes'),
    'DATA': ('max data size', 'bytes'),
    'STACK': ('max stack size', 'bytes'),
    'CORE': ('max core file size', 'bytes'),
    'RSS': ('max resident set size', 'bytes'),
    'NPROC': ('max number of processes', 'processes'),
    'NOFILE': ('max number of open files', 'files'),
    'MEMLOCK': ('max locked-in-memory address space', 'bytes'),
    'AS': ('address space limit', 'bytes'),
    'LOCKS': ('max number of file locks held', 'locks'),
    'SIGPENDING': ('max number of pending signals', 'signals'),
    'MSGQUEUE': ('max bytes in POSIX mqueues', 'bytes'),
    'NICE': ('max nice prio allowed to raise', None),
    'RTPRIO': ('max real-time priority', None),
    'RTTIME': ('timeout for real-time tasks', 'microsecs'),
}

MAX_CHAIN = 128


# -------------------------------------------------------------- /proc

def _status(text, key):
    for line in text.decode('ascii', 'replace').splitlines():
        if line.startswith(key):
            return [int(x) for x in line[len(key):].split()]
    raise ValueError('no ' + key)


def _read_proc(pid, index):
    """One process as /proc shows it to the caller; OSError when it does
    not (ENOENT, EACCES: hidepid=, or gone)."""
    d = '/proc/%d' % pid
    st = _read(d + '/status')
    comm = _text(_read(d + '/comm', 64)).split('\n')[0]
    lim = _proc_limits(_read(d + '/limits'))[index]
    return {'pid': pid, 'visible': True, 'comm': comm,
            'uids': _status(st, 'Uid:')[:4], 'gids': _status(st, 'Gid:')[:4],
            'ppid': _status(st, 'PPid:')[0], 'soft': lim[0], 'hard': lim[1]}


def _ppid(pid):
    return _status(_read('/proc/%d/status' % pid), 'PPid:')[0]


def _read_parent(child, index):
    """(parent, None), (None, 'top'), (None, 'hidden') or (None, 'exited'),
    read as the C reading does: the child's PPid: once more after the
    parent's files, so that a parent that exited meanwhile (its number free
    for another process) is never taken for the child's."""
    ppid = child['ppid']
    for _ in range(8):
        if ppid == 0:
            return None, 'top'
        try:
            parent = _read_proc(ppid, index)
        except (OSError, ValueError, IndexError) as e:
            parent = e
        try:
            now = _ppid(child['pid'])
        except (OSError, ValueError):
            return None, 'exited'
        if now != ppid:
            ppid = child['ppid'] = now
            continue
        if isinstance(parent, (ValueError, IndexError)):
            return None, 'exited'
        if isinstance(parent, OSError):
            return None, 'hidden'
        return parent, None
    return None, 'exited'


def _chain(pid, index):
    try:
        first = _read_proc(pid, index)
    except OSError:
        raise ProcessLookupError(
            _errno.ESRCH,
            'pid %d: no such process, or not visible to you' % pid) from None
    procs, end, hidden = [first], 'top', None
    while True:
        if len(procs) == MAX_CHAIN:
            end = 'truncated'
            break
        parent, why = _read_parent(procs[-1], index)
        if parent is None:
            if why != 'top':
                end = why
            if why == 'hidden':
                hidden = procs[-1]['ppid']
            break
        procs.append(parent)
    changed = None
    for i in range(len(procs) - 1):
        a, b = procs[i], procs[i + 1]
        if (a['soft'], a['hard']) != (b['soft'], b['hard']):
            changed = i
            break
    if changed is None and end == 'top':
        changed = len(procs) - 1
    return procs, hidden, end, changed


# ------------------------------------------------------------- systemd

_UNIT_SUFFIXES = ('.service', '.scope', '.socket', '.mount', '.swap')
_EXEC_INTERFACES = {
    '.service': 'org.freedesktop.systemd1.Service',
    '.socket': 'org.freedesktop.systemd1.Socket',
    '.mount': 'org.freedesktop.systemd1.Mount',
    '.swap': 'org.freedesktop.systemd1.Swap',
}


def _units(path):
    return [c for c in path.split('/')
            if 0 < len(c) < 256 and any(c.endswith(s) and len(c) > len(s)
                                        for s in _UNIT_SUFFIXES)]


def _cgroup(pid):
    for line in _text(_read('/proc/%d/cgroup' % pid, 4096)).split('\n'):
        if line.startswith('0::'):
            return line[3:]
        k = line.find(':name=systemd:')
        if k >= 0:
            return line[k + 14:]
    return None


def _ask_manager(conn, name, unit):
    """The unit's and its manager's limits, asked of the manager on conn
    (a jeepney blocking connection)."""
    from jeepney import DBusAddress, Properties, new_method_call

    def get(path, interface, prefix):
        addr = DBusAddress(path, bus_name='org.freedesktop.systemd1',
                           interface=interface)
        vals = []
        for prop in (prefix + name + 'Soft', prefix + name):
            reply = conn.send_and_get_reply(Properties(addr).get(prop),
                                            timeout=5)
            if _common.is_error(reply):
                raise _common.error_from_reply(reply)
            vals.append(_limit(reply.body[0][1]))
        return {'soft': vals[0], 'hard': vals[1]}

    unit['default'] = get('/org/freedesktop/systemd1',
                          'org.freedesktop.systemd1.Manager', 'DefaultLimit')
    interface = next((i for s, i in _EXEC_INTERFACES.items()
                      if unit['unit'].endswith(s)), None)
    if interface:
        manager = DBusAddress('/org/freedesktop/systemd1',
                              bus_name='org.freedesktop.systemd1',
                              interface='org.freedesktop.systemd1.Manager')
        reply = conn.send_and_get_reply(
            new_method_call(manager, 'GetUnit', 's', (unit['unit'],)),
            timeout=5)
        if _common.is_error(reply):
            raise _common.error_from_reply(reply)
        unit['limit'] = get(reply.body[0], interface, 'Limit')


def _ask(address, name, unit, unreachable):
    from jeepney.io.blocking import open_dbus_connection
    try:
        conn = open_dbus_connection(address)
    except Exception as e:
        unit['error'] = unreachable + ': ' + (
            _os.strerror(e.errno) if getattr(e, 'errno', None) else str(e))
        return
    try:
        _ask_manager(conn, name, unit)
    except _common.ServiceError as e:
        unit['error'] = e.dbus_message or e.dbus_name
    except Exception as e:
        unit['error'] = str(e)
    finally:
        conn.close()


def _systemd(pid, name):
    out = {'running': _os.path.isdir('/run/systemd/system'), 'note': None,
           'cgroup': None, 'units': []}
    if not out['running']:
        out['note'] = 'not the init system here (no /run/systemd/system)'
        return out
    try:
        path = _cgroup(pid)
    except OSError:
        out['note'] = 'its cgroup is not visible to you'
        return out
    if path is None:
        out['note'] = 'its cgroup names no systemd hierarchy'
        return out
    out['cgroup'] = path
    units = _units(path)
    if not units:
        out['note'] = 'its cgroup names no unit'
        return out

    def unit(manager, uid, n):
        return {'manager': manager, 'uid': uid, 'unit': n, 'limit': None,
                'default': None, 'error': None}

    system = unit('system', None, units[0])
    out['units'].append(system)
    _ask('SYSTEM', name, system, 'the system bus is not reachable')
    m = _re.fullmatch(r'user@([0-9]+)\.service', units[0])
    if m and int(m.group(1)) < _UID_MASK and len(units) > 1:
        user = unit('user', int(m.group(1)), units[1])
        out['units'].append(user)
        bus = '/run/user/%d/bus' % user['uid']
        _ask('unix:path=' + bus, name, user,
             'its bus (%s) is not reachable' % bus)
    return out


# ------------------------------------------------------------- the rest

def _kernel(name):
    def sysctl(path):
        try:
            return int(_read(path, 64).split()[0])
        except (OSError, ValueError, IndexError):
            return None

    k = {'ceiling': 'infinity', 'sysctl': None, 'note': 'none'}
    if name == 'NOFILE':
        k['sysctl'] = 'fs.nr_open'
        v = sysctl('/proc/sys/fs/nr_open')
        if v is not None:
            k['ceiling'] = _limit(v)
            k['note'] = ('the kernel refuses a NOFILE limit above '
                         'fs.nr_open, to root too')
        else:
            k['note'] = ('fs.nr_open bounds it, but /proc/sys/fs/nr_open '
                         'could not be read')
    elif name == 'NICE':
        k['ceiling'] = 40
        k['note'] = ('40 allows nice -20, the highest priority; more means '
                     'no more')
    elif name == 'RTPRIO':
        k['ceiling'] = 99
        k['note'] = ('99 is the highest realtime priority; more means no '
                     'more')
    elif name == 'RSS':
        k['note'] = 'none; Linux has not enforced RSS since 2.6'
    elif name == 'LOCKS':
        k['note'] = 'none; Linux has not enforced LOCKS since 2.4.25'
    elif name == 'NPROC':
        v = sysctl('/proc/sys/kernel/threads-max')
        k['note'] = ('none; kernel.threads-max%s bounds the processes and '
                     'threads of the whole system' %
                     ('' if v is None else ' (%d)' % v))
    return k


#: Bus errors that mean the service could not be asked at all (no bus, no
#: service, no answer, the connection lost): libresource1's ECONNREFUSED,
#: ETIMEDOUT and ECONNRESET, which resourcectl explain says as "unreachable".
_UNREACHABLE = frozenset(
    'org.freedesktop.DBus.Error.' + n for n in (
        'ServiceUnknown', 'NameHasNoOwner', 'NoServer', 'Timeout', 'NoReply',
        'TimedOut', 'Disconnected'))
_UNREACHABLE_ERRNOS = (_errno.ECONNREFUSED, _errno.ETIMEDOUT,
                       _errno.ECONNRESET)


def _error_word(e):
    """Why the service gave no answer, as resourcectl explain --json says
    it: "unreachable", or the service's error name."""
    name = getattr(e, 'dbus_name', None)
    if name and (name in _UNREACHABLE or
                 name.startswith('org.freedesktop.DBus.Error.Spawn.')):
        return 'unreachable'
    if name:
        return name
    if isinstance(e, OSError) and (
            e.errno in _UNREACHABLE_ERRNOS or
            not isinstance(e, _common.ServiceError)):
        return 'unreachable'
    return 'failed'


def _ask_service(name, pid, to, soft, hard, can_set):
    """One side's question: what setting the limit of pid to soft:hard
    would meet now (can_set: the service's CanSetRlimits), alone."""
    out = {'to': _limit(to), 'request': {'soft': _limit(soft),
                                         'hard': _limit(hard)},
           'answer': None, 'action': None, 'error': None}
    bus = [_common.value_from_bus(v) for v in (soft, hard)]
    try:
        answer = can_set(pid, {name: tuple(bus)}).limits[name]
    except (_common.ServiceError, OSError) as e:
        out['error'] = _error_word(e)
        return out
    out['answer'], out['action'] = answer.answer, answer.action
    return out


def _to_value(to):
    """explain()'s to: an integer (negative: infinity, as RLIM_INFINITY is
    -1), or "infinity"."""
    if isinstance(to, str):
        if to.lower() not in ('infinity', 'unlimited'):
            raise ValueError('to: expected an integer or "infinity"')
        return INFINITY
    return _common.limits_to_bus((to, to))[0]


def raise_asked(name, pid, proc, kernel, to, can_set):
    """What raising the limit would take, as the service answers it, each
    side asked alone: the soft limit up to the hard one (or to ``to``, when
    that is lower), keeping the hard one; the hard one up to ``to``, or else
    to the kernel's ceiling (infinity where there is none), keeping the
    soft one. A side already there is not asked (None)."""
    ceiling = INFINITY if kernel['ceiling'] == 'infinity' else \
        kernel['ceiling']
    soft_to = proc['hard'] if to is None else min(to, proc['hard'])
    hard_to = ceiling if to is None else to
    out = {'caller_uid': _os.geteuid(),
           'to': None if to is None else _limit(to),
           'soft': None, 'hard': None}
    if proc['soft'] < soft_to:
        out['soft'] = _ask_service(name, pid, soft_to, soft_to, proc['hard'],
                                   can_set)
    if proc['hard'] < hard_to:
        out['hard'] = _ask_service(name, pid, hard_to, proc['soft'], hard_to,
                                   can_set)
    return out


def _entry(p):
    return {'pid': p['pid'], 'visible': True, 'comm': p['comm'],
            'uid': p['uids'][0], 'soft': _limit(p['soft']),
            'hard': _limit(p['hard'])}


def explain(resource, pid, can_set, to=None):
    """See resource1.explain(). can_set: the service's CanSetRlimits, as
    Client.can_setrlimits(pid, limits)."""
    name = _common.resource_name(resource)
    pid = _common.check_pid(pid)
    if to is not None:
        to = _to_value(to)
    if pid < 0:
        raise ProcessLookupError(_errno.ESRCH, 'No such process')
    pid = pid or _os.getpid()
    index = _common.RESOURCE_NUMBERS[name]
    procs, hidden, end, changed = _chain(pid, index)
    p = procs[0]
    try:
        user = _pwd.getpwuid(p['uids'][0]).pw_name[:63]
    except KeyError:
        user = None
    chain = [_entry(q) for q in procs]
    if hidden is not None:
        chain.append({'pid': hidden, 'visible': False, 'comm': None,
                      'uid': None, 'soft': None, 'hard': None})
    kernel = _kernel(name)
    return {
        'resource': name, 'description': DESCRIPTIONS[name][0],
        'units': DESCRIPTIONS[name][1], 'pid': pid, 'comm': p['comm'],
        'uid': p['uids'][0], 'user': user, 'soft': _limit(p['soft']),
        'hard': _limit(p['hard']), 'chain': chain, 'chain_end': end,
        'origin': ('unknown' if changed is None else
                   'changed' if changed + 1 < len(procs) else 'top'),
        'changed_at': None if changed is None else {
            'pid': procs[changed]['pid'], 'comm': procs[changed]['comm']},
        'systemd': _systemd(pid, name),
        'pam_limits': _pam_limits.pam(p['uids'][0], name),
        'kernel': kernel,
        'raise': raise_asked(name, pid, p, kernel, to, can_set),
    }
