/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bus-level fuzz client for the fixture (with-bus.sh, tests/rules/test.rules):
 * for a bounded time, root and two unprivileged uids that polkit never
 * authorizes (bin: rule says no; nobody: defaults, a challenge) send random
 * and hostile calls: wrong signatures, unknown members and interfaces, huge
 * strings, integer extremes, pids of pid 1, the daemon, the bus, zombies,
 * threads. Afterwards: the daemon is alive, every reply was an answer or a
 * documented error name, and no process's limits changed that its caller was
 * not allowed to change (/proc/PID/limits of every process before and after).
 *
 *   fuzz-bus SECONDS                                   (TAP output) */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "resource1-bus.h"

#define NAME  RESOURCE1_BUS_NAME
#define PIDFD_NAME RESOURCE1_PIDFD_BUS_NAME   /* the gate's: the *Pidfd methods, which carry a descriptor */
#define PATH  RESOURCE1_PATH
#define IFACE RESOURCE1_INTERFACE
#define MAX_PIDS 4096

static const char *const allowed_errors[] = {
        "org.example.Resource1.Error.InvalidResource", "org.example.Resource1.Error.InvalidLimits",
        "org.example.Resource1.Error.InvalidWho", "org.example.Resource1.Error.NoSuchProcess",
        "org.example.Resource1.Error.PermissionDenied", "org.example.Resource1.Error.Failed",
        "org.example.Resource1.Error.LimitsExceeded", "org.example.Resource1.Error.ServiceLacksCapability",
        "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
        /* sd-bus's and the bus's answers to malformed or unknown calls */
        "org.freedesktop.DBus.Error.InvalidArgs", "org.freedesktop.DBus.Error.UnknownMethod",
        "org.freedesktop.DBus.Error.UnknownInterface", "org.freedesktop.DBus.Error.UnknownObject",
        "org.freedesktop.DBus.Error.UnknownProperty", "org.freedesktop.DBus.Error.PropertyReadOnly",
        "org.freedesktop.DBus.Error.AccessDenied", "org.freedesktop.DBus.Error.InvalidSignature",
        NULL,
};

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

/* ---- the kernel's view of every process ---- */

typedef struct Snapshot { pid_t pid; uid_t uid; char *limits; } Snapshot;

static size_t snapshot(Snapshot *s) {
        size_t n = 0;
        DIR *d = opendir("/proc");
        struct dirent *de;
        while (d && (de = readdir(d)) && n < MAX_PIDS) {
                pid_t pid = atoi(de->d_name);
                if (pid <= 0)
                        continue;
                char path[64], buf[4096], st[4096];
                snprintf(path, sizeof path, "/proc/%d/limits", pid);
                FILE *f = fopen(path, "re");
                if (!f)
                        continue;
                size_t k = fread(buf, 1, sizeof buf - 1, f);
                fclose(f);
                buf[k] = 0;
                snprintf(path, sizeof path, "/proc/%d/status", pid);
                f = fopen(path, "re");
                if (!f)
                        continue;
                k = fread(st, 1, sizeof st - 1, f);
                fclose(f);
                st[k] = 0;
                const char *u = strstr(st, "\nUid:");
                s[n++] = (Snapshot) { .pid = pid, .uid = u ? (uid_t) strtoul(u + 5, NULL, 10) : 0, .limits = strdup(buf) };
        }
        if (d)
                closedir(d);
        return n;
}

/* ---- one fuzzing process ---- */

typedef struct Targets {
        uint32_t pids[32];
        size_t n;
        uint32_t settable[8];
        size_t n_settable;
        int sets_only_settable;   /* root may really change anything: keep its sets to sacrificial targets */
} Targets;

static uint64_t rnd(void) {
        return ((uint64_t) random() << 33) ^ ((uint64_t) random() << 11) ^ (uint64_t) random();
}

static uint64_t extreme_u64(void) {
        static const uint64_t v[] = { 0, 1, 2, 1023, 1024, 4096, 1048576, 1048577, INT32_MAX, UINT32_MAX,
                                      (uint64_t) INT64_MAX, UINT64_MAX - 1, UINT64_MAX };
        return random() % 4 == 0 ? rnd() : v[random() % (sizeof v / sizeof v[0])];
}

