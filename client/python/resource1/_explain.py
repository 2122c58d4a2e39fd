"""explain(): where a process's limit comes from, as far as the caller may
see -- the same reading as ``resourcectl explain --json``, which returns the
same structure (resourcectl(1) documents its keys; the tests compare the
two on the same processes and the same files).

Everything is read as the caller: /proc shows what it shows (hidepid=), and
what cannot be read is said, never guessed. Nothing is changed and polkit
is not asked; the service is asked only for its CanRaiseHardLimits.
"""

import errno as _errno
import glob as _glob
import grp as _grp
import os as _os
import pwd as _pwd
import re as _re

from . import _common

INFINITY = 2 ** 64 - 1
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

ACTION_RAISE_HARD = 'org.example.resource1.raise-hard-limit'
ACTION_MANAGE_OTHER = 'org.example.resource1.manage-other'
MAX_CHAIN = 128


def _limit(v):
    """A limit as the JSON has it: a number, or "infinity"."""
    return 'infinity' if v == INFINITY else v


def _read(path, size=8192):
    with open(path, 'rb') as f:
        return f.read(size - 1)


def _text(b):
    return b.decode('utf-8', 'replace')


# -------------------------------------------------------------- /proc

def _proc_limits(text):
    """/proc/PID/limits as {index: (soft, hard)} in RLIMIT_* order."""
    out = []
    for line in text.decode('ascii', 'replace').splitlines()[1:]:
        if len(line) <= 26 or not line.startswith('Max '):
            raise ValueError('not /proc/PID/limits')
        fields = line[26:].split()
        vals = [INFINITY if f == 'unlimited' else int(f) for f in fields[:2]]
        out.append(tuple(vals))
    return out


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


# ---------------------------------------------------------- pam_limits

_PAM_ITEMS = {'CPU': 'cpu', 'FSIZE': 'fsize', 'DATA': 'data',
              'STACK': 'stack', 'CORE': 'core', 'RSS': 'rss',
              'NPROC': 'nproc', 'NOFILE': 'nofile', 'MEMLOCK': 'memlock',
              'AS': 'as', 'LOCKS': 'locks', 'SIGPENDING': 'sigpending',
              'MSGQUEUE': 'msgqueue', 'NICE': 'nice', 'RTPRIO': 'rtprio'}
_KIB = ('FSIZE', 'DATA', 'STACK', 'CORE', 'RSS', 'MEMLOCK', 'AS')
(SRC_USER, SRC_GROUP, SRC_ALLGROUP, SRC_ALL, SRC_DEFAULT, SRC_KERNEL,
 SRC_NONE) = range(7)
_MORE_SPECIFIC = "a more specific domain's line wins"
_NOT_ROOT = 'not for root: to root only lines naming root apply'
_NUMBER = _re.compile(rb'[ \t\n\v\f\r]*([+-]?)([0-9]+)')


def _strtoul(b, bits=64):
    """C's strtoul(b, &end, 10): (value, digits read, overflowed)."""
    m = _NUMBER.match(b)
    if not m:
        return 0, False, False
    v = int(m.group(2))
    if v >= 2 ** bits:
        return 2 ** bits - 1, True, True
    return (-v % 2 ** bits if m.group(1) == b'-' else v), True, False


def _uid_range(domain):
    """parse_uid_range(): (kind, min, max), bounds cut to uid_t."""
    k = domain.find(b':')
    if k < 0:
        return 'none', None, None
    r = domain[1:] if domain[:1] in (b'@', b'%') else domain
    pmax = domain[k + 1:]
    kind, lo = 'mm', _UID_MASK
    if r[:1] == b':':
        kind = 'one'
    else:
        m = _NUMBER.match(r)
        v, ok, over = _strtoul(r)
        if over or not ok or r[m.end():m.end() + 1] != b':':
            return 'err', None, None
        lo = v & _UID_MASK
    if not pmax:
        return ('err', None, None) if kind == 'one' else ('min', lo, None)
    m = _NUMBER.match(pmax)
    v, ok, over = _strtoul(pmax)
    if over or not ok or m.end() != len(pmax):
        return 'err', None, None
    hi = v & _UID_MASK
    return kind, (hi if kind == 'one' else lo), hi


class _User:
    def __init__(self, pw):
        self.name = pw.pw_name.encode()
        self.uid, self.gid, self.root = pw.pw_uid, pw.pw_gid, pw.pw_uid == 0
        try:
            self.groups = set(_os.getgrouplist(pw.pw_name, pw.pw_gid))
        except OSError:
            self.groups = set()

    def in_gid(self, gid):
        return gid == self.gid or gid in self.groups

    def in_group(self, name):
        try:
            return self.in_gid(_grp.getgrnam(_os.fsdecode(name)).gr_gid)
        except (KeyError, ValueError, UnicodeError):
            return False


def _in_range(value, kind, lo, hi):
    if kind == 'one':
        return value == hi
    if kind == 'mm' and value > hi:
        return False
    return value >= lo


