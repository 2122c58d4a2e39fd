/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resource1d-gate: every descriptor of a caller's (gate-sweep.h), closed on
 * closer threads, never on its loop; a FUSE connection aborted only when a
 * close of its file waits.
 *
 * Closing a descriptor runs code its sender chose: a FUSE file's close sends
 * its server a FLUSH (at every close), which a healthy server answers in
 * microseconds and a hostile one never; a socket's may linger (SO_LINGER);
 * even a pipe's takes the pipe's mutex, which a writer holds while its
 * write() copies from a mapping of a FUSE file whose READ is never answered.
 * So the gate closes every caller's descriptor itself, off its loop: a closer
 * thread clears SO_LINGER (a socket's setsockopt() may itself wait on the
 * socket's lock, so there too), then dup3()s a placeholder (an O_PATH
 * descriptor, whose close runs no file operation and which no epoll set can
 * hold) over the descriptor's number in the call, which
 * closes it there and leaves the call holding the placeholder. A close that
 * returns is the end of it: the caller is answered InvalidArgs, nothing is
 * aborted, nothing retired; so a Flatpak app passing a file of the document
 * portal, or a user one of their own sshfs, costs that file system nothing.
 *
 * A close still waiting after CLOSE_DEADLINE is the caller's doing. For a
 * FUSE file the gate asks the daemon to abort the connection (AbortFuse,
 * with an O_PATH descriptor of the file made before the close: closing one
 * never calls into FUSE, and making one from /proc/self/fd neither opens the
 * file nor checks permission on it); the daemon decides (gates-fuse.h) and
 * aborts as the connection's owner, which fails the waiting FLUSH and every
 * later request, so the closer returns. Refused, or for any other
 * descriptor (nothing the daemon could abort), the gate retires
 * (close_stuck(), gate_retire()): that closer stays in the close for as long
 * as the sender likes. That is safe because a gate ends only once it gave
 * its name away and closed its system bus connection (and the one to the
 * daemon): the stuck thread then holds nothing anyone waits on, its process
 * is charged to the caller's account (gates.h), and the call it holds is
 * leaked, never closed on the loop.
 *
 * At most CLOSERS_MAX closes run at once while the gate serves, and one per
 * FUSE connection until it returned or its connection's fate is decided (a
 * second would wait on the same server); more descriptors wait their turn
 * in the table (bounded as any kept descriptor: gate_keep()). A gate that no
 * longer serves (it retired, or its system bus connection failed) goes on
 * closing them, and ends once every close returned or waits for good. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuse-conn.h"
#include "gate.h"
#include "gate-close.h"
#include "gate-protocol.h"
#include "util.h"

/* Closes running at once while the gate serves: a close that waits holds its
 * thread until the deadline and the abort or retirement, and others queue
 * meanwhile (so one caller's waiting closes delay others' descriptors that
 * are not pidfds by a deadline per CLOSERS_MAX of them; pidfd calls not at
 * all). */
#define CLOSERS_MAX 16u
/* Closes that wait for good (no FUSE connection, or one not aborted), each
 * a thread: past these, a descriptor is kept unclosed (gate_hold()). */
#define STUCK_MAX 64u
/* How long a close may wait before the connection's abort is asked, or the
 * gate retires: a healthy server answers a FLUSH in microseconds, a busy
 * network file system (sshfs over a slow link) in well under a second, and
 * a pipe's or a socket without SO_LINGER's close waits on no one for long;
 * one that waits this long is made to, and a caller waits for its error no
 * longer than this plus the abort. */
#define CLOSE_DEADLINE_USEC (3ULL * 1000000ULL)
/* AbortFuse calls unanswered at once, from one gate (the daemon takes
 * FUSE_ABORTS_MAX from all gates together, and answers LimitsExceeded past
 * that); a close past its deadline waits ABORT_RETRY_USEC for its turn. */
#define ABORTS_ASKED_MAX 8u
#define ABORT_RETRY_USEC (100ULL * 1000ULL)
/* A closer does a setsockopt() and a dup3() in a loop: no deep stack. */
#define CLOSER_STACK (64u * 1024u)

