#!/usr/bin/python3
# call-cost.py DAEMON_PID KIB ROUNDS: what one large call costs the daemon
# (security-stall 4 and 5). One connection sends, one at a time, ROUNDS
# rounds of one call of each kind below, each with a body of KIB KiB, and
# times each call on the daemon's CPU clock (its utime + stime in ns, which
# any process may read with clock_gettime), from before it is sent to its
# reply. The kinds:
#   unread   ListRlimits with the signature ua(stt): sd-bus refuses it
#            before any handler reads it (the cost of the bytes alone)
#   entries  SetRlimits(0, a(stt)) of ("", 0, 0) entries (24 bytes each)
#   name     GetRlimit(s) with one name of KIB KiB
#   names    SetRlimits(0, a(stt)) of 16 entries, NOFILE and 15 names of
#            KIB/16 KiB
# Prints per kind "COST kind= calls= median_us= min_us= max_us=
# reply_bytes=" and "REPLY kind= <error name> <its first 160 characters>".
import os, sys, struct, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawbus import Bus, marshal, _align

pid, kib, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
size = kib * 1024
# The process CPU clock of another process: MAKE_PROCESS_CPUCLOCK(pid,
# CPUCLOCK_SCHED), what clock_getcpuclockid(3) returns.
clock = ((~pid) << 3) | 2

def body_of(sig, args):
    buf = bytearray()
    for s, v in zip(sig, args):
        marshal(buf, s, v)
    return bytes(buf)

n = size // 24
entries = struct.pack('<II', 0, n * 24) + (struct.pack('<I', 0) + b'\0' * 4 + struct.pack('<QQ', 0, 0)) * n
names = body_of(['u', 'a(stt)'], [0, [('NOFILE', 0, 0)] + [('x' * (size // 16), 0, 0)] * 15])
kinds = [('unread', 'ListRlimits', 'ua(stt)', entries),
         ('entries', 'SetRlimits', 'ua(stt)', entries),
         ('name', 'GetRlimit', 's', body_of(['s'], ['x' * size])),
         ('names', 'SetRlimits', 'ua(stt)', names)]

def send(bus, member, sig, body):
    bus.serial += 1
    fields = [(1, ('o', '/org/example/Resource1')), (2, ('s', 'org.example.Resource1')),
              (3, ('s', member)), (6, ('s', 'org.example.Resource1')), (8, ('g', sig))]
    hdr = bytearray(b'l\x01\x00\x01') + struct.pack('<II', len(body), bus.serial)
    marshal(hdr, 'a(yv)', fields)
    _align(hdr, 8)
    bus.sock.sendall(bytes(hdr) + body)
    return bus.serial

bus = Bus()
bus.sock.settimeout(60)
cost = {k[0]: [] for k in kinds}
reply = {}
# Rounds of one call of each kind, so that whatever else the machine does
# meanwhile falls on every kind alike.
for _ in range(rounds):
    for kind, member, sig, body in kinds:
        t0 = time.clock_gettime_ns(clock)
        err, vals = bus.wait_reply(send(bus, member, sig, body))
        cost[kind].append((time.clock_gettime_ns(clock) - t0) // 1000)
        text = str(vals[0]) if vals else ''
        reply[kind] = (err, text)
for kind, _, _, _ in kinds:
    c = sorted(cost[kind])
    err, text = reply[kind]
    print(f'COST kind={kind} calls={len(c)} median_us={c[len(c) // 2]} min_us={c[0]} max_us={c[-1]} '
          f'reply_bytes={len(text.encode())}', flush=True)
    print(f'REPLY kind={kind} {err} {text[:160]}', flush=True)
