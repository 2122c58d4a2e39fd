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

/* ---- what a call asks ----
 *
 * Everything needed to build a call's message again on another connection
 * (a retry after the connection was lost) and to read its reply. */

typedef enum Method {
        METHOD_GET_RLIMIT,
        METHOD_SET_RLIMIT,
        METHOD_PRLIMIT,
        METHOD_SET_RLIMITS,
        METHOD_LIST_RLIMITS,
        METHOD_GET_RUSAGE,
        METHOD_PAGE_SIZE,
        METHOD_GET_PROPERTY,
} Method;

typedef struct Request {
        Method method;
        int fd;                          /* the target's pidfd, or -1: the number pid */
        bool own_fd;                     /* fd is closed with the request (not the handle's self_fd) */
        uint32_t pid;
        const char *resource;            /* a static short name */
        bool set;
        Resource1Limit limit;
        const char *who;                 /* a static who name */
        size_t n;                        /* a batch: resources[i] to limits[i] */
        const int *resources;
        const Resource1Limit *limits;
        int *own_resources;              /* copies an asynchronous call keeps */
        Resource1Limit *own_limits;
        const char *property;
        char property_type;              /* 'b', 's' or 'a' (as) */
        size_t usage_size;
} Request;

#define REQUEST(m) ((Request) { .method = (m), .fd = -1 })

/* What a reply says. */
typedef struct Result {
        Resource1Limit limit;
        Resource1Limit old[RLIM_NLIMITS];
        size_t n_old;
        Resource1LimitEntry entries[RLIM_NLIMITS];
        size_t n_entries;
        Resource1Usage usage;
        uint64_t u64;
        bool b;
        char *s;
        char **strv;                     /* one allocation */
} Result;

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

typedef union SlotCallback {
        Resource1DoneHandler done;
        Resource1LimitHandler limit;
        Resource1LimitsHandler limits;
        Resource1ListHandler list;
        Resource1UsageHandler usage;
        Resource1Uint64Handler u64;
        Resource1BoolHandler b;
        Resource1StringHandler s;
        Resource1StrvHandler strv;
        Resource1RlimitChangedHandler changed;
} SlotCallback;

struct Resource1Slot {
        unsigned n_ref;                  /* the handle's list's, the program's, and dispatch's */
        Resource1 *handle;               /* NULL once unlinked */
        Resource1Slot *prev, *next;
        SlotType type;
        sd_bus_slot *bus_slot;           /* the pending call or the match; NULL when done */
        Request req;
        SlotCallback callback;
        void *userdata;
        uint64_t deadline;               /* CLOCK_MONOTONIC µs after which a NoReply is a timeout */
        bool retried;
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

/* ---- resource1-request.c: a call's arguments, its target, its request ---- */

void request_done(Request *q);
int check_arg(Resource1 *h, bool ok, const char *what);
void usage_copy(void *dst, const Resource1Usage *u, size_t size);
int target_set(Resource1 *h, bool by_fd, int pid_or_fd, bool thread, bool keep, Request *q);
bool request_names_self(const Resource1 *h, const Request *q);
int make_getrlimit(Resource1 *h, int resource, Request *q);
int make_setrlimit(Resource1 *h, int resource, const Resource1Limit *limit, Request *q);
int make_prlimit(Resource1 *h, int resource, const Resource1Limit *new_limit, Request *q);
int make_setrlimits(Resource1 *h, const int resources[], const Resource1Limit limits[], size_t n, bool copy,
                    Request *q);
int make_getrusage(Resource1 *h, int who, size_t size, Request *q);
Request make_property(const char *property, char type);

/* ---- resource1-message.c: a request's message, and what its reply says ---- */

int request_message(const Resource1 *h, sd_bus *bus, const Request *q, sd_bus_message **ret);
int read_reply(sd_bus_message *reply, const Request *q, Result *res);
int unexpected_reply(sd_bus_error *e, int r);
void result_done(Result *res);

/* ---- resource1-async.c ---- */

/* The RlimitChanged match of a subscription slot, on its handle's connection. */
int subscription_add(Resource1Slot *s);
