#!/usr/bin/python3
# userns-worker.py SOFT HARD: a container's process manager, for the
# security-userns suite (run through in-root-userns.py, so as uid 0 of a
# user namespace root made). Reads lines on stdin: "fork" starts a worker
# with NOFILE SOFT:HARD that waits, and prints "WORKER <pid>" (its pid as
# the fixture sees it: no pid namespace of its own); "kill" kills and reaps
# the last one. At the end of input the workers are killed.
import os, resource, signal, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[1]), int(sys.argv[2])))   # the workers' too
workers = []
for line in sys.stdin:
    if line.strip() == 'fork':
        pid = os.fork()
        if pid == 0:
            while True:
                signal.pause()
        workers.append(pid)
        print(f'WORKER {pid}', flush=True)
    elif line.strip() == 'kill' and workers:
        pid = workers.pop()
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
for pid in workers:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
