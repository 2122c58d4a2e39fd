#!/usr/bin/python3
# in-root-userns.py OUTER_UID CMD...: what systemd-nspawn -U, LXD/Incus or a
# service's PrivateUsers= do, as root: CMD runs as uid 0 of a new user
# namespace owned by root (the caller, who must be root), whose uid and gid 0
# are OUTER_UID outside ("0 OUTER_UID 1"). Prints
#   USERNS owner=<the namespace's owner uid> uid_map=<its uid_map>
# before CMD starts; exits with CMD's status.
# (tests/security/test-security-flood.sh E; first written for the round-three attacks.)
import ctypes, fcntl, os, struct, sys
outer = int(sys.argv[1])
r, w = os.pipe(); r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r); os.close(w2)
    if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0:     # CLONE_NEWUSER
        print(f'in-root-userns: unshare: {os.strerror(ctypes.get_errno())}', file=sys.stderr)
        os._exit(3)
    os.write(w, b'x'); os.read(r2, 1)
    os.setresgid(0, 0, 0); os.setresuid(0, 0, 0)
    os.execvp(sys.argv[2], sys.argv[2:])
os.close(w); os.close(r2)
if os.read(r, 1) != b'x':
    sys.exit(3)
open(f'/proc/{pid}/uid_map', 'w').write(f'0 {outer} 1\n')
open(f'/proc/{pid}/setgroups', 'w').write('deny\n')
open(f'/proc/{pid}/gid_map', 'w').write(f'0 {outer} 1\n')
ns = os.open(f'/proc/{pid}/ns/user', os.O_RDONLY)
owner = struct.unpack('I', fcntl.ioctl(ns, 0xb704, b'\0' * 4))[0]   # NS_GET_OWNER_UID
uid_map = ' '.join(open(f'/proc/{pid}/uid_map').read().split())
print(f'USERNS owner={owner} uid_map={uid_map}', flush=True)
os.write(w2, b'x')
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
