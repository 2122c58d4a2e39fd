/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bus's word on a new connection, asked asynchronously.
 *
 * Every call names its caller by the bus's unique name; who that is (uid,
 * pid) only the bus daemon can say, with GetConnectionCredentials. Asked
 * synchronously, on the loop, that call waits as long as the bus takes to
 * answer, and a bus whose queue to the daemon is full (any caller can fill
 * it) drops the answer: the loop would wait out the call's timeout. So a
 * filter, ahead of the handlers, holds back the calls of a connection the
 * credentials cache does not know, asks the bus asynchronously, and puts
 * the calls back in the read queue (sd_bus_enqueue_for_read) once the answer
 * is in the cache: the handlers find their caller there.
 *
 * A call that names the caller's own process (pid 0) or a pid number (whose
 * namespace is the caller's process's) also waits until that process is
 * pinned (caller-pin.h); later calls of the connection wait behind it, so
 * that its calls are still dispatched in the order they came.
 *
 * Where the bus offers callers' processes as pidfds (ProcessFD; a gate found
 * it so, c->bus_processfd), the credentials are asked of a gate, which
 * passes the bus's answer on with its ProcessFD (the daemon's own
 * connection takes no descriptors, and such a bus may send one anyway and
 * drop it: gates.h), and the pin is that pidfd, settled with the entry;
 * nothing falls back to the number there, which is what the delayed-Hello
 * attack relies on (caller-pin.h). A gate that cannot ask is asked again
 * (another one, once a successor serves) until PROCESSFD_DEADLINE_USEC; then
 * the calls are refused, those that need the caller's process NoSuchProcess
 * saying the service could not tell and to call again, and the connection's
 * next call asks anew. Elsewhere the pin is the process with the reported
 * number, which may take a worker's read. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>

#include "caller-pin.h"
#include "context.h"
#include "creds-prefetch.h"
#include "errors.h"
#include "gate-protocol.h"
#include "log.h"
#include "sandbox.h"
#include "util.h"
#include "work.h"

/* Bounds on what waits: a connection's calls, and connections. */
#define WAIT_CALLS_MAX 32u
#define WAITS_MAX 256u
/* How long a look at a caller's /.flatpak-info may take before the caller
 * counts as sandboxed (sandbox.h): a root the caller's side serves over FUSE
 * can make the read wait for ever. */
#define SANDBOX_LOOK_USEC (3ULL * 1000000)
/* How long calls wait for the caller's process to be pinned: its start time
 * is read within a few seconds even while it execve()s with many locks. */
#define PIN_DEADLINE_USEC (10ULL * 1000 * 1000)
/* On a bus that offers ProcessFD: how long calls wait for a gate's answer
 * with the bus's word on their caller, asking again after each failed ask
 * (no gate connected, between one's retirement and its successor's start,
 * or one that could not ask): two round trips, normally; well within the
 * clients' 25 s. */
#define PROCESSFD_DEADLINE_USEC (5ULL * 1000 * 1000)
#define PROCESSFD_ASK_USEC (2ULL * 1000 * 1000)
#define PROCESSFD_RETRY_USEC (200ULL * 1000)

typedef struct SandboxLook SandboxLook;

typedef struct CredsWait CredsWait;
struct CredsWait {
        Context *context;
        CredsWait *prev, *next;
        char *sender;
        sd_bus_slot *slot;           /* GetConnectionCredentials, while asked (of the bus, or of a gate) */
        SandboxLook *look;           /* after the bus answered: the caller's root looked at */
        bool pinning;                /* a worker reads that process's start time */
        sd_event_source *deadline;   /* of pinning, or of asking a gate */
        sd_event_source *gate_retry; /* a gate asked again soon */
        sd_bus_message *calls[WAIT_CALLS_MAX];
        unsigned n_calls;
};

