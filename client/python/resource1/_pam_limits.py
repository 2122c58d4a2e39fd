"""What pam_limits sets for a resource at a login of a user, for
explain() (_explain): /etc/security/limits.conf and limits.d/*.conf read as
Debian 12's pam_limits (Linux-PAM 1.5.2 with Debian's patches) reads them,
step for step as client/resourcectl/explain-pam.c does (whose comment says
how); the tests hold both to the same answers.
"""

import glob as _glob
import grp as _grp
import os as _os
import pwd as _pwd
import re as _re

from . import _common
from ._procfs import INFINITY, limit as _limit, proc_limits as _proc_limits
from ._procfs import read as _read, text as _text

_UID_MASK = 2 ** 32 - 1

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


def pam(uid, name):
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
