/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resource1-bench: figures for the service on the system bus it finds in
 * $DBUS_SYSTEM_BUS_ADDRESS. Not a test: it reports, bench/run.sh judges.
 *
 *   latency N OTHER_PID CHILD_PID   median µs of each call, N calls each
 *   latency-user N OWN_PID          as a user: Ping, and lowering a limit of its own
 *                                   process (the change by a process with the user's ids)
 *   gated N                         median µs of a hard raise that polkit
 *                                   decides, and of CheckAuthorization direct;
 *                                   as root: by uid 1, and root's check of it
 *                                   with the daemon's details
 *   throughput CONNS SECONDS CALL   calls/s over CONNS connections (CALL:
 *                                   GetRlimit or Ping)
 *   calls N                         N GetRlimit calls, nothing printed
 *   idle-clients N                  N connections that each call once, then
 *                                   wait for stdin to close
 *   exec N COMMAND...               median µs to run COMMAND to completion
 *   exec-vs NAME N A... -- B...     A and B run in turn N times each (A B A B ...):
 *                                   "NAME-a", "NAME-b" medians µs and "NAME-ratio",
 *                                   the median of the N ratios A/B pair by pair
 *                                   (a drift of the machine's speed hits both)
 *   one-ping                        connect, one Ping to the service, exit: the
 *                                   floor of any sd-bus client's single call
 *   one-call PID                    connect, one ListRlimitsPidfd of PID by its
 *                                   pidfd, exit: what "resourcectl limits --pid
 *                                   PID" asks, made by the least a client can run
 *   one-set PID                     the same with SetRlimitsPidfd of NOFILE
 *                                   100:(PID's hard limit): what "resourcectl
 *                                   set --pid PID NOFILE 100:" asks
 *   load CONNS CALLS THREADS        CONNS connections at once, CALLS GetRlimit
 *                                   calls spread over them by THREADS threads;
 *                                   exits 1 on any error
 *   repeat N CALL PID               N calls of Ping, PageSize, GetRlimit,
 *                                   ListRlimits or GetRusage (of PID), quietly
 *
 * Output lines: "<name> <value>". */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "resource1-bus.h"

#define NAME  RESOURCE1_BUS_NAME
#define PATH  RESOURCE1_PATH
#define IFACE RESOURCE1_INTERFACE

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static double median_us(uint64_t *v, size_t n) {
        qsort(v, n, sizeof v[0], cmp_u64);
        return (double) v[n / 2] / 1000.0;
}

static sd_bus *connect_bus(void) {
        sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "bench: cannot connect: %s\n", strerror(-r));
                exit(1);
        }
        return bus;
}

typedef struct Call {
        const char *name;
        const char *dest, *path, *iface, *member;
        const char *types;
        uint32_t u;
        const char *s;
        int kind;    /* 0: bus call; 1: getrlimit(2); 2: prlimit(2) get; 3: getrusage(2) */
} Call;

static int do_call(sd_bus *bus, const Call *c) {
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        struct rlimit l;
        struct rusage ru;
        int r;

        switch (c->kind) {
        case 1:
                return getrlimit(RLIMIT_NOFILE, &l);
        case 2:
                return prlimit((pid_t) c->u, RLIMIT_NOFILE, NULL, &l);
        case 3:
                return getrusage(RUSAGE_SELF, &ru);
        }

        r = sd_bus_message_new_method_call(bus, &m, c->dest, c->path, c->iface, c->member);
        if (r >= 0 && c->types) {
                if (strcmp(c->types, "s") == 0)
                        r = sd_bus_message_append(m, "s", c->s);
                else if (strcmp(c->types, "u") == 0)
                        r = sd_bus_message_append(m, "u", c->u);
                else if (strcmp(c->types, "us") == 0)
                        r = sd_bus_message_append(m, "us", c->u, c->s);
                else if (strcmp(c->types, "usbtt") == 0)
                        r = sd_bus_message_append(m, "usbtt", c->u, "NOFILE", 1, (uint64_t) 512, (uint64_t) 1024);
                else if (strcmp(c->types, "usbtt-get") == 0)
                        r = sd_bus_message_append(m, "usbtt", c->u, "NOFILE", 0, (uint64_t) 0, (uint64_t) 0);
        }
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0)
                fprintf(stderr, "bench: %s: %s\n", c->name, error.message ?: strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(m);
        return r;
}

static double time_call(sd_bus *bus, const Call *c, size_t n) {
        uint64_t *v = calloc(n, sizeof *v);
        for (size_t i = 0; i < n / 10 + 10; i++)   /* warm up */
                if (do_call(bus, c) < 0)
                        exit(1);
        for (size_t i = 0; i < n; i++) {
                uint64_t t = now_ns();
                if (do_call(bus, c) < 0)
                        exit(1);
                v[i] = now_ns() - t;
        }
        double m = median_us(v, n);
        free(v);
        return m;
}

static int latency_of(size_t n, const Call *calls, size_t n_calls, const char *prefix);

static int latency(size_t n, uint32_t other, uint32_t child) {
        const Call calls[] = {
                { "Ping", NAME, PATH, "org.freedesktop.DBus.Peer", "Ping", NULL, 0, NULL, 0 },
                { "GetId", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId", NULL, 0, NULL, 0 },
                { "GetRlimit", NAME, PATH, IFACE, "GetRlimit", "s", 0, "NOFILE", 0 },
                { "ListRlimits", NAME, PATH, IFACE, "ListRlimits", "u", 0, NULL, 0 },
                { "Prlimit-get-other", NAME, PATH, IFACE, "Prlimit", "usbtt-get", other, NULL, 0 },
                { "Prlimit-set-lower", NAME, PATH, IFACE, "Prlimit", "usbtt", child, NULL, 0 },
                { "GetRusage-self", NAME, PATH, IFACE, "GetRusage", "us", 0, "self", 0 },
                { "GetRusage-other", NAME, PATH, IFACE, "GetRusage", "us", other, "self", 0 },
                { "PageSize", NAME, PATH, IFACE, "PageSize", NULL, 0, NULL, 0 },
                { "syscall-getrlimit", NULL, NULL, NULL, NULL, NULL, 0, NULL, 1 },
                { "syscall-prlimit", NULL, NULL, NULL, NULL, NULL, child, NULL, 2 },
                { "syscall-getrusage", NULL, NULL, NULL, NULL, NULL, 0, NULL, 3 },
        };
        return latency_of(n, calls, sizeof calls / sizeof calls[0], "");
}

static int latency_user(size_t n, uint32_t own) {
        const Call calls[] = {
                { "Ping", NAME, PATH, "org.freedesktop.DBus.Peer", "Ping", NULL, 0, NULL, 0 },
                { "Prlimit-set-lower", NAME, PATH, IFACE, "Prlimit", "usbtt", own, NULL, 0 },
        };
        return latency_of(n, calls, sizeof calls / sizeof calls[0], "user-");
}

static int latency_of(size_t n, const Call *calls, size_t n_calls, const char *prefix) {
        sd_bus *bus = connect_bus();
        /* Interleave rounds so drift on a shared machine spreads over all calls. */
        const size_t rounds = 9;
        double (*all)[9] = calloc(n_calls, sizeof *all);
        for (size_t r = 0; r < rounds; r++)
                for (size_t i = 0; i < n_calls; i++)
                        all[i][r] = time_call(bus, &calls[i], n / rounds);
        for (size_t i = 0; i < n_calls; i++) {
                /* the median of the rounds' medians */
                uint64_t v[9];
                for (size_t r = 0; r < rounds; r++)
                        v[r] = (uint64_t) (all[i][r] * 1000.0);
                printf("%s%s %.2f\n", prefix, calls[i].name, median_us(v, rounds));
        }
        free(all);
        sd_bus_flush_close_unref(bus);
        return 0;
}

/* CheckAuthorization for the raise-hard-limit action, as the daemon asks it
 * (subject by bus name) when subject is given, with the details it passes
 * for a NOFILE hard raise (only root may pass details); else for the
 * caller itself, without details. */
static int check_authorization(sd_bus *bus, const char *subject, pid_t pid) {
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        const char *unique = subject;
        char p[16];
        snprintf(p, sizeof p, "%d", (int) pid);
        int r = unique ? 0 : sd_bus_get_unique_name(bus, &unique);
        if (r >= 0)
                r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.PolicyKit1",
                                                   "/org/freedesktop/PolicyKit1/Authority",
                                                   "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sa{sv})s", "system-bus-name", 1, "name", "s", unique,
                                          "org.example.resource1.raise-hard-limit");
        if (r >= 0 && subject)
                r = sd_bus_message_append(m, "a{ss}", 7, "pid", p, "NOFILE.soft", "1024", "NOFILE.hard", "1048577",
                                          "resources", "NOFILE", "resource", "NOFILE", "soft", "1024",
                                          "hard", "1048577");
        else if (r >= 0)
                r = sd_bus_message_append(m, "a{ss}", 0);
        if (r >= 0)
                r = sd_bus_message_append(m, "us", 0, "");
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0)
                fprintf(stderr, "bench: CheckAuthorization: %s\n", error.message ?: strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(m);
        return r;
}

/* The gated call goes polkit's way and then meets the kernel; without
 * CAP_SYS_RESOURCE the kernel refuses, which costs the same path. Run as
 * root, the calls are made by a child with uid and gid 1 (polkit's
 * "daemon" user), and root asks polkitd about that child the way the
 * daemon does, details and all, between its calls: the polkit part of the
 * gated call on its own. */
static int gated(size_t n) {
        int ask[2], done[2];
        bool as_root = geteuid() == 0;
        if (as_root && (pipe(ask) < 0 || pipe(done) < 0))
                return 1;
        pid_t child = as_root ? fork() : 0;
        if (child < 0)
                return 1;
        if (child > 0) {
                sd_bus *bus = connect_bus();
                uint64_t *c = calloc(n, sizeof *c);
                char name[256];
                ssize_t k;
                close(ask[1]);
                close(done[0]);
                k = read(ask[0], name, sizeof name - 1);
                if (k <= 0)
                        return 1;
                name[k] = '\0';
                for (size_t i = 0; i < n; i++) {
                        char go;
                        if (read(ask[0], &go, 1) != 1)
                                return 1;
                        uint64_t t = now_ns();
                        if (check_authorization(bus, name, child) < 0)
                                return 1;
                        c[i] = now_ns() - t;
                        if (write(done[1], "", 1) != 1)
                                return 1;
                }
                int status;
                if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        return 1;
                printf("CheckAuthorization-as-daemon %.2f\n", median_us(c, n));
                sd_bus_flush_close_unref(bus);
                return 0;
        }
        if (as_root) {
                close(ask[0]);
                close(done[1]);
                if (setgroups(0, NULL) < 0 || setresgid(1, 1, 1) < 0 || setresuid(1, 1, 1) < 0)
                        _exit(1);
        }
        sd_bus *bus = connect_bus();
        const char *unique;
        if (sd_bus_get_unique_name(bus, &unique) < 0)
                _exit(1);
        if (as_root && write(ask[1], unique, strlen(unique)) < 0)
                _exit(1);
        struct rlimit l;
        getrlimit(RLIMIT_NOFILE, &l);
        uint64_t *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b), *p = calloc(n, sizeof *p);
        for (size_t i = 0; i < n; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                uint64_t t = now_ns();
                (void) sd_bus_call_method(bus, NAME, PATH, IFACE, "SetRlimit", &error, NULL, "stt", "NOFILE",
                                          (uint64_t) l.rlim_cur, (uint64_t) l.rlim_max + 1);
                a[i] = now_ns() - t;
                if (i == 0 && error.name)
                        fprintf(stderr, "bench: gated call answered %s: %s\n", error.name, error.message);
                sd_bus_error_free(&error);

                t = now_ns();
                if (check_authorization(bus, NULL, 0) < 0)
                        _exit(1);
                b[i] = now_ns() - t;

                /* A round trip to the daemon right after polkitd ran: every
                 * cache the bus and the daemon use is cold then, as it is
                 * for the gated call's own hops. */
                t = now_ns();
                if (sd_bus_call_method(bus, NAME, PATH, "org.freedesktop.DBus.Peer", "Ping", NULL, NULL, NULL) < 0)
                        _exit(1);
                p[i] = now_ns() - t;

                char go;
                if (as_root && (write(ask[1], "", 1) != 1 || read(done[0], &go, 1) != 1))
                        _exit(1);
        }
        printf("gated-SetRlimit %.2f\n", median_us(a, n));
        printf("CheckAuthorization %.2f\n", median_us(b, n));
        printf("Ping-after-polkit %.2f\n", median_us(p, n));
        fflush(stdout);
        sd_bus_flush_close_unref(bus);
        if (as_root)
                _exit(0);
        return 0;
}

