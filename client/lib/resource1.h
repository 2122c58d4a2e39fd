/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libresource1: Python's resource module for C, through the
 * org.example.Resource1 system service (see libresource1(3)).
 *
 *   Python                                 libresource1
 *   resource.getrlimit(r)                  resource1_getrlimit(h, r, &lim)
 *   resource.setrlimit(r, (soft, hard))    resource1_setrlimit(h, r, &lim)
 *   resource.prlimit(pid, r)               resource1_prlimit(h, pid, r, NULL, &old)
 *   resource.prlimit(pid, r, limits)       resource1_prlimit(h, pid, r, &lim, &old)
 *   several prlimit() at once              resource1_setrlimits(h, pid, rs, lims, n, olds)
 *   would they be allowed? (no change)     resource1_can_setrlimits(h, pid, rs, lims, n, answers)
 *   resource.getrusage(who)                resource1_getrusage(h, 0, who, &u, sizeof u)
 *   resource.getpagesize()                 resource1_getpagesize(h, &bytes)
 *   RLIM_INFINITY                          RESOURCE1_INFINITY (UINT64_MAX, as on the bus)
 *
 * Every call has an asynchronous form (_async) for programs with an event
 * loop: it returns at once and calls a callback with the result, or with the
 * error's errno, name and message. A handle is attached to an sd-event loop
 * with resource1_attach_event(), or driven by any other loop (GLib, Qt, a
 * poll() loop) through resource1_get_fd(), _get_events(), _get_timeout() and
 * _process(); resource1_new_with_bus() makes a handle on the program's own
 * sd-bus connection.
 *
 * The types in this interface have one layout on every architecture and
 * whatever _FILE_OFFSET_BITS or _TIME_BITS the program is built with: limits
 * are uint64_t, and structures that may grow (Resource1Usage) are passed with
 * their size. The static inline helpers at the end convert from and to the C
 * library's struct rlimit and struct rusage in the program's own build.
 *
 * Resources are Linux's RLIMIT_* numbers; resource1_resource_from_name()
 * turns "NOFILE", "nofile", "RLIMIT_NOFILE" or "OFILE" into one. A pid is a
 * process id in the caller's own pid namespace (as for prlimit(1)); 0 is the
 * calling process. Every process, the calling one too, is named to the
 * service by a pidfd (never as the service's "caller", which behind a bus
 * proxy such as Flatpak's is the proxy); see libresource1(3), Processes.
 *
 * Every call returns 0 (or a count) on success and a negative errno on
 * failure, each errno with one meaning (see libresource1(3), RETURN VALUE).
 * resource1_last_error_name() and _message() say what the service (or the
 * library, for arguments it refuses itself) said about the last call; with a
 * NULL handle, about the calling thread's last one-shot call. */

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Resource1 Resource1;

/* A pending asynchronous call or a signal subscription. */
typedef struct Resource1Slot Resource1Slot;

/* Unlimited, as the service sends it: 18446744073709551615. */
#define RESOURCE1_INFINITY UINT64_MAX

/* Linux computes self + children internally; the service offers it too. */
#define RESOURCE1_RUSAGE_BOTH (-2)

/* A soft and a hard limit. */
typedef struct Resource1Limit {
        uint64_t soft;
        uint64_t hard;
} Resource1Limit;

/* One limit of a listing: resource is an RLIMIT_* number. */
typedef struct Resource1LimitEntry {
        int resource;
        Resource1Limit limit;
} Resource1LimitEntry;

/* Python's struct_rusage: times as seconds, the rest as counts (ru_maxrss in
 * KiB). Calls take the size the program knows (sizeof(Resource1Usage)): fields
 * may be added at the end, and a library fills only the fields both know and
 * zeroes the rest of what the program passed. */
typedef struct Resource1Usage {
        double ru_utime, ru_stime;
        int64_t ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap,
                ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
} Resource1Usage;

/* What setting limits would meet now (resource1_can_setrlimits()), as the
 * service answers "yes", "challenge", "no" or "na". */
typedef enum Resource1Answer {
        RESOURCE1_ANSWER_YES = 0,        /* allowed, and nobody will be asked */
        RESOURCE1_ANSWER_CHALLENGE = 1,  /* allowed once the user authenticates (an agent and interaction needed) */
        RESOURCE1_ANSWER_NO = 2,         /* polkit refuses it */
        RESOURCE1_ANSWER_NA = 3,         /* not available here: the kernel or the service cannot, whoever allows it */
} Resource1Answer;

/* One limit's answer: resource is an RLIMIT_* number; action the polkit
 * action that decided it, "" when polkit has no say. */
typedef struct Resource1LimitAnswer {
        int resource;
        Resource1Answer answer;
        char action[128];
} Resource1LimitAnswer;

/* ---- handles ---- */

int resource1_new(Resource1 **ret);
/* A handle on the program's own connection to the system bus (it takes a
 * reference): calls go out on it, replies come in as the program processes
 * it; it is never replaced when it is lost. */
int resource1_new_with_bus(Resource1 **ret, sd_bus *bus);
/* Cancels every pending call and subscription (no callback is called) and
 * frees the handle. Returns NULL. */
Resource1 *resource1_free(Resource1 *h);

/* Whether the service may ask polkit to authenticate the user (off by
 * default). It helps only where an authentication agent runs: a desktop
 * session's, or the one resource1_set_polkit_agent() starts. */
void resource1_set_allow_interactive(Resource1 *h, bool allow);
/* Whether a call that polkit wants authenticated may start polkit's text
 * agent, pkttyagent, for this process and be sent once more allowing
 * interactive authorization, so that the person at the terminal types a
 * password (off by default). Only when standard input is a terminal and the
 * user is not root; the agent runs only while that call waits. Synchronous
 * calls only. */
void resource1_set_polkit_agent(Resource1 *h, bool enable);
/* How long a call waits for its answer, in microseconds; 0 (the default):
 * the bus's method call timeout (25 s), 5 minutes when interactive
 * authorization is allowed. It is the call's whole time: a call a bound of
 * the service refused (LimitsExceeded) is sent again after the wait the
 * bound asks, while that ends within it, and otherwise fails with -EAGAIN
 * (libresource1(3), Bounds). */
void resource1_set_timeout(Resource1 *h, uint64_t usec);

/* What the handle's last call (synchronous, or the start of an asynchronous
 * one) failed with: a D-Bus error name and its message, NULL after a success.
 * With a NULL handle: the calling thread's last one-shot call. Valid until the
 * next call on the same handle (or the thread's next one-shot call) or
 * resource1_free(). */
const char *resource1_last_error_name(const Resource1 *h);
const char *resource1_last_error_message(const Resource1 *h);

/* ---- names ---- */

/* RLIMIT_* number for a name; -EINVAL unknown, -EOPNOTSUPP not on Linux. */
int resource1_resource_from_name(const char *name);
/* Short name ("NOFILE") of an RLIMIT_* number, NULL when unknown. Static. */
const char *resource1_resource_to_name(int resource);

/* ---- calls (a NULL handle makes a one-shot call on a connection of its own) ---- */

int resource1_getrlimit(Resource1 *h, int resource, Resource1Limit *ret);
int resource1_setrlimit(Resource1 *h, int resource, const Resource1Limit *limit);
/* pid 0 is the calling process. new_limit NULL: read only. ret_old may be NULL. */
int resource1_prlimit(Resource1 *h, pid_t pid, int resource, const Resource1Limit *new_limit,
                      Resource1Limit *ret_old);
/* The same, with the process named by a pidfd (pidfd_open(2)) the program keeps. */
int resource1_prlimit_pidfd(Resource1 *h, int pidfd, int resource, const Resource1Limit *new_limit,
                            Resource1Limit *ret_old);
/* Several limits of one process at once: resources[i] set to limits[i] for
 * i < n, each resource at most once, all or nothing, with one authorization.
 * ret_old (NULL, or n entries) receives the limits in force before. */
int resource1_setrlimits(Resource1 *h, pid_t pid, const int resources[], const Resource1Limit limits[], size_t n,
                         Resource1Limit ret_old[]);
int resource1_setrlimits_pidfd(Resource1 *h, int pidfd, const int resources[], const Resource1Limit limits[],
                               size_t n, Resource1Limit ret_old[]);
/* What resource1_setrlimits() of the same arguments would meet now, without
 * changing anything and without anyone being asked for a password: returns
 * the batch's Resource1Answer (a negative errno on failure); ret_per_limit
 * (NULL, or n entries) receives each limit's, in the order given. */
int resource1_can_setrlimits(Resource1 *h, pid_t pid, const int resources[], const Resource1Limit limits[], size_t n,
                             Resource1LimitAnswer ret_per_limit[]);
int resource1_can_setrlimits_pidfd(Resource1 *h, int pidfd, const int resources[], const Resource1Limit limits[],
                                   size_t n, Resource1LimitAnswer ret_per_limit[]);
/* Every limit the service reported for process pid (0: the calling process), in
 * RLIMIT_* order, at most n of them (RLIM_NLIMITS is enough). Returns how
 * many were written; a resource the service did not report is not among
 * them. */
int resource1_list_rlimits(Resource1 *h, pid_t pid, Resource1LimitEntry ret[], size_t n);
int resource1_list_rlimits_pidfd(Resource1 *h, int pidfd, Resource1LimitEntry ret[], size_t n);
/* who: RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD or RESOURCE1_RUSAGE_BOTH.
 * pid 0 is the calling process; with RUSAGE_THREAD, the calling thread (pid:
 * a thread id of the caller's namespace). size: sizeof(Resource1Usage). */
int resource1_getrusage(Resource1 *h, pid_t pid, int who, Resource1Usage *ret, size_t size);
int resource1_getrusage_pidfd(Resource1 *h, int pidfd, int who, Resource1Usage *ret, size_t size);
int resource1_getpagesize(Resource1 *h, uint64_t *ret);

/* Properties. resource1_get_version(): *ret to free(). resource1_get_resources():
 * a NULL-terminated array of names in one allocation: free(*ret) once. */
int resource1_get_can_raise_hard_limits(Resource1 *h, bool *ret);
int resource1_get_version(Resource1 *h, char **ret);
int resource1_get_resources(Resource1 *h, char ***ret);

/* ---- asynchronous calls ----
 *
 * Each needs a handle and returns 0 once the call is sent, or held back
 * (at most 64 are in flight, 32 with a pidfd: libresource1(3), Bounds), or a
 * negative errno (and the handle's last error) when it cannot be, and then
 * the callback is never called. Otherwise the callback is called exactly once,
 * from resource1_process() or the sd-event loop, unless the call is cancelled
 * first: r is what the synchronous call would return (0, an answer, or a
 * negative errno);
 * error is NULL on success, else the error's name and message. The error, and
 * any pointer result, are valid during the callback only. With ret_slot NULL
 * the call belongs to the handle; otherwise *ret_slot is the caller's, to
 * free with resource1_slot_free(), which cancels the call if it is pending.
 * A callback may be NULL. Arguments are copied: they need not outlive the
 * start. */

typedef void (*Resource1DoneHandler)(Resource1 *h, int r, const sd_bus_error *error, void *userdata);
typedef void (*Resource1LimitHandler)(Resource1 *h, int r, const sd_bus_error *error, const Resource1Limit *limit,
                                      void *userdata);
typedef void (*Resource1LimitsHandler)(Resource1 *h, int r, const sd_bus_error *error, const Resource1Limit old[],
                                       size_t n, void *userdata);
/* r: the batch's Resource1Answer on success, as the synchronous call returns it. */
typedef void (*Resource1AnswerHandler)(Resource1 *h, int r, const sd_bus_error *error,
                                       const Resource1LimitAnswer per_limit[], size_t n, void *userdata);
typedef void (*Resource1ListHandler)(Resource1 *h, int r, const sd_bus_error *error,
                                     const Resource1LimitEntry entries[], size_t n, void *userdata);
/* usage points to as many bytes as the size given to the call. */
typedef void (*Resource1UsageHandler)(Resource1 *h, int r, const sd_bus_error *error, const Resource1Usage *usage,
                                      void *userdata);
typedef void (*Resource1Uint64Handler)(Resource1 *h, int r, const sd_bus_error *error, uint64_t value,
                                       void *userdata);
typedef void (*Resource1BoolHandler)(Resource1 *h, int r, const sd_bus_error *error, bool value, void *userdata);
typedef void (*Resource1StringHandler)(Resource1 *h, int r, const sd_bus_error *error, const char *value,
                                       void *userdata);
typedef void (*Resource1StrvHandler)(Resource1 *h, int r, const sd_bus_error *error, char *const *value,
                                     void *userdata);

int resource1_getrlimit_async(Resource1 *h, Resource1Slot **ret_slot, int resource, Resource1LimitHandler callback,
                              void *userdata);
int resource1_setrlimit_async(Resource1 *h, Resource1Slot **ret_slot, int resource, const Resource1Limit *limit,
                              Resource1DoneHandler callback, void *userdata);
int resource1_prlimit_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, int resource,
                            const Resource1Limit *new_limit, Resource1LimitHandler callback, void *userdata);
