#!/usr/bin/python3
# The flatpak suite's Python app (tests/client/test-flatpak.sh), run inside the app's
# sandbox: the resource1 package's calls about the app itself, each answer
# printed beside what the process's own resource module says of itself.
#
#   OWN <own soft> <own hard>                         (NOFILE, as the process knows it)
#   GETRLIMIT <service's soft> <hard> <own soft> <hard>
#   RUSAGE <service's ru_maxrss, or -> <own ru_maxrss> (KiB, after touching 64 MiB)
#   SETRLIMIT <soft asked>                            (setrlimit(RLIMIT_NOFILE, (soft, own hard)) returned)
#   STOP <pid>                                        (then it stops itself with SIGSTOP, to be looked at)
#   ERR <call> <exception type> <message>             (a call raised)
import os
import resource
import signal
import sys

import resource1


def call(name, f):
    """(True, f()), or (False, None) with an ERR line when it raised."""
    try:
        return True, f()
    except Exception as e:  # printed for the test to show; each call is checked apart
        print("ERR", name, type(e).__name__, getattr(e, "dbus_name", ""), str(e).replace("\n", " "), flush=True)
        return False, None


soft = int(sys.argv[1])
own = resource.getrlimit(resource.RLIMIT_NOFILE)
print("OWN", own[0], own[1], flush=True)
ok, got = call("getrlimit", lambda: resource1.getrlimit(resource1.RLIMIT_NOFILE))
if ok:
    print("GETRLIMIT", got[0], got[1], own[0], own[1], flush=True)

ballast = b"x" * (64 << 20)   # written, so resident: the app's maxrss is far above the proxy's
ok, usage = call("getrusage", lambda: resource1.getrusage(resource1.RUSAGE_SELF))
print("RUSAGE", usage.ru_maxrss if ok else "-", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)

ok, _ = call("setrlimit", lambda: resource1.setrlimit(resource1.RLIMIT_NOFILE, (soft, own[1])))
if ok:
    print("SETRLIMIT", soft, flush=True)
print("STOP", os.getpid(), flush=True)
os.kill(os.getpid(), signal.SIGSTOP)