/* What a closer thread shares with the loop. Freed by the loop once done,
 * never while the thread may run (leaked, if it never returns). */
typedef struct Closer {
        int fd, placeholder, wake;
        atomic_bool done;
        struct Closer *next;       /* in the pool's queue */
} Closer;

/* Closer threads are kept for the next close once theirs returned: a thread
 * started for each descriptor (its clone, stack and exit) cost the gate more
 * than the rest of a call, and one user's flood of calls each with its own
 * pidfd outpaced it, so that the bus refused everyone's calls to it (the
 * ninth attack). A thread whose close waits for good stays in it; a close
 * never waits behind another: one is started whenever fewer are idle than
 * closes queued. At most CLOSERS_MAX + STUCK_MAX closes run at once, and
 * the threads are about as many (one whose close just returned is not idle
 * yet; the tenth attack counted 17 with 16 closes running). Never freed: a
 * thread may use it until the process ends. */
typedef struct CloserPool {
        pthread_mutex_t lock;
        pthread_cond_t work;
        Closer *head, *tail;
        unsigned queued, idle;
} CloserPool;

struct GateClose {
        Gate *gate;
        GateClose *prev, *next;
        sd_bus_message *call;      /* holds the descriptor, then the placeholder */
        int fd;                    /* ... at this number */
        sd_bus_message *answer;    /* the caller's InvalidArgs */
        bool fuse;                 /* a file of FUSE connection conn */
        unsigned conn;
        int file;                  /* O_PATH, for AbortFuse: made before a FUSE file's close */
        Closer *closer;            /* NULL until started */
        sd_event_source *deadline;
        sd_bus_slot *slot;         /* the AbortFuse call */
        bool answered, stuck;
};

static void closer_run(Closer *c) {
        /* Read first: once done is set, the loop may free c (another
         * closer's wake-up can run on_wake() before this one writes). */
        int wake = c->wake;
        /* A socket's last close lingers no more (anything else answers
         * ENOTSOCK at once); this may wait on the socket's lock, which is
         * why it is done here. */
        static const struct linger no_linger = { .l_onoff = 0 };
        (void) setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &no_linger, sizeof no_linger);
        /* Replaces the descriptor at once; its release (a FLUSH, a pipe's
         * mutex) follows here. */
        (void) dup3(c->placeholder, c->fd, O_CLOEXEC);
        atomic_store(&c->done, true);
        (void) eventfd_write(wake, 1);
}

static void *closer_thread(void *arg) {
        CloserPool *p = arg;
        for (;;) {
                (void) pthread_mutex_lock(&p->lock);
                p->idle++;
                while (!p->head)
                        (void) pthread_cond_wait(&p->work, &p->lock);
                p->idle--;
                Closer *c = p->head;
                p->head = c->next;
                if (!p->head)
                        p->tail = NULL;
                p->queued--;
                (void) pthread_mutex_unlock(&p->lock);
                closer_run(c);
        }
        return NULL;
}

/* c run on a closer thread: 0, or -errno when no thread is to be had (c is
 * not queued then). Only the loop queues, so what it counts here can only
 * have moved towards more idle threads by the time c is queued. */
static int closer_queue(CloserPool *p, Closer *c) {
        (void) pthread_mutex_lock(&p->lock);
        bool start = p->queued + 1 > p->idle;
        (void) pthread_mutex_unlock(&p->lock);
        if (start) {
                pthread_attr_t attr;
                pthread_t t;
                int r = -pthread_attr_init(&attr);
                if (r < 0)
                        return r;
                (void) pthread_attr_setstacksize(&attr, CLOSER_STACK);
                (void) pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                r = -pthread_create(&t, &attr, closer_thread, p);
                (void) pthread_attr_destroy(&attr);
                if (r < 0)
                        return r;
        }
        (void) pthread_mutex_lock(&p->lock);
        c->next = NULL;
        if (p->tail)
                p->tail->next = c;
        else
                p->head = c;
        p->tail = c;
        p->queued++;
        (void) pthread_cond_signal(&p->work);
        (void) pthread_mutex_unlock(&p->lock);
        return 0;
}

