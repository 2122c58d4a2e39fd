"""resource1 behind a bus proxy, as a Flatpak app reaches the bus: through
xdg-dbus-proxy (tests/python/test-python.sh starts it, as the same user, with
--filter --talk=org.example.Resource1 --talk=org.example.Resource1.Pidfd).
The bus, and so the service, sees the proxy as the caller; the package names
its own process by a pidfd, so its calls are about it, not the proxy.

    behind_proxy.py PKGDIR PROXY_PID

Environment: RESOURCE1_BUS_ADDRESS, the proxy's socket. TAP-like lines, exit
status 1 when any check fails. With the old package (pid 0, GetRlimit,
SetRlimit: "the caller") setrlimit set the proxy's NOFILE and getrusage
answered with the proxy's resident set size.
"""

import asyncio
import os
import resource
import sys

PKGDIR, PROXY = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, PKGDIR)
import resource1                      # noqa: E402
import resource1.aio as aio           # noqa: E402

NOFILE = resource.RLIMIT_NOFILE
failed = []


def nofile(pid):
    """(soft, hard) of 'Max open files' in /proc/PID/limits."""
    with open('/proc/%d/limits' % pid) as f:
        line = next(l for l in f if l.startswith('Max open files'))
    soft, hard = line.split()[3:5]
    return int(soft), int(hard)


def hwm(pid):
    """VmHWM of /proc/PID/status, in KiB: what the service reports as ru_maxrss."""
    with open('/proc/%d/status' % pid) as f:
        return next(int(l.split()[1]) for l in f if l.startswith('VmHWM:'))


def check(what, ok, detail=''):
    print('%s - %s%s' % ('ok' if ok else 'not ok', what, '' if ok else ': ' + detail))
    if not ok:
        failed.append(what)


def main():
    assert os.environ.get('RESOURCE1_BUS_ADDRESS'), 'no proxy address'
    me = os.getpid()
    # This process's limit and size, other than the proxy's.
    soft, hard = resource.getrlimit(NOFILE)
    resource.setrlimit(NOFILE, (soft - 7, hard))
    ballast = b'\x01' * (96 << 20)                    # resident: 96 MiB
    proxy_before = nofile(PROXY)
    check('the proxy is another process, with another NOFILE',
          PROXY != me and proxy_before != nofile(me), '%r' % (proxy_before,))

    got = resource1.getrlimit(NOFILE)
    check('getrlimit is this process\'s', got == nofile(me), '%r, this process %r, the proxy %r'
          % (got, nofile(me), proxy_before))
    resource1.setrlimit(NOFILE, (90, hard))
    check('setrlimit sets this process\'s limit', nofile(me) == (90, hard) and resource.getrlimit(NOFILE) == (90, hard),
          'this process %r' % (nofile(me),))
    check('setrlimit leaves the proxy\'s limit', nofile(PROXY) == proxy_before,
          'the proxy %r, before %r' % (nofile(PROXY), proxy_before))
    check('prlimit(0) and rlimits() are this process\'s',
          resource1.prlimit(0, NOFILE) == (90, hard) and resource1.rlimits()['NOFILE'] == (90, hard))
    old = resource1.setrlimits(0, {NOFILE: (80, hard)})
    check('setrlimits(0) sets this process\'s', old['NOFILE'] == (90, hard) and nofile(me) == (80, hard)
          and nofile(PROXY) == proxy_before, 'this process %r, the proxy %r' % (nofile(me), nofile(PROXY)))

    maxrss = resource1.getrusage(resource1.RUSAGE_SELF).ru_maxrss
    own, theirs = hwm(me), hwm(PROXY)
    check('getrusage(RUSAGE_SELF) is this process\'s (ru_maxrss %d KiB)' % maxrss,
          maxrss >= 96 << 10 and 0.8 < maxrss / own < 1.25,
          'this process %d KiB, the proxy %d KiB' % (own, theirs))

    async def coroutines():
        await aio.setrlimit(NOFILE, (70, hard))
        return await aio.getrlimit(NOFILE), (await aio.getrusage(aio.RUSAGE_SELF)).ru_maxrss
    got, maxrss = asyncio.run(coroutines())
    check('aio: setrlimit and getrlimit are this process\'s, not the proxy\'s',
          got == (70, hard) and nofile(me) == (70, hard) and nofile(PROXY) == proxy_before,
          'got %r, this process %r, the proxy %r' % (got, nofile(me), nofile(PROXY)))
    check('aio: getrusage(RUSAGE_SELF) is this process\'s', maxrss >= 96 << 10,
          '%d KiB, the proxy %d KiB' % (maxrss, hwm(PROXY)))
    del ballast
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
