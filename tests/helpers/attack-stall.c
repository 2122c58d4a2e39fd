/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attack-stall: the client side of tests/security/test-security-stall.sh: attacks
 * that try to make the daemon's event loop wait on something the caller
 * sizes or can make sleep. Run under setpriv as the attacking uid (the probe
 * as root). Plain sd-bus on $DBUS_SYSTEM_BUS_ADDRESS; every mode is bounded
 * in time (alarm(2) as a last resort besides the calls' own timeouts) and
 * prints "KEY value..." lines for the script to judge; the exit status is 0
 * unless the mode could not even be attempted (then 3, with a message on
 * stderr).
 *
 *   attack-stall epoll-flood SECONDS CONNS INFLIGHT WATCHES
 *       raises its NOFILE soft limit to the hard one and builds one epoll
 *       descriptor with WATCHES watches: eventfds, each dup'd under every
 *       free fd number below the limit, EPOLL_CTL_ADDed under that number and
 *       the dup closed again (a watch is keyed by file and number, and stays
 *       while the file is open under another number: epoll(7)). Its own read
 *       of /proc/self/fdinfo/EPFD is timed once. Prints "EPOLL watches=
 *       files= nofile= build_ms= fdinfo_bytes= fdinfo_ms=", then from CONNS
 *       connections, INFLIGHT calls in flight on each, passes the epoll fd as
 *       the pidfd of PrlimitPidfd (NOFILE, read), ListRlimitsPidfd,
 *       GetRusagePidfd (self) and SetRlimitsPidfd ([CORE 0 0]) in turn for
 *       SECONDS, then waits up to 30 s for the answers still due. Prints
 *       "METHOD <name> calls= not_pidfd= other= noreply=" per method and
 *       "STALL calls= not_pidfd= other= noreply= unanswered= max_ms=", and
 *       "FIRST_OTHER <name> <message>" for the first other answer. not_pidfd
 *       counts org.freedesktop.DBus.Error.InvalidArgs with "not a pidfd" in
 *       its message (the spec's DESCRIPTORS).
 *   attack-stall probe SECONDS INTERVAL_MS TIMEOUT_S
 *       PageSize every INTERVAL_MS for SECONDS, each with a TIMEOUT_S
 *       timeout (a new connection after a timeout); prints "PROBE calls=
 *       answered= timeouts= median_us= p99_us= max_us=".
 *   attack-stall exec-stall SECONDS LOCKS FDS
 *       a single-threaded process that keeps exec()ing itself for SECONDS
 *       (its pid stays the same): a memfd is locked at LOCKS separate bytes
 *       (F_SETLK, one byte every other byte, so none merge) by a child of its
 *       own (another lock owner, so every close walks them all); each image
 *       raises NOFILE soft to hard, dup's the memfd to FDS close-on-exec
 *       descriptors and execs again: the exec closes the FDS descriptors, each
 *       close walking the LOCKS locks, while the kernel holds the process's
 *       exec_update_lock (which /proc/PID/io waits on). Prints "LOCKER <pid>
 *       locks=<n>", "READY <pid>", "EXEC n=<i> ms=<how long the exec took>"
 *       for each, and at the end "EXECS count= max_ms= total_ms=".
 *   attack-stall usage-flood PID SECONDS CONNS TIMEOUT_S
 *       CONNS connections, one call at a time each, alternating
 *       GetRusage(PID, self) and GetRusagePidfd(pidfd_open(PID), self), for
 *       SECONDS; a connection that times out stops (its call may still be
 *       queued). Prints "USAGE calls= ok= failed= noreply= max_ms=" and
 *       "FIRST_ERROR <name> <message>".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
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
#define ERROR_NOT_PIDFD "org.freedesktop.DBus.Error.InvalidArgs"   /* "not a pidfd" */

/* NOFILE soft up to hard; returns the soft limit now in force. */
static rlim_t raise_nofile(void) {
        struct rlimit l;
        if (getrlimit(RLIMIT_NOFILE, &l) < 0)
                return 0;
        l.rlim_cur = l.rlim_max;
        setrlimit(RLIMIT_NOFILE, &l);
        getrlimit(RLIMIT_NOFILE, &l);
        return l.rlim_cur;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

/* ---- epoll-flood: a huge epoll descriptor as the pidfd ---- */

enum { M_PRLIMIT, M_LIST, M_USAGE, M_SETRLIMITS, M_N };
static const char *const method_names[M_N] = { "PrlimitPidfd", "ListRlimitsPidfd", "GetRusagePidfd",
                                               "SetRlimitsPidfd" };

typedef struct Counts {
        unsigned calls, not_pidfd, other, noreply;
} Counts;

struct FloodThread;

typedef struct Slot {
        struct FloodThread *thread;
        sd_bus_slot *slot;
        uint64_t sent_us;
        int method;
        bool busy;
} Slot;

typedef struct FloodThread {
        int epfd;
        int inflight;
        uint64_t deadline, give_up;
        unsigned next_method;
        sd_bus *bus;
        Slot slots[64];
        int outstanding;
        Counts per[M_N];
        uint64_t max_us;
        unsigned unanswered;
        char first_other[512];
} FloodThread;

static int flood_send(Slot *s);

static int on_flood_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        (void) ret_error;
        Slot *s = userdata;
        FloodThread *t = s->thread;
        uint64_t dt = now_us() - s->sent_us;
        Counts *c = &t->per[s->method];

        if (dt > t->max_us)
                t->max_us = dt;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        if (e && is_timeout_name(e->name))
                c->noreply++;
        else if (e && strcmp(e->name, ERROR_NOT_PIDFD) == 0 && e->message && strstr(e->message, "not a pidfd"))
                c->not_pidfd++;
        else {
                c->other++;
                if (!t->first_other[0])
                        snprintf(t->first_other, sizeof t->first_other, "%s %s %s", method_names[s->method],
                                 e ? e->name : "(success)", e && e->message ? e->message : "");
        }
        s->slot = sd_bus_slot_unref(s->slot);
        s->busy = false;
        t->outstanding--;
        /* A timed-out call may still be queued at the daemon: this slot
         * stops, so no more pile up behind it. */
        if (e && is_timeout_name(e->name))
                return 0;
        if (now_us() < t->deadline)
                flood_send(s);
        return 0;
}

static int flood_send(Slot *s) {
        FloodThread *t = s->thread;
        int method = (int) (t->next_method++ % M_N), r;

        s->method = method;
        s->sent_us = now_us();
        switch (method) {
        case M_PRLIMIT:
                r = sd_bus_call_method_async(t->bus, &s->slot, PIDFD_NAME, PATH, IFACE, "PrlimitPidfd",
                                             on_flood_reply, s, "hsbtt", t->epfd, "NOFILE", 0, (uint64_t) 0,
                                             (uint64_t) 0);
                break;
        case M_LIST:
                r = sd_bus_call_method_async(t->bus, &s->slot, PIDFD_NAME, PATH, IFACE, "ListRlimitsPidfd",
                                             on_flood_reply, s, "h", t->epfd);
                break;
        case M_USAGE:
                r = sd_bus_call_method_async(t->bus, &s->slot, PIDFD_NAME, PATH, IFACE, "GetRusagePidfd",
                                             on_flood_reply, s, "hs", t->epfd, "self");
                break;
        default:
                r = sd_bus_call_method_async(t->bus, &s->slot, PIDFD_NAME, PATH, IFACE, "SetRlimitsPidfd",
                                             on_flood_reply, s, "ha(stt)", t->epfd, 1, "CORE", (uint64_t) 0,
                                             (uint64_t) 0);
                break;
        }
        if (r < 0) {
                if (!t->first_other[0])
                        snprintf(t->first_other, sizeof t->first_other, "%s (local) sending: %s",
                                 method_names[method], strerror(-r));
                t->per[method].other++;
                return r;
        }
        t->per[method].calls++;
        s->busy = true;
        t->outstanding++;
        return 0;
}

static void *flood_thread(void *arg) {
        FloodThread *t = arg;

        /* Every call may wait behind all the others' at the old daemon. */
        t->bus = connect_bus(25 * 1000000ULL);
        if (!t->bus) {
                snprintf(t->first_other, sizeof t->first_other, "(local) could not connect");
                return NULL;
        }
        for (int i = 0; i < t->inflight; i++) {
                t->slots[i] = (Slot) { .thread = t };
                flood_send(&t->slots[i]);
        }
        while (t->outstanding > 0) {
                uint64_t now = now_us();
                if (now >= t->give_up)
                        break;
                int r = sd_bus_process(t->bus, NULL);
                if (r < 0) {
                        if (!t->first_other[0])
                                snprintf(t->first_other, sizeof t->first_other, "(local) connection: %s",
                                         strerror(-r));
                        break;
                }
                if (r > 0)
                        continue;
                sd_bus_wait(t->bus, 100000);
        }
        for (int i = 0; i < t->inflight; i++)
                if (t->slots[i].busy) {
                        t->unanswered++;
                        t->slots[i].slot = sd_bus_slot_unref(t->slots[i].slot);
                }
        sd_bus_flush_close_unref(t->bus);
        return NULL;
}

static int build_epoll(unsigned want, unsigned *ret_watches, unsigned *ret_files, rlim_t *ret_nofile) {
        rlim_t nofile = raise_nofile();
        int epfd = epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0)
                return -errno;

        /* Each eventfd is kept open at a low number; its watches are made
         * under the free numbers above the ones in use. The first number
         * past the kept ones is found as we go: start high enough. */
        unsigned files_max = 256, watches = 0, files = 0;
        int lo = epfd + files_max + 16;
        if ((rlim_t) lo + 16 >= nofile)
                return -EMFILE;
        while (watches < want && files < files_max) {
                int ev = eventfd(0, EFD_CLOEXEC);
                if (ev < 0)
                        return -errno;
                files++;
                for (int n = lo; (rlim_t) n < nofile && watches < want; n++) {
                        if (dup2(ev, n) < 0)
                                return -errno;
                        struct epoll_event e = { .events = EPOLLIN, .data.u64 = (uint64_t) n };
                        if (epoll_ctl(epfd, EPOLL_CTL_ADD, n, &e) < 0) {
                                int k = errno;
                                close(n);
                                if (k == ENOSPC) /* fs.epoll.max_user_watches */
                                        goto done;
                                return -k;
                        }
                        close(n);
                        watches++;
                }
        }
done:
        *ret_watches = watches;
        *ret_files = files;
        *ret_nofile = nofile;
        return epfd;
}

static int mode_epoll_flood(int argc, char **argv) {
        if (argc < 4)
                return die("epoll-flood needs SECONDS CONNS INFLIGHT WATCHES", EINVAL);
        double seconds = atof(argv[0]);
        int conns = atoi(argv[1]), inflight = atoi(argv[2]);
        unsigned want = (unsigned) strtoul(argv[3], NULL, 10);
        if (conns < 1 || conns > 64 || inflight < 1 || inflight > 64)
                return die("epoll-flood: CONNS and INFLIGHT must be 1..64", EINVAL);
        alarm((unsigned) seconds + 120);

        unsigned watches = 0, files = 0;
        rlim_t nofile = 0;
        uint64_t t0 = now_us();
        int epfd = build_epoll(want, &watches, &files, &nofile);
        if (epfd < 0)
                return die("building the epoll descriptor", epfd);
        uint64_t build_us = now_us() - t0;

        /* What reading its fdinfo costs (every watch is a line there). */
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", epfd);
        size_t bytes = 0;
        t0 = now_us();
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                static char buf[1 << 20];
                ssize_t k;
                while ((k = read(fd, buf, sizeof buf)) > 0)
                        bytes += (size_t) k;
                close(fd);
        }
        uint64_t fdinfo_us = now_us() - t0;
        printf("EPOLL watches=%u files=%u nofile=%llu build_ms=%" PRIu64 " fdinfo_bytes=%zu fdinfo_ms=%" PRIu64 "\n",
               watches, files, (unsigned long long) nofile, build_us / 1000, bytes, fdinfo_us / 1000);
        fflush(stdout);

        FloodThread *t = calloc((size_t) conns, sizeof *t);
        pthread_t *th = calloc((size_t) conns, sizeof *th);
        if (!t || !th)
                return die("calloc", ENOMEM);
        uint64_t deadline = now_us() + (uint64_t) (seconds * 1e6);
        for (int i = 0; i < conns; i++) {
                t[i] = (FloodThread) { .epfd = epfd, .inflight = inflight, .deadline = deadline,
                                       .give_up = deadline + 30 * 1000000ULL, .next_method = (unsigned) i };
                pthread_create(&th[i], NULL, flood_thread, &t[i]);
        }
        Counts per[M_N] = {}, sum = {};
        unsigned unanswered = 0;
        uint64_t max_us = 0;
        char first_other[512] = "";
        for (int i = 0; i < conns; i++) {
                pthread_join(th[i], NULL);
                for (int k = 0; k < M_N; k++) {
                        per[k].calls += t[i].per[k].calls, per[k].not_pidfd += t[i].per[k].not_pidfd;
                        per[k].other += t[i].per[k].other, per[k].noreply += t[i].per[k].noreply;
                }
                unanswered += t[i].unanswered;
                if (t[i].max_us > max_us)
                        max_us = t[i].max_us;
                if (!first_other[0] && t[i].first_other[0])
                        memcpy(first_other, t[i].first_other, sizeof first_other);
        }
        for (int k = 0; k < M_N; k++) {
                printf("METHOD %s calls=%u not_pidfd=%u other=%u noreply=%u\n", method_names[k], per[k].calls,
                       per[k].not_pidfd, per[k].other, per[k].noreply);
                sum.calls += per[k].calls, sum.not_pidfd += per[k].not_pidfd;
                sum.other += per[k].other, sum.noreply += per[k].noreply;
        }
        printf("STALL calls=%u not_pidfd=%u other=%u noreply=%u unanswered=%u max_ms=%" PRIu64 "\n", sum.calls,
               sum.not_pidfd, sum.other, sum.noreply, unanswered, max_us / 1000);
        if (first_other[0])
                printf("FIRST_OTHER %s\n", first_other);
        return 0;
}