struct SandboxLook {
        Work work;
        CredsWait *wait;             /* NULL once the deadline or the daemon's exit let it go */
        pid_t pid;
        uid_t uid;                   /* the caller's: the file is read as it could read it */
        int pidfd;                   /* the connection's process, pinned while it is looked at */
        SandboxKind kind;
        char app_id[SANDBOX_APP_ID_MAX];
        sd_event_source *deadline;
};

static void release_calls(CredsWait *w, int r, const char *why);

static CredsWait *wait_free(CredsWait *w) {
        if (!w)
                return NULL;
        Context *c = w->context;
        LIST_REMOVE(c->creds_waits, w);
        c->n_creds_waits--;
        if (w->look)
                w->look->wait = NULL;
        sd_bus_slot_unref(w->slot);
        sd_event_source_disable_unref(w->deadline);
        sd_event_source_disable_unref(w->gate_retry);
        for (unsigned i = 0; i < w->n_calls; i++)
                sd_bus_message_unref(w->calls[i]);
        free(w->sender);
        free(w);
        return NULL;
}

int creds_parse_reply(sd_bus_message *reply, uid_t *ret_uid, pid_t *ret_pid, gid_t **ret_groups,
                      int *ret_n_groups, int *ret_processfd) {
        _cleanup_free_ gid_t *groups = NULL;
        bool have_uid = false, have_pid = false;
        uint32_t uid = 0, pid = 0;
        int n_groups = -1, processfd = -1;
        const char *key;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read_basic(reply, 's', &key);
                if (r >= 0 && strcmp(key, "UnixUserID") == 0) {
                        r = sd_bus_message_read(reply, "v", "u", &uid);
                        have_uid = r >= 0;
                } else if (r >= 0 && strcmp(key, "ProcessID") == 0) {
                        r = sd_bus_message_read(reply, "v", "u", &pid);
                        have_pid = r >= 0;
                } else if (r >= 0 && strcmp(key, "ProcessFD") == 0) {
                        /* The bus's pidfd of the process that connected
                         * (newer buses; asked through a gate, whose
                         * connection negotiated descriptor passing: the
                         * daemon's does not, main.c). */
                        r = sd_bus_message_read(reply, "v", "h", &processfd);
                } else if (r >= 0 && strcmp(key, "UnixGroupIDs") == 0 && !groups) {
                        const void *gids;
                        size_t size = 0;
                        r = sd_bus_message_enter_container(reply, 'v', "au");
                        if (r >= 0)
                                r = sd_bus_message_read_array(reply, 'u', &gids, &size);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(reply);
                        /* The kernel passes at most NGROUPS_MAX (65536). */
                        if (r >= 0 && size / sizeof(uint32_t) <= 65536) {
                                n_groups = (int) (size / sizeof(uint32_t));
                                groups = malloc(size ?: 1);
                                if (!groups)
                                        return -ENOMEM;
                                memcpy(groups, gids, size);
                        }
                } else if (r >= 0)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return r;
        if (!have_uid || !have_pid || pid == 0)
                return -ENODATA;
        *ret_uid = (uid_t) uid;
        *ret_pid = (pid_t) pid;
        *ret_n_groups = groups ? n_groups : -1;
        *ret_groups = TAKE_PTR(groups);
        *ret_processfd = processfd;
        return 0;
}

/* The calls back in the read queue, their caller now cached (or, if many
 * others pushed it out meanwhile, asked again); or answered with the error
 * when the bus did not say. Frees w. */
static void release_calls(CredsWait *w, int r, const char *why) {
        for (unsigned i = 0; i < w->n_calls; i++) {
                int q = r >= 0 ? sd_bus_enqueue_for_read(sd_bus_message_get_bus(w->calls[i]), w->calls[i]) : r;
                if (q < 0)
                        (void) sd_bus_reply_method_errorf(w->calls[i], RESOURCE1_ERROR_FAILED,
                                                          "the bus did not tell who the caller is: %s",
                                                          why ?: strerror(-q));
        }
        wait_free(w);
}

/* Released once nothing is awaited any more: the bus's word, the look at the
 * caller's root, the pin. */
