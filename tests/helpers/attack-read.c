/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attack-read: the client side of tests/security/test-security-read.sh, one mode per
 * attack, run under setpriv as the attacking (or victim) uid. Plain sd-bus
 * on $DBUS_SYSTEM_BUS_ADDRESS. Every mode is bounded in time (alarm(2) as a
 * last resort besides the calls' own timeouts) and prints "KEY value..."
 * lines for the script to judge; the exit status is 0 unless the mode could
 * not even be attempted (then 3, with a message on stderr).
 *
 *   attack-read victim TIMEOUT_S
 *       forks a child that waits, prints "NAME <own unique bus name>" and
 *       "CHILD <pid>", then asks Prlimit(child, NOFILE, true, 4343, hard + 1)
 *       (a hard raise: polkit is asked; tests/rules/security-read.rules answers it
 *       slowly for soft 4343) and prints "OK <old soft> <old hard>",
 *       "ERR <error name> <message>" or "NOREPLY <error name> <message>" when
 *       no answer came within TIMEOUT_S.
 *   attack-read threads N
 *       starts N threads with small stacks that each block on a futex once
 *       started, then prints "READY <pid> <threads>" and waits to be killed.
 *   attack-read flood PID CONNS SECONDS MIN_NVCSW
 *       CONNS connections, each one GetRusage(PID, "self") at a time, for
 *       SECONDS; prints "FLOOD calls= usage= bad_usage= denied= noreply=
 *       other= min_nvcsw= max_ms=" and the first error and bad answer seen. A
 *       usage is bad when ru_nvcsw < MIN_NVCSW or a time is negative.
 *   attack-read probe SECONDS INTERVAL_MS
 *       PageSize every INTERVAL_MS for SECONDS, each with a 1 s timeout;
 *       prints "PROBE calls= answered= timeouts= median_us= max_us=".
 *   attack-read nondumpable
 *       prctl(PR_SET_DUMPABLE, 0), some file I/O, prints "READY <pid>", waits.
 *   attack-read self-manage
 *       prints "STATUS_BYTES <size of /proc/self/status>", then lowers its own
 *       NOFILE soft limit by one with SetRlimit ("SET OK" / "SET ERR ..."),
 *       prints "LIMITS <soft> <hard>" of NOFILE from /proc/self/limits and
 *       "WANT <soft> <hard>", then GetRusage(0, "self") ("RUSAGE OK
 *       nvcsw=<n>" / "RUSAGE ERR ...").
 *   attack-read thread-pidfd
 *       starts a second thread, opens pidfd_open(its tid, PIDFD_THREAD),
 *       subscribes to RlimitChanged, and lowers its own NOFILE soft limit by
 *       one with PrlimitPidfd on that pidfd; prints "PID <pid> TID <tid>",
 *       "CALL OK ..." / "CALL ERR ...", "SIGNAL <pid> <resource> <old soft>
 *       <old hard> <soft> <hard> <uid>" for each RlimitChanged seen within
 *       3 s ("UNREADABLE ..." for one of another signature), "LIMIT <soft>
 *       <hard>" (getrlimit afterwards) and "WANT <soft> <hard>".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "attack-common.h"
#include "resource1-bus.h"

#define NAME  RESOURCE1_BUS_NAME
#define PATH  RESOURCE1_PATH
#define IFACE RESOURCE1_INTERFACE
/* The *Pidfd methods are served at the gate's name: the service's own takes no descriptors. */
#define PIDFD_NAME RESOURCE1_PIDFD_BUS_NAME

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* ---- victim: a gated change that waits on a slow polkit ---- */

static int mode_victim(int argc, char **argv) {
        if (argc < 1)
                return die("victim needs TIMEOUT_S", EINVAL);
        unsigned timeout = (unsigned) atoi(argv[0]);
        alarm(timeout + 10);

        struct rlimit l;
        getrlimit(RLIMIT_NOFILE, &l);
        pid_t child = fork();
        if (child < 0)
                return die("fork", errno);
        if (child == 0) {
                alarm(timeout + 10);
                pause();
                _exit(0);
        }

        sd_bus *bus = connect_bus((uint64_t) timeout * 1000000);
        if (!bus) {
                kill(child, SIGKILL);
                return 3;
        }
        const char *unique = NULL;
        sd_bus_get_unique_name(bus, &unique);
        printf("NAME %s\nCHILD %d\n", unique, (int) child);
        fflush(stdout);

        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, NAME, PATH, IFACE, "Prlimit", &e, &reply, "usbtt", (uint32_t) child,
                                   "NOFILE", 1, (uint64_t) 4343, (uint64_t) l.rlim_max + 1);
        if (r >= 0) {
                uint64_t s = 0, h = 0;
                sd_bus_message_read(reply, "tt", &s, &h);
                printf("OK %" PRIu64 " %" PRIu64 "\n", s, h);
        } else
                printf("%s %s %s\n", is_timeout(&e, r) ? "NOREPLY" : "ERR", e.name ?: "(local)",
                       e.message ?: strerror(-r));
        fflush(stdout);
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        return 0;
}

/* ---- threads: a process with many blocked threads ---- */

static atomic_int started;
static int gate;   /* futex word the threads wait on; never woken */

static void *blocked_thread(void *arg) {
        (void) arg;
        atomic_fetch_add(&started, 1);
        for (;;)
                syscall(SYS_futex, &gate, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        return NULL;
}

static int mode_threads(int argc, char **argv) {
        if (argc < 1)
                return die("threads needs N", EINVAL);
        int n = atoi(argv[0]);
        alarm(120);

        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 16384);
        pthread_attr_setguardsize(&attr, 0);
        for (int i = 0; i < n; i++) {
                pthread_t t;
                int r = pthread_create(&t, &attr, blocked_thread, NULL);
                if (r != 0) {
                        fprintf(stderr, "attack-read: thread %d of %d: %s\n", i, n, strerror(r));
                        return 3;
                }
        }
        /* Each thread has run (and is blocking or about to): give the last
         * ones time to reach the futex, so each has blocked once. */
        while (atomic_load(&started) < n)
                usleep(1000);
        usleep(300000);
        printf("READY %d %d\n", (int) getpid(), n);
        fflush(stdout);
        for (;;)
                pause();
}

/* ---- flood: GetRusage from many connections ---- */

typedef struct Flood {
        uint32_t pid;
        int64_t min_nvcsw;
        uint64_t deadline;
        /* results */
        unsigned calls, usage, bad_usage, denied, noreply, other;
        int64_t seen_min_nvcsw;
        uint64_t max_us;
        char first_error[512], first_bad[256];
} Flood;

static int read_usage(sd_bus_message *m, double *utime, double *stime, int64_t *nvcsw) {
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        *utime = *stime = -1;
        *nvcsw = -1;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key, *contents;
                char type;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                r = sd_bus_message_peek_type(m, &type, &contents);
                if (r < 0)
                        return r;
                r = sd_bus_message_enter_container(m, 'v', contents);
                if (r < 0)
                        return r;
                if (strcmp(contents, "d") == 0) {
                        double d;
                        r = sd_bus_message_read(m, "d", &d);
                        if (strcmp(key, "ru_utime") == 0)
                                *utime = d;
                        else if (strcmp(key, "ru_stime") == 0)
                                *stime = d;
                } else if (strcmp(contents, "x") == 0) {
                        int64_t x;
                        r = sd_bus_message_read(m, "x", &x);
                        if (strcmp(key, "ru_nvcsw") == 0)
                                *nvcsw = x;
                } else
                        r = sd_bus_message_skip(m, contents);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static void *flood_thread(void *arg) {
        Flood *f = arg;
        /* Generous: every call of every connection may wait behind all the
         * others' (16 x a slow read); a timeout is still an error. */
        sd_bus *bus = connect_bus(25 * 1000000ULL);
        if (!bus) {
                f->other++;
                snprintf(f->first_error, sizeof f->first_error, "could not connect");
                return NULL;
        }
        f->seen_min_nvcsw = INT64_MAX;
        while (now_us() < f->deadline) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                uint64_t t0 = now_us();
                int r = sd_bus_call_method(bus, NAME, PATH, IFACE, "GetRusage", &e, &reply, "us", f->pid, "self");
                uint64_t dt = now_us() - t0;
                f->calls++;
                if (dt > f->max_us)
                        f->max_us = dt;
                if (r >= 0) {
                        double ut = -1, st = -1;
                        int64_t nv = -1;
                        r = read_usage(reply, &ut, &st, &nv);
                        f->usage++;
                        if (nv >= 0 && nv < f->seen_min_nvcsw)
                                f->seen_min_nvcsw = nv;
                        if (r < 0 || ut < 0 || st < 0 || nv < f->min_nvcsw) {
                                if (f->bad_usage++ == 0)
                                        snprintf(f->first_bad, sizeof f->first_bad,
                                                 "parse=%d ru_utime=%g ru_stime=%g ru_nvcsw=%" PRId64, r, ut, st, nv);
                        }
                } else {
                        if (sd_bus_error_has_name(&e, "org.example.Resource1.Error.PermissionDenied"))
                                f->denied++;
                        else if (is_timeout(&e, r))
                                f->noreply++;
                        else
                                f->other++;
                        if (!f->first_error[0] && !sd_bus_error_has_name(&e, "org.example.Resource1.Error.PermissionDenied"))
                                snprintf(f->first_error, sizeof f->first_error, "%s %s", e.name ?: "(local)",
                                         e.message ?: strerror(-r));
                        if (is_timeout(&e, r)) {
                                /* a timed-out call may still be queued at the daemon:
                                 * stop here, one call at a time per connection */
                                sd_bus_error_free(&e);
                                break;
                        }
                }
                sd_bus_error_free(&e);
                sd_bus_message_unref(reply);
        }
        sd_bus_flush_close_unref(bus);
        return NULL;
}

static int mode_flood(int argc, char **argv) {
        if (argc < 4)
                return die("flood needs PID CONNS SECONDS MIN_NVCSW", EINVAL);
        uint32_t pid = (uint32_t) strtoul(argv[0], NULL, 10);
        int conns = atoi(argv[1]);
        double seconds = atof(argv[2]);
        int64_t min_nvcsw = strtoll(argv[3], NULL, 10);
        if (conns < 1 || conns > 64)
                return die("flood: CONNS must be 1..64", EINVAL);
        alarm((unsigned) seconds + 40);

        Flood f[64] = {};
        pthread_t t[64];
        uint64_t deadline = now_us() + (uint64_t) (seconds * 1e6);
        for (int i = 0; i < conns; i++) {
                f[i] = (Flood) { .pid = pid, .min_nvcsw = min_nvcsw, .deadline = deadline };
                pthread_create(&t[i], NULL, flood_thread, &f[i]);
        }
        Flood sum = { .seen_min_nvcsw = INT64_MAX };
        for (int i = 0; i < conns; i++) {
                pthread_join(t[i], NULL);
                sum.calls += f[i].calls, sum.usage += f[i].usage, sum.bad_usage += f[i].bad_usage;
                sum.denied += f[i].denied, sum.noreply += f[i].noreply, sum.other += f[i].other;
                if (f[i].usage > 0 && f[i].seen_min_nvcsw < sum.seen_min_nvcsw)
                        sum.seen_min_nvcsw = f[i].seen_min_nvcsw;
                if (f[i].max_us > sum.max_us)
                        sum.max_us = f[i].max_us;
                if (!sum.first_error[0] && f[i].first_error[0])
                        memcpy(sum.first_error, f[i].first_error, sizeof sum.first_error);
                if (!sum.first_bad[0] && f[i].first_bad[0])
                        memcpy(sum.first_bad, f[i].first_bad, sizeof sum.first_bad);
        }
        printf("FLOOD calls=%u usage=%u bad_usage=%u denied=%u noreply=%u other=%u min_nvcsw=%" PRId64
               " max_ms=%" PRIu64 "\n",
               sum.calls, sum.usage, sum.bad_usage, sum.denied, sum.noreply, sum.other,
               sum.usage ? sum.seen_min_nvcsw : -1, sum.max_us / 1000);
        if (sum.first_error[0])
                printf("FIRST_ERROR %s\n", sum.first_error);
        if (sum.first_bad[0])
                printf("FIRST_BAD %s\n", sum.first_bad);
        return 0;
}

/* ---- probe: PageSize latency ---- */

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static int mode_probe(int argc, char **argv) {
        if (argc < 2)
                return die("probe needs SECONDS INTERVAL_MS", EINVAL);
        double seconds = atof(argv[0]);
        unsigned interval_ms = (unsigned) atoi(argv[1]);
        alarm((unsigned) seconds + 10);

        sd_bus *bus = connect_bus(1000000);
        if (!bus)
                return 3;
        size_t cap = (size_t) (seconds * 1000 / (interval_ms ? interval_ms : 1)) + 16, n = 0;
        uint64_t *lat = calloc(cap, sizeof *lat);
        unsigned answered = 0, timeouts = 0;
        uint64_t end = now_us() + (uint64_t) (seconds * 1e6);
        while (now_us() < end && n < cap) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                uint64_t t0 = now_us();
                int r = sd_bus_call_method(bus, NAME, PATH, IFACE, "PageSize", &e, &reply, "");
                uint64_t dt = now_us() - t0;
                lat[n++] = dt;
                if (r >= 0)
                        answered++;
                else if (is_timeout(&e, r)) {
                        timeouts++;
                        /* a timed-out call is still queued at the daemon: a new
                         * connection, so later calls are not counted behind it */
                        sd_bus_flush_close_unref(bus);
                        bus = connect_bus(1000000);
                        if (!bus)
                                return 3;
                }
                sd_bus_error_free(&e);
                sd_bus_message_unref(reply);
                if (dt < interval_ms * 1000ULL)
                        usleep((useconds_t) (interval_ms * 1000ULL - dt));
        }
        qsort(lat, n, sizeof *lat, cmp_u64);
        printf("PROBE calls=%zu answered=%u timeouts=%u median_us=%" PRIu64 " max_us=%" PRIu64 "\n", n, answered,
               timeouts, n ? lat[n / 2] : 0, n ? lat[n - 1] : 0);
        free(lat);
        sd_bus_flush_close_unref(bus);
        return 0;
}

