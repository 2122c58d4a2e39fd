/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the files of libresource1 share: a call's request and result, the
 * handle and its slots, and the functions one file has for another. None of
 * it is exported: the library's interface is resource1.h (libresource1.sym). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "resource1-bus.h"
#include "resource1-util.h"
#include "resource1.h"

#define _public_ __attribute__((visibility("default")))

/* ---- the members of org.example.Resource1 the library uses ----
 *
 * One row each (resource1-methods.c), as the specification names it: a
 * method with its signature in and out, a property with its type, the
 * signal with its arguments; what a method's target is and whether it
 * changes limits; how its reply is read. Messages are built from the row
 * (resource1-message.c), and tests/unit/test-library-members.c checks every row
 * against the specification. */

typedef struct Request Request;
typedef struct Result Result;

typedef enum MemberKind {
        MEMBER_METHOD,                   /* a method of org.example.Resource1 */
        MEMBER_PROPERTY,                 /* a property, read with org.freedesktop.DBus.Properties.Get */
        MEMBER_SIGNAL,                   /* a signal the library subscribes to */
} MemberKind;

typedef enum MemberTarget {
        TARGET_NONE,                     /* about no process */
        TARGET_CALLER,                   /* about the process that owns the connection (pid 0), with no argument for it */
        TARGET_PID,                      /* the first argument, "u", is the process's number */
        TARGET_PIDFD,                    /* the first argument, "h", is the process's pidfd: sent to the gate's name */
} MemberTarget;

typedef enum MemberChange {
        MEMBER_READS,
        MEMBER_CHANGES,                  /* changes limits (the queue paces changes: resource1-queue.c) */
        MEMBER_CHANGES_IF_SET,           /* changes limits when its "b" argument, set, is true */
} MemberChange;

typedef struct Member {
        const char *name;                /* "PrlimitPidfd", "Version", "RlimitChanged" */
        MemberKind kind;
        /* A method's arguments (target first) and reply; a property's type
         * (out); a signal's arguments (out). Arguments are taken from the
         * request in the order these types name them (request_message()). */
        const char *in, *out;
        MemberTarget target;
        MemberChange change;
        /* Reads a reply of type out (the signal: the signal itself) into res. */
        int (*read)(sd_bus_message *reply, const Request *q, Result *res);
} Member;

/* A member of the specification the library does not use, and why. */
typedef struct MemberLeftOut {
        const char *name;
        MemberKind kind;
        const char *reason;
} MemberLeftOut;

extern const Member members[];
extern const size_t members_count;
extern const MemberLeftOut members_left_out[];
extern const size_t members_left_out_count;

/* ---- what a call asks ----
 *
 * Everything needed to build a call's message again on another connection
 * (a retry after the connection was lost) and to read its reply. */

struct Request {
        const Member *member;            /* sent when the target is a pidfd, or the only form */
        const Member *by_number;         /* sent when it is a number, or pid 0 (this process without a pidfd of it) */
        int fd;                          /* the target's pidfd, or -1: the number pid */
        bool own_fd;                     /* fd is closed with the request (not the handle's self_fd) */
        uint32_t pid;
        /* The arguments after the target, each taken where the member's
         * signature names its type: */
        const char *strings[2];          /* "s", in order: static strings */
        bool set;                        /* "b" */
        Resource1Limit limit;            /* "t" then "t": soft, hard */
        size_t n;                        /* "a(stt)": resources[i] to limits[i] */
        const int *resources;
        const Resource1Limit *limits;
        int *own_resources;              /* copies an asynchronous call keeps */
        Resource1Limit *own_limits;
        /* What the call gives the program: */
        size_t usage_size;               /* a Resource1Usage of this size */
        bool discard_reply;              /* nothing: the reply is not read */
};

#define REQUEST(m) ((Request) { .member = (m), .by_number = (m), .fd = -1 })

/* The member q sends: by its pidfd, or by number. */
static inline const Member *request_member(const Request *q) {
        return q->fd >= 0 ? q->member : q->by_number;
}