/* ---- probe: root's PageSize latency ---- */

static int mode_probe(int argc, char **argv) {
        if (argc < 3)
                return die("probe needs SECONDS INTERVAL_MS TIMEOUT_S", EINVAL);
        double seconds = atof(argv[0]);
        unsigned interval_ms = (unsigned) atoi(argv[1]);
        double timeout_s = atof(argv[2]);
        uint64_t timeout_us = (uint64_t) (timeout_s * 1e6);
        alarm((unsigned) (seconds + timeout_s) + 10);

        sd_bus *bus = connect_bus(timeout_us);
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
                        sd_bus_flush_close_unref(bus);
                        bus = connect_bus(timeout_us);
                        if (!bus)
                                return 3;
                }
                sd_bus_error_free(&e);
                sd_bus_message_unref(reply);
                if (dt < interval_ms * 1000ULL)
                        usleep((useconds_t) (interval_ms * 1000ULL - dt));
        }
        qsort(lat, n, sizeof *lat, cmp_u64);
        printf("PROBE calls=%zu answered=%u timeouts=%u median_us=%" PRIu64 " p99_us=%" PRIu64 " max_us=%" PRIu64 "\n",
               n, answered, timeouts, n ? lat[n / 2] : 0, n ? lat[n * 99 / 100] : 0, n ? lat[n - 1] : 0);
        free(lat);
        sd_bus_flush_close_unref(bus);
        return 0;
}