/* ---- nondumpable: a same-uid process whose /proc/PID/io is private ---- */

static int mode_nondumpable(void) {
        alarm(60);
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return die("PR_SET_DUMPABLE", errno);
        /* some I/O, so that there are counters to leak */
        char buf[65536];
        int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                while (read(fd, buf, sizeof buf) > 0)
                        ;
                close(fd);
        }
        printf("READY %d dumpable=%d\n", (int) getpid(), prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
        fflush(stdout);
        for (;;)
                pause();
}

/* ---- self-manage: a caller with a big /proc/self/status ---- */

static long file_size(const char *path) {
        char buf[65536];
        long total = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t k;
        while ((k = read(fd, buf, sizeof buf)) > 0)
                total += k;
        close(fd);
        return total;
}

static int proc_nofile(uint64_t *soft, uint64_t *hard) {
        FILE *f = fopen("/proc/self/limits", "re");
        char line[256];
        int r = -ENOENT;
        if (!f)
                return -errno;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, "Max open files", 14) == 0) {
                        unsigned long long s, h;
                        if (sscanf(line + 14, " %llu %llu", &s, &h) == 2) {
                                *soft = s, *hard = h;
                                r = 0;
                        }
                }
        fclose(f);
        return r;
}

static void print_error(const char *what, const sd_bus_error *e, int r) {
        printf("%s ERR %s %s\n", what, e->name ?: "(local)", e->message ?: strerror(-r));
}