static uint32_t some_pid(const Targets *t) {
        static const uint32_t v[] = { 0, 1, 2, UINT32_MAX, INT32_MAX, 0x80000000u, 4194304 };
        return random() % 3 == 0 ? v[random() % (sizeof v / sizeof v[0])] : t->pids[random() % t->n];
}

static const char *some_name(char *huge) {
        static const char *const v[] = { "NOFILE", "nofile", "RLIMIT_CORE", "OFILE", "VMEM", "NPTS", "", "RLIMIT_",
                                         "CPU\n", "NOFILE\x01", "../../etc/passwd", "%s%s%n", "self", "children",
                                         "both", "thread", "RUSAGE_BOTH", "everyone" };
        if (random() % 50 == 0)
                return huge;
        return v[random() % (sizeof v / sizeof v[0])];
}

static int is_allowed(const char *name) {
        for (size_t i = 0; allowed_errors[i]; i++)
                if (strcmp(name, allowed_errors[i]) == 0)
                        return 1;
        return 0;
}

static int fuzz_one(sd_bus *bus, const Targets *t, char *huge, unsigned long *calls) {
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        static const char *const methods[] = { "GetRlimit", "SetRlimit", "Prlimit", "GetRusage", "PageSize",
                                               "ListRlimits", "PrlimitPidfd", "CanSetRlimits", "Bogus",
                                               "getrlimit" };
        const char *member = methods[random() % (sizeof methods / sizeof methods[0])];
        const char *iface = random() % 20 == 0 ? "org.example.Nope" : IFACE;
        int r, bad = 0;

        r = sd_bus_message_new_method_call(bus, &m, strcmp(member, "PrlimitPidfd") == 0 ? PIDFD_NAME : NAME,
                                           random() % 30 == 0 ? "/org/example/Nope" : PATH, iface, member);
        if (r < 0)
                return 0;
        (void) sd_bus_message_set_allow_interactive_authorization(m, random() % 2);

        /* A set goes to what this caller may change, or anywhere: a pid to
         * read, or to be refused. */
        uint32_t pid = (t->n_settable && random() % 2) ? t->settable[random() % t->n_settable] : some_pid(t);
        switch (random() % 8) {
        case 0:   /* the right shape, hostile values */
        case 1:
        case 2:
                if (!strcmp(member, "GetRlimit"))
                        r = sd_bus_message_append(m, "s", some_name(huge));
                else if (!strcmp(member, "SetRlimit"))
                        /* on the worker itself: lowering its own NOFILE would only cripple its
                         * connection (allowed, and tested elsewhere), so CORE or a bad name */
                        r = sd_bus_message_append(m, "stt", random() % 2 ? "CORE" : "VMEM",
                                                  extreme_u64(), extreme_u64());
                else if (!strcmp(member, "Prlimit")) {
                        int set = (int) (random() % 2);
                        /* pid 0 is the worker itself: see SetRlimit */
                        if (set && (t->sets_only_settable || pid == 0))
                                pid = t->settable[random() % t->n_settable];
                        r = sd_bus_message_append(m, "usbtt", pid, some_name(huge), set, extreme_u64(), extreme_u64());
                }
                else if (!strcmp(member, "GetRusage"))
                        r = sd_bus_message_append(m, "us", pid, some_name(huge));
                else if (!strcmp(member, "ListRlimits"))
                        r = sd_bus_message_append(m, "u", pid);
                else if (!strcmp(member, "CanSetRlimits")) {
                        /* a dry run changes nothing: any pid, any batch (none, too many, names twice) */
                        unsigned n = (unsigned) (random() % 20);
                        r = sd_bus_message_append(m, "u", pid);
                        if (r >= 0)
                                r = sd_bus_message_open_container(m, 'a', "(stt)");
                        for (unsigned i = 0; r >= 0 && i < n; i++)
                                r = sd_bus_message_append(m, "(stt)", some_name(huge), extreme_u64(), extreme_u64());
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                }
                else if (!strcmp(member, "PrlimitPidfd")) {
                        /* a pidfd of anything (anyone may open one), or a descriptor that is none */
                        int fd = random() % 4 ? (int) syscall(SYS_pidfd_open, (pid_t) t->pids[random() % t->n], 0) : -1;
                        if (fd < 0)
                                fd = dup(STDERR_FILENO);
                        int set = (int) (random() % 2);
                        r = sd_bus_message_append(m, "hsbtt", fd, some_name(huge), set && !t->sets_only_settable,
                                                  extreme_u64(), extreme_u64());
                        close(fd);
                }
                break;
        case 3:   /* wrong types */
                r = sd_bus_message_append(m, "tss", rnd(), "x", "y");
                break;
        case 4:
                r = sd_bus_message_append(m, "u", pid);
                break;
        case 5:
                r = sd_bus_message_append(m, "a{sv}", 1, "k", "s", "v");
                break;
        case 6:
                r = sd_bus_message_append(m, "usbttt", pid, "NOFILE", 1, (uint64_t) 1, (uint64_t) 1, (uint64_t) 1);
                break;
        case 7:   /* nothing at all */
                break;
        }
        if (r >= 0)
                r = sd_bus_call(bus, m, 30 * 1000000ULL, &error, &reply);
        (*calls)++;
        /* A call that never left (sd-bus refused to build it) says nothing of
         * the daemon; a timeout or a lost connection does. */
        if (r < 0 && (error.name || r == -ETIMEDOUT || r == -ECONNRESET || r == -ENOTCONN)) {
                if (!error.name || !is_allowed(error.name)) {
                        fprintf(stdout, "# unexpected answer to %s.%s: %s: %s\n", iface, member,
                                error.name ?: "(none)", error.message ?: strerror(-r));
                        bad = 1;
                }
        }
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        sd_bus_message_unref(m);
        return bad;
}