int resource1_prlimit_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd, int resource,
                                  const Resource1Limit *new_limit, Resource1LimitHandler callback, void *userdata);
int resource1_setrlimits_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, const int resources[],
                               const Resource1Limit limits[], size_t n, Resource1LimitsHandler callback,
                               void *userdata);
int resource1_setrlimits_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd, const int resources[],
                                     const Resource1Limit limits[], size_t n, Resource1LimitsHandler callback,
                                     void *userdata);
int resource1_can_setrlimits_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, const int resources[],
                                   const Resource1Limit limits[], size_t n, Resource1AnswerHandler callback,
                                   void *userdata);
int resource1_can_setrlimits_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd, const int resources[],
                                         const Resource1Limit limits[], size_t n, Resource1AnswerHandler callback,
                                         void *userdata);
int resource1_list_rlimits_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, Resource1ListHandler callback,
                                 void *userdata);
int resource1_list_rlimits_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd,
                                       Resource1ListHandler callback, void *userdata);
int resource1_getrusage_async(Resource1 *h, Resource1Slot **ret_slot, pid_t pid, int who, size_t size,
                              Resource1UsageHandler callback, void *userdata);
int resource1_getrusage_pidfd_async(Resource1 *h, Resource1Slot **ret_slot, int pidfd, int who, size_t size,
                                    Resource1UsageHandler callback, void *userdata);
