#!/usr/bin/python3
# gate-unnamed.py (run by fuse-exec, FUSE_FILES set): PrlimitPidfd calls to
# the descriptor gate that carry a FUSE file but name it nowhere the
# interface has the pidfd, one form per file, all at once, each on a
# connection of its own:
#   uh     (u 0, h 0): the file named by an argument of another type first
#          (found by the sixth attack: the gate kept such calls unclosed)
#   u      (u 0) and the file: no "h" at all
#   index  (h 1, s, b, t, t) and the file: an index past those it carries
# Prints "ANSWER <form> <ms> <error name>: <message>" for each ("TIMEOUT
# <form>" after 20 s).
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rawbus  # noqa: E402

FORMS = (('uh', 'uh', (0, 0)),
         ('u', 'u', (0,)),
         ('index', 'hsbtt', (1, 'NOFILE', False, 0, 0)))

files = [int(f) for f in os.environ['FUSE_FILES'].split()]
sent = []
for (form, sig, args), fd in zip(FORMS, files):
    bus = rawbus.Bus()
    serial = bus.send(rawbus.PIDFD_NAME, *rawbus.R[1:], 'PrlimitPidfd', sig, args, fds=(fd,))
    sent.append((form, bus, serial, time.monotonic()))
for form, bus, serial, start in sent:
    bus.sock.settimeout(20)
    try:
        err, vals = bus.wait_reply(serial)
    except (socket.timeout, EOFError):
        print(f'TIMEOUT {form}', flush=True)
        continue
    ms = int((time.monotonic() - start) * 1000)
    print(f'ANSWER {form} {ms} {err or "OK"}: {vals[0] if vals else ""}', flush=True)
