/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox.h"
#include "util.h"

/* Flatpak's /.flatpak-info is a few hundred bytes; a larger one is not read. */
#define FLATPAK_INFO_MAX (64u * 1024)

static int read_link(const char *path, char *buf, size_t size) {
        ssize_t n = readlink(path, buf, size - 1);
        if (n < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        buf[n] = '\0';
        return 0;
}

int sandbox_needs_look(pid_t pid) {
        char path[48], ours[64], theirs[64];

        int r = read_link("/proc/1/ns/mnt", ours, sizeof ours);
        if (r < 0)
                return 1;   /* cannot tell: look */
        snprintf(path, sizeof path, "/proc/%d/ns/mnt", (int) pid);
        r = read_link(path, theirs, sizeof theirs);
        if (r < 0)
                return r;
        return strcmp(ours, theirs) != 0;
}

static bool app_id_valid(const char *id, size_t n) {
        bool dot = false;
        if (n == 0 || n >= SANDBOX_APP_ID_MAX || id[0] == '.' || id[n - 1] == '.')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = id[i];
                if (c == '.')
                        dot = true;
                else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '-'))
                        return false;
        }
        return dot;
}

int sandbox_parse_app_id(const char *text, size_t size, char app_id[static SANDBOX_APP_ID_MAX]) {
        bool in_application = false;
        const char *p = text, *end = text + size;

        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p));
                size_t len = (size_t) ((eol ? eol : end) - p);
                if (len > 0 && p[len - 1] == '\r')
                        len--;
                if (len > 0 && p[0] == '[')
                        in_application = len == strlen("[Application]") && memcmp(p, "[Application]", len) == 0;
                else if (in_application && len > 5 && memcmp(p, "name=", 5) == 0) {
                        if (!app_id_valid(p + 5, len - 5))
                                return -EBADMSG;
                        memcpy(app_id, p + 5, len - 5);
                        app_id[len - 5] = '\0';
                        return 0;
                }
                p = eol ? eol + 1 : end;
        }
        return -EBADMSG;
}

/* The file and the root are opened with the caller's filesystem uid, on this
 * worker thread only (setfsuid(2) is per thread, through the daemon's
 * CAP_SETUID): Flatpak makes /.flatpak-info 0600, the user's, and the service
 * reads nothing of the caller's that the caller could not. */
static int fsuid_set(uid_t uid, uid_t *ret_was) {
        uid_t was = (uid_t) setfsuid(uid);
        /* setfsuid() returns the previous value whatever happened: asking
         * again with an invalid id tells whether the change was made. */
        if ((uid_t) setfsuid((uid_t) -1) != uid) {
                (void) setfsuid(was);
                return -EPERM;
        }
        *ret_was = was;
        return 0;
}

static SandboxKind read_flatpak_info(pid_t pid, char app_id[static SANDBOX_APP_ID_MAX]) {
        char path[48], buf[FLATPAK_INFO_MAX + 1];
        struct stat st;

        /* The process's root, as a directory of its own: the lookup below
         * starts there, and O_NOFOLLOW keeps a symbolic link planted as
         * /.flatpak-info from leading anywhere, O_NONBLOCK a FIFO from
         * waiting for a writer. */
        snprintf(path, sizeof path, "/proc/%d/root", (int) pid);
        _cleanup_close_ int root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return SANDBOX_UNSURE;   /* gone, or its root out of reach: cannot tell */
        _cleanup_close_ int fd = openat(root, ".flatpak-info", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? SANDBOX_NONE : SANDBOX_UNSURE;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t) FLATPAK_INFO_MAX)
                return SANDBOX_UNSURE;

        size_t n = 0;
        while (n < FLATPAK_INFO_MAX) {
                ssize_t k = read(fd, buf + n, FLATPAK_INFO_MAX - n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return SANDBOX_UNSURE;
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = '\0';
        return sandbox_parse_app_id(buf, n, app_id) < 0 ? SANDBOX_UNSURE : SANDBOX_FLATPAK;
}

SandboxKind sandbox_read_flatpak_info(pid_t pid, uid_t uid, char app_id[static SANDBOX_APP_ID_MAX]) {
        uid_t was;
        if (fsuid_set(uid, &was) < 0)
                return SANDBOX_UNSURE;
        SandboxKind kind = read_flatpak_info(pid, app_id);
        (void) setfsuid(was);
        return kind;
}
