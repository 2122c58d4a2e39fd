/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A FUSE file system on /dev/fuse's raw protocol (linux/fuse.h), for
 * attack-fd's "fuse" mode: one regular file, "f", whose FLUSH (sent at
 * every close of a descriptor of it, by whichever process closes it) the
 * server leaves unanswered for chosen processes. The closing task then
 * waits in fuse_flush, uninterruptibly (state D): a FLUSH is a "forced"
 * request, which even SIGKILL does not end. Only the server can let it go:
 * by answering, or by closing /dev/fuse, which aborts the connection and
 * fails every request in flight and to come.
 *
 * No privilege is needed: the child makes a user namespace (its uid mapped
 * to 0) and a mount namespace, and mounts "fuse" there with
 * fd=N,rootmode=40000,user_id=0,group_id=0, which Linux allows in a user
 * namespace since 4.18; opening /dev/fuse needs only its mode (0666 as
 * Debian's udev makes it). The file's descriptor goes to the parent over a
 * socket pair; the parent makes the calls, under its own identity (the bus
 * checks the sender's uid outside the namespace anyway). */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attack-fd-fuse.h"

#define HELD_MAX 64
#define ALLOWED_MAX 8
#define FILE_NODE 2

typedef struct Server {
        int dev;
        pthread_mutex_t lock;
        bool released;
        uint64_t held[HELD_MAX];
        unsigned n_held, flushes, getattrs, held_total;
        pid_t allowed[ALLOWED_MAX];
        size_t n_allowed;
        /* The request interrupted on purpose (make_uninterruptible()). */
        pid_t probe_tid;
        uint64_t probe_unique;
        bool no_interrupt;
        bool healthy;           /* ATTACK_FUSE_HEALTHY=1: every request answered at once */
} Server;

static void reply(int dev, uint64_t unique, int error, const void *arg, size_t size) {
        struct fuse_out_header out = { .len = (uint32_t) (sizeof out + size), .error = error, .unique = unique };
        struct iovec iov[2] = { { &out, sizeof out }, { (void *) arg, size } };
        /* An answer to a request that was interrupted meanwhile fails with
         * ENOENT: nothing to do then. */
        (void) !writev(dev, iov, size ? 2 : 1);
}

static void fill_attr(struct fuse_attr *a, uint64_t node) {
        *a = (struct fuse_attr) { .ino = node, .nlink = 1, .blksize = 4096,
                                  .mode = node == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0666 };
}

static bool is_allowed(Server *s, pid_t pid) {
        /* The server's own threads (its main thread opens and closes the file). */
        if (pid == getpid())
                return true;
        for (size_t i = 0; i < s->n_allowed; i++)
                if (s->allowed[i] == pid)
                        return true;
        return false;
}

/* Answered now, or held (true) for a process that is not allowed. */
static bool hold(Server *s, const struct fuse_in_header *in, const char *what) {
        bool held = false;

        pthread_mutex_lock(&s->lock);
        if (!s->released && !s->healthy && !is_allowed(s, (pid_t) in->pid) && s->n_held < HELD_MAX) {
                s->held[s->n_held++] = in->unique;
                s->held_total++;
                held = true;
        }
        pthread_mutex_unlock(&s->lock);
        if (held) {
                char path[64], comm[64] = "?";
                snprintf(path, sizeof path, "/proc/%u/comm", in->pid);
                FILE *f = fopen(path, "re");
                if (f) {
                        if (fgets(comm, sizeof comm, f))
                                comm[strcspn(comm, "\n")] = '\0';
                        fclose(f);
                }
                printf("HELD %s pid=%u comm=%s\n", what, in->pid, comm);
                fflush(stdout);
        }
        return held;
}

static void *serve(void *arg) {
        Server *s = arg;
        /* Large enough for any request the kernel may send (it refuses a
         * read into less than max_write plus the headers). */
        size_t size = (1 << 20) + 4096;
        char *buf = malloc(size);
        if (!buf)
                return NULL;

        for (;;) {
                ssize_t n = read(s->dev, buf, size);
                if (n < 0 && (errno == EINTR || errno == ENOENT))
                        continue;
                if (n < (ssize_t) sizeof(struct fuse_in_header))
                        break;  /* ENODEV: unmounted or aborted */
                const struct fuse_in_header *in = (const void *) buf;
                const void *body = buf + sizeof *in;

                switch (in->opcode) {
                case FUSE_INIT: {
                        const struct fuse_init_in *i = body;
                        struct fuse_init_out o = { .major = FUSE_KERNEL_VERSION,
                                                   .minor = FUSE_KERNEL_MINOR_VERSION,
                                                   .max_readahead = i->max_readahead, .max_write = 4096,
                                                   .time_gran = 1 };
                        reply(s->dev, in->unique, 0, &o, sizeof o);
                        break;
                }
                case FUSE_LOOKUP: {
                        if (in->nodeid != FUSE_ROOT_ID || strcmp(body, "f") != 0) {
                                reply(s->dev, in->unique, -ENOENT, NULL, 0);
                                break;
                        }
                        struct fuse_entry_out o = { .nodeid = FILE_NODE, .generation = 1, .entry_valid = 3600 };
                        fill_attr(&o.attr, FILE_NODE);
                        reply(s->dev, in->unique, 0, &o, sizeof o);
                        break;
                }
                case FUSE_GETATTR: {
                        /* Not cached (attr_valid 0): an fstat() of the file by
                         * another process asks, and waits like a close. */
                        pthread_mutex_lock(&s->lock);
                        bool probe = s->probe_tid > 0 && (pid_t) in->pid == s->probe_tid && !s->probe_unique;
                        if (probe)
                                s->probe_unique = in->unique;
                        pthread_mutex_unlock(&s->lock);
                        if (probe)
                                break;  /* answered after its INTERRUPT */
                        s->getattrs++;
                        if (hold(s, in, "GETATTR"))
                                break;
                        struct fuse_attr_out o = {};
                        fill_attr(&o.attr, in->nodeid);
                        reply(s->dev, in->unique, 0, &o, sizeof o);
                        break;
                }
                case FUSE_OPEN:
                case FUSE_OPENDIR: {
                        struct fuse_open_out o = { .fh = 1 };
                        reply(s->dev, in->unique, 0, &o, sizeof o);
                        break;
                }
                case FUSE_FLUSH:
                        s->flushes++;
                        if (!hold(s, in, "FLUSH"))
                                reply(s->dev, in->unique, 0, NULL, 0);
                        break;
                case FUSE_RELEASE:
                case FUSE_RELEASEDIR:
                        reply(s->dev, in->unique, 0, NULL, 0);
                        break;
                case FUSE_INTERRUPT: {
                        /* ENOSYS says this server never takes interrupts: the
                         * kernel then waits for every later answer without
                         * one, uninterruptibly. Other interrupts are ignored:
                         * the request they name stays held. */
                        const struct fuse_interrupt_in *i = body;
                        pthread_mutex_lock(&s->lock);
                        bool probe = s->probe_unique && i->unique == s->probe_unique;
                        pthread_mutex_unlock(&s->lock);
                        if (!probe)
                                break;
                        reply(s->dev, in->unique, -ENOSYS, NULL, 0);
                        struct fuse_attr_out o = {};
                        fill_attr(&o.attr, FILE_NODE);
                        reply(s->dev, i->unique, 0, &o, sizeof o);
                        pthread_mutex_lock(&s->lock);
                        s->no_interrupt = true;
                        pthread_mutex_unlock(&s->lock);
                        break;
                }
                case FUSE_FORGET:
                case FUSE_BATCH_FORGET:
                        break;  /* never answered */
                default:
                        reply(s->dev, in->unique, -ENOSYS, NULL, 0);
                        break;
                }
        }
        free(buf);
        return NULL;
}

static void on_signal(int sig) {
        (void) sig;
}

typedef struct Probe {
        Server *server;
        int file;
} Probe;

static void *probe_thread(void *arg) {
        Probe *p = arg;
        struct stat st;
        pthread_mutex_lock(&p->server->lock);
        p->server->probe_tid = gettid();
        pthread_mutex_unlock(&p->server->lock);
        (void) fstat(p->file, &st);
        return NULL;
}

/* A FLUSH first waits interruptibly (state S), and a signal to the waiting
 * task sends the server an INTERRUPT; a server that answers one with ENOSYS
 * has the kernel wait for every later answer uninterruptibly (state D), as
 * it must for a FLUSH that no signal may end. So: a GETATTR of our own,
 * held, interrupted by a signal, and its INTERRUPT answered ENOSYS. */
static bool make_uninterruptible(Server *s, int file) {
        struct sigaction sa = { .sa_handler = on_signal };  /* no SA_RESTART */
        Probe p = { s, file };
        pthread_t t;
        bool done = false;

        if (sigaction(SIGUSR1, &sa, NULL) < 0 || pthread_create(&t, NULL, probe_thread, &p) != 0)
                return false;
        for (int i = 0; i < 2000 && !done; i++) {
                pthread_mutex_lock(&s->lock);
                bool pending = s->probe_unique != 0;
                done = s->no_interrupt;
                pthread_mutex_unlock(&s->lock);
                if (pending && !done && i % 100 == 0)
                        pthread_kill(t, SIGUSR1);
                usleep(1000);
        }
        if (!done) {
                /* Let the thread go: a GETATTR answered later is harmless. */
                pthread_mutex_lock(&s->lock);
                if (s->probe_unique) {
                        struct fuse_attr_out o = {};
                        fill_attr(&o.attr, FILE_NODE);
                        reply(s->dev, s->probe_unique, 0, &o, sizeof o);
                }
                pthread_mutex_unlock(&s->lock);
        }
        pthread_join(t, NULL);
        return done;
}

static int write_file(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, text, strlen(text));
        int r = n < 0 ? -errno : 0;
        close(fd);
        return r;
}

static int send_message(int sock, const char *text, int fd) {
        struct iovec iov = { (void *) text, strlen(text) + 1 };
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
        if (fd >= 0) {
                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof control.buf;
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof fd);
        }
        return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* The child: never returns. */
static void server_main(int sock, const char *dir, const pid_t *allowed, size_t n_allowed) {
        static Server s = { .lock = PTHREAD_MUTEX_INITIALIZER };
        char msg[256];
        uid_t uid = getuid();
        gid_t gid = getgid();
        int r;

        if (access("/dev/fuse", F_OK) < 0) {
                snprintf(msg, sizeof msg, "SKIP no /dev/fuse: %s", strerror(errno));
                goto fail;
        }
        /* ATTACK_FUSE_OWNER=UID (root only): mounted in the initial user
         * namespace instead, owned by UID, as an administrator's
         * allow_other mount (user_allow_other) would be. */
        const char *owner = getenv("ATTACK_FUSE_OWNER");
        if (owner && *owner) {
                if (unshare(CLONE_NEWNS) < 0) {
                        snprintf(msg, sizeof msg, "SKIP no mount namespace: unshare: %s", strerror(errno));
                        goto fail;
                }
        } else if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
                snprintf(msg, sizeof msg, "SKIP no user namespace: unshare: %s", strerror(errno));
                goto fail;
        } else {
                char map[64];
                snprintf(map, sizeof map, "0 %u 1", (unsigned) uid);
                r = write_file("/proc/self/uid_map", map);
                if (r >= 0)
                        r = write_file("/proc/self/setgroups", "deny");
                snprintf(map, sizeof map, "0 %u 1", (unsigned) gid);
                if (r >= 0)
                        r = write_file("/proc/self/gid_map", map);
                if (r < 0) {
                        snprintf(msg, sizeof msg, "SKIP mapping ids in the user namespace: %s", strerror(-r));
                        goto fail;
                }
        }
        const char *healthy = getenv("ATTACK_FUSE_HEALTHY");
        s.healthy = healthy && strcmp(healthy, "1") == 0;
        /* Nothing mounted here propagates back. */
        (void) mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
        /* Opened in the namespace (the mount refuses a /dev/fuse opened
         * outside it); first, at a low number: at any exit this one closes
         * before the others, which aborts the connection. */
        s.dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (s.dev < 0) {
                snprintf(msg, sizeof msg, "SKIP /dev/fuse cannot be opened: %s", strerror(errno));
                goto fail;
        }
        char opts[128];
        /* ATTACK_FUSE_ALLOW_OTHER=1: mounted with allow_other, which lets
         * every process of the user namespace in (and none outside it). */
        const char *ao = getenv("ATTACK_FUSE_ALLOW_OTHER");
        snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=%s,group_id=%s%s", s.dev,
                 owner && *owner ? owner : "0", owner && *owner ? owner : "0",
                 ao && strcmp(ao, "1") == 0 ? ",allow_other" : "");
        if (mount("attack-fd", dir, "fuse", MS_NOSUID | MS_NODEV, opts) < 0) {
                snprintf(msg, sizeof msg, "SKIP mounting FUSE in a user namespace: %s", strerror(errno));
                goto fail;
        }
        memcpy(s.allowed, allowed, n_allowed * sizeof *allowed);
        s.n_allowed = n_allowed;
        pthread_t t;
        if (pthread_create(&t, NULL, serve, &s) != 0) {
                snprintf(msg, sizeof msg, "FAIL pthread_create");
                goto fail;
        }
        char path[128];
        snprintf(path, sizeof path, "%s/f", dir);
        int file = open(path, O_RDONLY | O_CLOEXEC);
        if (file < 0) {
                snprintf(msg, sizeof msg, "FAIL opening %s: %s", path, strerror(errno));
                goto fail;
        }
        if (!make_uninterruptible(&s, file)) {
                snprintf(msg, sizeof msg, "FAIL the kernel did not send the INTERRUPT of a request");
                close(file);
                goto fail;
        }
        r = send_message(sock, "OK", file);
        close(file);    /* our own FLUSH, answered */
        if (r < 0)
                _exit(1);

        /* Until the parent says (or is gone): then answer what is held. */
        char cmd[8];
        (void) !read(sock, cmd, sizeof cmd);
        pthread_mutex_lock(&s.lock);
        s.released = true;
        for (unsigned i = 0; i < s.n_held; i++)
                reply(s.dev, s.held[i], 0, NULL, 0);
        snprintf(msg, sizeof msg, "FUSE held=%u flushes=%u getattrs=%u", s.held_total, s.flushes, s.getattrs);
        pthread_mutex_unlock(&s.lock);
        (void) send_message(sock, msg, -1);
        /* Exit closes /dev/fuse, the connection's only device descriptor
         * (this process holds no file on it any more): that aborts the
         * connection, so any later request, such as the FLUSH of a close
         * still to come, fails at once instead of waiting. */
        _exit(0);

