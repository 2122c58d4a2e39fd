/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "pidfd-kind.h"

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
