#!/usr/bin/python3
# call-cost.py DAEMON_PID KIB ROUNDS [GATE_PID]: what one large call costs the
# service (security-stall 4 and 5). One connection sends, one at a time,
# ROUNDS rounds of one call of each kind below, each with a body of KIB KiB,
# and times each call on the CPU clock of the process that receives it (its
# utime + stime in ns, which any process may read with clock_gettime), from
# before it is sent to its reply. The kinds:
#   unread   ListRlimits with the signature ua(stt): sd-bus refuses it
#            before any handler reads it (the cost of the bytes alone)
#   entries  SetRlimits(0, a(stt)) of ("", 0, 0) entries (24 bytes each)
#   name     GetRlimit(s) with one name of KIB KiB
#   names    SetRlimits(0, a(stt)) of 16 entries, NOFILE and 15 names of
#            KIB/16 KiB
# and with GATE_PID, to org.example.Resource1.Pidfd, each carrying a pidfd of
# this process, timed on the gate's clock:
#   gate          SetRlimitsPidfd(pidfd, a(stt)) of the same entries
#   gate-unread   ListRlimitsPidfd with the signature ha(stt)
# Prints per kind "COST kind= calls= median_us= min_us= max_us=
# reply_bytes=" and "REPLY kind= <error name> <its first 160 characters>".
import os, socket, sys, struct, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawbus import Bus, marshal, _align

pid, kib, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
gate = int(sys.argv[4]) if len(sys.argv) > 4 else 0
size = kib * 1024

def cpu_clock(pid):
    # The process CPU clock of another process: MAKE_PROCESS_CPUCLOCK(pid,
    # CPUCLOCK_SCHED), what clock_getcpuclockid(3) returns.
    return ((~pid) << 3) | 2

def body_of(sig, args):
    buf = bytearray()
    for s, v in zip(sig, args):
        marshal(buf, s, v)
    return bytes(buf)

n = size // 24
entries = struct.pack('<II', 0, n * 24) + (struct.pack('<I', 0) + b'\0' * 4 + struct.pack('<QQ', 0, 0)) * n
names = body_of(['u', 'a(stt)'], [0, [('NOFILE', 0, 0)] + [('x' * (size // 16), 0, 0)] * 15])
DAEMON, GATE = 'org.example.Resource1', 'org.example.Resource1.Pidfd'
pidfd = os.pidfd_open(os.getpid())
# kind, destination, member, signature, body, whose clock
kinds = [('unread', DAEMON, 'ListRlimits', 'ua(stt)', entries, pid),
         ('entries', DAEMON, 'SetRlimits', 'ua(stt)', entries, pid),
         ('name', DAEMON, 'GetRlimit', 's', body_of(['s'], ['x' * size]), pid),
         ('names', DAEMON, 'SetRlimits', 'ua(stt)', names, pid)]
if gate:
    kinds += [('gate', GATE, 'SetRlimitsPidfd', 'ha(stt)', entries, gate),
              ('gate-unread', GATE, 'ListRlimitsPidfd', 'ha(stt)', entries, gate)]

def send(bus, dest, member, sig, body):
    bus.serial += 1
    fields = [(1, ('o', '/org/example/Resource1')), (2, ('s', 'org.example.Resource1')),
              (3, ('s', member)), (6, ('s', dest)), (8, ('g', sig))]
    if dest == GATE:
        fields.append((9, ('u', 1)))
    hdr = bytearray(b'l\x01\x00\x01') + struct.pack('<II', len(body), bus.serial)
    marshal(hdr, 'a(yv)', fields)
    _align(hdr, 8)
    data = bytes(hdr) + body
    if dest == GATE:
        # The descriptor goes with the first bytes; sendmsg may take only
        # part of a large message.
        data = data[socket.send_fds(bus.sock, [data], [pidfd]):]
    bus.sock.sendall(data)
    return bus.serial

bus = Bus()
bus.sock.settimeout(60)
cost = {k[0]: [] for k in kinds}
reply = {}
# Rounds of one call of each kind, so that whatever else the machine does
# meanwhile falls on every kind alike.
for _ in range(rounds):
    for kind, dest, member, sig, body, whose in kinds:
        clock = cpu_clock(whose)
        t0 = time.clock_gettime_ns(clock)
        err, vals = bus.wait_reply(send(bus, dest, member, sig, body))
        # A process's clock counts a slice when the slice ends: let the
        # process go back to waiting after its reply before reading it.
        time.sleep(0.002)
        cost[kind].append((time.clock_gettime_ns(clock) - t0) // 1000)
        reply[kind] = (err, str(vals[0]) if vals else '')
for kind in cost:
    c = sorted(cost[kind])
    err, text = reply[kind]
    print(f'COST kind={kind} calls={len(c)} median_us={c[len(c) // 2]} min_us={c[0]} max_us={c[-1]} '
          f'reply_bytes={len(text.encode())}', flush=True)
    print(f'REPLY kind={kind} {err} {text[:160]}', flush=True)