static void wait_maybe_release(CredsWait *w) {
        if (!w->slot && !w->look && !w->pinning)
                release_calls(w, 0, NULL);
}

static void look_store(CredsWait *w, SandboxKind kind, const char *app_id) {
        CredsEntry *e = creds_cache_find(&w->context->creds, w->sender);
        if (!e)
                return;
        free(e->app_id);
        e->app_id = kind == SANDBOX_FLATPAK ? strdup(app_id) : NULL;
        e->sandbox = kind == SANDBOX_FLATPAK && !e->app_id ? SANDBOX_UNSURE : kind;
}

/* On a worker: the only part that touches the caller's root. */
static void look_run(Work *work) {
        SandboxLook *l = (SandboxLook *) work;
        l->kind = sandbox_read_flatpak_info(l->pid, l->uid, l->app_id);
        /* Read through the number: the pinned process must still be the one. */
        if (l->pidfd >= 0 && pidfd_send_signal(l->pidfd, 0, NULL, 0) < 0 && errno == ESRCH)
                l->kind = SANDBOX_UNSURE;
}

static void look_free(SandboxLook *l) {
        if (l->wait)
                l->wait->look = NULL;
        sd_event_source_disable_unref(l->deadline);
        safe_close(l->pidfd);
        free(l);
}

static void look_done(Work *work) {
        SandboxLook *l = (SandboxLook *) work;
        CredsWait *w = l->wait;
        if (w) {
                look_store(w, work->cancelled ? SANDBOX_UNSURE : l->kind, l->app_id);
                if (l->kind == SANDBOX_FLATPAK)
                        log_debug("%s is Flatpak app %s, behind its bus proxy (pid %d)", w->sender, l->app_id,
                                  (int) l->pid);
                w->look = NULL;
                l->wait = NULL;
                wait_maybe_release(w);
        }
        look_free(l);
}

static int on_look_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        SandboxLook *l = userdata;
        CredsWait *w = l->wait;
        (void) s, (void) usec;
        l->deadline = sd_event_source_disable_unref(l->deadline);
        if (w) {
                log_warning("The root of %s's process (pid %d) took over %llu s to show whether it is a sandbox; "
                            "counting it as one", w->sender, (int) l->pid,
                            (unsigned long long) (SANDBOX_LOOK_USEC / 1000000));
                look_store(w, SANDBOX_UNSURE, NULL);
                w->look = NULL;
                l->wait = NULL;
                wait_maybe_release(w);
        }
        /* The worker still has it: freed when it is done. */
        return 0;
}

/* 1 when w's calls now wait for a look at the caller's root, 0 when the
 * entry's kind is known already. */
static int look_start(CredsWait *w, CredsEntry *e) {
        Context *c = w->context;
        int need = sandbox_needs_look(e->pid);
        if (need <= 0) {
                e->sandbox = need == 0 ? SANDBOX_NONE : SANDBOX_UNSURE;
                return 0;
        }

        SandboxLook *l = calloc(1, sizeof *l);
        if (!l) {
                e->sandbox = SANDBOX_UNSURE;
                return 0;
        }
        *l = (SandboxLook) { .work = { .uid = e->uid, .run = look_run, .done = look_done },
                             .wait = w, .pid = e->pid, .uid = e->uid, .kind = SANDBOX_UNSURE };
        /* Without pidfd_open(2) (valgrind) the number is read unpinned. */
        l->pidfd = pidfd_open(e->pid, 0);
        int r = l->pidfd < 0 && errno != ENOSYS ? -errno : 0;
        if (r >= 0)
                r = sd_event_add_time_relative(c->event, &l->deadline, CLOCK_MONOTONIC, SANDBOX_LOOK_USEC, 0,
                                               on_look_deadline, l);
        if (r >= 0)
                r = work_submit(c->usage_pool, &l->work);
        if (r < 0) {
                /* Gone, or too much waits for this uid: the safe answer. */
                l->wait = NULL;
                look_free(l);
                e->sandbox = SANDBOX_UNSURE;
                return 0;
        }
        w->look = l;
        return 1;
}

