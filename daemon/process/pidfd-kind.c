/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "pidfd-kind.h"
#include "util.h"

/* pidfd_send_signal(2) with signal 0 compares the file's operations; EPERM
 * still means a live process. Where the call is missing (valgrind), the
 * file's name tells: the kernel names every pidfd "anon_inode:[pidfd]". */
int fd_is_pidfd(int fd) {
        if (pidfd_send_signal(fd, 0, NULL, 0) >= 0 || errno == EPERM)
                return 1;
        if (errno == ESRCH)
                return -ESRCH;
        if (errno != ENOSYS)
                return 0;

        char path[48], name[32];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(path, name, sizeof name - 1);
        if (n < 0)
                return 0;
        name[n] = '\0';
        return strcmp(name, "anon_inode:[pidfd]") == 0;
}

/* PIDFD_GET_INFO's pid alone (Linux 6.13; target.c asks it for the ids
 * too). Declared here, as the headers of older systems lack it; the kernel
 * takes any size from its first version on. */
typedef struct PidfdPid {
        uint64_t mask, cgroupid;
        uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
        int32_t spare;
} PidfdPid;
#define RESOURCE1_PIDFD_GET_PID _IOWR(0xFF, 11, PidfdPid)

int pidfd_get_pid(int fd, pid_t *ret) {
        PidfdPid info = { .mask = UINT64_C(1) };   /* PIDFD_INFO_PID */
        char path[64], buf[2048];

        if (ioctl(fd, RESOURCE1_PIDFD_GET_PID, &info) >= 0) {
                if (info.pid == 0)
                        return -ESRCH;
                *ret = (pid_t) info.pid;
                return 0;
        }
        if (errno == ESRCH)
                return -ESRCH;
        /* Older kernels: "Pid:" in its fdinfo, -1 once it is gone. */
        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
        _cleanup_close_ int f = open(path, O_RDONLY | O_CLOEXEC);
        if (f < 0)
                return -EBADF;
        ssize_t n = read(f, buf, sizeof buf - 1);
        if (n <= 0)
                return -EBADF;
        buf[n] = '\0';
        const char *p = strstr(buf, "\nPid:");
        if (!p)
                return -EBADF;
        long pid = strtol(p + 5, NULL, 10);
        if (pid <= 0)
                return -ESRCH;
        *ret = (pid_t) pid;
        return 0;
}

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

int pidfd_open_task(pid_t pid) {
        int fd = pidfd_open(pid, 0);
        /* Not a thread-group leader: EINVAL, or ENOENT since Linux 6.9. */
        if (fd < 0 && (errno == EINVAL || errno == ENOENT))
                fd = pidfd_open(pid, PIDFD_THREAD);
        if (fd >= 0)
                return fd;
        return errno == ESRCH ? -ESRCH : -EOPNOTSUPP;
}

int pidfd_reopen(int fd) {
        pid_t pid, again;

        int r = pidfd_get_pid(fd, &pid);
        if (r < 0)
                return r;
        _cleanup_close_ int own = pidfd_open_task(pid);
        if (own < 0)
                return own;
        /* fd's task still had the pid once own was opened: own is of it. */
        r = pidfd_get_pid(fd, &again);
        if (r < 0)
                return r;
        if (again != pid)
                return -ESRCH;
        return TAKE_FD(own);
}
