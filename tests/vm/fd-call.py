#!/usr/bin/python3
"""fd-call DEST METHOD N: one org.example.Resource1 METHOD call to bus name
DEST on the system bus, carrying N descriptors (of /dev/null) as N "h"
arguments, whatever METHOD's signature is: the bus's policy goes by the
descriptor count, the interface and the member (busctl before systemd 254
cannot send a descriptor). Prints "ok" for a reply, or "ERROR NAME: TEXT
(from SENDER)" for an error; a bus that refuses the call answers itself.
"""
import os
import sys

from jeepney import DBusAddress, MessageType, new_method_call
from jeepney.io.blocking import open_dbus_connection

dest, method, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(n)]
with open_dbus_connection(bus="SYSTEM", enable_fds=True) as conn:
    msg = new_method_call(DBusAddress("/org/example/Resource1", bus_name=dest,
                                      interface="org.example.Resource1"),
                          method, "h" * n, tuple(fds))
    reply = conn.send_and_get_reply(msg, timeout=10)
    if reply.header.message_type == MessageType.error:
        name = reply.header.fields.get(4)     # ERROR_NAME
        sender = reply.header.fields.get(7)   # SENDER
        text = reply.body[0] if reply.body else ""
        print(f"ERROR {name}: {text} (from {sender})")
    else:
        print("ok")
