#!/usr/bin/python3
# fresh-callers.py SECONDS: round-3b attack. A new connection every 50 ms,
# each making one GetRlimit: the daemon's first call from a connection asks
# the bus for its credentials with a synchronous call on its event loop
# (caller.c creds_query). Prints "FRESH calls= ok= err= max_s=" and the
# first error.
import os, sys, time, threading
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawbus import Bus, rcall
end = time.time() + float(sys.argv[1])
calls = ok = 0; errs = []; worst = 0.0
lock = threading.Lock()
def one():
    global calls, ok, worst
    t = time.time()
    try:
        b = Bus(); b.sock.settimeout(60)
        err, vals = rcall(b, 'GetRlimit', 's', ('NOFILE',))
    except Exception as e:
        err, vals = type(e).__name__, [str(e)]
    d = time.time() - t
    with lock:
        calls += 1; worst = max(worst, d)
        if err: errs.append(f'{err} {vals[0] if vals else ""} after {d:.1f}s')
        else: ok += 1
ths = []
while time.time() < end:
    th = threading.Thread(target=one); th.start(); ths.append(th); time.sleep(0.05)
for th in ths: th.join()
print(f'FRESH calls={calls} ok={ok} err={len(errs)} max_s={worst:.1f}', flush=True)
for e in errs[:3]: print('FRESH_ERR', e, flush=True)
