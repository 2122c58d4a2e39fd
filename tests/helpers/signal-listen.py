#!/usr/bin/python3
"""RlimitChanged as one bus client receives it (security-hidepid).

  signal-listen.py listen SECONDS
      subscribes, prints READY, then "SIGNAL pid resource old_soft old_hard
      soft hard caller_uid" for each RlimitChanged received in SECONDS
  signal-listen.py change PID RESOURCE SOFT HARD
      subscribes, makes the change (Prlimit set) itself, and prints the
      reply ("REPLY ok" or "REPLY error NAME") and each RlimitChanged
      received until a second after the reply

Run as any user; the bus is $DBUS_SYSTEM_BUS_ADDRESS."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawbus import Bus, R  # noqa: E402

MATCH = "type='signal',sender='org.example.Resource1',member='RlimitChanged'"


def show(vals):
    print('SIGNAL', ' '.join(str(v) for v in vals), flush=True)


def read_until(bus, deadline, on_message):
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        bus.sock.settimeout(left)
        try:
            t, f, vals = bus.read_message()
        except (socket.timeout, TimeoutError):
            return
        if on_message(t, f, vals):
            return


def main():
    bus = Bus()
    bus.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'AddMatch', 's', (MATCH,))
    if sys.argv[1] == 'listen':
        print('READY', flush=True)
        read_until(bus, time.monotonic() + float(sys.argv[2]),
                   lambda t, f, vals: t == 4 and f.get(3) == 'RlimitChanged' and show(vals))
        return
    pid, resource, soft, hard = int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    serial = bus.send(*R, 'Prlimit', 'usbtt', (pid, resource, True, soft, hard))
    replied = []

    def on_message(t, f, vals):
        if t == 4 and f.get(3) == 'RlimitChanged':
            show(vals)
        elif t in (2, 3) and f.get(5) == serial:
            print('REPLY', 'ok' if t == 2 else 'error ' + str(f.get(4)), flush=True)
            replied.append(time.monotonic())
            return True
        return False

    read_until(bus, time.monotonic() + 10, on_message)
    if replied:
        read_until(bus, replied[0] + 1, on_message)


if __name__ == '__main__':
    main()