/* ---- exec-stall: a process that execs with many descriptors of a locked file ---- */

static int exec_next(const char *self, uint64_t end_us, int memfd, unsigned fds, unsigned n, uint64_t max_us,
                     uint64_t sum_us) {
        /* Every descriptor of the memfd but the kept one is close-on-exec. */
        for (unsigned i = 0; i < fds; i++)
                if (fcntl(memfd, F_DUPFD_CLOEXEC, 0) < 0)
                        return die("F_DUPFD_CLOEXEC", errno);
        char a[7][32];
        snprintf(a[0], sizeof a[0], "%" PRIu64, end_us);
        snprintf(a[1], sizeof a[1], "%d", memfd);
        snprintf(a[2], sizeof a[2], "%u", fds);
        snprintf(a[3], sizeof a[3], "%u", n);
        snprintf(a[4], sizeof a[4], "%" PRIu64, max_us);
        snprintf(a[5], sizeof a[5], "%" PRIu64, sum_us);
        snprintf(a[6], sizeof a[6], "%" PRIu64, now_us());
        char *args[] = { (char *) self, "exec-again", a[0], a[1], a[2], a[3], a[4], a[5], a[6], NULL };
        fflush(stdout);
        execv("/proc/self/exe", args);
        return die("execv", errno);
}