typedef struct Worker {
        pthread_t thread;
        const Call *call;
        uint64_t until, count;
} Worker;

static void *worker_run(void *p) {
        Worker *w = p;
        sd_bus *bus = connect_bus();
        while (now_ns() < w->until) {
                if (do_call(bus, w->call) < 0)
                        exit(1);
                w->count++;
        }
        sd_bus_flush_close_unref(bus);
        return NULL;
}

static int throughput(int conns, double seconds, const char *which) {
        static const Call ping = { "Ping", NAME, PATH, "org.freedesktop.DBus.Peer", "Ping", NULL, 0, NULL, 0 };
        static const Call get = { "GetRlimit", NAME, PATH, IFACE, "GetRlimit", "s", 0, "NOFILE", 0 };
        Worker *w = calloc((size_t) conns, sizeof *w);
        uint64_t start = now_ns(), until = start + (uint64_t) (seconds * 1e9) + 200000000ULL;
        for (int i = 0; i < conns; i++) {
                w[i] = (Worker) { .call = strcmp(which, "Ping") == 0 ? &ping : &get, .until = until };
                pthread_create(&w[i].thread, NULL, worker_run, &w[i]);
        }
        uint64_t total = 0;
        for (int i = 0; i < conns; i++) {
                pthread_join(w[i].thread, NULL);
                total += w[i].count;
        }
        double elapsed = (double) (now_ns() - start) / 1e9;
        printf("throughput-%s-%d %.0f\n", which, conns, (double) total / elapsed);
        free(w);
        return 0;
}

