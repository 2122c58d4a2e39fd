/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attack-flood: the client side of tests/security/test-security-flood.sh, run under
 * setpriv as the attacking uid (or as root for the listener). Plain sd-bus on
 * $DBUS_SYSTEM_BUS_ADDRESS (sd-bus sends AUTH EXTERNAL without a uid, so the
 * bus takes the kernel's peer uid: in a user namespace, the outer uid). Every
 * mode is bounded in time (alarm(2) besides the calls' own timeouts) and
 * prints "KEY value..." lines for the script to judge; the exit status is 0
 * unless the mode could not even be attempted (then 3, with a message).
 *
 *   attack-flood flood SECONDS INFLIGHT RESOURCE SOFT HARD [SOFT2 HARD2]
 *       one connection; SetRlimit(RESOURCE, SOFT, HARD) on the caller's own
 *       process, INFLIGHT calls in flight at once, each answer followed at
 *       once by the next call, for SECONDS; with SOFT2 HARD2 the calls
 *       alternate between the two values. A value is a number or "inf".
 *       Prints first "PID <pid> UID <uid> BUSUID <uid the bus reports for
 *       this connection>", at the end "FLOOD calls= ok= rate= pending=
 *       inall= noreply= other= elapsed_ms=" (rate: LimitsExceeded whose
 *       message contains "rate"; pending: any other LimitsExceeded; inall:
 *       those of them that say "in all"), then "FIRST_RATE <message>",
 *       "FIRST_PENDING <message>", "FIRST_OTHER <name> <message>" for the
 *       first of each kind seen.
 *   attack-flood listen SECONDS RESOURCE
 *       subscribes to RlimitChanged, prints "READY", and for SECONDS (or
 *       until SIGTERM, then what is queued until the bus has been quiet for
 *       0.3 s) counts the signals; prints "SIGNAL <pid> <resource> <old
 *       soft> <old hard> <soft> <hard> <uid>" for each signal about RESOURCE
 *       ("UNREADABLE ..." for one of another signature, not counted), then
 *       "SIGNALS total=<n>" and "SIGUID <uid> <n>" per uid the signals name.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "attack-common.h"
#include "resource1-bus.h"

#define NAME  RESOURCE1_BUS_NAME
#define PATH  RESOURCE1_PATH
#define IFACE RESOURCE1_INTERFACE
#define LIMITS_EXCEEDED "org.example.Resource1.Error.LimitsExceeded"

static bool parse_value(const char *s, uint64_t *v) {
        if (strcmp(s, "inf") == 0 || strcmp(s, "infinity") == 0) {
                *v = (uint64_t) RLIM_INFINITY;
                return true;
        }
        char *end;
        errno = 0;
        unsigned long long x = strtoull(s, &end, 10);
        if (errno || end == s || *end)
                return false;
        *v = x;
        return true;
}

/* ---- flood: pipelined SetRlimit on one connection ---- */

typedef struct Flood {
        sd_bus *bus;
        uint64_t deadline;
        const char *resource;
        uint64_t values[2][2];
        unsigned n_values, next;
        unsigned inflight;
        unsigned calls, ok, rate, pending, inall, noreply, other;
        int send_error;
        char first_rate[512], first_pending[512], first_other[512];
} Flood;

static int send_one(Flood *f);

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Flood *f = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        (void) ret_error;

        f->inflight--;
        if (!e)
                f->ok++;
        else if (sd_bus_error_has_name(e, LIMITS_EXCEEDED)) {
                const char *msg = e->message ?: "";
                if (strstr(msg, "rate")) {
                        if (f->rate++ == 0)
                                snprintf(f->first_rate, sizeof f->first_rate, "%s", msg);
                } else {
                        if (strstr(msg, "in all"))
                                f->inall++;
                        if (f->pending++ == 0)
                                snprintf(f->first_pending, sizeof f->first_pending, "%s", msg);
                }
        } else {
                if (sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY) || sd_bus_error_has_name(e, SD_BUS_ERROR_TIMEOUT))
                        f->noreply++;
                else
                        f->other++;
                if (!f->first_other[0])
                        snprintf(f->first_other, sizeof f->first_other, "%s %s", e->name ?: "?", e->message ?: "");
        }
        if (now_us() < f->deadline)
                (void) send_one(f);
        return 0;
}

static int send_one(Flood *f) {
        const uint64_t *v = f->values[f->next++ % f->n_values];
        int r = sd_bus_call_method_async(f->bus, NULL, NAME, PATH, IFACE, "SetRlimit", on_reply, f, "stt",
                                         f->resource, v[0], v[1]);
        if (r < 0) {
                if (!f->send_error)
                        f->send_error = r;
                return r;
        }
        f->inflight++;
        f->calls++;
        return 0;
}

