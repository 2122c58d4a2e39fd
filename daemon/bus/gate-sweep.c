/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resource1d-gate: its own descriptors, and finding the callers' in its
 * table (gate-sweep.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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

int gate_fds_own(GateFds *f, int fd) {
        size_t word = (size_t) fd / 64;
        if (fd < 0)
                return 0;
        if (word >= f->n_words) {
                size_t n = word + 1 > f->n_words * 2 ? word + 1 : f->n_words * 2;
                uint64_t *own = reallocarray(f->own, n, sizeof *own);
                if (!own)
                        return -ENOMEM;
                memset(own + f->n_words, 0, (n - f->n_words) * sizeof *own);
                f->own = own;
                f->n_words = n;
        }
        f->own[word] |= UINT64_C(1) << (fd % 64);
        return 0;
}

void gate_fds_disown(GateFds *f, int fd) {
        if (fd >= 0 && (size_t) fd / 64 < f->n_words)
                f->own[fd / 64] &= ~(UINT64_C(1) << (fd % 64));
}

bool gate_fds_is_own(const GateFds *f, int fd) {
        return fd >= 0 && (size_t) fd / 64 < f->n_words && (f->own[fd / 64] & (UINT64_C(1) << (fd % 64)));
}

void gate_fds_done(GateFds *f) {
        f->own = mfree(f->own);
        f->n_words = 0;
}

/* Calls fn for every open descriptor but the listing's own. */
static int each_fd(int (*fn)(int fd, void *userdata), void *userdata) {
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return -errno;
        int dir = dirfd(d), r = 0, fd;
        struct dirent *de;
        while (r >= 0 && (de = readdir(d)))
                if (fd_number(de->d_name, &fd) && fd != dir)
                        r = fn(fd, userdata);
        closedir(d);
        return r;
}

static int own_one(int fd, void *userdata) {
        return gate_fds_own(userdata, fd);
}

int gate_fds_snapshot(GateFds *f) {
        return each_fd(own_one, f);
}

typedef struct Found {
        Gate *gate;
        int *fds;
        size_t n, max;
} Found;

static int find_one(int fd, void *userdata) {
        Found *s = userdata;
        Gate *g = s->gate;

        if (gate_fds_is_own(&g->fds, fd) || gate_close_known(&g->closes, fd))
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
        int r = each_fd(find_one, &s);
        if (r < 0) {
                free(s.fds);
                return r;
        }
        *ret = s.fds;
        return (int) s.n;
}