static int calls(size_t n) {
        static const Call get = { "GetRlimit", NAME, PATH, IFACE, "GetRlimit", "s", 0, "NOFILE", 0 };
        sd_bus *bus = connect_bus();
        for (size_t i = 0; i < n; i++)
                if (do_call(bus, &get) < 0)
                        return 1;
        sd_bus_flush_close_unref(bus);
        return 0;
}

static int idle_clients(size_t n) {
        static const Call get = { "GetRlimit", NAME, PATH, IFACE, "GetRlimit", "s", 0, "NOFILE", 0 };
        sd_bus **b = calloc(n, sizeof *b);
        for (size_t i = 0; i < n; i++) {
                b[i] = connect_bus();
                if (do_call(b[i], &get) < 0)
                        return 1;
        }
        printf("connected %zu\n", n);
        fflush(stdout);
        char buf[16];
        while (read(STDIN_FILENO, buf, sizeof buf) > 0)
                ;
        for (size_t i = 0; i < n; i++)
                sd_bus_flush_close_unref(b[i]);
        return 0;
}

/* One run of argv to completion, its output to /dev/null; ns, or 0 when it
 * failed. */
static uint64_t run_once(char **argv) {
        uint64_t t = now_ns();
        pid_t p = fork();
        if (p == 0) {
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
                        _exit(127);
                execvp(argv[0], argv);
                _exit(127);
        }
        int status;
        if (p < 0 || waitpid(p, &status, 0) < 0)
                return 0;
        uint64_t d = now_ns() - t;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? d : 0;
}

