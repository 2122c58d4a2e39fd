/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "decide.h"
#include "log.h"
#include "util.h"
#include "visibility.h"

/* mountinfo lists every mount of the daemon's namespace, FUSE mounts that
 * users make (through fusermount3, propagated into the unit's namespace)
 * among them; it is read only as far as /proc's line (below), and never
 * past this. */
#define MOUNTINFO_MAX (1u << 20)
#define MOUNTINFO_CHUNK 4096u

/* The super options of the "/proc" line: "... - proc proc rw,hidepid=invisible,gid=5". */
static void parse_options(Visibility *v, const char *opts) {
        HidePid hidepid = HIDEPID_OFF;
        gid_t gid = 0;
        char buf[256];

        snprintf(buf, sizeof buf, "%s", opts);
        for (char *save = NULL, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                if (strncmp(o, "hidepid=", 8) == 0) {
                        const char *h = o + 8;
                        hidepid = strcmp(h, "noaccess") == 0 || strcmp(h, "1") == 0   ? HIDEPID_NOACCESS :
                                  strcmp(h, "invisible") == 0 || strcmp(h, "2") == 0  ? HIDEPID_INVISIBLE :
                                  strcmp(h, "ptraceable") == 0 || strcmp(h, "4") == 0 ? HIDEPID_PTRACEABLE :
                                                                                          HIDEPID_OFF;
                } else if (strncmp(o, "gid=", 4) == 0)
                        gid = (gid_t) strtoul(o + 4, NULL, 10);
        }
        v->hidepid = hidepid;
        v->gid = gid;
}

/* One mountinfo line ("id parent major:minor root mountpoint options
 * [optional...] - fstype source superoptions"): the options taken if it is a
 * proc mounted on /proc. Returns whether it is mount "want". */
static bool parse_line(Visibility *v, const char *line, uint64_t want) {
        char point[16], fstype[16], opts[256];
        unsigned long long id;

        if (sscanf(line, "%llu %*s %*s %*s %15s", &id, point) != 2 || strcmp(point, "/proc") != 0)
                return false;
        const char *sep = strstr(line, " - ");
        if (sep && sscanf(sep + 3, "%15s %*s %255s", fstype, opts) == 2 && strcmp(fstype, "proc") == 0)
                parse_options(v, opts);
        return want != 0 && id == want;
}

/* The options of the mount one sees on /proc: the line whose id statx()
 * gives for /proc, or without it the last proc line on /proc. Mounts are
 * listed in the order they were made, and the kernel generates the file as
 * it is read: reading stops at /proc's line, so the mounts made after it
 * (users' FUSE mounts) cost nothing, however many. */
static int visibility_read(Visibility *v) {
        /* Also when it fails: a second before the next try, not every call. */
        v->read_usec = now_usec();
        /* Polled again before reading: a change from here on is seen (the
         * kernel flags one made since the last poll when the file is
         * polled again), and read by the call after it; unpolled, every
         * call reads. */
        if (v->stale && (!v->watch || sd_event_source_set_enabled(v->watch, SD_EVENT_ON) >= 0))
                v->stale = false;

        struct statx sx;
        uint64_t want = 0;
        if (statx(AT_FDCWD, "/proc", AT_NO_AUTOMOUNT, STATX_MNT_ID, &sx) == 0 && (sx.stx_mask & STATX_MNT_ID))
                want = sx.stx_mnt_id;

        /* Read from the start each time (the same open file keeps being
         * polled), a page at a time: the kernel generates as much as is
         * asked for. */
        size_t size = 2 * MOUNTINFO_CHUNK, n = 0, start = 0;
        _cleanup_free_ char *buf = malloc(size);
        if (!buf)
                return -ENOMEM;
        bool found = false;
        while (!found) {
                if (size - 1 - n < MOUNTINFO_CHUNK) {
                        if (size >= MOUNTINFO_MAX)
                                break;
                        char *bigger = realloc(buf, size * 2);
                        if (!bigger)
                                return -ENOMEM;
                        buf = bigger;
                        size *= 2;
                }
                ssize_t k = pread(v->fd, buf + n, MOUNTINFO_CHUNK, (off_t) n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                n += (size_t) k;
                buf[n] = '\0';
                for (char *nl; !found && (nl = memchr(buf + start, '\n', n - start)); start = (size_t) (nl - buf) + 1) {
                        *nl = '\0';
                        found = parse_line(v, buf + start, want);
                }
        }
        return 0;
}

static void visibility_reread(Visibility *v) {
        HidePid before = v->hidepid;

        int r = visibility_read(v);
        if (r < 0)
                log_warning_errno(r, "Failed to read the mount table again");
        else if (v->hidepid != before)
                log_info("/proc is now mounted with hidepid=%d: what it hides, the service hides too",
                         (int) v->hidepid);
}

/* A change only marks the options stale, and the poll sleeps until they are
 * read: anyone can change the mount table as fast as the kernel lets them
 * (FUSE mounts), and neither reading it nor waking on every change may be
 * work on the loop that they pace. The next call that needs the options
 * reads it, once however many changes came before. */
static int on_mounts_changed(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Visibility *v = userdata;
        (void) fd, (void) revents;
        v->stale = true;
        return sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

int visibility_attach(Visibility *v, sd_event *e) {
        *v = (Visibility) { .fd = -1 };
        v->fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        if (v->fd < 0)
                return -errno;
        int r = visibility_read(v);
        if (r < 0)
                return r;
        /* The kernel flags the file (POLLPRI, with POLLERR) on every change of
         * the mount table, remounts among them. */
        return sd_event_add_io(e, &v->watch, v->fd, EPOLLPRI, on_mounts_changed, v);
}

void visibility_done(Visibility *v) {
        v->watch = sd_event_source_disable_unref(v->watch);
        v->fd = safe_close(v->fd);
}

bool visibility_restricted(Visibility *v) {
        if (v->fd >= 0 && (v->stale || now_usec() - v->read_usec >= VISIBILITY_REREAD_USEC))
                visibility_reread(v);
        return v->hidepid != HIDEPID_OFF;
}

int visibility_check(const Visibility *v, const Caller *caller, const ProcessIds *target, bool dumpable,
                     bool in_gid) {
        if (v->hidepid == HIDEPID_OFF || caller->uid == 0)
                return 0;
        /* ptrace_may_access(PTRACE_MODE_READ_FSCREDS) without CAP_SYS_PTRACE:
         * every id the caller's, and dumpable. */
        bool readable = caller_owns(caller, target) && dumpable;
        if (v->hidepid != HIDEPID_PTRACEABLE && in_gid)
                readable = true;
        if (readable)
                return 0;
        return v->hidepid == HIDEPID_NOACCESS ? -EACCES : -ESRCH;
}