static void answer(GateClose *e) {
        Gate *g = e->gate;
        if (!e->answered && e->answer && g->bus && !g->bus_lost)
                (void) sd_bus_send(g->bus, e->answer, NULL);
        e->answered = true;
}

static void close_free(GateClose *e) {
        GateCloses *f = &e->gate->closes;
        LIST_REMOVE(f->queue, e);
        sd_event_source_disable_unref(e->deadline);
        if (e->slot)
                f->n_asked--;
        sd_bus_slot_unref(e->slot);
        sd_bus_message_unref(e->answer);
        if (e->file >= 0)
                close(e->file);
        /* A close that may still wait keeps its call (the file's number
         * must not be closed, nor reused, under its thread): the process
         * ends with it. */
        if (!e->closer || atomic_load(&e->closer->done)) {
                /* Its number holds the placeholder now (or, never started,
                 * the caller's descriptor still, which stays held). */
                if (e->closer)
                        fd_bits_clear(&f->held, e->fd);
                sd_bus_message_unref(e->call);
                free(e->closer);
        }
        free(e);
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata);

/* A full table (callers' descriptors fill it) must not keep a close from
 * starting, or a waiting one's abort from being asked: the descriptors
 * either needs (the O_PATH file, sd-bus's copy of it in AbortFuse) take the
 * place of a reserved one, made again once there is room. */