int resource1_getpagesize_async(Resource1 *h, Resource1Slot **ret_slot, Resource1Uint64Handler callback,
                                void *userdata);
int resource1_get_can_raise_hard_limits_async(Resource1 *h, Resource1Slot **ret_slot, Resource1BoolHandler callback,
                                              void *userdata);
int resource1_get_version_async(Resource1 *h, Resource1Slot **ret_slot, Resource1StringHandler callback,
                                void *userdata);
int resource1_get_resources_async(Resource1 *h, Resource1Slot **ret_slot, Resource1StrvHandler callback,
                                  void *userdata);

/* RlimitChanged: called for each limit the service changes, by anyone's call
 * (a limit set to what it was is no change, and is not reported; while /proc
 * is mounted hidepid=, the service sends each only to the connection that
 * made the change, so a subscriber, root too, then sees its own): old_limit
 * is what the change replaced, new_limit what it set. pid is numbered in the
 * service's pid namespace; resource is the RLIMIT_* number of name, -1 for a
 * name this library does not know. The subscription is in place once any
 * call made after it has been answered; it lasts until resource1_slot_free()
 * (or resource1_free() when ret_slot is NULL) and is renewed when the handle
 * reconnects. */
typedef void (*Resource1RlimitChangedHandler)(Resource1 *h, pid_t pid, int resource, const char *name,
                                              const Resource1Limit *old_limit, const Resource1Limit *new_limit,
                                              uid_t caller_uid, void *userdata);
