#!/usr/bin/python3
# pid0-sandbox.py MODE: the caller's side of tests/security/test-security-pid0.sh:
# "pid 0, the caller" from an app in a pid-namespace sandbox whose bus
# connection was opened by a child that exited, after a process of the same
# user outside the sandbox took the child's number. Plain sockets (rawbus.py):
# sd-bus and GDBus refuse a connection after fork.
#
#   drive [APP]    (root) starts "app" (or APP: "delayed") as nobody in a sandbox made as
#                  bubblewrap and Flatpak make it (unshare -U -c -p --fork:
#                  same uid on the host), and for each connection it reports,
#                  makes a process of nobody's outside the sandbox take the
#                  number the bus recorded for it (writing ns_last_pid of the
#                  pid namespace the bus and the daemon live in, then forking
#                  "sleep"), with NOFILE 20000:20000, before telling the app to
#                  call. Prints the app's lines, then for each victim
#                  "VICTIM <kind> <pid> took=<yes|no> before=<s:h> after=<s:h>"
#                  (its NOFILE from /proc/PID/limits).
#   app            (inside the sandbox) for each kind, "fresh" (no call before
#                  the connecting child exits) and "pinned" (one GetRlimit
#                  while it lives): a child connects (auth, Hello), hands the
#                  socket and what it read to this process over a pipe, and
#                  exits; prints "CONN <kind> <name> <pid the bus recorded>",
#                  waits for "GO", then calls GetRlimit, ListRlimits(0),
#                  GetRusage(0), SetRlimit, Prlimit(0), SetRlimits(0) on NOFILE
#                  (99:99) and, by that number, ListRlimits(N) and
#                  Prlimit(N, NOFILE 98:98).
#   delayed        (inside the sandbox) the delayed Hello: for each kind,
#                  "auth" (the child connects and authenticates: the bus has
#                  surely accepted the connection) and "raw" (it only
#                  connects), a child connects on a socket this process
#                  keeps, tells its pid (as the bus's pid namespace has it:
#                  /proc is the host's) and exits, reaped; prints "CONN <kind>
#                  - <that pid>", waits for "GO", and only then finishes the
#                  handshake (AUTH, NEGOTIATE_UNIX_FD, BEGIN, Hello) and makes the calls "app"
#                  makes (after "NAME <kind> <name> <pid the bus recorded>").
#   live           (inside the sandbox) its own connection: the pid-0 calls
#                  (reads, and CORE lowered to 0:0 in three ways) and one by
#                  number; then "CORE <soft> <hard>" as this process has it.
#   early          (on the host) opens a connection, and a libresource1 handle
#                  ($LIBRESOURCE1, through ctypes) makes a call, which no
#                  service answers; prints "READY", waits for "GO" (the daemon
#                  started meanwhile), calls GetRlimit and ListRlimits(its own
#                  pid) on that connection, GetRlimit on a new one, and
#                  resource1_getrlimit on the handle with every descriptor
#                  below a soft NOFILE of 64 taken (so that it names this
#                  process as pid 0, not by a pidfd).
# Each call prints "RESULT <kind> <method> OK <values>" or
# "RESULT <kind> <method> ERR <error name> <message>".
import os, socket, subprocess, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawbus import Bus, rcall

DBUS = ('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus')
NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
HERE = os.path.abspath(__file__)


def bus_path():
    address = os.environ['DBUS_SYSTEM_BUS_ADDRESS']
    return [kv.split('=', 1)[1] for kv in address.split(':', 1)[1].split(',') if kv.startswith('path=')][0]


def adopt(sock, name, rbuf, serial):
    """A rawbus.Bus on a socket another process authenticated."""
    b = Bus.__new__(Bus)
    b.sock, b.name, b.rbuf, b.serial = sock, name, rbuf, serial
    return b


def handshake(sock):
    """AUTH EXTERNAL and Hello on a connected socket, as rawbus.Bus does."""
    b = adopt(sock, None, b'', 0)
    sock.sendall(b'\0AUTH EXTERNAL ' + str(os.geteuid()).encode().hex().encode() + b'\r\n')
    assert b._line().startswith(b'OK')
    sock.sendall(b'BEGIN\r\n')
    b.name = b.call(*DBUS, 'Hello')[1][0]
    return b


def say(*words):
    print(*words, flush=True)


def result(kind, method, err, vals):
    if err:
        say('RESULT', kind, method, 'ERR', err, (vals[0] if vals else '').replace('\n', ' '))
    elif method.startswith('ListRlimits'):
        say('RESULT', kind, method, 'OK', [l for l in vals[0] if l[0] == 'NOFILE'])
    elif method.startswith('GetRusage'):
        say('RESULT', kind, method, 'OK', len(vals[0]), 'fields')
    else:
        say('RESULT', kind, method, 'OK', *vals)


