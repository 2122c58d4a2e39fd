/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resource1d-gate: finding the descriptors a call carries unnamed
 * (gate-sweep.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate.h"
#include "gate-close.h"
#include "gate-sweep.h"
#include "pidfd-kind.h"
#include "util.h"

/* What the gate made itself: its standard streams, its two connections, its
 * loop's epoll, the closers' eventfds and reserve, the O_PATH files of
 * closes (those a close still holds too). */
static bool gate_made(Gate *g, int fd, int dir) {
        if (fd <= STDERR_FILENO || fd == dir)
                return true;
        if ((g->bus && fd == sd_bus_get_fd(g->bus)) || (g->daemon && fd == sd_bus_get_fd(g->daemon)) ||
            fd == sd_event_get_fd(g->event))
                return true;
        return gate_close_known(&g->closes, fd);
}

/* Kinds whose last close waits on no one: an O_PATH descriptor has no file
 * operations at all, and these anonymous inodes release only memory. A
 * socket of any family is not among them (a unix one releases the
 * descriptors in flight on it, a pipe's among them), nor an epoll (its
 * release takes locks shared with every file it watches). */
static bool close_never_waits(int fd) {
        static const char *const quiet[] = {
                "anon_inode:[pidfd]", "anon_inode:[eventfd]", "anon_inode:[timerfd]", "anon_inode:[signalfd]",
        };
        char path[48], link[64];

        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || (flags & O_PATH))
                return true;   /* closed meanwhile, or a path only */
        if (fd_is_pidfd(fd) != 0)
                return true;   /* a live process's, or a gone one's (-ESRCH) */
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t k = readlink(path, link, sizeof link - 1);
        if (k < 0)
                return false;
        link[k] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(quiet); i++)
                if (strcmp(link, quiet[i]) == 0)
                        return true;
        return false;
}

int gate_sweep(Gate *g, int **ret) {
        _cleanup_free_ int *found = NULL;
        size_t n = 0, max = 0;

        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return -errno;
        int dir = dirfd(d), r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                char *end;
                errno = 0;
                long fd = strtol(de->d_name, &end, 10);
                if (de->d_name[0] == '.' || *end != '\0' || errno != 0 || fd < 0 || fd > INT32_MAX)
                        continue;
                if (gate_made(g, (int) fd, dir) || close_never_waits((int) fd))
                        continue;
                if (n == max) {
                        size_t m = max ? max * 2 : 4;
                        int *more = reallocarray(found, m, sizeof *found);
                        if (!more) {
                                r = -ENOMEM;
                                break;
                        }
                        found = more;
                        max = m;
                }
                found[n++] = (int) fd;
        }
        closedir(d);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(found);
        return (int) n;
}