static int mode_self_manage(void) {
        alarm(30);
        printf("STATUS_BYTES %ld\n", file_size("/proc/self/status"));
        printf("GROUPS %d\n", getgroups(0, NULL));

        sd_bus *bus = connect_bus(10 * 1000000ULL);
        if (!bus)
                return 3;
        struct rlimit l;
        getrlimit(RLIMIT_NOFILE, &l);
        uint64_t want = l.rlim_cur - 1;

        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, NAME, PATH, IFACE, "SetRlimit", &e, &reply, "stt", "NOFILE", want,
                                   (uint64_t) l.rlim_max);
        if (r >= 0)
                printf("SET OK\n");
        else
                print_error("SET", &e, r);
        sd_bus_error_free(&e);
        reply = sd_bus_message_unref(reply);

        uint64_t s = 0, h = 0;
        proc_nofile(&s, &h);
        printf("LIMITS %" PRIu64 " %" PRIu64 "\nWANT %" PRIu64 " %" PRIu64 "\n", s, h, want, (uint64_t) l.rlim_max);

        r = sd_bus_call_method(bus, NAME, PATH, IFACE, "GetRusage", &e, &reply, "us", (uint32_t) 0, "self");
        if (r >= 0) {
                double ut = -1, st = -1;
                int64_t nv = -1;
                r = read_usage(reply, &ut, &st, &nv);
                printf("RUSAGE OK nvcsw=%" PRId64 " utime=%g stime=%g parse=%d\n", nv, ut, st, r);
        } else
                print_error("RUSAGE", &e, r);
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        return 0;
}