def recorded_pid(bus):
    err, vals = bus.call(*DBUS, 'GetConnectionCredentials', 's', (bus.name,))
    return dict(vals[0])['ProcessID'] if not err else -1


def pid0_calls(bus, kind, res, value):
    for method, sig, args in [('GetRlimit', 's', (res,)),
                              ('ListRlimits', 'u', (0,)),
                              ('GetRusage', 'us', (0, 'self')),
                              ('SetRlimit', 'stt', (res, value, value)),
                              ('Prlimit', 'usbtt', (0, res, True, value, value)),
                              ('SetRlimits', 'ua(stt)', (0, [(res, value, value)]))]:
        result(kind, method, *rcall(bus, method, sig, args))


def app():
    for kind in ('fresh', 'pinned'):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        info_r, info_w = os.pipe()
        exit_r, exit_w = os.pipe()
        c = os.fork()
        if c == 0:
            # The connecting process: the bus records its pid.
            sock.connect(bus_path())
            b = handshake(sock)
            os.write(info_w, b'%s %d\n' % (b.name.encode(), len(b.rbuf)) + b.rbuf)
            os.read(exit_r, 1)
            os._exit(0)
        data = b''
        while b'\n' not in data:
            data += os.read(info_r, 65536)
        head, rest = data.split(b'\n', 1)
        name, n = head.decode().split()
        while len(rest) < int(n):
            rest += os.read(info_r, 65536)
        bus = adopt(sock, name, rest, 1000)
        if kind == 'pinned':
            result(kind + '-before', 'GetRlimit', *rcall(bus, 'GetRlimit', 's', ('NOFILE',)))
        os.write(exit_w, b'x')
        os.waitpid(c, 0)              # the connecting process is gone and reaped
        n = recorded_pid(bus)
        say('CONN', kind, name, n)
        if sys.stdin.readline().strip() != 'GO':
            return
        pid0_calls(bus, kind, 'NOFILE', 99)
        result(kind, 'ListRlimits(N)', *rcall(bus, 'ListRlimits', 'u', (n,)))
        result(kind, 'Prlimit(N)', *rcall(bus, 'Prlimit', 'usbtt', (n, 'NOFILE', True, 98, 98)))
        say('DONE', kind)


def delayed():
    for kind in ('auth', 'raw'):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        info_r, info_w = os.pipe()
        exit_r, exit_w = os.pipe()
        c = os.fork()
        if c == 0:
            # The connecting process: the bus records its pid (and, where
            # it offers ProcessFD, holds it by a pidfd) at connect.
            sock.connect(bus_path())
            if kind == 'auth':
                sock.sendall(b'\0AUTH EXTERNAL ' + str(os.geteuid()).encode().hex().encode() + b'\r\n')
                line = b''
                while b'\r\n' not in line:
                    line += sock.recv(1)
                assert line.startswith(b'OK'), line
            os.write(info_w, os.readlink('/proc/self').encode() + b'\n')
            os.read(exit_r, 1)
            os._exit(0)
        n = int(os.read(info_r, 64).decode())
        if kind == 'raw':
            time.sleep(0.1)              # for the bus to accept it
        os.write(exit_w, b'x')
        os.waitpid(c, 0)                 # gone and reaped before its Hello
        say('CONN', kind, '-', n)
        if sys.stdin.readline().strip() != 'GO':
            return
        b = adopt(sock, None, b'', 0)
        if kind == 'raw':
            sock.sendall(b'\0AUTH EXTERNAL ' + str(os.geteuid()).encode().hex().encode() + b'\r\n')
            assert b._line().startswith(b'OK')
        # Descriptors negotiated, as any sd-bus or GDBus client does: a bus
        # that offers ProcessFD sends it with GetConnectionCredentials.
        sock.sendall(b'NEGOTIATE_UNIX_FD\r\n')
        assert b._line().startswith(b'AGREE_UNIX_FD')
        sock.sendall(b'BEGIN\r\n')
        b.name = b.call(*DBUS, 'Hello')[1][0]
        bus = b
        say('NAME', kind, bus.name, recorded_pid(bus))
        pid0_calls(bus, kind, 'NOFILE', 99)
        result(kind, 'ListRlimits(N)', *rcall(bus, 'ListRlimits', 'u', (n,)))
        result(kind, 'Prlimit(N)', *rcall(bus, 'Prlimit', 'usbtt', (n, 'NOFILE', True, 98, 98)))
        say('DONE', kind)


def nofile(pid):
    try:
        with open('/proc/%d/limits' % pid) as f:
            for line in f:
                if line.startswith('Max open files'):
                    return '%s:%s' % tuple(line.split()[3:5])
    except OSError:
        pass
    return '-'