static int on_pin_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        CredsWait *w = userdata;
        (void) s, (void) usec;

        for (unsigned i = 0; i < w->n_calls; i++)
                (void) sd_bus_reply_method_errorf(w->calls[i], RESOURCE1_ERROR_FAILED,
                                                  "the process that opened the caller's connection could not be "
                                                  "read within %llu s (it keeps its /proc files busy)",
                                                  PIN_DEADLINE_USEC / 1000000);
        wait_free(w);
        return 0;
}

static bool needs_pin(sd_bus_message *m);
static void creds_ask(CredsWait *w, bool later);
static int on_creds(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error);

/* The bus's word on w's caller, asked of the bus or a gate (context.h). */
static int ask_credentials(CredsWait *w, uint64_t timeout_usec) {
        Context *c = w->context;
        if (c->ask_credentials)
                return c->ask_credentials(c, w->sender, timeout_usec, on_creds, w, &w->slot);
        return sd_bus_call_method_async(c->bus, &w->slot, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "GetConnectionCredentials", on_creds, w, "s",
                                        w->sender);
}

/* No gate told the credentials in time (a bus that offers ProcessFD is
 * asked through one only): nothing can be answered. A call that needs the
 * caller's process is refused NoSuchProcess, as one whose connection the
 * service cannot vouch for (libresource1 then calls once more on a new
 * connection), never answered by the number; the others Failed. */
static int on_gate_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        CredsWait *w = userdata;
        (void) s, (void) usec;

        /* (A gate that stops answering is replaced, and logged, by gates.c;
         * this line a caller can make often, so it says no more.) */
        log_debug("No descriptor gate told %s's credentials within %llu s", w->sender,
                  PROCESSFD_DEADLINE_USEC / 1000000);
        for (unsigned i = 0; i < w->n_calls; i++)
                if (needs_pin(w->calls[i]))
                        (void) sd_bus_reply_method_errorf(
                                w->calls[i], RESOURCE1_ERROR_NO_SUCH_PROCESS,
                                "the service could not tell which process opened this bus connection (pid 0 "
                                "names it, and pid numbers are of its pid namespace): the bus holds it as a "
                                "pidfd, which the service asks for through its descriptor gate, and none "
                                "answered within %llu s; it never goes by the number instead, which may name "
                                "another process now. Call again", PROCESSFD_DEADLINE_USEC / 1000000);
                else
                        (void) sd_bus_reply_method_errorf(
                                w->calls[i], RESOURCE1_ERROR_FAILED,
                                "the bus did not tell who the caller is: the service asks it through its "
                                "descriptor gate, and none answered within %llu s; call again",
                                PROCESSFD_DEADLINE_USEC / 1000000);
        wait_free(w);
        return 0;
}

static int on_gate_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        (void) s, (void) usec;
        creds_ask(userdata, false);
        return 0;
}

/* Pins e's process for w's calls: 0 settled, 1 pinning (w waits, with a
 * deadline), negative errno. */
static int wait_pin(CredsWait *w, CredsEntry *e) {
        /* Where the bus offers ProcessFD every entry is pinned when it is
         * made (on_creds()); one that was not is never told by its number. */
        if (w->context->bus_processfd) {
                if (e->pin == PIN_UNKNOWN)
                        e->pin = PIN_UNSEEN;
                return 0;
        }
        int r = caller_pin_start(w->context, e, -1);
        if (r <= 0)
                return r;
        w->pinning = true;
        /* Without a deadline the calls still get their answer when the read
         * is done. */
        (void) sd_event_add_time_relative(w->context->event, &w->deadline, CLOCK_MONOTONIC, PIN_DEADLINE_USEC,
                                          0, on_pin_deadline, w);
        return 1;
}

static CredsWait *wait_find(Context *c, const char *sender);

