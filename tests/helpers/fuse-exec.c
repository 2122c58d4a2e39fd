/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuse-exec N PROGRAM [ARG...]: serves N FUSE file systems from user
 * namespaces of their own (attack-fd-fuse.h: a FLUSH from anyone but this
 * process and the bus is never answered), opens a file on each, and execs
 * PROGRAM in this very process, so that its own closes are answered: the
 * files' descriptors are in FUSE_FILES (space-separated), each server's
 * control socket stays open across the exec (the server ends, answering
 * what it held, once the program's last copy of it is closed, at its exit).
 * Prints "CONN <n>" per file (its fusectl number); "SKIP <why>" and exits 0
 * where FUSE in a user namespace cannot be had. For a program that needs a
 * raw client (tests/helpers/rawbus.py) to pass a FUSE file in ways sd-bus
 * cannot write (security-gate-unnamed). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "attack-fd-fuse.h"

#define FILES_MAX 8

static pid_t bus_pid(void) {
        sd_bus *b = NULL;
        sd_bus_message *reply = NULL;
        uint32_t pid = 0;

        if (sd_bus_open_system(&b) >= 0 &&
            sd_bus_call_method(b, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixProcessID", NULL, &reply, "s", "org.freedesktop.DBus") >= 0)
                (void) sd_bus_message_read(reply, "u", &pid);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(b);
        return (pid_t) pid;
}

static int keep_across_exec(int fd) {
        int flags = fcntl(fd, F_GETFD);
        return flags < 0 ? -errno : fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0 ? -errno : 0;
}

int main(int argc, char **argv) {
        char files[FILES_MAX * 12 + 1] = "", why[256] = "";
        int n = argc > 2 ? atoi(argv[1]) : 0;

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (n < 1 || n > FILES_MAX) {
                fprintf(stderr, "usage: fuse-exec N(1-%d) PROGRAM [ARG...]\n", FILES_MAX);
                return 2;
        }
        /* The bus closes its own copy of every descriptor it passes on: let
         * that through, the service alone is under test. */
        pid_t allowed[2] = { getpid(), bus_pid() };
        for (int i = 0; i < n; i++) {
                FuseHold h = {};
                int file = -1;
                int r = fuse_hold_start(&h, allowed, 2, &file, why, sizeof why);
                if (r < 0) {
                        printf("SKIP %s: %s\n", why, strerror(-r));
                        return 0;
                }
                if (keep_across_exec(h.control) < 0 || keep_across_exec(file) < 0) {
                        printf("FAIL fcntl: %m\n");
                        return 1;
                }
                struct statx stx;
                if (statx(file, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &stx) == 0)
                        printf("CONN %u\n", stx.stx_dev_major << 20 | stx.stx_dev_minor);
                snprintf(files + strlen(files), sizeof files - strlen(files), "%s%d", i ? " " : "", file);
        }
        if (setenv("FUSE_FILES", files, 1) < 0)
                return 1;
        execvp(argv[2], argv + 2);
        printf("FAIL exec %s: %m\n", argv[2]);
        return 1;
}
