/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process that opened a caller's connection, held (caller-pin.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "appear.h"
#include "caller-pin.h"
#include "log.h"
#include "procfs.h"
#include "proc-parse.h"
#include "target.h"
#include "util.h"
#include "work.h"

/* ---- connections appearing ---------------------------------------------- */

static uint64_t boottime_usec(void) {
        struct timespec ts;
        if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
                return 0;
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* NameOwnerChanged(name, "", name): a connection said Hello and has its
 * unique name; (name, name, ""): it went away. Only the bus itself can send
 * as org.freedesktop.DBus; a match rule does not keep out signals sent
 * straight to the daemon, so the sender is checked here (a forged appearance
 * could make a connection look older than it is, whose replacement would
 * then pass as its process; a forged departure, a live one unseen). */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Context *c = userdata;
        const char *name, *old_owner, *new_owner, *sender = sd_bus_message_get_sender(m);
        uint64_t major, minor;
        (void) error;

        if (!sender || strcmp(sender, "org.freedesktop.DBus") != 0)
                return 0;
        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 ||
            appear_parse_name(name, &major, &minor) < 0)
                return 0;
        if (old_owner[0] == '\0' && strcmp(name, new_owner) == 0)
                /* Seen now, which is no earlier than the Hello: the signal
                 * was queued to the daemon then, and before any call of
                 * that connection. */
                appear_log_add(&c->appear, major, minor, boottime_usec(), appear_log_read_last_pid(&c->appear));
        else if (new_owner[0] == '\0' && strcmp(name, old_owner) == 0)
                appear_log_gone(&c->appear, major, minor);
        return 0;
}

int caller_pin_attach(Context *c, void (*pinned)(Context *c, const char *sender)) {
        c->pinned = pinned;
        int r = appear_log_init(&c->appear);
        if (r < 0)
                return r;
        if (c->appear.last_pid_fd < 0)
                log_warning("Cannot read /proc/sys/kernel/ns_last_pid: pid 0 will be refused to a caller whose "
                            "process started in the 10 ms its connection appeared in");
        /* Before the name is asked for: every connection that can find the
         * daemon by its name is seen. Synchronous, before the loop runs. */
#define NAME_OWNER_CHANGED "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus'," \
                           "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
        r = sd_bus_add_match(c->bus, &c->appear_slot, NAME_OWNER_CHANGED "arg1=''", on_name_owner_changed, c);
        if (r >= 0)
                /* Departures too: a run whose connections are all gone is
                 * what a full log drops first (appear.h). */
                r = sd_bus_add_match(c->bus, &c->appear_gone_slot, NAME_OWNER_CHANGED "arg2=''",
                                     on_name_owner_changed, c);
#undef NAME_OWNER_CHANGED
        if (r < 0)
                return r;
        /* Start times are read off the loop, as usage is: one worker per
         * account at a time (a read stuck behind a process's own execve()
         * holds one), as many queued per account as it may have changes
         * pending, and no more in all than connections may wait. */
        return work_pool_new(c->event, 8, c->max_pending_per_uid, 256, &c->pin_pool);
}

void caller_pin_done(Context *c) {
        c->pin_pool = work_pool_free(c->pin_pool);
        c->appear_slot = sd_bus_slot_unref(c->appear_slot);
        c->appear_gone_slot = sd_bus_slot_unref(c->appear_gone_slot);
        appear_log_done(&c->appear);
}

/* ---- pinning ------------------------------------------------------------- */

static void pin_held(CredsEntry *e, Target *t) {
        e->pin = PIN_HELD;
        e->pidfd = TAKE_FD(t->pidfd);
        e->procfd = TAKE_FD(t->procfd);
        target_done(t);
}

/* The bus's own pin: a pidfd it took when the process connected. It must be
 * one (checked in constant time), of the pid the bus reported, alive. */
static void pin_from_pidfd(CredsEntry *e, int fd) {
        Target t;

        int r = target_pin_pidfd(fd, false, &t);
        if (r >= 0 && t.pid != e->pid) {
                target_done(&t);
                r = -ESRCH;
        }
        if (r < 0) {
                log_debug("The bus's ProcessFD of %s (pid %d) holds no live process of that pid: %s", e->name,
                          (int) e->pid, strerror(-r));
                e->pin = PIN_GONE;
                return;
        }
        log_debug("pid 0 of %s: pid %d, pinned from the bus's ProcessFD", e->name, (int) e->pid);
        pin_held(e, &t);
}

