/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resource1d-gate: its own descriptors, and finding the callers' in its
 * table (gate-sweep.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "gate.h"
#include "gate-close.h"
#include "gate-sweep.h"
#include "util.h"

static bool fd_number(const char *name, int *ret) {
        char *end;
        errno = 0;
        long fd = strtol(name, &end, 10);
        if (name[0] < '0' || name[0] > '9' || *end != '\0' || errno != 0 || fd < 0 || fd > INT32_MAX)
                return false;
        *ret = (int) fd;
        return true;
}

/* Calls fn for every open descriptor, read from /proc/self/fd through
 * dir, a descriptor of it kept open (rewound and read whole each time: a
 * few system calls, no allocation, as often as messages come). */
static int each_fd(int dir, int (*fn)(int fd, void *userdata), void *userdata) {
        char buf[8192];
        int r = 0, fd;

        if (lseek(dir, 0, SEEK_SET) < 0)
                return -errno;
        for (;;) {
                ssize_t n = getdents64(dir, buf, sizeof buf);
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return r;
                for (ssize_t off = 0; off < n;) {
                        struct dirent64 *de = (struct dirent64 *) (buf + off);
                        off += de->d_reclen;
                        if (fd_number(de->d_name, &fd) && fd != dir && (r = fn(fd, userdata)) < 0)
                                return r;
                }
        }
}

static int own_one(int fd, void *userdata) {
        return fd_bits_set(userdata, fd);
}

int gate_fds_snapshot(Gate *g) {
        g->fd_dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (g->fd_dir < 0)
                return -errno;
        return each_fd(g->fd_dir, own_one, &g->own);
}

typedef struct Found {
        Gate *gate;
        int *fds;
        size_t n, max;
} Found;

static int find_one(int fd, void *userdata) {
        Found *s = userdata;
        Gate *g = s->gate;

        if (fd_bits_test(&g->own, fd) || gate_close_known(&g->closes, fd))
                return 0;
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0 || (flags & O_PATH))
                return 0;   /* closed meanwhile (by a closer), or a path only */
        if (s->n == s->max) {
                size_t m = s->max ? s->max * 2 : 4;
                int *more = reallocarray(s->fds, m, sizeof *more);
                if (!more)
                        return -ENOMEM;
                s->fds = more;
                s->max = m;
        }
        s->fds[s->n++] = fd;
        return 0;
}

int gate_sweep(Gate *g, int **ret) {
        Found s = { .gate = g };
        int r = each_fd(g->fd_dir, find_one, &s);
        if (r < 0) {
                free(s.fds);
                return r;
        }
        *ret = s.fds;
        return (int) s.n;
}