static void reserve_fill(GateCloses *f) {
        while (f->n_reserve < ELEMENTSOF(f->reserve)) {
                int fd = fcntl(f->placeholder, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return;
                f->reserve[f->n_reserve++] = fd;
        }
}

static bool reserve_use(Gate *g, int r) {
        GateCloses *f = &g->closes;
        if ((r != -EMFILE && r != -ENFILE) || f->n_reserve == 0)
                return false;
        f->n_reserve--;
        /* A number the gate made at its start may be a caller's next. */
        fd_bits_clear(&g->own, f->reserve[f->n_reserve]);
        f->reserve[f->n_reserve] = safe_close(f->reserve[f->n_reserve]);
        return true;
}

/* Starts e's close: 0, or -errno when it cannot (e is untouched). */
static int close_start(GateCloses *f, GateClose *e) {
        char path[48];
        snprintf(path, sizeof path, "/proc/self/fd/%d", e->fd);
        _cleanup_close_ int file = -1;
        while (e->fuse && (file = open(path, O_PATH | O_CLOEXEC)) < 0)
                if (!reserve_use(e->gate, -errno))
                        return -errno;
        Closer *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        *c = (Closer) { .fd = e->fd, .placeholder = f->placeholder, .wake = f->wake };
        int r = sd_event_add_time_relative(e->gate->event, &e->deadline, CLOCK_MONOTONIC, CLOSE_DEADLINE_USEC, 0,
                                           on_deadline, e);
        if (r >= 0)
                r = closer_queue(f->pool, c);
        if (r < 0) {
                e->deadline = sd_event_source_disable_unref(e->deadline);
                free(c);
                return r;
        }
        e->closer = c;
        e->file = TAKE_FD(file);
        f->n_closing++;
        return 0;
}

/* Whether a close of a file of FUSE connection conn runs and may still end
 * (files of no connection wait on no one in common). */
static bool conn_closing(GateCloses *f, const GateClose *c) {
        if (!c->fuse)
                return false;
        for (GateClose *e = f->queue; e; e = e->next)
                if (e->fuse && e->conn == c->conn && e->closer && !e->stuck && !atomic_load(&e->closer->done))
                        return true;
        return false;
}

/* Starts the closes waiting their turn, CLOSERS_MAX at once (those that
 * wait for good not counted). One that cannot start is held as any other
 * descriptor (kept unclosed). */
static void closes_start(Gate *g) {
        GateCloses *f = &g->closes;
        GateClose *e = f->queue;
        while (e && f->n_closing < CLOSERS_MAX) {
                GateClose *next = e->next;
                if (e->closer || conn_closing(f, e)) {
                        e = next;
                        continue;
                }
                int r = close_start(f, e);
                /* No room even so, or no thread to be had: closes running
                 * free some when they end. */
                if ((r == -EMFILE || r == -ENFILE || r == -EAGAIN) && f->n_closing > 0)
                        return;
                if (r < 0) {
                        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = sd_bus_message_ref(e->call);
                        bool bus = g->bus && !g->bus_lost, answers = !e->answered;
                        (void) gate_close_keep_fd(f, e->fd);
                        close_free(e);
                        if (bus && answers)
                                gate_hold(g, call, "a descriptor that is not a pidfd", NOT_A_PIDFD);
                        else if (gate_keep(g, call) < 0)
                                sd_bus_message_ref(call);   /* leaked: never closed on the loop */
                        if (!g->daemon)
                                return;   /* the gate ended */
                }
                e = next;
        }
}

/* e's close waits for good: no FUSE connection, or the daemon did not abort
 * it. The gate retires, charged to the caller. */
static void close_stuck(GateClose *e) {
        Gate *g = e->gate;
        GateCloses *f = &g->closes;
        e->stuck = true;
        f->n_closing--;
        f->n_stuck++;
        e->file = safe_close(e->file);
        if (g->bus && !g->bus_lost)
                gate_retire(g, sd_bus_message_get_sender(e->call),
                            e->fuse ? "a FUSE file whose close waits" : "a descriptor whose close waits",
                            e->answered ? NULL : e->answer);
        e->answered = true;
        closes_start(g);
        gate_maybe_finish(g);
}

static int on_abort_answer(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        GateClose *e = userdata;
        int aborted = 0;
        (void) ret_error;

        e->slot = sd_bus_slot_unref(e->slot);
        e->gate->closes.n_asked--;
        reserve_fill(&e->gate->closes);
        if (sd_bus_message_is_method_error(reply, SD_BUS_ERROR_LIMITS_EXCEEDED) && e->deadline) {
                /* The daemon is busy with others' aborts: asked again. */
                (void) sd_event_source_set_time_relative(e->deadline, ABORT_RETRY_USEC);
                (void) sd_event_source_set_enabled(e->deadline, SD_EVENT_ONESHOT);
                return 0;
        }
        if (!sd_bus_message_is_method_error(reply, NULL))
                (void) sd_bus_message_read_basic(reply, 'b', &aborted);
        if (!aborted) {
                close_stuck(e);
                return 0;
        }
        /* Its closer returns now (the abort failed the FLUSH): the caller
         * need not wait for that. */
        answer(e);
        return 0;
}

/* The close still waits: AbortFuse(sender, connection, the O_PATH file) for
 * a FUSE file; anything else waits for good. */
static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        GateClose *e = userdata;
        Gate *g = e->gate;
        (void) s, (void) usec;

        if (atomic_load(&e->closer->done))
                return 0;   /* the wake says so next */
        if (!e->fuse) {
                close_stuck(e);
                return 0;
        }
        if (g->closes.n_asked >= ABORTS_ASKED_MAX) {
                (void) sd_event_source_set_time_relative(s, ABORT_RETRY_USEC);
                (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
                return 0;
        }
        int r;
        do
                r = g->daemon ? sd_bus_call_method_async(g->daemon, &e->slot, NULL, GATE_PATH, GATE_INTERFACE,
                                                         "AbortFuse", on_abort_answer, e, "suh",
                                                         sd_bus_message_get_sender(e->call), e->conn, e->file)
                              : -ENOTCONN;
        while (reserve_use(g, r));
        if (r < 0)
                close_stuck(e);
        else
                g->closes.n_asked++;
        return 0;
}

/* Closers that returned: their calls answered (unless the abort's answer
 * did it) and let go; the next closes started. */
static int on_wake(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Gate *g = userdata;
        GateCloses *f = &g->closes;
        eventfd_t n;
        (void) s, (void) revents;

        (void) eventfd_read(fd, &n);
        for (GateClose *e = f->queue, *next; e; e = next) {
                next = e->next;
                if (!e->closer || !atomic_load(&e->closer->done))
                        continue;
                if (e->stuck)
                        f->n_stuck--;
                else
                        f->n_closing--;
                answer(e);
                close_free(e);
        }
        reserve_fill(f);
        closes_start(g);
        gate_maybe_finish(g);
        return 0;
}

int gate_close_init(Gate *g) {
        GateCloses *f = &g->closes;
        f->placeholder = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        f->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (f->placeholder < 0 || f->wake < 0)
                return -errno;
        f->pool = calloc(1, sizeof *f->pool);
        if (!f->pool)
                return -ENOMEM;
        *f->pool = (CloserPool) { .lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER };
        reserve_fill(f);
        return sd_event_add_io(g->event, &f->wake_source, f->wake, EPOLLIN, on_wake, g);
}

/* A close of fd, which m holds, queued; answer (m's error, or NULL when
 * another close of m's answers it) taken. */
static int close_add(Gate *g, sd_bus_message *m, int fd, sd_bus_message *answer) {
        GateCloses *f = &g->closes;
        unsigned conn = 0;

        /* Found without calling into the file (statx asking for nothing). */
        bool fuse = fuse_connection_of_fd(fd, &conn) >= 0;
        GateClose *e = calloc(1, sizeof *e);
        if (!e)
                return -ENOMEM;
        *e = (GateClose) { .gate = g, .call = sd_bus_message_ref(m), .fd = fd,
                           .answer = sd_bus_message_ref(answer), .answered = !answer,
                           .fuse = fuse, .conn = conn, .file = -1 };
        if (fd_bits_set(&f->held, fd) < 0) {
                sd_bus_message_unref(e->call);
                sd_bus_message_unref(e->answer);
                free(e);
                return -ENOMEM;
        }
        /* At the end: in arrival order. */
        LIST_APPEND(f->queue, e);
        return 0;
}

static bool can_take(GateCloses *f) {
        return f->wake_source && f->n_stuck < STUCK_MAX;
}

bool gate_close_take(Gate *g, sd_bus_message *m, const int *fds, size_t n, const char *error_text) {
        GateCloses *f = &g->closes;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *answer = NULL;

        if (error_text &&
            sd_bus_message_new_method_errorf(m, &answer, SD_BUS_ERROR_INVALID_ARGS, "%s", error_text) < 0)
                return false;
        if (n == 0) {
                /* Nothing of the caller's to close: m goes as any call does. */
                if (answer)
                        (void) sd_bus_send(g->bus, answer, NULL);
                return true;
        }
        if (!can_take(f))
                return false;
        for (size_t i = 0; i < n; i++)
                if (close_add(g, m, fds[i], i == 0 ? answer : NULL) < 0) {
                        /* The rest stay with m, kept unclosed; the first
                         * close answers. */
                        for (size_t j = i; j < n; j++)
                                (void) gate_close_keep_fd(f, fds[j]);
                        if (i == 0)
                                return false;
                        (void) gate_keep(g, m);
                        break;
                }
        closes_start(g);
        return true;
}

bool gate_close_known(const GateCloses *f, int fd) {
        if (fd == f->placeholder || fd == f->wake)
                return true;
        return fd_bits_test(&f->held, fd);
}

int gate_close_keep_fd(GateCloses *f, int fd) {
        return fd_bits_set(&f->held, fd);
}

bool gate_closes_settled(GateCloses *f) {
        for (GateClose *e = f->queue; e; e = e->next)
                if (!e->stuck)
                        return false;
        return true;
}

void gate_closes_end(GateCloses *f) {
        /* No answer is waited for any more. */
        for (GateClose *e = f->queue; e; e = e->next) {
                if (e->slot)
                        f->n_asked--;
                e->slot = sd_bus_slot_unref(e->slot);
                e->deadline = sd_event_source_disable_unref(e->deadline);
        }
}

void gate_closes_clear(GateCloses *f) {
        /* Closes not started are closed here, on the loop, which may wait:
         * only when the gate ends early (nothing could be kept), holding no
         * name. Those started and still waiting are leaked (close_free()). */
        while (f->queue)
                close_free(f->queue);
        f->n_closing = f->n_stuck = 0;
        f->wake_source = sd_event_source_disable_unref(f->wake_source);
        fd_bits_done(&f->held);
        /* The placeholder and the eventfd stay open until the process ends: a closer that has
         * not run yet, or returns late, uses them, and must not use a number
         * reused meanwhile. */
}