static int worker(uid_t uid, gid_t gid, const Targets *t, double seconds, unsigned seed) {
        if (uid != 0 && (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, gid, gid, gid) < 0 ||
                         syscall(SYS_setresuid, uid, uid, uid) < 0))
                return 100;
        srandom(seed);
        sd_bus *bus = NULL;
        if (sd_bus_open_system(&bus) < 0)
                return 101;
        char *huge = malloc(65536);
        memset(huge, 'A', 65535);
        huge[65535] = 0;

        unsigned long calls = 0, bad = 0;
        uint64_t until = now_ns() + (uint64_t) (seconds * 1e9), slowest = 0;
        while (now_ns() < until) {
                uint64_t t0 = now_ns();
                bad += fuzz_one(bus, t, huge, &calls);
                uint64_t took = now_ns() - t0;
                slowest = took > slowest ? took : slowest;
                /* hostile, not a flood: the load suite floods; here every uid's
                 * calls must all be answered, polkit's included */
                usleep(200);
        }
        printf("# uid %u: %lu calls, %lu unexpected answers, slowest %.1f ms\n", (unsigned) uid, calls, bad,
               (double) slowest / 1e6);
        fflush(stdout);
        sd_bus_flush_close_unref(bus);
        free(huge);
        return bad ? 1 : 0;
}

static pid_t sleeper(uid_t uid, gid_t gid) {
        pid_t p = fork();
        if (p == 0) {
                if (uid != 0) {
                        syscall(SYS_setgroups, 0, NULL);
                        syscall(SYS_setresgid, gid, gid, gid);
                        syscall(SYS_setresuid, uid, uid, uid);
                }
                execlp("sleep", "sleep", "600", NULL);
                _exit(127);
        }
        return p;
}

static uint32_t name_pid(sd_bus *bus, const char *name) {
        uint32_t pid = 0;
        sd_bus_message *reply = NULL;
        if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixProcessID", NULL, &reply, "s", name) >= 0)
                (void) sd_bus_message_read(reply, "u", &pid);
        sd_bus_message_unref(reply);
        return pid;
}

static void *spin(void *p) {
        (void) p;
        pause();
        return NULL;
}

