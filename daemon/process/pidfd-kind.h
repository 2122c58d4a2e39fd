/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* Whether fd is a pidfd, in constant time: nothing is read from it and
 * nothing of its filesystem is called, so a descriptor a caller chose cannot
 * make this wait. Returns 1, 0, or -ESRCH for a pidfd whose process is gone.
 * pidfd_send_signal(2) also takes a /proc/PID directory, which counts as 1
 * here: closing either never waits; what can use one is decided later. */
int fd_is_pidfd(int fd);

/* The pid (of the reader's pid namespace) of pidfd fd's task: 0, -ESRCH
 * once it is reaped (or not in that namespace), -EBADF if fd is not a pidfd.
 * fd must be known to be one (fd_is_pidfd()): it is read from
 * PIDFD_GET_INFO (Linux 6.13) or else its fdinfo, a few short lines. */
int pidfd_get_pid(int fd, pid_t *ret);

/* A pidfd of task pid: a process's, or where the kernel has PIDFD_THREAD
 * (Linux 6.9) a thread's; -ESRCH, or -EOPNOTSUPP. */
int pidfd_open_task(pid_t pid);

/* A pidfd of fd's task that this process opened itself (so a file no one
 * else ever had: no epoll set of a caller's holds it, and its last close
 * waits on no one), checked to be the same task: fd still names that pid
 * after the new one was opened. A descriptor, or -errno as above. */
int pidfd_reopen(int fd);
