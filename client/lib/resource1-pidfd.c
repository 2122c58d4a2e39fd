/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
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