fail:
        (void) send_message(sock, msg, -1);
        _exit(0);
}

int fuse_hold_start(FuseHold *h, const pid_t *allowed, size_t n_allowed, int *ret_file, char *why,
                    size_t why_size) {
        int pair[2];

        if (n_allowed > ALLOWED_MAX)
                return -EINVAL;
        const char *tmp = getenv("TMPDIR") ?: "/tmp";
        snprintf(h->dir, sizeof h->dir, "%s/attack-fd.XXXXXX", tmp);
        if (strlen(tmp) > 40 || !mkdtemp(h->dir)) {
                snprintf(why, why_size, "mkdtemp in %s: %s", tmp, strerror(errno));
                h->dir[0] = '\0';
                return -EIO;
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        fflush(stdout);
        pid_t parent = getpid();
        h->server = fork();
        if (h->server < 0)
                return -errno;
        if (h->server == 0) {
                close(pair[0]);
                /* Killed with its caller: its exit frees whatever waits on it. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != parent)
                        _exit(1);
                server_main(pair[1], h->dir, allowed, n_allowed);
        }
        close(pair[1]);
        h->control = pair[0];

        char msg[256] = "";
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { msg, sizeof msg - 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof control.buf };
        ssize_t n = recvmsg(h->control, &mh, MSG_CMSG_CLOEXEC);
        struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
        if (n > 0 && strcmp(msg, "OK") == 0 && c && c->cmsg_type == SCM_RIGHTS) {
                memcpy(ret_file, CMSG_DATA(c), sizeof(int));
                return 0;
        }
        snprintf(why, why_size, "%s", n > 0 ? msg : "the FUSE server ended");
        fuse_hold_release(h);
        return strncmp(msg, "SKIP", 4) == 0 ? -EOPNOTSUPP : -EIO;
}

void fuse_hold_release(FuseHold *h) {
        if (h->server > 0) {
                char msg[256] = "";
                if (write(h->control, "R", 1) == 1) {
                        ssize_t n = read(h->control, msg, sizeof msg - 1);
                        if (n > 0 && strncmp(msg, "FUSE", 4) == 0)
                                printf("%s\n", msg);
                }
                close(h->control);
                (void) waitpid(h->server, NULL, 0);
                h->server = 0;
        }
        /* The namespace and its mount are gone with the server. */
        if (h->dir[0] && rmdir(h->dir) < 0)
                printf("# rmdir %s: %s\n", h->dir, strerror(errno));
        h->dir[0] = '\0';
}