/* What a reply says. */
struct Result {
        Resource1Limit limit;
        Resource1Limit old[RLIM_NLIMITS];
        size_t n_old;
        Resource1LimitEntry entries[RLIM_NLIMITS];
        size_t n_entries;
        Resource1Answer answer;          /* CanSetRlimits': the batch's, and each limit's */
        Resource1LimitAnswer answers[RLIM_NLIMITS];
        size_t n_answers;
        Resource1Usage usage;
        uint64_t u64;
        bool b;
        char *s;
        char **strv;                     /* one allocation */
        struct {                         /* RlimitChanged's: name is the message's */
                uint32_t pid, uid;
                const char *name;
                Resource1Limit old_limit, new_limit;
        } changed;
};

/* ---- handles and slots ---- */

/* A connection the handle made (or was given), with the match that tells it
 * the connection ended. */
typedef struct Conn {
        sd_bus *bus;
        sd_bus_slot *disconnected;
        bool ready;                      /* it answered: its handshake passed */
} Conn;

typedef enum SlotType {
        SLOT_CALL,
        SLOT_SUBSCRIPTION,
} SlotType;

/* The program's callback, of the handler type its call takes (GLib's
 * GCallback: a cast to this type and back is defined). */
typedef void (*SlotCallback)(void);

/* Calls s's callback, cast back to its type, with r, the error err (NULL on
 * success) and, on success, what res says: one for each handler type
 * (resource1-methods.c). */
typedef void (*SlotDeliver)(Resource1Slot *s, Resource1 *h, int r, const sd_bus_error *err, Result *res);

struct Resource1Slot {
        unsigned n_ref;                  /* the handle's list's, the program's, and dispatch's */
        Resource1 *handle;               /* NULL once unlinked */
        Resource1Slot *prev, *next;
        SlotType type;
        sd_bus_slot *bus_slot;           /* the pending call or the match; NULL when done */
        Request req;
        SlotCallback callback;
        SlotDeliver deliver;
        void *userdata;
        uint64_t deadline;               /* CLOCK_MONOTONIC µs: the call's end, set when it starts */
        bool retried;
        /* Held back by the handle (resource1-queue.c): not sent yet, or
         * refused by a bound of the service's and to be sent again. */
        bool queued;
        Resource1Slot *queue_prev, *queue_next;
        uint64_t seq;                    /* the order the calls were started in */
        uint64_t not_before;             /* CLOCK_MONOTONIC µs: not sent before (a bound's wait) */
        unsigned waits;                  /* how many times a bound refused it */
        sd_bus_error refusal;            /* the last of those refusals: the error if it cannot wait */
};

struct Resource1 {
        unsigned n_ref;                  /* the program's, and one per dispatch in progress */
        Conn conn;                       /* bus NULL: not connected */
        bool own_bus;                    /* made here, and made again when lost */
        bool stepwise;                   /* one was lost before it answered: connect step by step */
        Conn *old;                       /* lost connections with calls still to be failed on them */
        size_t n_old;
        sd_event *event;                 /* the loop resource1_attach_event() gave */
        int event_priority;
        bool allow_interactive;
        bool polkit_agent;               /* may start pkttyagent when a call needs authentication */
        uint64_t timeout_usec;
        char *error_name, *error_message;
        Resource1Slot *slots;
        int self_fd;                     /* a pidfd of this process (self_pid), or -1: how calls name it */
        pid_t self_pid;

        /* Asynchronous calls held back, in the order they were started
         * (resource1-queue.c), and what holds them. */
        Resource1Slot *queue_head, *queue_tail;
        uint64_t next_seq;
        unsigned window;                 /* calls in flight at most, QUEUE_IN_FLIGHT_MAX but after a bound's refusal */
        uint64_t changes_not_before;     /* the rate limit's time: no change is sent before it */
        bool changes_paced;              /* since the rate limit refused one: one change in flight at a time */
        uint64_t queue_wake;             /* when a held call may go: 0 now, UINT64_MAX none */
        sd_event_source *queue_timer;    /* wakes the queue on the handle's sd-event loop */
        bool dispatching;
};

/* ---- resource1.c: handles, slots, the last error, connections ---- */

Resource1 *handle_ref(Resource1 *h);
void handle_unref(Resource1 *h);
Resource1Slot *slot_ref(Resource1Slot *s);
void slot_unref(Resource1Slot *s);
void slot_link(Resource1 *h, Resource1Slot *s);
void slot_unlink(Resource1Slot *s);