static int mode_flood(int argc, char **argv) {
        if (argc != 5 && argc != 7)
                return die("flood needs SECONDS INFLIGHT RESOURCE SOFT HARD [SOFT2 HARD2]", EINVAL);
        double seconds = atof(argv[0]);
        int inflight = atoi(argv[1]);
        if (seconds <= 0 || seconds > 120 || inflight < 1 || inflight > 256)
                return die("flood: SECONDS 0..120, INFLIGHT 1..256", EINVAL);
        Flood f = { .resource = argv[2], .n_values = argc == 7 ? 2 : 1 };
        for (unsigned i = 0; i < f.n_values; i++)
                if (!parse_value(argv[3 + 2 * i], &f.values[i][0]) || !parse_value(argv[4 + 2 * i], &f.values[i][1]))
                        return die("flood: a value is a number or inf", EINVAL);
        alarm((unsigned) seconds + 40);

        int r = sd_bus_open_system(&f.bus);
        if (r < 0)
                return die("connecting to the system bus", r);
        sd_bus_set_method_call_timeout(f.bus, 20 * 1000000ULL);

        const char *unique = NULL;
        uint32_t busuid = UINT32_MAX;
        sd_bus_message *reply = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_get_unique_name(f.bus, &unique);
        r = sd_bus_call_method(f.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixUser", &e, &reply, "s", unique);
        if (r >= 0)
                sd_bus_message_read(reply, "u", &busuid);
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
        printf("PID %d UID %u BUSUID %" PRIu32 "\n", (int) getpid(), (unsigned) getuid(), busuid);
        fflush(stdout);

        uint64_t t0 = now_us();
        f.deadline = t0 + (uint64_t) (seconds * 1e6);
        for (int i = 0; i < inflight; i++)
                if (send_one(&f) < 0)
                        break;
        while (f.inflight > 0) {
                r = sd_bus_process(f.bus, NULL);
                if (r < 0) {
                        fprintf(stderr, "attack-flood: processing: %s\n", strerror(-r));
                        break;
                }
                if (r > 0)
                        continue;
                r = sd_bus_wait(f.bus, UINT64_MAX);
                if (r < 0 && r != -EINTR) {
                        fprintf(stderr, "attack-flood: waiting: %s\n", strerror(-r));
                        break;
                }
        }
        uint64_t elapsed = now_us() - t0;
        printf("FLOOD calls=%u ok=%u rate=%u pending=%u inall=%u noreply=%u other=%u elapsed_ms=%" PRIu64 "\n",
               f.calls, f.ok, f.rate, f.pending, f.inall, f.noreply, f.other, elapsed / 1000);
        if (f.first_rate[0])
                printf("FIRST_RATE %s\n", f.first_rate);
        if (f.first_pending[0])
                printf("FIRST_PENDING %s\n", f.first_pending);
        if (f.first_other[0])
                printf("FIRST_OTHER %s\n", f.first_other);
        if (f.send_error)
                printf("SEND_ERROR %s\n", strerror(-f.send_error));
        sd_bus_flush_close_unref(f.bus);
        return 0;
}

/* ---- listen: count RlimitChanged ---- */

typedef struct Listen {
        const char *resource;
        unsigned total, n_uids;
        struct { uint32_t uid; unsigned n; } uids[4096];
} Listen;

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Listen *l = userdata;
        uint32_t pid, uid;
        const char *res;
        uint64_t old_soft, old_hard, soft, hard;
        (void) error;

        if (sd_bus_message_read(m, "usttttu", &pid, &res, &old_soft, &old_hard, &soft, &hard, &uid) < 0) {
                printf("UNREADABLE RlimitChanged(%s)\n", sd_bus_message_get_signature(m, true));
                return 0;
        }
        l->total++;
        unsigned i;
        for (i = 0; i < l->n_uids && l->uids[i].uid != uid; i++)
                ;
        if (i == l->n_uids && l->n_uids < sizeof l->uids / sizeof l->uids[0])
                l->uids[l->n_uids++].uid = uid;
        if (i < l->n_uids)
                l->uids[i].n++;
        if (strcmp(res, l->resource) == 0)
                printf("SIGNAL %" PRIu32 " %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu32 "\n", pid,
                       res, old_soft, old_hard, soft, hard, uid);
        return 0;
}

static volatile sig_atomic_t stop;

static void on_term(int sig) {
        (void) sig;
        stop = 1;
}

static int mode_listen(int argc, char **argv) {
        if (argc != 2)
                return die("listen needs SECONDS RESOURCE", EINVAL);
        double seconds = atof(argv[0]);
        alarm((unsigned) seconds + 20);
        static Listen l;
        l.resource = argv[1];

        sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0)
                return die("connecting to the system bus", r);
        r = sd_bus_match_signal(bus, NULL, NAME, PATH, IFACE, "RlimitChanged", on_changed, &l);
        if (r < 0)
                return die("subscribing to RlimitChanged", r);
        printf("READY\n");
        fflush(stdout);

        /* No SA_RESTART: the signal ends the wait at once. */
        struct sigaction sa = { .sa_handler = on_term };
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        uint64_t end = now_us() + (uint64_t) (seconds * 1e6);
        for (uint64_t t; !stop && (t = now_us()) < end;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return die("processing", r);
                if (r > 0)
                        continue;
                sd_bus_wait(bus, end - t < 100000 ? end - t : 100000);
        }
        for (;;) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return die("processing", r);
                if (r > 0)
                        continue;
                if (sd_bus_wait(bus, 300000) <= 0)
                        break;
        }
        printf("SIGNALS total=%u\n", l.total);
        for (unsigned i = 0; i < l.n_uids; i++)
                printf("SIGUID %" PRIu32 " %u\n", l.uids[i].uid, l.uids[i].n);
        sd_bus_flush_close_unref(bus);
        return 0;
}

int main(int argc, char **argv) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 2) {
                fprintf(stderr, "usage: attack-flood flood|listen ...\n");
                return 2;
        }
        const char *mode = argv[1];
        argc -= 2, argv += 2;
        if (strcmp(mode, "flood") == 0)
                return mode_flood(argc, argv);
        if (strcmp(mode, "listen") == 0)
                return mode_listen(argc, argv);
        fprintf(stderr, "attack-flood: unknown mode '%s'\n", mode);
        return 2;
}