def spawn_at(n):
    """A process of nobody's, outside the sandbox, with pid n: the next pid
    given out after ns_last_pid is n - 1 (others may fork in between: tried
    again)."""
    for _ in range(20):
        with open('/proc/sys/kernel/ns_last_pid', 'w') as f:
            f.write(str(n - 1))
        p = subprocess.Popen(NOBODY + ['sleep', '60'])
        if p.pid == n:
            return p
        p.kill()
        p.wait()
    return None


def drive():
    mode = sys.argv[2] if len(sys.argv) > 2 else 'app'
    app_proc = subprocess.Popen(NOBODY + ['unshare', '-U', '-c', '-p', '--fork', os.environ.get('PYTHON3', sys.executable), HERE, mode],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    victims = []
    for line in app_proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        w = line.split()
        if w[0] != 'CONN':
            continue
        kind, n = w[1], int(w[3])
        # An attacker needs seconds to bring the counter round to n; here
        # root rewinds it, which only a process privileged over the pid
        # namespace can (ns_last_pid, clone3's set_tid): the daemon tells a
        # process that started in the very clock tick its connection
        # appeared in by that counter, so the victim starts a tick later,
        # as any attacker's would.
        time.sleep(0.03)
        v = spawn_at(n) if n > 1 else None
        victims.append((kind, n, v, nofile(n) if v else '-'))
        time.sleep(0.05)
        app_proc.stdin.write('GO\n')
        app_proc.stdin.flush()
    app_proc.wait()
    for kind, n, v, before in victims:
        say('VICTIM', kind, n, 'took=%s' % ('yes' if v else 'no'), 'before=%s' % before,
            'after=%s' % (nofile(n) if v else '-'))
        if v:
            v.kill()
            v.wait()


def live():
    import resource
    bus = Bus()
    say('CONN', 'live', bus.name, recorded_pid(bus), 'self', os.getpid())
    result('live', 'GetRlimit', *rcall(bus, 'GetRlimit', 's', ('NOFILE',)))
    result('live', 'ListRlimits', *rcall(bus, 'ListRlimits', 'u', (0,)))
    result('live', 'GetRusage', *rcall(bus, 'GetRusage', 'us', (0, 'self')))
    result('live', 'SetRlimit', *rcall(bus, 'SetRlimit', 'stt', ('CORE', 0, 0)))
    result('live', 'Prlimit', *rcall(bus, 'Prlimit', 'usbtt', (0, 'CORE', True, 0, 0)))
    result('live', 'SetRlimits', *rcall(bus, 'SetRlimits', 'ua(stt)', (0, [('CORE', 0, 0)])))
    result('live', 'ListRlimits(N)', *rcall(bus, 'ListRlimits', 'u', (1,)))
    say('CORE', *resource.getrlimit(resource.RLIMIT_CORE))


def early():
    import ctypes, resource
    bus = Bus()
    # A libresource1 handle ($LIBRESOURCE1) whose connection is older than
    # the daemon too: its first call is made now, while no service runs.
    lib = ctypes.CDLL(os.environ['LIBRESOURCE1'])
    lib.resource1_last_error_name.restype = lib.resource1_last_error_message.restype = ctypes.c_char_p
    h = ctypes.c_void_p()
    assert lib.resource1_new(ctypes.byref(h)) == 0
    page = ctypes.c_uint64()
    say('LIB before the service: resource1_getpagesize', lib.resource1_getpagesize(h, ctypes.byref(page)))
    say('READY', bus.name, os.getpid())
    if sys.stdin.readline().strip() != 'GO':
        return
    result('early', 'GetRlimit', *rcall(bus, 'GetRlimit', 's', ('NOFILE',)))
    result('early', 'ListRlimits(N)', *rcall(bus, 'ListRlimits', 'u', (os.getpid(),)))
    result('early-new', 'GetRlimit', *rcall(Bus(), 'GetRlimit', 's', ('NOFILE',)))
    # The library names this process by a pidfd, and as pid 0 only where it
    # cannot pass one: at the end of its descriptors, where this call is made.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))
    held = []
    try:
        while True:
            held.append(os.open('/dev/null', os.O_RDONLY | os.O_CLOEXEC))
    except OSError:
        pass
    lim = (ctypes.c_uint64 * 2)()
    r = lib.resource1_getrlimit(h, resource.RLIMIT_NOFILE, lim)
    for fd in held:
        os.close(fd)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if r == 0:
        say('RESULT', 'early-lib', 'resource1_getrlimit', 'OK', lim[0], lim[1])
    else:
        say('RESULT', 'early-lib', 'resource1_getrlimit', 'ERR', r, lib.resource1_last_error_name(h).decode(),
            lib.resource1_last_error_message(h).decode())
    lib.resource1_free(h)


{'drive': drive, 'app': app, 'delayed': delayed, 'live': live, 'early': early}[sys.argv[1]]()