static int exec_time(size_t n, char **argv) {
        uint64_t *v = calloc(n, sizeof *v);
        for (size_t i = 0; i < n; i++) {
                v[i] = run_once(argv);
                if (v[i] == 0) {
                        fprintf(stderr, "bench: %s failed\n", argv[0]);
                        return 1;
                }
        }
        const char *base = strrchr(argv[0], '/');
        printf("exec-%s %.2f\n", base ? base + 1 : argv[0], median_us(v, n));
        return 0;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static int exec_vs(const char *name, size_t n, char **argv) {
        char **b = NULL;
        for (char **p = argv; *p; p++)
                if (strcmp(*p, "--") == 0) {
                        *p = NULL;
                        b = p + 1;
                        break;
                }
        if (!b || !*b || !*argv || n == 0) {
                fprintf(stderr, "bench: exec-vs NAME N A... -- B...\n");
                return 2;
        }
        uint64_t *va = calloc(n, sizeof *va), *vb = calloc(n, sizeof *vb);
        double *ratio = calloc(n, sizeof *ratio);
        if (!va || !vb || !ratio)
                return 1;
        if (run_once(argv) == 0 || run_once(b) == 0) {   /* warm-up, and a check that both work */
                fprintf(stderr, "bench: %s or %s failed\n", argv[0], b[0]);
                return 1;
        }
        for (size_t i = 0; i < n; i++) {
                va[i] = run_once(argv);
                vb[i] = run_once(b);
                if (va[i] == 0 || vb[i] == 0) {
                        fprintf(stderr, "bench: %s failed\n", va[i] == 0 ? argv[0] : b[0]);
                        return 1;
                }
                ratio[i] = (double) va[i] / (double) vb[i];
        }
        qsort(ratio, n, sizeof *ratio, cmp_double);
        printf("%s-a %.2f\n%s-b %.2f\n%s-ratio %.3f\n", name, median_us(va, n), name, median_us(vb, n), name,
               n % 2 ? ratio[n / 2] : (ratio[n / 2 - 1] + ratio[n / 2]) / 2);
        free(va), free(vb), free(ratio);
        return 0;
}

static int one_ping(void) {
        sd_bus *bus = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        if (sd_bus_open_system(&bus) < 0)
                return 1;
        int r = sd_bus_call_method(bus, RESOURCE1_BUS_NAME, RESOURCE1_PATH, "org.freedesktop.DBus.Peer", "Ping", &e,
                                   NULL, NULL);
        sd_bus_error_free(&e);
        sd_bus_flush_close_unref(bus);
        return r < 0;
}

/* One call of PID by its pidfd on a new connection: ListRlimitsPidfd, or
 * with set SetRlimitsPidfd of NOFILE to 100 and its hard limit as it is
 * (read here as prlimit(1) reads it). */
static int one_call(pid_t pid, bool set) {
        sd_bus *bus = NULL;
        sd_bus_message *m = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        struct rlimit l;
        int fd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0 || (set && prlimit(pid, RLIMIT_NOFILE, NULL, &l) < 0) || sd_bus_open_system(&bus) < 0)
                return 1;
        int r = sd_bus_message_new_method_call(bus, &m, RESOURCE1_PIDFD_BUS_NAME, PATH, IFACE,
                                               set ? "SetRlimitsPidfd" : "ListRlimitsPidfd");
        if (r >= 0)
                r = sd_bus_message_append(m, "h", fd);
        if (r >= 0 && set)
                r = sd_bus_message_append(m, "a(stt)", 1, "NOFILE", (uint64_t) 100, (uint64_t) l.rlim_max);
        if (r >= 0)
                r = sd_bus_call(bus, m, 0, &e, NULL);
        sd_bus_message_unref(m);
        sd_bus_error_free(&e);
        sd_bus_flush_close_unref(bus);
        close(fd);
        return r < 0;
}

