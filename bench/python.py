"""resource1 (the Python client) over the bus against its floors, in the
benchmarks' fixture (bench/python.sh runs it; figures, not tests):

    python.py PKGDIR [N]

Rows: resource1.getrlimit; a bare Peer.Ping to resource1d from Python with
the same library (jeepney, blocking) and on resource1's own connection; the
same GetRlimit and Ping with Gio from Python (PyGObject, call_sync); the
import time of resource1 (a fresh interpreter, median of 15). Each latency is
the median of 9 rounds' medians, the calls interleaved."""
import statistics
import subprocess
import sys
import time

sys.path.insert(0, sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 else 9000
import resource1                                           # noqa: E402
from resource1 import _common                              # noqa: E402
from jeepney import DBusAddress, new_method_call           # noqa: E402
from jeepney.io.blocking import open_dbus_connection       # noqa: E402

PEER = DBusAddress('/org/example/Resource1', bus_name='org.example.Resource1',
                   interface='org.freedesktop.DBus.Peer')
conn = resource1._default._connection()
jconn = open_dbus_connection('SYSTEM')


def ping_same_connection():
    conn.call(new_method_call(PEER, 'Ping'), 25)


def ping_jeepney():
    jconn.send_and_get_reply(new_method_call(PEER, 'Ping'), timeout=25)


RAW = new_method_call(_common.SERVICE, 'GetRlimit', 's', ('NOFILE',))


def getrlimit_raw():
    conn.call(RAW, 25)


rows = [('resource1.getrlimit(RLIMIT_NOFILE)', lambda: resource1.getrlimit(7)),
        ('GetRlimit, a prebuilt message on resource1\'s connection', getrlimit_raw),
        ('Peer.Ping, jeepney blocking connection', ping_jeepney),
        ('Peer.Ping, on resource1\'s connection', ping_same_connection)]
try:
    from gi.repository import Gio, GLib
    gio = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)

    def gio_call(method, params):
        iface = 'org.freedesktop.DBus.Peer' if method == 'Ping' else 'org.example.Resource1'
        return gio.call_sync('org.example.Resource1', '/org/example/Resource1', iface, method,
                             params, None, Gio.DBusCallFlags.NONE, 25000, None)
    rows += [('GetRlimit, Gio (PyGObject) call_sync', lambda: gio_call('GetRlimit', GLib.Variant('(s)', ('NOFILE',)))),
             ('Peer.Ping, Gio (PyGObject) call_sync', lambda: gio_call('Ping', None))]
except ImportError:
    pass

for _, f in rows:          # warm up
    for _ in range(200):
        f()
per_round = N // 9
medians = {name: [] for name, _ in rows}
for _ in range(9):
    samples = {name: [] for name, _ in rows}
    for _ in range(per_round // 10):
        for name, f in rows:
            t = time.perf_counter_ns()
            for _ in range(10):
                f()
            samples[name].append((time.perf_counter_ns() - t) / 10)
    for name in samples:
        medians[name].append(statistics.median(samples[name]))
fig = {name: statistics.median(m) / 1000 for name, m in medians.items()}
ping = fig['Peer.Ping, jeepney blocking connection']
print('| call (Python %d.%d) | us | x jeepney Ping |' % sys.version_info[:2])
print('|---|---:|---:|')
for name, _ in rows:
    print('| %s | %.1f | %.2f |' % (name, fig[name], fig[name] / ping))
imp = []
for _ in range(15):
    t = time.perf_counter()
    subprocess.run([sys.executable, '-c', 'import sys; sys.path.insert(0, sys.argv[1]); import resource1', sys.argv[1]], check=True)
    imp.append(time.perf_counter() - t)
base = []
for _ in range(15):
    t = time.perf_counter()
    subprocess.run([sys.executable, '-c', 'pass'], check=True)
    base.append(time.perf_counter() - t)
print('| `import resource1` (fresh interpreter, minus an empty one) | %.1f ms | |'
      % ((statistics.median(imp) - statistics.median(base)) * 1000))
