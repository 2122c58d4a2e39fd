/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* A pidfd for pid, opened with pidfd_open(2) in the calling process's pid
 * namespace, so that the pid means what the caller sees (shared by
 * libresource1 and resourcectl). A thread id names its process, unless
 * thread is set: then the pidfd is that thread's (PIDFD_THREAD, Linux 6.9;
 * before it, a thread-group leader's process pidfd, which names its main
 * thread). Returns the descriptor (O_CLOEXEC), -ESRCH when there is no such
 * process, -EOPNOTSUPP when this kernel cannot give one for this id
 * (pidfd_open(2) missing or filtered, or a thread before Linux 6.9), or
 * another negative errno. */
int resource1_pidfd_open(pid_t pid, bool thread);

/* 0 when fd is a pidfd (or this kernel cannot tell), -EBADF when it is
 * another descriptor. */
int resource1_pidfd_check(int fd);

/* A descriptor the library keeps for a long time (a handle's pidfd of its own
 * process), moved out of the program's way: programs count on open() giving
 * the lowest free number (PyMOTW's resource example lowers its soft NOFILE
 * to 4 and expects descriptor 3). Returns the new descriptor (O_CLOEXEC) and
 * closes fd, or fd itself where no higher one is free (see the .c file). */
int resource1_fd_move_high(int fd);