static int mode_exec_again(int argc, char **argv) {
        uint64_t t = now_us();
        if (argc < 7)
                return die("exec-again needs its state", EINVAL);
        uint64_t end_us = strtoull(argv[0], NULL, 10);
        int memfd = atoi(argv[1]);
        unsigned fds = (unsigned) strtoul(argv[2], NULL, 10), n = (unsigned) strtoul(argv[3], NULL, 10) + 1;
        uint64_t max_us = strtoull(argv[4], NULL, 10), sum_us = strtoull(argv[5], NULL, 10);
        uint64_t took = t - strtoull(argv[6], NULL, 10);

        if (took > max_us)
                max_us = took;
        sum_us += took;
        printf("EXEC n=%u ms=%" PRIu64 "\n", n, took / 1000);
        if (t >= end_us) {
                printf("EXECS count=%u max_ms=%" PRIu64 " total_ms=%" PRIu64 "\n", n, max_us / 1000, sum_us / 1000);
                return 0;
        }
        raise_nofile();
        return exec_next("attack-stall", end_us, memfd, fds, n, max_us, sum_us);
}

static int mode_exec_stall(int argc, char **argv) {
        if (argc < 3)
                return die("exec-stall needs SECONDS LOCKS FDS", EINVAL);
        double seconds = atof(argv[0]);
        unsigned locks = (unsigned) strtoul(argv[1], NULL, 10), fds = (unsigned) strtoul(argv[2], NULL, 10);
        /* Preserved across execve(2): the last resort for the whole chain. */
        alarm((unsigned) seconds + 60);

        rlim_t nofile = raise_nofile();
        if ((rlim_t) fds + 32 > nofile) {
                fds = nofile > 64 ? (unsigned) nofile - 64 : 0;
                printf("# NOFILE is %llu: %u descriptors\n", (unsigned long long) nofile, fds);
        }
        int memfd = memfd_create("attack-stall-locks", 0);   /* kept across every exec */
        if (memfd < 0)
                return die("memfd_create", errno);
        if (ftruncate(memfd, (off_t) locks * 2) < 0)
                return die("ftruncate", errno);

        int ready[2];
        if (pipe2(ready, O_CLOEXEC) < 0)
                return die("pipe2", errno);
        pid_t parent = getpid();
        pid_t locker = fork();
        if (locker < 0)
                return die("fork", errno);
        if (locker == 0) {
                /* Another lock owner (its own files_struct): a close by the
                 * exec'ing process removes none of these, and walks them all. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(1);
                unsigned done = 0;
                for (unsigned i = 0; i < locks; i++) {
                        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t) i * 2,
                                            .l_len = 1 };
                        if (fcntl(memfd, F_SETLK, &fl) < 0)
                                break;
                        done++;
                }
                if (write(ready[1], &done, sizeof done) != sizeof done)
                        _exit(1);
                for (;;)
                        pause();
        }
        close(ready[1]);
        unsigned done = 0;
        if (read(ready[0], &done, sizeof done) != sizeof done)
                return die("the locker did not start", EIO);
        close(ready[0]);
        printf("LOCKER %d locks=%u\n", (int) locker, done);
        printf("READY %d fds=%u\n", (int) getpid(), fds);
        uint64_t end_us = now_us() + (uint64_t) (seconds * 1e6);
        return exec_next("attack-stall", end_us, memfd, fds, 0, 0, 0);
}

/* ---- usage-flood: GetRusage and GetRusagePidfd of the exec'ing process ---- */

typedef struct Usage {
        uint32_t pid;
        int pidfd;
        uint64_t deadline, timeout_us;
        unsigned calls, ok, failed, noreply;
        uint64_t max_us;
        char first_error[512];
} UsageFlood;

static void *usage_thread(void *arg) {
        UsageFlood *u = arg;
        sd_bus *bus = connect_bus(u->timeout_us);
        if (!bus) {
                snprintf(u->first_error, sizeof u->first_error, "(local) could not connect");
                return NULL;
        }
        for (unsigned i = 0; now_us() < u->deadline; i++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                uint64_t t0 = now_us();
                int r = i % 2 == 0 ?
                        sd_bus_call_method(bus, NAME, PATH, IFACE, "GetRusage", &e, &reply, "us", u->pid, "self") :
                        sd_bus_call_method(bus, PIDFD_NAME, PATH, IFACE, "GetRusagePidfd", &e, &reply, "hs",
                                           u->pidfd, "self");
                uint64_t dt = now_us() - t0;
                u->calls++;
                if (dt > u->max_us)
                        u->max_us = dt;
                bool timeout = r < 0 && is_timeout(&e, r);
                if (r >= 0)
                        u->ok++;
                else if (timeout)
                        u->noreply++;
                else
                        u->failed++;
                if (r < 0 && !u->first_error[0])
                        snprintf(u->first_error, sizeof u->first_error, "%s %s", e.name ?: "(local)",
                                 e.message ?: strerror(-r));
                sd_bus_error_free(&e);
                sd_bus_message_unref(reply);
                if (timeout)
                        break;
        }
        sd_bus_flush_close_unref(bus);
        return NULL;
}

static int mode_usage_flood(int argc, char **argv) {
        if (argc < 4)
                return die("usage-flood needs PID SECONDS CONNS TIMEOUT_S", EINVAL);
        uint32_t pid = (uint32_t) strtoul(argv[0], NULL, 10);
        double seconds = atof(argv[1]), timeout_s = atof(argv[3]);
        int conns = atoi(argv[2]);
        if (conns < 1 || conns > 64)
                return die("usage-flood: CONNS must be 1..64", EINVAL);
        alarm((unsigned) (seconds + timeout_s) + 30);

        int pidfd = (int) syscall(SYS_pidfd_open, (pid_t) pid, 0);
        if (pidfd < 0)
                return die("pidfd_open", errno);
        UsageFlood f[64] = {};
        pthread_t t[64];
        uint64_t deadline = now_us() + (uint64_t) (seconds * 1e6);
        for (int i = 0; i < conns; i++) {
                f[i] = (UsageFlood) { .pid = pid, .pidfd = pidfd, .deadline = deadline,
                                      .timeout_us = (uint64_t) (timeout_s * 1e6) };
                pthread_create(&t[i], NULL, usage_thread, &f[i]);
        }
        UsageFlood sum = {};
        for (int i = 0; i < conns; i++) {
                pthread_join(t[i], NULL);
                sum.calls += f[i].calls, sum.ok += f[i].ok, sum.failed += f[i].failed, sum.noreply += f[i].noreply;
                if (f[i].max_us > sum.max_us)
                        sum.max_us = f[i].max_us;
                if (!sum.first_error[0] && f[i].first_error[0])
                        memcpy(sum.first_error, f[i].first_error, sizeof sum.first_error);
        }
        printf("USAGE calls=%u ok=%u failed=%u noreply=%u max_ms=%" PRIu64 "\n", sum.calls, sum.ok, sum.failed,
               sum.noreply, sum.max_us / 1000);
        if (sum.first_error[0])
                printf("FIRST_ERROR %s\n", sum.first_error);
        return 0;
}

int main(int argc, char **argv) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 2) {
                fprintf(stderr, "usage: attack-stall epoll-flood|probe|exec-stall|usage-flood ...\n");
                return 2;
        }
        const char *mode = argv[1];
        argc -= 2, argv += 2;
        if (strcmp(mode, "epoll-flood") == 0)
                return mode_epoll_flood(argc, argv);
        if (strcmp(mode, "probe") == 0)
                return mode_probe(argc, argv);
        if (strcmp(mode, "exec-stall") == 0)
                return mode_exec_stall(argc, argv);
        if (strcmp(mode, "exec-again") == 0)
                return mode_exec_again(argc, argv);
        if (strcmp(mode, "usage-flood") == 0)
                return mode_usage_flood(argc, argv);
        fprintf(stderr, "attack-stall: unknown mode '%s'\n", mode);
        return 2;
}