typedef struct LoadWorker {
        pthread_t thread;
        sd_bus **buses;
        size_t n_buses;
        size_t calls;
        size_t errors;
} LoadWorker;

static void *load_run(void *p) {
        static const Call get = { "GetRlimit", NAME, PATH, IFACE, "GetRlimit", "s", 0, "NOFILE", 0 };
        LoadWorker *w = p;
        for (size_t i = 0; i < w->calls; i++)
                if (do_call(w->buses[i % w->n_buses], &get) < 0)
                        w->errors++;
        return NULL;
}

static int load(size_t conns, size_t calls, size_t threads) {
        sd_bus **b = calloc(conns, sizeof *b);
        LoadWorker *w = calloc(threads, sizeof *w);
        static const Call ping = { "Ping", NAME, PATH, "org.freedesktop.DBus.Peer", "Ping", NULL, 0, NULL, 0 };
        for (size_t i = 0; i < conns; i++) {
                /* sd-bus authenticates on first use: do it now, or the bus closes
                 * connections that wait too long for their turn */
                b[i] = connect_bus();
                if (do_call(b[i], &ping) < 0)
                        return 1;
        }
        uint64_t start = now_ns();
        for (size_t t = 0; t < threads; t++) {
                /* each thread owns its slice of connections: sd-bus connections are not shared */
                w[t].buses = b + t * (conns / threads);
                w[t].n_buses = conns / threads;
                w[t].calls = calls / threads;
                pthread_create(&w[t].thread, NULL, load_run, &w[t]);
        }
        size_t errors = 0, done = 0;
        for (size_t t = 0; t < threads; t++) {
                pthread_join(w[t].thread, NULL);
                errors += w[t].errors;
                done += w[t].calls;
        }
        double secs = (double) (now_ns() - start) / 1e9;
        printf("load %zu connections, %zu calls in %.1f s (%.0f/s), %zu errors\n", conns, done, secs, done / secs, errors);
        for (size_t i = 0; i < conns; i++)
                sd_bus_flush_close_unref(b[i]);
        return errors ? 1 : 0;
}