int resource1_subscribe_rlimit_changed(Resource1 *h, Resource1Slot **ret_slot, Resource1RlimitChangedHandler callback,
                                       void *userdata);

/* Cancels the call (its callback is not called) or ends the subscription, and
 * frees the slot. A slot may be freed in its own callback. Returns NULL. */
Resource1Slot *resource1_slot_free(Resource1Slot *slot);

/* ---- event loops ----
 *
 * sd-event: resource1_attach_event() (event NULL: the thread's default loop);
 * the handle's connection, and any it makes later, is driven by that loop.
 * Any other loop: poll resource1_get_fd() for resource1_get_events() (poll(2)
 * bits) until the absolute CLOCK_MONOTONIC time resource1_get_timeout() gives
 * (UINT64_MAX: none), then call resource1_process(). Ask for all three
 * before each poll: they change, and the fd is another one after the handle
 * reconnected. resource1_get_fd() connects the handle if it is not yet. */
int resource1_attach_event(Resource1 *h, sd_event *event, int priority);
int resource1_detach_event(Resource1 *h);
int resource1_get_fd(Resource1 *h);
int resource1_get_events(Resource1 *h);
int resource1_get_timeout(Resource1 *h, uint64_t *ret_usec);
/* Does all the work that is ready (reading, writing, timeouts, callbacks),
 * without waiting. Returns 0, or a negative errno. */
