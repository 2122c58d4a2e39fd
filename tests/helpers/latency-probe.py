#!/usr/bin/python3
# latency-probe.py INTERVAL: root's PageSize on org.example.Resource1 every
# INTERVAL seconds, over one connection opened first, each call waited for
# as long as it takes: prints "READY", then "<t> <ms>" per answer. On
# SIGTERM prints "PENDING <ms>" for a call still unanswered (the daemon's
# loop waiting somewhere: how long so far), then "DONE", and exits. A test
# reads the largest of them as the service's worst answer time meanwhile.
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawbus  # noqa: E402

interval = float(sys.argv[1])
bus = rawbus.Bus()
start = None


def stop(signum, frame):
    if start is not None:
        print(f'PENDING {(time.monotonic() - start) * 1000:.1f}', flush=True)
    print('DONE', flush=True)
    os._exit(0)


signal.signal(signal.SIGTERM, stop)
print('READY', flush=True)
t0 = time.monotonic()
while True:
    start = time.monotonic()
    bus.wait_reply(bus.send(*rawbus.R, 'PageSize'))
    ms = (time.monotonic() - start) * 1000
    print(f'{start - t0:.1f} {ms:.1f}', flush=True)
    start = None
    time.sleep(max(0.0, interval - ms / 1000))
