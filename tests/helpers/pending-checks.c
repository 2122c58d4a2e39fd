/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pending-checks: attack C of the security suite (tests/security/test-security-change.sh).
 * Run as one unprivileged uid while polkitd is stopped:
 *
 *   pending-checks PID SOFT HARD N WAIT_S EXTRA_HARD EXTRA_TIMEOUT_S HOLD_S
 *
 * On one bus connection, sends N calls Prlimit(PID, NOFILE, true, SOFT, HARD)
 * at once (each a polkit-gated hard-limit raise), with a client timeout far
 * beyond WAIT_S so that only the service can answer them in time. Waits up to
 * WAIT_S seconds and prints one line per call:
 *
 *   REPLY i ms=M NAME MESSAGE      answered (NAME "OK" for a method return)
 *   NOREPLY i                      not answered within WAIT_S
 *
 * Then, on the same connection, one more call with EXTRA_HARD and a client
 * timeout of EXTRA_TIMEOUT_S: "EXTRA ms=M NAME MESSAGE". Then "READY", and for
 * HOLD_S more seconds it stays connected (a caller that leaves would have its
 * pending changes dropped by the service, which would hide what the attack is
 * about) and prints what still arrives: "LATE i ms=M NAME MESSAGE". */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "resource1-bus.h"

#define NAME  RESOURCE1_BUS_NAME
#define PATH  RESOURCE1_PATH
#define IFACE RESOURCE1_INTERFACE
#define MAX_CALLS 64

static double t0;
static int answered;
static bool done[MAX_CALLS];
static bool waiting = true;

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static void print_reply(const char *tag, intptr_t i, sd_bus_message *m) {
        const sd_bus_error *e = sd_bus_message_get_error(m);
        printf("%s %d ms=%.0f %s %s\n", tag, (int) i, now_ms() - t0, e ? e->name : "OK",
               e && e->message ? e->message : "");
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        (void) ret_error;
        intptr_t i = (intptr_t) userdata;
        print_reply(waiting ? "REPLY" : "LATE", i, m);
        if (waiting) {
                done[i] = true;
                answered++;
        }
        return 1;
}

/* Processes the connection until deadline (ms on the monotonic clock), or
 * until stop_when() is true. */
static void run_until(sd_bus *bus, double deadline, bool (*stop_when)(void)) {
        for (;;) {
                int r;
                while ((r = sd_bus_process(bus, NULL)) > 0)
                        ;
                if (r < 0) {
                        printf("# bus connection failed: %s\n", strerror(-r));
                        return;
                }
                if (stop_when && stop_when())
                        return;
                double left = deadline - now_ms();
                if (left <= 0)
                        return;
                sd_bus_wait(bus, (uint64_t) (left * 1000));
        }
}

static int n_calls;
static bool all_answered(void) {
        return answered >= n_calls;
}

int main(int argc, char *argv[]) {
        if (argc != 9) {
                fprintf(stderr, "usage: pending-checks PID SOFT HARD N WAIT_S EXTRA_HARD EXTRA_TIMEOUT_S HOLD_S\n");
                return 2;
        }
        uint32_t pid = (uint32_t) strtoul(argv[1], NULL, 10);
        uint64_t soft = strtoull(argv[2], NULL, 10), hard = strtoull(argv[3], NULL, 10);
        n_calls = atoi(argv[4]);
        double wait_s = atof(argv[5]);
        uint64_t extra_hard = strtoull(argv[6], NULL, 10);
        double extra_timeout_s = atof(argv[7]), hold_s = atof(argv[8]);
        if (n_calls < 1 || n_calls > MAX_CALLS)
                return 2;
        setvbuf(stdout, NULL, _IOLBF, 0);

        sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "pending-checks: cannot connect: %s\n", strerror(-r));
                return 1;
        }

        /* The client's own timeout is long (120 s): an answer within WAIT_S
         * can only come from the service, never from sd-bus giving up. */
        sd_bus_slot *slots[MAX_CALLS] = {};
        t0 = now_ms();
        for (int i = 0; i < n_calls; i++) {
                sd_bus_message *m = NULL;
                r = sd_bus_message_new_method_call(bus, &m, NAME, PATH, IFACE, "Prlimit");
                if (r >= 0)
                        r = sd_bus_message_append(m, "usbtt", pid, "NOFILE", 1, soft, hard);
                if (r >= 0)
                        r = sd_bus_call_async(bus, &slots[i], m, on_reply, (void *) (intptr_t) i, 120 * 1000000ULL);
                sd_bus_message_unref(m);
                if (r < 0) {
                        fprintf(stderr, "pending-checks: call %d: %s\n", i, strerror(-r));
                        return 1;
                }
        }
        sd_bus_flush(bus);

        run_until(bus, t0 + wait_s * 1e3, all_answered);
        waiting = false;
        /* Those not answered are reported as such; their slots stay, so a
         * late answer is still seen (and printed as LATE). */
        for (int i = 0; i < n_calls; i++)
                if (!done[i])
                        printf("NOREPLY %d\n", i);
        printf("# %d of %d answered within %.0f s\n", answered, n_calls, wait_s);

        sd_bus_message *extra = NULL, *extra_reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        double te = now_ms();
        r = sd_bus_message_new_method_call(bus, &extra, NAME, PATH, IFACE, "Prlimit");
        if (r >= 0)
                r = sd_bus_message_append(extra, "usbtt", pid, "NOFILE", 1, soft, extra_hard);
        if (r >= 0)
                r = sd_bus_call(bus, extra, (uint64_t) (extra_timeout_s * 1e6), &error, &extra_reply);
        printf("EXTRA ms=%.0f %s %s\n", now_ms() - te, r >= 0 ? "OK" : error.name ?: strerror(-r),
               error.message ?: "");
        sd_bus_error_free(&error);
        sd_bus_message_unref(extra);
        sd_bus_message_unref(extra_reply);

        printf("READY\n");
        run_until(bus, now_ms() + hold_s * 1e3, NULL);

        for (int i = 0; i < n_calls; i++)
                sd_bus_slot_unref(slots[i]);
        sd_bus_flush_close_unref(bus);
        return 0;
}
