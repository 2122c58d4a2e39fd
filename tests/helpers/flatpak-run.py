#!/usr/bin/python3
# flatpak-run.py: runs COMMAND as `flatpak run` runs an app that may talk to
# some names on the system bus (the flatpak suite, tests/client/test-flatpak.sh), as
# the user who runs it (an unprivileged one: Flatpak runs as the user):
#
#   flatpak-run.py --app-id ID --state-dir DIR [--talk NAME]... [--ro-bind PATH]...
#                  [--setenv VAR VALUE]... -- COMMAND [ARG...]
#
# A re-creation of what flatpak 1.14's common/flatpak-run.c and
# flatpak-run-dbus.c do, with the host's /usr in place of a runtime, no
# seccomp filter and no session bus:
#
# - The app's metadata, a keyfile, is written to DIR/info (Flatpak: under
#   $XDG_RUNTIME_DIR/.flatpak/INSTANCE); the sandboxes get it as
#   /.flatpak-info.
# - The bus proxy: xdg-dbus-proxy, as the user, outside the app's pid
#   namespace, in a bubblewrap of its own whose root holds every top-level
#   directory of the host's (/tmp, /var and /run writable) and the app's
#   /.flatpak-info (a file of its tmpfs root, mode 0600), started as
#   `bwrap --args FD -- xdg-dbus-proxy --fd=SYNC --args=FD2`: the real bus's
#   address (DBUS_SYSTEM_BUS_ADDRESS), the socket it listens on for the app
#   ($XDG_RUNTIME_DIR/.dbus-proxy/system-bus-proxy-XXXXXX), --filter and a
#   --talk=NAME for each name the app may talk to. Its arguments come in
#   sealed memfds. The proxy writes a byte to SYNC once it listens, and exits
#   when the app's bubblewrap closes the other end (--sync-fd).
# - The app: bubblewrap with a user namespace in which no further one can be
#   made (--unshare-user --disable-userns, as for a bwrap that is not setuid),
#   its own pid namespace (--unshare-pid: bwrap is its pid 1, COMMAND pid 2),
#   a new session, its own /proc, /dev and /tmp, the host's /usr, /etc and
#   the merged-/usr links read-only, each --ro-bind PATH at its own path, the
#   proxy's socket at /run/dbus/system_bus_socket (DBUS_SYSTEM_BUS_ADDRESS
#   points there), /.flatpak-info twice (a file, and a read-only bind of the
#   same data over it, so that the file remains when the bind is unmounted),
#   container=flatpak. The real bus socket is not in it.
#
# It writes DIR/proxy-bwrap.pid (the proxy's bubblewrap; xdg-dbus-proxy is
# its child) and DIR/bwrapinfo.json (the app bubblewrap's --info-fd:
# "child-pid" is its pid 1 as the host sees it), then execs the app's
# bubblewrap: COMMAND's exit status is this program's.
import argparse
import fcntl
import os
import secrets
import stat
import subprocess
import sys
import tempfile

BWRAP = "/usr/bin/bwrap"
PROXY = os.environ.get("FLATPAK_DBUSPROXY", "/usr/bin/xdg-dbus-proxy")


def data_fd(name, data):
    """A sealed memfd holding data, read from its start (Flatpak's
    flatpak_buffer_to_sealed_memfd_or_tmpfile)."""
    fd = os.memfd_create(name, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS,
                fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SEAL)
    return fd


def bundle(args):
    """args as NUL-separated data in a memfd, for --args FD."""
    return data_fd("bwrap-args", b"".join(a.encode() + b"\0" for a in args))


def app_info(app_id, talk):
    instance = str(secrets.randbelow(1 << 31))
    lines = [
        "[Application]",
        f"name={app_id}",
        "runtime=runtime/org.freedesktop.Platform/x86_64/23.08",
        "",
        "[Instance]",
        f"instance-id={instance}",
        f"app-path=/var/lib/flatpak/app/{app_id}/x86_64/stable/active/files",
        "branch=stable",
        "arch=x86_64",
        "flatpak-version=1.14.6",
        "session-bus-proxy=true",
        "system-bus-proxy=true",
        "",
        "[Context]",
        "shared=network;ipc;",
        "sockets=x11;wayland;pulseaudio;",
        "devices=dri;",
        "",
        "[System Bus Policy]",
    ] + [f"{name}=talk" for name in talk]
    return ("\n".join(lines) + "\n").encode()


def autofs_mounts():
    with open("/proc/self/mountinfo") as f:
        return {line.split()[4] for line in f if line.split(" - ")[1].split()[0] == "autofs"}


