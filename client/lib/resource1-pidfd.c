/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "resource1-pidfd.h"

/* The flag for a thread's pidfd, which the headers of older systems lack. */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

static int pidfd_open_flags(pid_t pid, unsigned flags) {
        int fd = (int) syscall(SYS_pidfd_open, pid, flags);
        return fd < 0 ? -errno : fd;
}

int resource1_pidfd_check(int fd) {
        /* pidfd_send_signal() fails with EBADF on any descriptor but a pidfd,
         * in constant time and without touching what it is; signal 0 sends
         * nothing. Any other failure (ESRCH: the process is gone; EPERM;
         * ENOSYS) says it is one, or that this kernel cannot tell. */
        if (syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) < 0 && errno == EBADF)
                return -EBADF;
        return 0;
}

int resource1_pidfd_open(pid_t pid, bool thread) {
        if (pid <= 0)
                return -EINVAL;

        /* A process's pidfd or a thread's first, as asked; the other when
         * this id cannot have that kind (EINVAL: a thread id has no process
         * pidfd, and kernels before 6.9 know no PIDFD_THREAD). */
        int fd = pidfd_open_flags(pid, thread ? PIDFD_THREAD : 0);
        if (fd == -EINVAL)
                fd = pidfd_open_flags(pid, thread ? 0 : PIDFD_THREAD);
        if (fd == -ENOSYS || fd == -EPERM || fd == -EINVAL || fd == -ENOENT)
                return -EOPNOTSUPP;
        return fd;
}

/* How many descriptors below the top the first moved one takes: room for a
 * few handles' (each takes the lowest free at or above the base). */
#define HIGH_FD_ROOM 16

int resource1_fd_move_high(int fd) {
        struct rlimit l;

        /* The lowest free at or above the soft NOFILE limit less a few, but
         * below FD_SETSIZE: a program may select(2) on what the library hands
         * it, and the kernel's descriptor table grows to the highest number
         * in use (a soft limit of a million would cost megabytes). Where no
         * descriptor is free up there (or the limit is too low for "up
         * there" to exist), fd stays where it is: that costs a number, not a
         * failure. A descriptor above a soft limit lowered later stays valid. */
        if (getrlimit(RLIMIT_NOFILE, &l) < 0)
                return fd;
        rlim_t top = l.rlim_cur < FD_SETSIZE ? l.rlim_cur : FD_SETSIZE;
        if (top <= HIGH_FD_ROOM || (int) (top - HIGH_FD_ROOM) <= fd)
                return fd;
        int high = fcntl(fd, F_DUPFD_CLOEXEC, (int) (top - HIGH_FD_ROOM));
        if (high < 0)
                return fd;
        close(fd);
        return high;
}
