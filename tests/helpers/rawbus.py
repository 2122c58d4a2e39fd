# rawbus.py: a minimal D-Bus client in the Python standard library, for the
# security suites' helpers (hidepid-selfpid.py, gone-connector.py). Unlike
# sd-bus (which refuses a connection after fork: -ECHILD) or GDBus, it lets a
# connection outlive the process that opened it, so a test can hold a
# connection whose bus-recorded pid is gone (and its number reused).
# First written for the round-three attacks (branch attack-r3).
#
# AUTH EXTERNAL sends the uid in $RAWBUS_UID if set, else geteuid().
import os, socket, struct

def _align(buf, n):
    while len(buf) % n:
        buf.append(0)

def _split_sig(sig):
    out, i = [], 0
    while i < len(sig):
        j = _one(sig, i)
        out.append(sig[i:j]); i = j
    return out

def _one(sig, i):
    c = sig[i]
    if c == 'a':
        return _one(sig, i + 1)
    if c in '({':
        close = ')' if c == '(' else '}'
        depth, j = 0, i
        while True:
            if sig[j] in '({': depth += 1
            elif sig[j] in ')}': depth -= 1
            j += 1
            if depth == 0: return j
    return i + 1

_ALIGN = {'y': 1, 'b': 4, 'n': 2, 'q': 2, 'i': 4, 'u': 4, 'x': 8, 't': 8, 'd': 8, 's': 4, 'o': 4,
          'g': 1, 'a': 4, '(': 8, '{': 8, 'v': 1, 'h': 4}
_FMT = {'y': 'B', 'b': 'I', 'n': 'h', 'q': 'H', 'i': 'i', 'u': 'I', 'x': 'q', 't': 'Q', 'd': 'd', 'h': 'I'}

def marshal(buf, sig, val):
    c = sig[0]
    _align(buf, _ALIGN[c])
    if c in _FMT:
        buf += struct.pack('<' + _FMT[c], int(val) if c != 'd' else val)
    elif c in 'so':
        b = val.encode(); buf += struct.pack('<I', len(b)) + b + b'\0'
    elif c == 'g':
        b = val.encode(); buf += struct.pack('<B', len(b)) + b + b'\0'
    elif c == 'v':
        s, v = val; marshal(buf, 'g', s); marshal(buf, s, v)
    elif c == 'a':
        esig = sig[1:]
        lpos = len(buf); buf += b'\0\0\0\0'
        _align(buf, _ALIGN[esig[0]]); start = len(buf)
        for e in val:
            marshal(buf, esig, e)
        struct.pack_into('<I', buf, lpos, len(buf) - start)
    elif c in '({':
        for s, v in zip(_split_sig(sig[1:-1]), val):
            marshal(buf, s, v)

def unmarshal(data, pos, sig):
    c = sig[0]
    a = _ALIGN[c]; pos = (pos + a - 1) // a * a
    if c in _FMT:
        f = '<' + _FMT[c]; return struct.unpack_from(f, data, pos)[0], pos + struct.calcsize(f)
    if c in 'so':
        n = struct.unpack_from('<I', data, pos)[0]; return data[pos + 4:pos + 4 + n].decode(), pos + 5 + n
    if c == 'g':
        n = data[pos]; return data[pos + 1:pos + 1 + n].decode(), pos + 2 + n
    if c == 'v':
        s, pos = unmarshal(data, pos, 'g'); v, pos = unmarshal(data, pos, s); return v, pos
    if c == 'a':
        n = struct.unpack_from('<I', data, pos)[0]; pos += 4
        ea = _ALIGN[sig[1]]; pos = (pos + ea - 1) // ea * ea
        end, out = pos + n, []
        while pos < end:
            v, pos = unmarshal(data, pos, sig[1:]); out.append(v)
        return out, pos
    if c in '({':
        out = []
        for s in _split_sig(sig[1:-1]):
            v, pos = unmarshal(data, pos, s); out.append(tuple(v) if isinstance(v, list) and False else v)
        return tuple(out), pos
    raise ValueError(sig)