def _source(u, domain, rng, root):
    """The source a four-field line applies with (parse_config_file()),
    or None."""
    kind, lo, hi = rng
    if u.name == domain:
        return SRC_USER
    if domain[:1] == b'@' and not root:
        if kind == 'none':
            return SRC_GROUP if u.in_group(domain[1:]) else None
        if kind == 'one':
            return SRC_GROUP if u.in_gid(hi) else None
        return SRC_GROUP if _in_range(u.gid, kind, lo, hi) else None
    if domain[:1] == b'%' and not root:
        if kind == 'none':
            return (SRC_ALL if domain == b'%' else
                    SRC_ALLGROUP if u.in_group(domain[1:]) else None)
        if kind == 'one':
            return SRC_ALLGROUP if u.in_gid(hi) else None
        return None
    if kind == 'none':
        return SRC_DEFAULT if domain == b'*' and not root else None
    return SRC_USER if _in_range(u.uid, kind, lo, hi) else None


def _no_limits(u, domain, rng):
    kind, lo, hi = rng
    if u.name == domain:
        return True
    if domain[:1] == b'@':
        if kind == 'none':
            return u.in_group(domain[1:])
        if kind == 'one':
            return u.in_gid(hi)
        return _in_range(u.gid, kind, lo, hi)
    return kind != 'none' and _in_range(u.uid, kind, lo, hi)


