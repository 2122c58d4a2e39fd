/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading /proc files whole. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "procfs.h"
#include "util.h"

int proc_read_file(int dirfd, const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;

        size_t n = 0;
        while (n < size - 1) {
                ssize_t k = read(fd, buf + n, size - 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        /* A process that exits while being read gives ESRCH. */
                        return -errno;
                }
                n += (size_t) k;
                /* procfs fills the buffer as far as it can: a short read is
                 * the end, and saves the read that would return 0. */
                if (k == 0 || n < size - 1)
                        break;
        }
        if (n == size - 1)
                return -EFBIG;

        buf[n] = '\0';
        return (int) n;
}

/* /proc/PID/status grows with the process's supplementary groups (up to
 * NGROUPS_MAX, about 700 KiB): read it whole, on the stack for the usual few
 * KiB and on the heap beyond that, up to a bound no real file reaches. */
#define PROC_STATUS_MAX (4u << 20)

int proc_read_status(int dirfd, const char *path, ProcStatus *ret) {
        char fn[64], buf[4096];

        snprintf(fn, sizeof fn, "%s/status", path);
        int r = proc_read_file(dirfd, fn, buf, sizeof buf);
        if (r >= 0)
                return proc_parse_status(buf, ret);
        if (r != -EFBIG)
                return r;

        for (size_t size = 4 * sizeof buf; size <= PROC_STATUS_MAX; size *= 4) {
                _cleanup_free_ char *big = malloc(size);
                if (!big)
                        return -ENOMEM;
                r = proc_read_file(dirfd, fn, big, size);
                if (r >= 0)
                        return proc_parse_status(big, ret);
                if (r != -EFBIG)
                        return r;
        }
        return -EFBIG;
}
