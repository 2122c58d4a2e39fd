/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hidepid-walk: the client side of tests/security/test-security-hidepid.sh, run under
 * setpriv as nobody while the fixture's /proc is mounted with hidepid=.
 * Plain sd-bus on $DBUS_SYSTEM_BUS_ADDRESS.
 *
 *   hidepid-walk walk FROM TO FREE
 *       asks ListRlimits(N) and GetRusage(N, "self") for every pid N in
 *       FROM..TO, and judges each answer against what this process itself
 *       may see: /proc/N exists for it (stat(2): the kernel's hidepid rule
 *       for this caller), before and after the calls. FREE is a pid number
 *       with no process: its answers are the template ("pid FREE: no such
 *       process", the number replaced) that every pid /proc hides must get,
 *       name and message. Prints
 *         "TEMPLATE <method> <error name> <message>" for FREE,
 *         "LEAK <pid> <method> <error name or OK> <message or reply>" for
 *           each hidden pid answered otherwise (first 40),
 *         "UIDLEAK <pid> <uid>" for each message naming the target's uid
 *           ("(uid U)", or "uid U" for U other than the caller's),
 *         "MISSING <pid> <method> <error name> <message>" for a visible pid
 *           not answered,
 *         "WALK pids= visible= listed= unlisted_visible= answered_list=
 *           answered_usage= leaks= uid_named= missing= racy= ms=".
 *       A pid answered is one whose reply is not NoSuchProcess. "listed" is
 *       what readdir(/proc) shows (plus /proc/P/task of those), and
 *       "unlisted_visible" the pids stat finds that readdir does not.
 *   hidepid-walk nondumpable
 *       prctl(PR_SET_DUMPABLE, 0), prints "READY <pid>", waits to be killed.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "resource1-bus.h"

#define NAME  RESOURCE1_BUS_NAME
#define PATH  RESOURCE1_PATH
#define IFACE RESOURCE1_INTERFACE
#define NO_SUCH_PROCESS "org.example.Resource1.Error.NoSuchProcess"

typedef struct {
        bool ok;
        char name[128];
        char message[512];
} Answer;

static uint64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

static void ask(sd_bus *bus, const char *method, uint32_t pid, Answer *a) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r;

        if (strcmp(method, "ListRlimits") == 0)
                r = sd_bus_call_method(bus, NAME, PATH, IFACE, method, &error, &reply, "u", pid);
        else
                r = sd_bus_call_method(bus, NAME, PATH, IFACE, method, &error, &reply, "us", pid, "self");
        *a = (Answer) { .ok = r >= 0 };
        if (r >= 0)
                snprintf(a->message, sizeof a->message, "(reply of %s)", sd_bus_message_get_signature(reply, true));
        else {
                snprintf(a->name, sizeof a->name, "%s", error.name ? error.name : "(errno)");
                snprintf(a->message, sizeof a->message, "%s", error.message ? error.message : strerror(-r));
        }
        sd_bus_message_unref(reply);
        sd_bus_error_free(&error);
}

/* The free pid's message with its number replaced by pid's (every
 * occurrence that stands alone as a number). */
static void expected_message(const char *tmpl, uint32_t free_pid, uint32_t pid, char *buf, size_t size) {
        char f[16], p[16];
        size_t k = 0, lf = (size_t) snprintf(f, sizeof f, "%" PRIu32, free_pid);
        snprintf(p, sizeof p, "%" PRIu32, pid);

        for (const char *s = tmpl; *s && k + 16 < size;) {
                if (strncmp(s, f, lf) == 0 && (s == tmpl || !isdigit((unsigned char) s[-1])) &&
                    !isdigit((unsigned char) s[lf])) {
                        k += (size_t) snprintf(buf + k, size - k, "%s", p);
                        s += lf;
                } else
                        buf[k++] = *s++;
        }
        buf[k] = 0;
}

/* A uid the message names that is not the caller's: "(uid U)" always, or
 * "uid U" with U other than the caller's; -1 if none. */
static long uid_named(const char *msg) {
        for (const char *s = strstr(msg, "uid "); s; s = strstr(s + 1, "uid ")) {
                if (s > msg && isalpha((unsigned char) s[-1]))
                        continue;
                if (!isdigit((unsigned char) s[4]))
                        continue;
                long u = strtol(s + 4, NULL, 10);
                if ((s > msg && s[-1] == '(') || u != (long) getuid())
                        return u;
        }
        return -1;
}

static bool visible(uint32_t pid) {
        char path[32];
        struct stat st;
        snprintf(path, sizeof path, "/proc/%" PRIu32, pid);
        return stat(path, &st) == 0;
}

/* readdir(/proc) and /proc/P/task of each P listed: what this caller is shown. */
static void listed(bool *set, uint32_t to) {
        DIR *d = opendir("/proc");
        struct dirent *e;
        if (!d)
                return;
        while ((e = readdir(d))) {
                char *end;
                unsigned long p = strtoul(e->d_name, &end, 10);
                if (*end || p == 0)
                        continue;
                if (p <= to)
                        set[p] = true;
                char path[64];
                snprintf(path, sizeof path, "/proc/%lu/task", p);
                DIR *t = opendir(path);
                struct dirent *te;
                while (t && (te = readdir(t))) {
                        unsigned long tid = strtoul(te->d_name, &end, 10);
                        if (!*end && tid > 0 && tid <= to)
                                set[tid] = true;
                }
                if (t)
                        closedir(t);
        }
        closedir(d);
}

static int walk(uint32_t from, uint32_t to, uint32_t free_pid) {
        static const char *methods[] = { "ListRlimits", "GetRusage" };
        sd_bus *bus = NULL;
        Answer tmpl[2];
        unsigned n = 0, n_visible = 0, n_listed = 0, unlisted = 0, answered[2] = {}, leaks = 0, uids = 0,
                 missing = 0, racy = 0;

        int r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "hidepid-walk: connecting: %s\n", strerror(-r));
                return 3;
        }
        for (int m = 0; m < 2; m++) {
                ask(bus, methods[m], free_pid, &tmpl[m]);
                printf("TEMPLATE %s %s %s\n", methods[m], tmpl[m].ok ? "OK" : tmpl[m].name, tmpl[m].message);
                if (tmpl[m].ok || strcmp(tmpl[m].name, NO_SUCH_PROCESS) != 0) {
                        fprintf(stderr, "hidepid-walk: pid %" PRIu32 " is not free\n", free_pid);
                        return 3;
                }
        }

        bool *shown = calloc(to + 1, sizeof *shown);
        if (!shown)
                return 3;
        listed(shown, to);

        uint64_t start = now_ms();
        for (uint32_t pid = from; pid <= to; pid++) {
                Answer a[2];
                bool before = visible(pid);
                ask(bus, methods[0], pid, &a[0]);
                ask(bus, methods[1], pid, &a[1]);
                bool after = visible(pid);
                n++;
                if (before != after) {
                        racy++;
                        continue;
                }
                n_visible += before;
                n_listed += shown[pid];
                unlisted += before && !shown[pid];
                for (int m = 0; m < 2; m++) {
                        bool no_such = !a[m].ok && strcmp(a[m].name, NO_SUCH_PROCESS) == 0;
                        answered[m] += !no_such;
                        long u = a[m].ok ? -1 : uid_named(a[m].message);
                        if (u >= 0) {
                                if (uids++ < 40)
                                        printf("UIDLEAK %" PRIu32 " %ld\n", pid, u);
                        }
                        if (before) {
                                if (no_such && missing++ < 40)
                                        printf("MISSING %" PRIu32 " %s %s %s\n", pid, methods[m], a[m].name,
                                               a[m].message);
                                continue;
                        }
                        char want[600];
                        expected_message(tmpl[m].message, free_pid, pid, want, sizeof want);
                        if (!no_such || strcmp(a[m].message, want) != 0) {
                                if (leaks++ < 40)
                                        printf("LEAK %" PRIu32 " %s %s %s\n", pid, methods[m],
                                               a[m].ok ? "OK" : a[m].name, a[m].message);
                        }
                }
        }
        printf("WALK pids=%u visible=%u listed=%u unlisted_visible=%u answered_list=%u answered_usage=%u "
               "leaks=%u uid_named=%u missing=%u racy=%u ms=%" PRIu64 "\n",
               n, n_visible, n_listed, unlisted, answered[0], answered[1], leaks, uids, missing, racy,
               now_ms() - start);
        free(shown);
        sd_bus_unref(bus);
        return 0;
}

int main(int argc, char *argv[]) {
        if (argc == 5 && strcmp(argv[1], "walk") == 0)
                return walk((uint32_t) strtoul(argv[2], NULL, 10), (uint32_t) strtoul(argv[3], NULL, 10),
                            (uint32_t) strtoul(argv[4], NULL, 10));
        if (argc == 2 && strcmp(argv[1], "nondumpable") == 0) {
                if (prctl(PR_SET_DUMPABLE, 0) < 0)
                        return 3;
                printf("READY %d\n", (int) getpid());
                fflush(stdout);
                for (;;)
                        pause();
        }
        fprintf(stderr, "usage: hidepid-walk walk FROM TO FREE | nondumpable\n");
        return 2;
}