typedef struct PinRead {
        Work work;
        Context *context;
        char sender[sizeof ((CredsEntry *) NULL)->name];
        Target target;           /* held by number since the pin started */
        AppearBound bound;
        unsigned long long start_ticks;
        int r;                   /* of reading the start time */
} PinRead;

/* On a worker: the read can wait as long as the process's execve() holds
 * its lock. */
static void pin_read_run(Work *w) {
        PinRead *p = (PinRead *) w;
        char buf[1024];

        p->r = proc_read_file(p->target.procfd, "stat", buf, sizeof buf);
        if (p->r >= 0)
                p->r = proc_parse_starttime(buf, &p->start_ticks);
}

static void pin_read_done(Work *w) {
        PinRead *p = (PinRead *) w;
        Context *c = p->context;
        CredsEntry *e = w->cancelled ? NULL : creds_cache_find(&c->creds, p->sender);

        /* The entry may have been replaced meanwhile (then its calls ask
         * again), or settled by another read. */
        if (e && e->pin == PIN_UNKNOWN && e->pid == p->target.pid) {
                long hz = sysconf(_SC_CLK_TCK);
                if (p->r >= 0 && target_check_alive(&p->target) >= 0 &&
                    appear_started_by(p->start_ticks, hz > 0 ? (uint64_t) hz : 0, p->target.pid,
                                      c->appear.pid_window, &p->bound))
                        pin_held(e, &p->target);
                else {
                        /* Started after its connection appeared: it took the
                         * number of the process that connected, which is gone. */
                        log_debug("pid %d of %s is not the process that opened the connection: %s", (int) e->pid,
                                  e->name, p->r < 0 ? strerror(-p->r) : "it started later, or has exited");
                        e->pin = PIN_GONE;
                }
        }
        if (!w->cancelled)
                c->pinned(c, p->sender);
        target_done(&p->target);
        free(p);
}

void caller_pin_processfd(CredsEntry *e, int processfd) {
        if (e->pin != PIN_UNKNOWN)
                return;
        if (processfd >= 0) {
                pin_from_pidfd(e, processfd);
                return;
        }
        /* A bus that sends ProcessFD takes the pidfd when the process
         * connects: without one, that process was gone before the bus
         * looked, and its number may name any process now. */
        log_debug("The bus has no ProcessFD of %s (pid %d): the process that opened the connection was gone "
                  "before the bus looked", e->name, (int) e->pid);
        e->pin = PIN_GONE;
}

int caller_pin_start(Context *c, CredsEntry *e, int processfd) {
        AppearBound bound;
        int r;

        if (e->pin != PIN_UNKNOWN)
                return 0;
        /* Where the bus pinned the process itself. (A connection that does
         * not negotiate descriptor passing never gets ProcessFD: then the
         * number, as below.) */
        if (processfd >= 0) {
                pin_from_pidfd(e, processfd);
                return 0;
        }
        if (appear_log_find(&c->appear, e->name, &bound) < 0) {
                e->pin = PIN_UNSEEN;
                return 0;
        }

        _cleanup_free_ PinRead *p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        *p = (PinRead) {
                .work = { .run = pin_read_run, .done = pin_read_done },
                .context = c,
                .target = TARGET_NULL,
                .bound = bound,
        };
        snprintf(p->sender, sizeof p->sender, "%s", e->name);
        r = target_pin_pid(e->pid, false, &p->target);
        if (r == -ESRCH) {
                e->pin = PIN_GONE;
                return 0;
        }
        if (r < 0)
                return r;
        if (e->account == UID_INVALID)
                e->account = account_of(e->uid, e->pid);
        p->work.uid = e->account;
        r = work_submit(c->pin_pool, &p->work);
        if (r < 0) {
                target_done(&p->target);
                return r;
        }
        TAKE_PTR(p);   /* the pool's until done */
        return 1;
}