static int repeat(size_t n, const char *which, uint32_t pid) {
        const Call calls[] = {
                { "Ping", NAME, PATH, "org.freedesktop.DBus.Peer", "Ping", NULL, 0, NULL, 0 },
                { "PageSize", NAME, PATH, IFACE, "PageSize", NULL, 0, NULL, 0 },
                { "GetRlimit", NAME, PATH, IFACE, "GetRlimit", "s", 0, "NOFILE", 0 },
                { "ListRlimits", NAME, PATH, IFACE, "ListRlimits", "u", pid, NULL, 0 },
                { "GetRusage", NAME, PATH, IFACE, "GetRusage", "us", pid, "self", 0 },
        };
        sd_bus *bus = connect_bus();
        for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
                if (strcmp(calls[i].name, which) == 0) {
                        for (size_t k = 0; k < n; k++)
                                if (do_call(bus, &calls[i]) < 0)
                                        return 1;
                        sd_bus_flush_close_unref(bus);
                        return 0;
                }
        fprintf(stderr, "bench: unknown call '%s'\n", which);
        return 2;
}

int main(int argc, char *argv[]) {
        if (argc >= 5 && strcmp(argv[1], "latency") == 0)
                return latency(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10));
        if (argc == 4 && strcmp(argv[1], "latency-user") == 0)
                return latency_user(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10));
        if (argc == 3 && strcmp(argv[1], "gated") == 0)
                return gated(strtoul(argv[2], NULL, 10));
        if (argc == 5 && strcmp(argv[1], "throughput") == 0)
                return throughput(atoi(argv[2]), atof(argv[3]), argv[4]);
        if (argc == 3 && strcmp(argv[1], "calls") == 0)
                return calls(strtoul(argv[2], NULL, 10));
        if (argc == 3 && strcmp(argv[1], "idle-clients") == 0)
                return idle_clients(strtoul(argv[2], NULL, 10));
        if (argc == 5 && strcmp(argv[1], "load") == 0)
                return load(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10));
        if (argc == 5 && strcmp(argv[1], "repeat") == 0)
                return repeat(strtoul(argv[2], NULL, 10), argv[3], strtoul(argv[4], NULL, 10));
        if (argc >= 4 && strcmp(argv[1], "exec") == 0)
                return exec_time(strtoul(argv[2], NULL, 10), argv + 3);
        if (argc >= 7 && strcmp(argv[1], "exec-vs") == 0)
                return exec_vs(argv[2], strtoul(argv[3], NULL, 10), argv + 4);
        if (argc == 2 && strcmp(argv[1], "one-ping") == 0)
                return one_ping();
        if (argc == 3 && strcmp(argv[1], "one-call") == 0)
                return one_call((pid_t) strtol(argv[2], NULL, 10), false);
        if (argc == 3 && strcmp(argv[1], "one-set") == 0)
                return one_call((pid_t) strtol(argv[2], NULL, 10), true);
        fprintf(stderr, "usage: resource1-bench latency N OTHER_PID CHILD_PID | latency-user N OWN_PID | gated N | throughput CONNS SECONDS "
                        "GetRlimit|Ping | calls N | idle-clients N | exec N COMMAND... | exec-vs NAME N A... -- B... | one-ping | one-call PID | one-set PID\n");
        return 2;
}
