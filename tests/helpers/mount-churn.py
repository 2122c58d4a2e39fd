#!/usr/bin/python3
"""Changes the mount table fast (security-stall 6): as root, N tmpfs mounts
under DIR (so that mountinfo is large), then one more mounted and unmounted
every millisecond for SECONDS; prints "CHURN mounts=N changes=K", and
unmounts everything again. An unprivileged user can do the same with FUSE
mounts through fusermount3, at up to mount_max (/etc/fuse.conf) mounts.

  mount-churn.py DIR N SECONDS"""
import ctypes
import os
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
MNT_DETACH = 2


def mount(target):
    if libc.mount(b'none', target.encode(), b'tmpfs', 0, b'size=4k') != 0:
        raise OSError(ctypes.get_errno(), 'mount ' + target)


def umount(target):
    libc.umount2(target.encode(), MNT_DETACH)


def main():
    top, n, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    points = [os.path.join(top, str(i)) for i in range(n + 1)]
    for p in points:
        os.makedirs(p, exist_ok=True)
    try:
        for p in points[:n]:
            mount(p)
        changes = 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            mount(points[n])
            umount(points[n])
            changes += 2
            time.sleep(0.001)
        print(f'CHURN mounts={n} changes={changes}', flush=True)
    finally:
        for p in points:
            umount(p)


if __name__ == '__main__':
    main()