void creds_prefetch_pinned(Context *c, const char *sender) {
        CredsWait *w = wait_find(c, sender);
        if (w && w->pinning) {
                w->pinning = false;
                w->deadline = sd_event_source_disable_unref(w->deadline);
                wait_maybe_release(w);
        }
}

/* What a gate says when it could not ask, or sd-bus when it did not answer:
 * asked again. The bus's own errors are its answer. */
static bool gate_failed(sd_bus_message *reply) {
        return sd_bus_message_is_method_error(reply, GATE_ERROR_CANNOT_ASK) ||
               sd_bus_message_is_method_error(reply, SD_BUS_ERROR_NO_REPLY) ||
               sd_bus_message_is_method_error(reply, SD_BUS_ERROR_TIMEOUT) ||
               sd_bus_message_is_method_error(reply, SD_BUS_ERROR_DISCONNECTED);
}

static int on_creds(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        CredsWait *w = userdata;
        Context *c = w->context;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        uid_t uid = UID_INVALID;
        pid_t pid = 0;
        gid_t *groups = NULL;
        int n_groups = -1, processfd = -1;
        (void) ret_error;

        w->slot = sd_bus_slot_unref(w->slot);
        if (c->bus_processfd && gate_failed(reply)) {
                log_debug("A descriptor gate did not tell %s's credentials: %s", w->sender,
                          e->message ?: e->name);
                creds_ask(w, true);
                return 0;
        }
        w->gate_retry = sd_event_source_disable_unref(w->gate_retry);
        w->deadline = sd_event_source_disable_unref(w->deadline);
        int r = e ? -sd_bus_error_get_errno(e) :
                creds_parse_reply(reply, &uid, &pid, &groups, &n_groups, &processfd);
        if (r < 0) {
                release_calls(w, r, e ? e->message : NULL);
                return 0;
        }
        CredsEntry scratch = {};
        CredsEntry *entry = creds_cache_add(&c->creds, w->sender, uid, pid, groups, n_groups, &scratch);
        if (entry == &scratch) {
                creds_entry_clear(&scratch);
                release_calls(w, 0, NULL);
                return 0;
        }
        /* The bus's own pin, while the reply holds it: checked in constant
         * time; none from a bus that offers ProcessFD means the process is
         * gone. Elsewhere, the calls that need the process wait for it to be
         * pinned by its number when they pass the filter again. */
        if (c->bus_processfd)
                caller_pin_processfd(entry, processfd);
        if (look_start(w, entry) > 0)
                return 0;
        wait_maybe_release(w);
        return 0;
}

/* On a bus that offers ProcessFD, the bus's word on w's caller asked of a
 * gate (gates.h): now, or a little later when none is connected or the last
 * ask failed, until the deadline; an ask unanswered after PROCESSFD_ASK_USEC
 * (its gate dropped, which answers nothing) is made again. */
static void creds_ask(CredsWait *w, bool later) {
        Context *c = w->context;

        w->slot = sd_bus_slot_unref(w->slot);
        int r = later ? -EAGAIN : ask_credentials(w, PROCESSFD_ASK_USEC);
        uint64_t next = r >= 0 ? PROCESSFD_ASK_USEC : PROCESSFD_RETRY_USEC;
        r = w->gate_retry ? sd_event_source_set_time_relative(w->gate_retry, next) :
                sd_event_add_time_relative(c->event, &w->gate_retry, CLOCK_MONOTONIC, next, 0, on_gate_retry, w);
        if (r >= 0)
                r = sd_event_source_set_enabled(w->gate_retry, SD_EVENT_ONESHOT);
        if (r < 0)
                log_debug("Cannot ask a descriptor gate for %s's credentials again: %s", w->sender, strerror(-r));
}

