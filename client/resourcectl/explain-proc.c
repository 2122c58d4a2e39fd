/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl explain: the process and its ancestors, read from /proc as
 * the caller (who may see less: hidepid=). A parent is found by its number
 * (PPid:), which names it only while it lives; each parent read is checked
 * against its child's PPid: read again afterwards, so that a parent that
 * exited meanwhile (the child reparented, its number free for another
 * process) is never shown as the child's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explain.h"
#include "limit-value.h"

int explain_read_file(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        size_t k = 0;
        while (k < size - 1) {
                ssize_t n = read(fd, buf + k, size - 1 - k);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        int e = errno;
                        close(fd);
                        return -e;
                }
                if (n == 0)
                        break;
                k += (size_t) n;
        }
        close(fd);
        buf[k] = '\0';
        return 0;
}

/* The four ids of a "Uid:" or "Gid:" line. */
static int status_ids(const char *text, const char *key, unsigned ret[4]) {
        const char *p = strstr(text, key);
        unsigned v[4];
        if (!p || sscanf(p + strlen(key), "%u %u %u %u", &v[0], &v[1], &v[2], &v[3]) != 4)
                return -EBADMSG;
        memcpy(ret, v, sizeof v);
        return 0;
}

static int status_ppid(const char *text, int *ret) {
        const char *p = strstr(text, "\nPPid:");
        int v;
        if (!p || sscanf(p + 6, "%d", &v) != 1 || v < 0)
                return -EBADMSG;
        *ret = v;
        return 0;
}

static int read_ppid(const char *dir, int *ret) {
        char path[64], text[4096];
        snprintf(path, sizeof path, "%s/status", dir);
        int r = explain_read_file(path, text, sizeof text);
        return r < 0 ? r : status_ppid(text, ret);
}

/* One process: its status (ids, parent), comm and this resource's limit.
 * -ENOENT or -EACCES when /proc does not show it to the caller (or it is
 * gone). */
static int read_proc(const char *dir, int pid, int resource, ExplainProc *ret) {
        char path[64], text[8192];
        ExplainProc p = { .pid = pid, .visible = true };
        struct rlimit all[RLIM_NLIMITS];
        unsigned ids[4];
        int r;

        snprintf(path, sizeof path, "%s/status", dir);
        r = explain_read_file(path, text, sizeof text);
        if (r < 0)
                return r;
        if (status_ppid(text, &p.ppid) < 0 || status_ids(text, "\nUid:", ids) < 0)
                return -EBADMSG;
        for (int i = 0; i < 4; i++)
                p.uid[i] = (uid_t) ids[i];
        if (status_ids(text, "\nGid:", ids) < 0)
                return -EBADMSG;
        for (int i = 0; i < 4; i++)
                p.gid[i] = (gid_t) ids[i];

        snprintf(path, sizeof path, "%s/comm", dir);
        r = explain_read_file(path, p.comm, sizeof p.comm);
        if (r < 0)
                return r;
        p.comm[strcspn(p.comm, "\n")] = '\0';

        snprintf(path, sizeof path, "%s/limits", dir);
        r = explain_read_file(path, text, sizeof text);
        if (r < 0)
                return r;
        if (limit_proc_parse(text, all) < 0)
                return -EBADMSG;
        p.limit = (ExplainLimit) { true, all[resource].rlim_cur, all[resource].rlim_max };
        *ret = p;
        return 0;
}

/* Tries to read the parent of c; when c was reparented meanwhile, its new
 * parent (c->ppid follows). 0: *ret read; 1: c has no parent (any more);
 * -ENOENT: hidden from the caller; -ESRCH: c itself is gone. */
static int read_parent(ExplainProc *c, int resource, ExplainProc *ret) {
        char cdir[32], pdir[32];
        int ppid = c->ppid;

        snprintf(cdir, sizeof cdir, "/proc/%d", c->pid);
        for (int tries = 0; tries < 8; tries++) {
                ExplainProc p;
                int now;

                if (ppid == 0)
                        return 1;
                snprintf(pdir, sizeof pdir, "/proc/%d", ppid);
                int r = read_proc(pdir, ppid, resource, &p);
                /* The child's PPid: after the read: the same, so the read
                 * was of the parent (a parent that exits reparents its
                 * children first; its number is free only after that). */
                if (read_ppid(cdir, &now) < 0)
                        return -ESRCH;
                if (now != ppid) {
                        ppid = c->ppid = now;
                        continue;
                }
                if (r < 0)
                        return r == -EBADMSG ? r : -ENOENT;
                *ret = p;
                return 0;
        }
        return -ESRCH;
}

int explain_chain_read(const char *proc_dir, int resource, ExplainChain *ret) {
        ExplainChain *c = calloc(1, sizeof *c);
        int pid, r;

        if (!c)
                return -ENOMEM;
        if (sscanf(proc_dir, "/proc/%d", &pid) != 1) {
                free(c);
                return -EINVAL;
        }
        r = read_proc(proc_dir, pid, resource, &c->procs[0]);
        if (r < 0) {
                free(c);
                return r == -ENOENT ? -ESRCH : r;
        }
        c->n = 1;
        c->end = CHAIN_END_TOP;
        for (;;) {
                if (c->n == EXPLAIN_MAX_CHAIN) {
                        c->end = CHAIN_END_TRUNCATED;
                        break;
                }
                r = read_parent(&c->procs[c->n - 1], resource, &c->procs[c->n]);
                if (r == 1)
                        break;
                if (r == -ENOENT) {
                        c->end = CHAIN_END_HIDDEN;
                        c->hidden_parent = true;
                        /* Only its number, which its child's status shows. */
                        c->procs[c->n] = (ExplainProc) { .pid = c->procs[c->n - 1].ppid };
                        break;
                }
                if (r < 0) {
                        c->end = CHAIN_END_EXITED;
                        break;
                }
                c->n++;
        }

        c->changed_at = -1;
        for (size_t i = 0; i + 1 < c->n; i++)
                if (!explain_limit_equal(&c->procs[i].limit, &c->procs[i + 1].limit)) {
                        c->changed_at = (int) i;
                        break;
                }
        if (c->changed_at < 0 && c->end == CHAIN_END_TOP)
                c->changed_at = (int) c->n - 1;
        *ret = *c;
        free(c);
        return 0;
}