def _value(name, value):
    """process_limit()'s value of a line, or why it has none."""
    if name != 'NICE' and value in (b'-1', b'-', b'unlimited', b'infinity'):
        v = INFINITY
    elif name == 'NICE':
        m = _NUMBER.match(value)
        if not m:
            return None, 'not a number'
        n = int(m.group(1) + m.group(2))
        return 20 - max(-20, min(19, n)), None
    else:
        v, ok, _ = _strtoul(value)
        if not ok:
            return None, 'not a number'
    if name == 'CPU' and v != INFINITY:
        v = INFINITY if v >= INFINITY // 60 else v * 60
    elif name in _KIB and v != INFINITY:
        v = INFINITY if v >= INFINITY // 1024 else v * 1024
    elif name == 'NOFILE' and v == INFINITY:
        try:
            v = int(_read('/proc/sys/fs/nr_open', 64).split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return v, None


def _apply(st, index, src, ltype, value):
    t = {b'soft': 1, b'hard': 2, b'-': 3}.get(ltype)
    if t is None:
        return 'unknown type'
    v, why = _value(st['name'], value)
    if why:
        return why
    if src in (SRC_ALL, SRC_ALLGROUP):
        return '% domains are for maxlogins only'
    # As process_limit(): a blocked soft side ends the line, hard too.
    for bit, side in ((1, 'soft'), (2, 'hard')):
        if t & bit:
            if st['src_' + side] < src:
                return _MORE_SPECIFIC
            st[side], st['src_' + side], st['by_' + side] = v, src, index
    return None


def _pieces(data):
    """The chunks fgets() with pam_limits' 1024-byte buffer reads, each
    with the number of the line it starts on."""
    number, i = 1, 0
    while i < len(data):
        j = data.find(b'\n', i, i + 1023)
        end = j + 1 if j >= 0 else min(i + 1023, len(data))
        yield number, data[i:end]
        if j >= 0:
            number += 1
        i = end


def _parse_file(path, u, st, out):
    """One file; True when a "<domain> -" line for u ends it all."""
    with open(path, 'rb') as f:
        data = f.read()
    out['files'].append(path)
    for number, piece in _pieces(data):
        line = piece.lstrip(b' \t\n\v\f\r').split(b'#')[0].split(b'\n')[0]
        if not line:
            continue
        fields = line.split()[:4]
        fields += [b''] * (4 - len(fields))
        domain, ltype, item, value = fields
        n = len(line.split()[:4])
        ltype = ltype.lower()
        rng = _uid_range(domain)
        if rng[0] == 'err':
            continue
        if n == 2 and ltype[:1] == b'-':
            if not _no_limits(u, domain, rng):
                continue
            out['no_limits'] = {'file': path[:127], 'line': number,
                                'domain': _text(domain[:63])}
            return True
        if n != 4 or st['item'] is None or item.lower() != st['item']:
            continue
        item, value = item.lower(), value.lower()
        src, why = _source(u, domain, rng, u.root), None
        if src is None:
            if not u.root or _source(u, domain, rng, False) is None:
                continue
            why = _NOT_ROOT
        if len(out['lines']) >= 64:
            out['more_lines'] = True
            if not why:
                _apply(st, None, src, ltype, value)
            continue
        index = len(out['lines'])
        out['lines'].append({
            'file': path[:127], 'line': number, 'domain': _text(domain[:63]),
            'type': _text(ltype[:15]), 'item': _text(item[:15]),
            'value': _text(value[:31]), 'sets': [], 'ignored': None})
        out['lines'][index]['ignored'] = why or _apply(st, index, src, ltype,
                                                       value)
    return False


def _pam_uses(name, depth=0):
    if depth > 4 or '/' in name:
        return False
    try:
        with open('/etc/pam.d/' + name, 'rb') as f:
            lines = f.read().split(b'\n')
    except OSError:
        return False
    for line in lines:
        line = line.split(b'#')[0]
        w = line.split()
        if len(w) < 2:
            continue
        if w[0] == b'@include':
            found = _pam_uses(_os.fsdecode(w[1]), depth + 1)
        elif w[0] in (b'session', b'-session'):
            if w[1] in (b'include', b'substack'):
                found = len(w) > 2 and _pam_uses(_os.fsdecode(w[2]),
                                                 depth + 1)
            else:
                found = b'pam_limits.so' in line
        else:
            continue
        if found:
            return True
    return False


def _pam_services():
    try:
        names = _os.listdir('/etc/pam.d')
    except OSError:
        return []
    found = []
    for n in names:
        if len(found) == 16:
            break
        if not n.startswith('.') and '.dpkg-' not in n and _pam_uses(n):
            found.append(n[:63])
    return sorted(found)


def _pam(uid, name):
    """What Debian 12's pam_limits (Linux-PAM 1.5.2 and Debian's patches)
    sets for the resource at a login of the user (see resourcectl(1),
    explain, and client/resourcectl/explain-pam.c, which reads the same)."""
    item = _PAM_ITEMS.get(name)
    out = {'user': None, 'supported': item is not None, 'services': [],
           'files': [], 'error': None, 'lines': [], 'more_lines': False,
           'no_limits': None,
           'base': {'from': 'pid 1', 'soft': None, 'hard': None},
           'soft': None, 'hard': None}
    try:
        pw = _pwd.getpwuid(uid)
    except KeyError:
        out['base']['from'] = None
        return out
    u = _User(pw)
    out['user'] = pw.pw_name[:63]
    st = {'name': name, 'item': item and item.encode(), 'soft': None,
          'hard': None, 'src_soft': SRC_NONE, 'src_hard': SRC_NONE,
          'by_soft': None, 'by_hard': None}
    try:
        lim = _proc_limits(_read('/proc/1/limits'))[
            _common.RESOURCE_NUMBERS[name]]
        soft = min(lim[0], 1024) if name == 'NOFILE' else lim[0]
        out['base'].update(soft=_limit(soft), hard=_limit(lim[1]))
        st.update(soft=soft, hard=lim[1], src_soft=SRC_KERNEL,
                  src_hard=SRC_KERNEL)
    except (OSError, ValueError, IndexError):
        pass
    known = out['base']['soft'] is not None
    stopped = False
    for path in ['/etc/security/limits.conf'] + sorted(
            _glob.glob('/etc/security/limits.d/*.conf')):
        try:
            stopped = _parse_file(path, u, st, out)
        except OSError as e:
            out['error'] = 'cannot read %s: %s' % (path, _os.strerror(
                e.errno))
            break
        if stopped:
            break
    if not stopped and not out['error']:
        has = {s: st['src_' + s] != SRC_NONE and (
            st['src_' + s] != SRC_KERNEL or known) for s in ('soft', 'hard')}
        soft, hard = st['soft'], st['hard']
        if has['soft'] and has['hard'] and soft > hard:
            soft = hard
        if has['soft']:
            out['soft'] = _limit(soft)
        if has['hard']:
            out['hard'] = _limit(hard)
        for side in ('soft', 'hard'):
            if st['by_' + side] is not None:
                out['lines'][st['by_' + side]]['sets'].append(side)
    out['services'] = _pam_services()
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


def raise_rules(proc, kernel, service_can):
    """What raising the limit would take, by the service's rules for a
    change (the spec's AUTHORIZATION): polkit's actions, not its answer.
    The one place that says so: a CanSetRlimits call to the service, which
    answers for polkit too, belongs here when the service has it."""
    uid = _os.geteuid()
    try:
        primary = _pwd.getpwuid(uid).pw_gid
    except KeyError:
        primary = _os.getegid()
    owner = (all(u == uid for u in proc['uids'][:3]) and
             all(g == primary for g in proc['gids'][:3]))
    ceiling = INFINITY if kernel['ceiling'] == 'infinity' else \
        kernel['ceiling']
    soft, hard = [], []
    if uid != 0:
        if not owner:
            soft.append(ACTION_MANAGE_OTHER)
        hard.append(ACTION_RAISE_HARD)
        if not owner:
            hard.append(ACTION_MANAGE_OTHER)
    return {'source': 'rules', 'caller_uid': uid, 'owner': owner,
            'soft': {'to': _limit(proc['hard']), 'polkit': soft},
            'hard': {'to': _limit(ceiling) if proc['hard'] < ceiling
                     else None,
                     'polkit': hard, 'service_can': service_can}}


def _entry(p):
    return {'pid': p['pid'], 'visible': True, 'comm': p['comm'],
            'uid': p['uids'][0], 'soft': _limit(p['soft']),
            'hard': _limit(p['hard'])}


def explain(resource, pid, service_can):
    """See resource1.explain(). service_can: a function returning the
    service's CanRaiseHardLimits (None when it cannot be asked)."""
    name = _common.resource_name(resource)
    pid = _common.check_pid(pid)
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
        'pam_limits': _pam(p['uids'][0], name),
        'kernel': kernel,
        'raise': raise_rules(p, kernel, service_can()),
    }