/* The bus's word on a new caller: 1 (w waits), or a negative errno. */
static int creds_start(CredsWait *w) {
        Context *c = w->context;
        if (!c->bus_processfd) {
                int r = ask_credentials(w, 0);
                return r < 0 ? r : 1;
        }
        int r = sd_event_add_time_relative(c->event, &w->deadline, CLOCK_MONOTONIC, PROCESSFD_DEADLINE_USEC, 0,
                                           on_gate_deadline, w);
        if (r < 0)
                return r;
        creds_ask(w, false);
        return 1;
}

static CredsWait *wait_find(Context *c, const char *sender) {
        for (CredsWait *w = c->creds_waits; w; w = w->next)
                if (strcmp(w->sender, sender) == 0)
                        return w;
        return NULL;
}

/* Whether the call names the caller's process (pid 0) or may name a pid
 * number: the methods without a pidfd, which is the first argument of
 * those that take one (PageSize, about no process, is let through before).
 * Told by the signature rather than a list of names, so that a method added
 * to the interface cannot be missed here. */
static bool needs_pin(sd_bus_message *m) {
        const char *signature = sd_bus_message_get_signature(m, true);
        return !signature || signature[0] != SD_BUS_TYPE_UNIX_FD;
}

/* Returns 1 when the call waits (or was answered), 0 to let it through. */
static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        uint8_t type = 0;
        int r;
        (void) error;

        if (sd_bus_message_get_type(m, &type) < 0 || type != SD_BUS_MESSAGE_METHOD_CALL)
                return 0;
        /* Only the interface's methods ask who calls (not Peer, Introspectable,
         * Properties), and PageSize does not. */
        const char *interface = sd_bus_message_get_interface(m), *sender = sd_bus_message_get_sender(m);
        if (!interface || strcmp(interface, RESOURCE1_INTERFACE) != 0 || !sender ||
            sd_bus_message_is_method_call(m, RESOURCE1_INTERFACE, "PageSize"))
                return 0;
        bool pin = needs_pin(m);
        CredsEntry *e = creds_cache_find(&c->creds, sender);
        CredsWait *w = wait_find(c, sender);
        /* (Behind a sandbox's bus proxy, pid numbers are refused whatever
         * the proxy's process: nothing to pin.) */
        if (!w && e && (!pin || e->pin != PIN_UNKNOWN || e->sandbox > 0))
                return 0;

        if (w && w->n_calls >= WAIT_CALLS_MAX)
                goto busy;
        if (!w) {
                if (c->n_creds_waits >= WAITS_MAX)
                        goto busy;
                w = calloc(1, sizeof *w);
                if (!w)
                        goto busy;
                w->context = c;
                w->sender = strdup(sender);
                LIST_PREPEND(c->creds_waits, w);
                c->n_creds_waits++;
                if (!w->sender)
                        r = -ENOMEM;
                else if (e)
                        r = wait_pin(w, e);
                else
                        r = creds_start(w);
                if (r == 0 && e) {
                        wait_free(w);   /* settled at once */
                        return 0;
                }
                if (r < 0) {
                        wait_free(w);
                        goto busy;
                }
        }
        w->calls[w->n_calls++] = sd_bus_message_ref(m);
        return 1;

busy:
        (void) sd_bus_reply_method_errorf(m, RESOURCE1_ERROR_LIMITS_EXCEEDED,
                                          "too many calls wait for the bus to say who their callers are; "
                                          "try again");
        return 1;
}

int creds_prefetch_attach(Context *c, sd_bus *bus, sd_bus_slot **ret_slot) {
        return sd_bus_add_filter(bus, ret_slot, on_call, c);
}

void creds_prefetch_done(Context *c) {
        while (c->creds_waits) {
                CredsWait *w = c->creds_waits;
                for (unsigned i = 0; i < w->n_calls; i++)
                        (void) sd_bus_reply_method_errorf(w->calls[i], RESOURCE1_ERROR_FAILED,
                                                          "the call was not carried out: the service is exiting");
                wait_free(w);
        }
        c->creds_filter_slot = sd_bus_slot_unref(c->creds_filter_slot);
}