def proxy_wrapper(info_fd, socket_dir):
    """bwrap's arguments for the proxy's sandbox (Flatpak's add_bwrap_wrapper)."""
    args = []
    automounts = autofs_mounts()
    with os.scandir("/") as entries:
        for e in sorted(entries, key=lambda e: e.name):
            # Flatpak skips automount points (statfs on an O_PATH descriptor):
            # reaching into one could block. Python has no fstatfs, so they
            # are taken from mountinfo, which does not trigger them either.
            if e.name == ".flatpak-info" or "/" + e.name in automounts:
                continue
            if e.is_dir(follow_symlinks=False):
                args += ["--bind" if e.name in ("tmp", "var", "run") else "--ro-bind", "/" + e.name, "/" + e.name]
            elif e.is_symlink():
                args += ["--symlink", os.readlink("/" + e.name), "/" + e.name]
    args += ["--bind", socket_dir, socket_dir]
    args += ["--perms", "0600", "--file", str(info_fd), "/.flatpak-info"]
    return args


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--app-id", required=True)
    p.add_argument("--state-dir", required=True)
    p.add_argument("--talk", action="append", default=[])
    p.add_argument("--ro-bind", action="append", default=[])
    p.add_argument("--setenv", nargs=2, action="append", default=[])
    p.add_argument("command", nargs="+")
    a = p.parse_args()

    bus = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/var/run/dbus/system_bus_socket")
    runtime_dir = os.environ.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    info_path = os.path.join(a.state_dir, "info")
    with open(info_path, "wb") as f:
        f.write(app_info(a.app_id, a.talk))

    # The proxy's socket: a name made with mkstemp (the proxy replaces the
    # file with its socket), in a directory of the user's.
    socket_dir = os.path.join(runtime_dir, ".dbus-proxy")
    os.makedirs(socket_dir, mode=0o755, exist_ok=True)
    fd, proxy_socket = tempfile.mkstemp(prefix="system-bus-proxy-", dir=socket_dir)
    os.close(fd)

    # The sync pipe: the proxy gets the write end, the app's bwrap the read
    # end (--sync-fd), which it holds until the app's sandbox ends.
    sync_r, sync_w = os.pipe2(os.O_CLOEXEC)

    info_proxy = os.open(info_path, os.O_RDONLY | os.O_CLOEXEC)
    wrapper = bundle(proxy_wrapper(info_proxy, socket_dir))
    proxy_args = [bus, proxy_socket, "--filter"] + [f"--talk={n}" for n in a.talk]
    proxy_args_fd = bundle(proxy_args)
    fds = [info_proxy, wrapper, proxy_args_fd, sync_w]
    proxy = subprocess.Popen(
        [BWRAP, "--args", str(wrapper), "--", PROXY, f"--fd={sync_w}", f"--args={proxy_args_fd}"],
        pass_fds=fds)
    for fd in fds:
        os.close(fd)
    with open(os.path.join(a.state_dir, "proxy-bwrap.pid"), "w") as f:
        f.write(f"{proxy.pid}\n")
    # Wait until the proxy listens (Flatpak: "Failed to sync with dbus proxy").
    if os.read(sync_r, 1) != b"x":
        proxy.wait()
        sys.exit(f"flatpak-run.py: the bus proxy did not start (exit status {proxy.returncode})")

    uid = os.getuid()
    run_dir = f"/run/user/{uid}"
    info1 = os.open(info_path, os.O_RDONLY | os.O_CLOEXEC)
    info2 = os.open(info_path, os.O_RDONLY | os.O_CLOEXEC)
    bwrapinfo = os.open(os.path.join(a.state_dir, "bwrapinfo.json"),
                        os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    args = ["--unshare-user", "--disable-userns",
            "--proc", "/proc", "--unshare-pid", "--dev", "/dev",
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for name in sorted(os.listdir("/")):
        path = "/" + name
        if os.path.islink(path) and os.readlink(path).startswith("usr/"):
            args += ["--symlink", os.readlink(path), path]
    args += ["--dir", "/tmp", "--dir", "/var/tmp", "--dir", "/run/host",
             "--perms", "0700", "--dir", run_dir, "--setenv", "XDG_RUNTIME_DIR", run_dir,
             "--symlink", "../run", "/var/run",
             "--die-with-parent", "--new-session"]
    for path in a.ro_bind:
        args += ["--ro-bind", path, path]
    args += ["--perms", "0600", "--file", str(info1), "/.flatpak-info",
             "--ro-bind-data", str(info2), "/.flatpak-info",
             "--setenv", "container", "flatpak",
             "--ro-bind", proxy_socket, "/run/dbus/system_bus_socket",
             "--setenv", "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/run/dbus/system_bus_socket",
             "--sync-fd", str(sync_r), "--info-fd", str(bwrapinfo), "--chdir", "/"]
    for var, value in a.setenv:
        args += ["--setenv", var, value]
    app_args = bundle(args)
    for fd in (info1, info2, bwrapinfo, sync_r, app_args):
        os.set_inheritable(fd, True)
    os.execv(BWRAP, [BWRAP, "--args", str(app_args), "--"] + a.command)


if __name__ == "__main__":
    main()