int resource1_process(Resource1 *h);

/* ---- struct rlimit and struct rusage, in the program's own build ---- */

static inline Resource1Limit resource1_limit_from_rlimit(const struct rlimit *l) {
        Resource1Limit r = {
                l->rlim_cur == RLIM_INFINITY ? RESOURCE1_INFINITY : (uint64_t) l->rlim_cur,
                l->rlim_max == RLIM_INFINITY ? RESOURCE1_INFINITY : (uint64_t) l->rlim_max,
        };
        return r;
}

/* -ERANGE when a finite value does not fit this build's rlim_t (32-bit
 * without _FILE_OFFSET_BITS=64); ret is then untouched. */
static inline int resource1_limit_to_rlimit(const Resource1Limit *l, struct rlimit *ret) {
        rlim_t cur = (rlim_t) l->soft, max = (rlim_t) l->hard;
        if (l->soft == RESOURCE1_INFINITY)
                cur = RLIM_INFINITY;
        else if ((uint64_t) cur != l->soft || cur == RLIM_INFINITY)
                return -ERANGE;
        if (l->hard == RESOURCE1_INFINITY)
                max = RLIM_INFINITY;
        else if ((uint64_t) max != l->hard || max == RLIM_INFINITY)
                return -ERANGE;
        ret->rlim_cur = cur;
        ret->rlim_max = max;
        return 0;
}

static inline struct timeval resource1_timeval_from_seconds(double s) {
        struct timeval tv;
        tv.tv_sec = (time_t) s;
        tv.tv_usec = (suseconds_t) ((s - (double) tv.tv_sec) * 1e6 + 0.5);
        if (tv.tv_usec >= 1000000) {
                tv.tv_sec++;
                tv.tv_usec -= 1000000;
        }
        return tv;
}

/* Counters beyond this build's long saturate. */
static inline long resource1_long_from_int64(int64_t v) {
        return v > (int64_t) LONG_MAX ? LONG_MAX : v < (int64_t) LONG_MIN ? LONG_MIN : (long) v;
}

static inline void resource1_usage_to_rusage(const Resource1Usage *u, struct rusage *ret) {
        struct rusage r;
        memset(&r, 0, sizeof r);
        r.ru_utime = resource1_timeval_from_seconds(u->ru_utime);
        r.ru_stime = resource1_timeval_from_seconds(u->ru_stime);
        r.ru_maxrss = resource1_long_from_int64(u->ru_maxrss);
        r.ru_ixrss = resource1_long_from_int64(u->ru_ixrss);
        r.ru_idrss = resource1_long_from_int64(u->ru_idrss);
        r.ru_isrss = resource1_long_from_int64(u->ru_isrss);
        r.ru_minflt = resource1_long_from_int64(u->ru_minflt);
        r.ru_majflt = resource1_long_from_int64(u->ru_majflt);
        r.ru_nswap = resource1_long_from_int64(u->ru_nswap);
        r.ru_inblock = resource1_long_from_int64(u->ru_inblock);
        r.ru_oublock = resource1_long_from_int64(u->ru_oublock);
        r.ru_msgsnd = resource1_long_from_int64(u->ru_msgsnd);
        r.ru_msgrcv = resource1_long_from_int64(u->ru_msgrcv);
        r.ru_nsignals = resource1_long_from_int64(u->ru_nsignals);
        r.ru_nvcsw = resource1_long_from_int64(u->ru_nvcsw);
        r.ru_nivcsw = resource1_long_from_int64(u->ru_nivcsw);
        *ret = r;
}

#ifdef __cplusplus
}
#endif