/* ---- thread-pidfd: PrlimitPidfd with a pidfd of a non-leader thread ---- */

static atomic_int second_tid;

static void *second_thread(void *arg) {
        (void) arg;
        atomic_store(&second_tid, (int) syscall(SYS_gettid));
        for (;;)
                syscall(SYS_futex, &gate, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
        return NULL;
}

static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) userdata, (void) error;
        uint32_t pid, uid;
        const char *res;
        uint64_t old_soft, old_hard, soft, hard;
        if (sd_bus_message_read(m, "usttttu", &pid, &res, &old_soft, &old_hard, &soft, &hard, &uid) >= 0)
                printf("SIGNAL %" PRIu32 " %s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu32 "\n", pid,
                       res, old_soft, old_hard, soft, hard, uid);
        else
                printf("UNREADABLE RlimitChanged(%s)\n", sd_bus_message_get_signature(m, true));
        return 0;
}

static int mode_thread_pidfd(void) {
        alarm(30);
        pthread_t t;
        int r = pthread_create(&t, NULL, second_thread, NULL);
        if (r != 0)
                return die("pthread_create", r);
        while (atomic_load(&second_tid) == 0)
                usleep(1000);
        int tid = atomic_load(&second_tid);
        printf("PID %d TID %d\n", (int) getpid(), tid);

        int fd = (int) syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
        if (fd < 0)
                return die("pidfd_open(tid, PIDFD_THREAD)", errno);

        sd_bus *bus = connect_bus(10 * 1000000ULL);
        if (!bus)
                return 3;
        r = sd_bus_match_signal(bus, NULL, NAME, PATH, IFACE, "RlimitChanged", on_changed, NULL);
        if (r < 0)
                return die("subscribing to RlimitChanged", r);

        struct rlimit l;
        getrlimit(RLIMIT_NOFILE, &l);
        uint64_t want = l.rlim_cur - 1;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        r = sd_bus_call_method(bus, PIDFD_NAME, PATH, IFACE, "PrlimitPidfd", &e, &reply, "hsbtt", fd, "NOFILE", 1,
                               want, (uint64_t) l.rlim_max);
        if (r >= 0) {
                uint64_t s = 0, h = 0;
                sd_bus_message_read(reply, "tt", &s, &h);
                printf("CALL OK %" PRIu64 " %" PRIu64 "\n", s, h);
        } else
                print_error("CALL", &e, r);
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
        fflush(stdout);

        /* The daemon emits the signal before it replies; whatever is queued
         * comes now, and anything later within 3 s is reported too. */
        uint64_t end = now_us() + 3000000;
        while (now_us() < end) {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                sd_bus_wait(bus, end - now_us());
        }
        getrlimit(RLIMIT_NOFILE, &l);
        printf("LIMIT %llu %llu\nWANT %" PRIu64 " %llu\n", (unsigned long long) l.rlim_cur,
               (unsigned long long) l.rlim_max, want, (unsigned long long) l.rlim_max);
        fflush(stdout);
        sd_bus_flush_close_unref(bus);
        close(fd);
        return 0;
}

int main(int argc, char **argv) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 2) {
                fprintf(stderr, "usage: attack-read victim|threads|flood|probe|nondumpable|self-manage|thread-pidfd ...\n");
                return 2;
        }
        const char *mode = argv[1];
        argc -= 2, argv += 2;
        if (strcmp(mode, "victim") == 0)
                return mode_victim(argc, argv);
        if (strcmp(mode, "threads") == 0)
                return mode_threads(argc, argv);
        if (strcmp(mode, "flood") == 0)
                return mode_flood(argc, argv);
        if (strcmp(mode, "probe") == 0)
                return mode_probe(argc, argv);
        if (strcmp(mode, "nondumpable") == 0)
                return mode_nondumpable();
        if (strcmp(mode, "self-manage") == 0)
                return mode_self_manage();
        if (strcmp(mode, "thread-pidfd") == 0)
                return mode_thread_pidfd();
        fprintf(stderr, "attack-read: unknown mode '%s'\n", mode);
        return 2;
}
