/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"
#include "util.h"
#include "visibility.h"

/* mountinfo grows with the mounts of the daemon's own mount namespace, which
 * only the administrator makes. */
#define MOUNTINFO_MAX (1u << 20)

/* The super options of the "/proc" line: "... - proc proc rw,hidepid=invisible,gid=5". */
static void parse_options(Visibility *v, const char *opts) {
        HidePid hidepid = HIDEPID_OFF;
        gid_t gid = 0;
        bool subset_pid = false;
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
                else if (strcmp(o, "subset=pid") == 0)
                        subset_pid = true;
        }
        v->hidepid = hidepid;
        v->gid = gid;
        v->subset_pid = subset_pid;
}

static int visibility_read(Visibility *v) {
        /* Also when it fails: a second before the next try, not every call. */
        v->read_usec = now_usec();
        v->changed = false;
        _cleanup_free_ char *buf = malloc(MOUNTINFO_MAX);
        if (!buf)
                return -ENOMEM;

        /* Read from the start each time: the same open file keeps being
         * polled. */
        size_t n = 0;
        for (;;) {
                ssize_t k = pread(v->fd, buf + n, MOUNTINFO_MAX - 1 - n, (off_t) n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0 || n + (size_t) k >= MOUNTINFO_MAX - 1) {
                        n += (size_t) k;
                        break;
                }
                n += (size_t) k;
        }
        buf[n] = '\0';

        /* Fields: id parent major:minor root mountpoint options [optional...] - fstype source superoptions */
        for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char root[16], point[16];
                if (sscanf(line, "%*s %*s %*s %15s %15s", root, point) != 2 || strcmp(point, "/proc") != 0)
                        continue;
                const char *sep = strstr(line, " - ");
                char fstype[16], opts[256];
                if (!sep || sscanf(sep + 3, "%15s %*s %255s", fstype, opts) != 2 || strcmp(fstype, "proc") != 0)
                        continue;
                /* The last one mounted on /proc is the one seen. */
                parse_options(v, opts);
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

/* poll() on mountinfo reports each change once (the kernel's mounts_poll()
 * notes the event it reported), whether the file is read or not: a change
 * too soon after the last read is only noted, for the next call to read. */
static int on_mounts_changed(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Visibility *v = userdata;
        (void) s, (void) fd, (void) revents;

        if (now_usec() - v->read_usec >= VISIBILITY_REREAD_MIN_USEC)
                visibility_reread(v);
        else
                v->changed = true;
        return 0;
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
        uint64_t age = now_usec() - v->read_usec;
        if (v->fd >= 0 && (age >= VISIBILITY_REREAD_USEC || (v->changed && age >= VISIBILITY_REREAD_MIN_USEC)))
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