void forget_error(Resource1 *h);
void begin(Resource1 *h);
int remember_error(Resource1 *h, const sd_bus_error *e, int r);
int failf(Resource1 *h, int r, const char *name, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void oneshot_remember(const Resource1 *h, int r);

void conn_close(Conn *c, bool own);
int handle_connect(Resource1 *h);
void handle_replace_connection(Resource1 *h);
bool connection_lost(sd_bus *bus);
void conn_answered(Resource1 *h, sd_bus *bus);
int local_failure(Resource1 *h, int r, const char *what);
int connect_or_fail(Resource1 *h);
uint64_t call_timeout(const Resource1 *h);
bool worth_retry(sd_bus *bus, int r, const sd_bus_error *e, bool timed_out);
/* The service's NoSuchProcess for a call naming this process as pid 0 (or
 * by its pidfd, which falls back to pid 0): it cannot vouch for the process
 * that opened this connection (one older than the service, after its idle
 * exit, say). Nothing was done; a new connection is answered. */
bool caller_unknown(const Resource1 *h, const Request *q, const sd_bus_error *e);

/* ---- resource1-connect.c: the connection to the system bus, step by step ---- */

/* sd_bus_open_system(), with a handshake that waits for the bus's answers
 * before its BEGIN (for bus proxies that cannot take sd-bus's pipelined
 * one), within timeout_usec. */
int bus_open_system_stepwise(uint64_t timeout_usec, sd_bus **ret);

/* ---- resource1-request.c: a call's arguments, its target ---- */

void request_done(Request *q);
int check_arg(Resource1 *h, bool ok, const char *what);
/* Each sets *ret to the service's name of the value, or fails as the service would. */
int check_resource(Resource1 *h, int resource, const char **ret);
int check_who(Resource1 *h, int who, const char **ret);
int check_batch(Resource1 *h, const int resources[], const Resource1Limit limits[], size_t n);
int check_usage_size(Resource1 *h, size_t size);
void usage_copy(void *dst, const Resource1Usage *u, size_t size);
int target_set(Resource1 *h, bool by_fd, int pid_or_fd, bool thread, bool keep, Request *q);
bool request_names_self(const Resource1 *h, const Request *q);
int request_keep_batch(Resource1 *h, Request *q);

/* ---- resource1-message.c: a request's message, and what its reply says ---- */

int request_message(const Resource1 *h, sd_bus *bus, const Request *q, sd_bus_message **ret);
/* The member's reader, unless the request discards the reply. */
int read_reply(sd_bus_message *reply, const Request *q, Result *res);
int unexpected_reply(sd_bus_error *e, int r);
void result_done(Result *res);
/* The readers of the members' replies, one for each out signature. */
int read_nothing(sd_bus_message *reply, const Request *q, Result *res);       /* "" */
int read_limit(sd_bus_message *reply, const Request *q, Result *res);         /* "tt" */
int read_old_limits(sd_bus_message *reply, const Request *q, Result *res);    /* "a(stt)": q's batch's, in its order */
int read_list(sd_bus_message *reply, const Request *q, Result *res);          /* "a(stt)": a listing */
int read_can_answers(sd_bus_message *reply, const Request *q, Result *res);       /* "sa(sss)": q's batch's, in its order */
int read_usage(sd_bus_message *reply, const Request *q, Result *res);         /* "a{sv}" */
int read_u64(sd_bus_message *reply, const Request *q, Result *res);           /* "t" */
int read_property(sd_bus_message *reply, const Request *q, Result *res);      /* "v" of the member's type */
int read_rlimit_changed(sd_bus_message *m, const Request *q, Result *res);   /* the signal's "usttttu" */

/* ---- resource1-sync.c: a synchronous call ---- */

/* Calls q where building it (r) succeeded, reading its reply into res, and
 * closes what q opened; the handle's last error says why it failed. */
int call_sync_done(Resource1 *h, int r, Request *q, Result *res);

/* A NULL handle gets a handle for one call, whose error becomes the thread's. */
#define WITH_HANDLE(h, expr)                                            \
        ({                                                              \
                Resource1 *_own = NULL;                                 \
                int _r = 0;                                             \
                if (!(h)) {                                             \
                        _r = resource1_new(&_own);                      \
                        (h) = _own;                                     \
                }                                                       \
                if (_r >= 0)                                            \
                        _r = (expr);                                    \
                if (_own || !(h))                                       \
                        oneshot_remember(_own, _r);                     \
                resource1_free(_own);                                   \
                _r;                                                     \
        })

/* ---- resource1-async.c: an asynchronous call, a slot ---- */

/* A request that owns nothing: a slot's before its call is given to it, and
 * a call's before it is built. */
#define NO_REQUEST REQUEST(NULL)

/* The start of every asynchronous call: a handle is needed (-EINVAL, no
 * error remembered, without one), and the last error becomes this call's. */
int begin_async(Resource1 *h);
/* The rest of every asynchronous call's start: r is what begin_async() and
 * building q (its arguments checked, its target named) returned; q, which
 * owns nothing yet where r is a failure, goes to a new slot whose deliver
 * calls callback, or is done with. */
int start_async(Resource1 *h, Resource1Slot **ret_slot, int r, Request *q, SlotCallback callback, SlotDeliver deliver,
                void *userdata);
int slot_new(Resource1 *h, SlotType type, void *userdata, Resource1Slot **ret);
/* Hands the slot (holding its own reference) to the program, or to the
 * handle alone when ret_slot is NULL. */
void slot_give(Resource1 *h, Resource1Slot *s, Resource1Slot **ret_slot);
/* Sends the slot's call, within its deadline. */
int slot_send(Resource1Slot *s);
/* Calls the program's callback with the error of a call that could not be sent. */
void slot_fail_send(Resource1Slot *s, int r);
/* Calls the program's callback with error e (r: its errno). */
void slot_fail(Resource1Slot *s, int r, const sd_bus_error *e);

/* ---- resource1-methods.c: the members' rows, and the public calls ---- */

/* The RlimitChanged match of a subscription slot, on its handle's connection. */
int subscription_add(Resource1Slot *s);

/* ---- resource1-retry.c: the service's bounds, as a client lives with them ---- */

/* Whether e is a bound's refusal that passes with time: the service's
 * LimitsExceeded, or the bus's own (too many replies pending). Nothing was
 * done; the same call may be sent again. */
bool bound_refusal(const sd_bus_error *e);
/* The "try again in S s" of a message, as the specification words it, in
 * µs (UINT64_MAX for a time too long to say); -ENODATA when it has none. */
int bound_parse_wait(const char *message, uint64_t *ret_usec);
/* How long to wait before sending again a call that bound_refusal() e
 * refused, refused "waits" times before: the service's time
 * (ret_timed true: the rate limit's), or else a wait that doubles from
 * 10 ms up to 1 s. */
uint64_t bound_wait(const sd_bus_error *e, unsigned waits, bool *ret_timed);
/* Sleeps until CLOCK_MONOTONIC µs (signals do not cut it short). */
void sleep_until(uint64_t usec);

/* ---- resource1-queue.c: asynchronous calls held back ---- */

/* Calls in flight on a handle at most: below the system bus's 128 pending
 * replies per connection (dbus-daemon's max_replies_per_connection), with
 * room for the program's own calls on a connection it shares. */
#define QUEUE_IN_FLIGHT_MAX 64u
/* Calls with a pidfd in flight at most: the service's gate takes 32 from
 * one connection (resource1d(8), BOUNDS). */
#define QUEUE_PIDFD_IN_FLIGHT_MAX 32u

/* Whether s may be sent now, as the first of the queue (0 now). */
bool queue_may_send_now(Resource1 *h, const Resource1Slot *s);
/* Holds s back (in the order calls were started) until queue_dispatch(). */
void queue_add(Resource1 *h, Resource1Slot *s);
void queue_remove(Resource1Slot *s);
/* Sends what may go now; fails what may no longer; arms the timer for the
 * rest. Calls callbacks: only from the loop's own dispatch. */
void queue_dispatch(Resource1 *h);
/* Has the queue looked at soon, from the loop (an answer made room). */
void queue_kick(Resource1 *h);
/* A bound refused s's call (error e): held back for its wait, and the
 * handle sends fewer calls at once. false when the wait would outlast the
 * call's deadline: then the call fails with e. */
bool queue_refused(Resource1 *h, Resource1Slot *s, const sd_bus_error *e);
/* An answer that was no bound's refusal (a result or another error): the
 * handle may send one more call at once. */
void queue_answered(Resource1 *h);
/* The timer on the loop the handle (or its connection) is attached to, or none. */
void queue_timer_free(Resource1 *h);