class Bus:
    def __init__(self, address=None):
        address = address or os.environ.get('DBUS_SYSTEM_BUS_ADDRESS', 'unix:path=/run/dbus/system_bus_socket')
        path = [kv.split('=', 1)[1] for kv in address.split(':', 1)[1].split(',') if kv.startswith('path=')][0]
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.serial = 0
        self.rbuf = b''
        uid = os.environ.get('RAWBUS_UID', str(os.geteuid())).encode().hex()
        self.sock.sendall(b'\0AUTH EXTERNAL ' + uid.encode() + b'\r\n')
        line = self._line()
        assert line.startswith(b'OK'), line
        self.sock.sendall(b'NEGOTIATE_UNIX_FD\r\n')
        assert self._line().startswith(b'AGREE_UNIX_FD')
        self.sock.sendall(b'BEGIN\r\n')
        self.name = self.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'Hello')[1][0]

    def _line(self):
        while b'\r\n' not in self.rbuf:
            self.rbuf += self.sock.recv(4096)
        line, self.rbuf = self.rbuf.split(b'\r\n', 1)
        return line

    def _recv(self, n):
        while len(self.rbuf) < n:
            d = self.sock.recv(65536)
            if not d:
                raise EOFError
            self.rbuf += d
        out, self.rbuf = self.rbuf[:n], self.rbuf[n:]
        return out

    def send(self, dest, path, iface, member, sig='', args=(), interactive=False, fds=()):
        self.serial += 1
        body = bytearray()
        for s, v in zip(_split_sig(sig), args):
            marshal(body, s, v)
        fields = [(1, ('o', path)), (2, ('s', iface)), (3, ('s', member)), (6, ('s', dest))]
        if sig:
            fields.append((8, ('g', sig)))
        if fds:
            fields.append((9, ('u', len(fds))))
        hdr = bytearray(b'l\x01' + bytes([4 if interactive else 0]) + b'\x01')
        hdr += struct.pack('<II', len(body), self.serial)
        marshal(hdr, 'a(yv)', fields)
        _align(hdr, 8)
        if fds:
            socket.send_fds(self.sock, [bytes(hdr) + bytes(body)], list(fds))
        else:
            self.sock.sendall(bytes(hdr) + bytes(body))
        return self.serial

    def read_message(self):
        fixed = self._recv(16)
        blen, serial, flen = struct.unpack_from('<III', fixed, 4)
        rest = self._recv((16 + flen + 7) // 8 * 8 - 16 + blen)
        data = fixed + rest
        fields, _ = unmarshal(data, 12, 'a(yv)')
        f = dict(fields)
        body = data[(16 + flen + 7) // 8 * 8:]
        sig = f.get(8, '')
        vals, pos = [], 0
        for s in _split_sig(sig):
            v, pos = unmarshal(body, pos, s); vals.append(v)
        return data[1], f, vals

    def wait_reply(self, serial):
        while True:
            t, f, vals = self.read_message()
            if t in (2, 3) and f.get(5) == serial:
                return (f.get(4) if t == 3 else None), vals

    def call(self, dest, path, iface, member, sig='', args=(), interactive=False, fds=()):
        return self.wait_reply(self.send(dest, path, iface, member, sig, args, interactive, fds))

R = ('org.example.Resource1', '/org/example/Resource1', 'org.example.Resource1')
# The *Pidfd methods are served at the gate's name: the service's own
# connection takes no descriptors.
PIDFD_NAME = 'org.example.Resource1.Pidfd'

def rcall(bus, member, sig='', args=(), interactive=False, fds=(), dest=None):
    if dest is None:
        dest = PIDFD_NAME if member.endswith('Pidfd') else R[0]
    return bus.call(dest, *R[1:], member, sig, args, interactive, fds)