int main(int argc, char *argv[]) {
        double seconds = argc > 1 ? atof(argv[1]) : 10;
        static Snapshot before[MAX_PIDS], after[MAX_PIDS];
        Targets t = {};
        sd_bus *bus = NULL;
        int failed = 0, n = 0;

        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("1..4\n");
        if (sd_bus_open_system(&bus) < 0) {
                printf("Bail out! no bus\n");
                return 1;
        }
        uint32_t daemon = name_pid(bus, NAME), busd = name_pid(bus, "org.freedesktop.DBus");

        /* targets: root's sacrificial sleepers (root may change them), the
         * fuzzing users' own, other users', pid 1, the daemon, the bus, a
         * zombie, a thread of this process */
        pid_t root_a = sleeper(0, 0), root_b = sleeper(0, 0), bin_own = sleeper(2, 2), nobody_own = sleeper(65534, 65534);
        pid_t games = sleeper(5, 60);
        pid_t zombie = fork();
        if (zombie == 0)
                _exit(0);
        pthread_t th;
        pthread_create(&th, NULL, spin, NULL);
        usleep(200000);
        uint32_t tid = 0;
        DIR *d = opendir("/proc/self/task");
        struct dirent *de;
        while ((de = readdir(d)))
                if (atoi(de->d_name) > 0 && atoi(de->d_name) != getpid())
                        tid = (uint32_t) atoi(de->d_name);
        closedir(d);
        uint32_t all[] = { 1, daemon, busd, (uint32_t) root_a, (uint32_t) root_b, (uint32_t) bin_own,
                           (uint32_t) nobody_own, (uint32_t) games, (uint32_t) zombie, tid, (uint32_t) getpid() };
        memcpy(t.pids, all, sizeof all);
        t.n = sizeof all / sizeof all[0];

        size_t nb = snapshot(before);

        struct { uid_t uid; gid_t gid; uint32_t settable[2]; } who[] = {
                { 0, 0, { (uint32_t) root_a, (uint32_t) root_b } },
                { 2, 2, { (uint32_t) bin_own, (uint32_t) games } },
                { 65534, 65534, { (uint32_t) nobody_own, 1 } },
        };
        pid_t workers[3];
        for (int i = 0; i < 3; i++) {
                Targets wt = t;
                memcpy(wt.settable, who[i].settable, sizeof who[i].settable);
                wt.n_settable = 2;
                wt.sets_only_settable = who[i].uid == 0;
                workers[i] = fork();
                if (workers[i] == 0)
                        _exit(worker(who[i].uid, who[i].gid, &wt, seconds, 4242u + (unsigned) i));
        }
        int bad_workers = 0;
        for (int i = 0; i < 3; i++) {
                int status;
                waitpid(workers[i], &status, 0);
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        bad_workers++;
        }
        n++;
        if (bad_workers)
                failed++, printf("not ok %d - every answer was a result or a documented error (%d workers saw others)\n", n, bad_workers);
        else
                printf("ok %d - every answer was a result or a documented error\n", n);

        n++;
        int alive = sd_bus_call_method(bus, NAME, PATH, "org.freedesktop.DBus.Peer", "Ping", NULL, NULL, NULL) >= 0 &&
                    name_pid(bus, NAME) == daemon;
        printf("%s %d - the daemon is alive, the same process\n", alive ? "ok" : "not ok", n);
        failed += !alive;

        /* Only root's sacrificial sleepers and the unprivileged fuzzers' own
         * processes may have changed. */
        size_t na = snapshot(after);
        int changed = 0;
        for (size_t i = 0; i < nb; i++)
                for (size_t j = 0; j < na; j++) {
                        if (before[i].pid != after[j].pid || strcmp(before[i].limits, after[j].limits) == 0)
                                continue;
                        pid_t p = before[i].pid;
                        if (p == root_a || p == root_b || p == bin_own || p == nobody_own)
                                continue;
                        printf("# pid %d (uid %u) changed:\n# before: %s\n", p, (unsigned) before[i].uid, before[i].limits);
                        changed++;
                }
        n++;
        printf("%s %d - no other process's limits changed (%zu processes compared)\n", changed ? "not ok" : "ok", n, nb);
        failed += changed != 0;

        n++;
        int there = kill(games, 0) == 0 && kill(root_a, 0) == 0;
        printf("%s %d - the targets are still there, so the comparison covered them\n", there ? "ok" : "not ok", n);
        failed += !there;

        pid_t kids[] = { root_a, root_b, bin_own, nobody_own, games, zombie };
        for (size_t i = 0; i < sizeof kids / sizeof kids[0]; i++) {
                kill(kids[i], SIGKILL);
                waitpid(kids[i], NULL, 0);
        }
        sd_bus_flush_close_unref(bus);
        return failed ? 1 : 0;
}
