/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parts of the daemon, without a bus (sd-event only): the worker pool's
 * fairness and bounds, the rate of changes per account and in all, the
 * refusal log's bursts, the credentials cache, and a batch put back after the kernel refuses one
 * of its limits, by the daemon itself and by the acting process, and the acting
 * process's power (the caller's only, even in a user namespace root made). Needs root
 * (the acting process takes a caller's ids). */
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <syslog.h>
#include <sys/wait.h>
#include <unistd.h>

#include "act.h"
#include "caller.h"
#include "change-internal.h"
#include "context.h"
#include "resource1-bus.h"
#include "rate.h"
#include "refusals.h"
#include "rlimits.h"
#include "sandbox.h"
#include "target.h"
#include "util.h"
#include "work.h"

/* ---- the worker pool ------------------------------------------------------ */

typedef struct Item {
        Work work;
        pthread_mutex_t *gate;     /* held by the test: run blocks until released */
        int *done_count;
        bool ran, cancelled;
} Item;

static void item_run(Work *w) {
        Item *it = (Item *) w;
        if (it->gate) {
                pthread_mutex_lock(it->gate);
                pthread_mutex_unlock(it->gate);
        }
        it->ran = true;
}

static void item_done(Work *w) {
        Item *it = (Item *) w;
        it->cancelled = w->cancelled;
        (*it->done_count)++;
}

static void run_until(sd_event *e, int *count, int want) {
        for (int i = 0; i < 500 && *count < want; i++)
                g_assert_cmpint(sd_event_run(e, 10 * 1000), >=, 0);
        g_assert_cmpint(*count, ==, want);
}

/* A uid whose read hangs holds one worker; another uid's reads still run,
 * and the hung uid's next read waits behind its first, not on a worker. */
static void test_pool_one_uid_stuck_others_served(void) {
        sd_event *e = NULL;
        WorkPool *p = NULL;
        pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
        int done = 0;
        Item stuck = { .work = { .uid = 1, .run = item_run, .done = item_done }, .gate = &gate, .done_count = &done };
        Item behind = { .work = { .uid = 1, .run = item_run, .done = item_done }, .done_count = &done };
        Item other[3];

        g_assert_cmpint(sd_event_new(&e), >=, 0);
        g_assert_cmpint(work_pool_new(e, 4, 4, 16, &p), ==, 0);
        pthread_mutex_lock(&gate);
        g_assert_cmpint(work_submit(p, &stuck.work), ==, 0);
        g_assert_cmpint(work_submit(p, &behind.work), ==, 0);
        for (unsigned i = 0; i < 3; i++) {
                other[i] = (Item) { .work = { .uid = 2, .run = item_run, .done = item_done }, .done_count = &done };
                g_assert_cmpint(work_submit(p, &other[i].work), ==, 0);
        }
        run_until(e, &done, 3);
        for (unsigned i = 0; i < 3; i++)
                g_assert_true(other[i].ran);
        g_assert_false(behind.ran);

        pthread_mutex_unlock(&gate);
        run_until(e, &done, 5);
        g_assert_true(stuck.ran && behind.ran);
        work_pool_free(p);
        sd_event_unref(e);
}

/* Bounds per uid and in all; what never ran is done with "cancelled" when
 * the pool is freed. */
static void test_pool_bounds_and_cancel(void) {
        sd_event *e = NULL;
        WorkPool *p = NULL;
        pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
        int done = 0;
        Item items[6];

        g_assert_cmpint(sd_event_new(&e), >=, 0);
        g_assert_cmpint(work_pool_new(e, 1, 2, 3, &p), ==, 0);
        pthread_mutex_lock(&gate);
        for (unsigned i = 0; i < 6; i++)
                items[i] = (Item) { .work = { .uid = i < 3 ? 7 : 8, .run = item_run, .done = item_done },
                                    .gate = &gate, .done_count = &done };
        g_assert_cmpint(work_submit(p, &items[0].work), ==, 0);
        g_assert_cmpint(work_submit(p, &items[1].work), ==, 0);
        g_assert_cmpint(work_submit(p, &items[2].work), ==, -EAGAIN);   /* uid 7's two */
        g_assert_cmpint(work_submit(p, &items[3].work), ==, 0);
        g_assert_cmpint(work_submit(p, &items[4].work), ==, -EAGAIN);   /* three in all */
        pthread_mutex_unlock(&gate);
        work_pool_free(p);
        g_assert_cmpint(done, ==, 3);
        unsigned cancelled = items[0].cancelled + items[1].cancelled + items[3].cancelled;
        unsigned ran = items[0].ran + items[1].ran + items[3].ran;
        g_assert_cmpuint(cancelled + ran, ==, 3);
        sd_event_unref(e);
}

/* ---- the rate of changes -------------------------------------------------- */

#define SEC 1000000ULL

static void test_rate_burst_then_per_second(void) {
        ChangeRate rate = {};
        uint64_t wait;
        bool global;
        uint64_t t0 = 1000 * SEC;

        g_assert_cmpint(sd_event_default(&rate.event), >=, 0);
        for (unsigned i = 0; i < ACCOUNT_RATE_BURST; i++)
                g_assert_cmpint(change_rate_take(&rate, 65534, 1, t0, &wait, &global), ==, 0);
        g_assert_cmpint(change_rate_take(&rate, 65534, 1, t0, &wait, &global), ==, -EAGAIN);
        g_assert_false(global);
        g_assert_cmpuint(wait, >, 0);
        g_assert_cmpuint(wait, <=, SEC / ACCOUNT_RATE_PER_SEC);
        /* Another account is not held back, nor is root. */
        g_assert_cmpint(change_rate_take(&rate, 1, 1, t0, &wait, &global), ==, 0);
        for (unsigned i = 0; i < 10000; i++)
                g_assert_cmpint(change_rate_take(&rate, 0, 16, t0, &wait, &global), ==, 0);
        /* One second later: ACCOUNT_RATE_PER_SEC more, no more. */
        for (unsigned i = 0; i < ACCOUNT_RATE_PER_SEC; i++)
                g_assert_cmpint(change_rate_take(&rate, 65534, 1, t0 + SEC, &wait, &global), ==, 0);
        g_assert_cmpint(change_rate_take(&rate, 65534, 1, t0 + SEC, &wait, &global), ==, -EAGAIN);
        /* A batch costs a line per limit. */
        g_assert_cmpint(change_rate_take(&rate, 2, ACCOUNT_RATE_BURST + 1, t0, &wait, &global), ==, -EAGAIN);
        change_rate_done(&rate);
        rate.event = sd_event_unref(rate.event);
}

/* Many accounts together cannot pass the global bound. */
static void test_rate_global(void) {
        ChangeRate rate = {};
        uint64_t wait, t0 = 5000 * SEC;
        bool global = false;
        unsigned granted = 0;

        g_assert_cmpint(sd_event_default(&rate.event), >=, 0);
        for (uid_t a = 100; a < 100 + 60; a++)
                for (unsigned i = 0; i < ACCOUNT_RATE_BURST; i++)
                        if (change_rate_take(&rate, a, 1, t0, &wait, &global) == 0)
                                granted++;
        g_assert_cmpuint(granted, ==, GLOBAL_RATE_BURST);
        g_assert_true(global);
        change_rate_done(&rate);
        rate.event = sd_event_unref(rate.event);
}

/* The per-account table both keep: an account keeps its slot; a new one
 * takes a free slot, then the one used longest ago, and says whose it was. */
static void test_account_slots(void) {
        static AccountSlots slots;
        bool fresh;
        uid_t evicted;

        for (uid_t a = 0; a < ACCOUNT_SLOTS; a++) {
                unsigned i = account_slot(&slots, 1000 + a, 10 + a, &fresh, &evicted);
                g_assert_true(fresh);
                g_assert_cmpuint(evicted, ==, UID_INVALID);
                g_assert_cmpuint(slots.account[i], ==, 1000 + a);
        }
        unsigned first = account_slot(&slots, 1000, 500, &fresh, &evicted);
        g_assert_false(fresh);
        g_assert_cmpuint(slots.account[first], ==, 1000);
        /* 1000 was used last: 1001 (used at 11) gives way. */
        unsigned i = account_slot(&slots, 5000, 600, &fresh, &evicted);
        g_assert_true(fresh);
        g_assert_cmpuint(evicted, ==, 1001);
        g_assert_cmpuint(i, !=, first);
        g_assert_false((account_slot(&slots, 5000, 700, &fresh, &evicted), fresh));
}

/* ---- the refusal log ------------------------------------------------------ */

static void test_refusal_bursts(void) {
        RefusalLog l = {};

        g_assert_cmpint(sd_event_default(&l.event), >=, 0);
        for (unsigned i = 0; i < 100; i++)
                log_refusal(&l, 65534, LOG_NOTICE, "refusal %u", i);
        g_assert_cmpuint(l.uids[0].logged, ==, REFUSALS_BURST);
        g_assert_cmpuint(l.uids[0].suppressed, ==, 100 - REFUSALS_BURST);
        /* Many uids: the global burst holds. */
        for (uid_t u = 1; u < 60; u++)
                for (unsigned i = 0; i < REFUSALS_BURST; i++)
                        log_refusal(&l, u, LOG_NOTICE, "refusal of %u", (unsigned) u);
        g_assert_cmpuint(l.global_logged, ==, REFUSALS_GLOBAL_BURST);
        g_assert_cmpuint(l.global_suppressed, >, 0);
        refusals_done(&l);
        l.event = sd_event_unref(l.event);
}

/* ---- the credentials cache ----------------------------------------------- */

/* What the bus said of a unique name is kept (the bus never reuses one),
 * the oldest replaced once the cache is full, a long name never cached, and
 * what decisions fill in later starts unknown. */
static void test_creds_cache(void) {
        static CredsCache cache;
        CredsEntry scratch, *e;
        char name[32];

        for (unsigned i = 0; i < CREDS_CACHE_SIZE + 6; i++) {
                snprintf(name, sizeof name, ":1.%u", i);
                e = creds_cache_add(&cache, name, 1000 + i, 100 + (pid_t) i, NULL, -1, &scratch);
                g_assert_true(e != &scratch);
                g_assert_cmpuint(e->gid, ==, GID_INVALID);
                g_assert_cmpuint(e->account, ==, UID_INVALID);
                g_assert_cmpint(e->other_pidns, ==, -1);
                g_assert_cmpint(e->n_groups, ==, -1);
                g_assert_null(e->groups);
        }
        /* The first six were replaced; the rest are found, with their own ids. */
        for (unsigned i = 0; i < 6; i++) {
                snprintf(name, sizeof name, ":1.%u", i);
                g_assert_null(creds_cache_find(&cache, name));
        }
        for (unsigned i = 6; i < CREDS_CACHE_SIZE + 6; i++) {
                snprintf(name, sizeof name, ":1.%u", i);
                e = creds_cache_find(&cache, name);
                g_assert_nonnull(e);
                g_assert_cmpuint(e->uid, ==, 1000 + i);
                g_assert_cmpint(e->pid, ==, 100 + (pid_t) i);
        }
        /* The last hit is tried first, and found again. */
        e = creds_cache_find(&cache, ":1.40");
        g_assert_true(creds_cache_find(&cache, ":1.40") == e);
        g_assert_true(&cache.entries[cache.last] == e);

        /* A name too long for the cache is answered from scratch, never cached. */
        const char *longname = ":1.123456789012345678901234567890";
        e = creds_cache_add(&cache, longname, 7, 8, NULL, -1, &scratch);
        g_assert_true(e == &scratch);
        g_assert_cmpuint(e->uid, ==, 7);
        g_assert_null(creds_cache_find(&cache, longname));
        /* ... and replaced nothing. */
        g_assert_nonnull(creds_cache_find(&cache, ":1.6"));

        /* The groups the bus sent are kept with the entry (and freed with it). */
        gid_t *groups = g_new(gid_t, 2);
        groups[0] = 27;
        groups[1] = 100;
        e = creds_cache_add(&cache, ":1.500", 1500, 1501, groups, 2, &scratch);
        g_assert_true(e != &scratch);
        e = creds_cache_find(&cache, ":1.500");
        g_assert_nonnull(e);
        g_assert_cmpint(e->n_groups, ==, 2);
        g_assert_cmpuint(e->groups[1], ==, 100);
        creds_cache_done(&cache);
        g_assert_null(creds_cache_find(&cache, ":1.500"));
}

/* ---- acting, and putting a batch back ------------------------------------- */

static pid_t child_with_limits(const struct rlimit *core, const struct rlimit *nofile, uid_t uid) {
        pid_t p = fork();
        g_assert_cmpint(p, >=, 0);
        if (p == 0) {
                if (setrlimit(RLIMIT_CORE, core) < 0 || setrlimit(RLIMIT_NOFILE, nofile) < 0)
                        _exit(1);
                if (uid != 0 && (setgid(uid) < 0 || setuid(uid) < 0))
                        _exit(1);
                pause();
                _exit(0);
        }
        usleep(100 * 1000);
        return p;
}

/* From /proc/PID/limits: root here may lack CAP_SYS_RESOURCE, which
 * prlimit(2) of another uid's process needs even to read. */
static void get_limit(pid_t p, int res, struct rlimit *ret) {
        struct rlimit all[RLIM_NLIMITS];
        g_assert_cmpint(limits_read_proc(p, all), ==, 0);
        *ret = all[res];
}

/* The daemon's own act on a held target: a batch whose last limit the
 * kernel refuses (here the refusal is a hard limit above the current
 * one without CAP_SYS_RESOURCE, or a soft above hard) is put back. */
static void test_privileged_batch_put_back(void) {
        pid_t p = child_with_limits(&(struct rlimit) { 0, 100 }, &(struct rlimit) { 64, 128 }, 0);
        Target t = TARGET_NULL;
        g_assert_cmpint(target_pin_pid(p, true, &t), ==, 0);

        ActRequest req = { .pid = p, .n = 2, .resources = { RLIMIT_CORE, RLIMIT_NOFILE },
                           .new = { { 10, 100 }, { 200, 100 } } };   /* the second: soft above hard */
        ActResult res;
        act_privileged_all(&t, &req, &res);
        g_assert_true(res.reported);
        g_assert_cmpint(res.r, ==, -EINVAL);
        g_assert_cmpuint(res.applied, ==, 1);
        g_assert_true(res.restored);
        struct rlimit now;
        get_limit(p, RLIMIT_CORE, &now);
        g_assert_cmpuint(now.rlim_cur, ==, 0);
        g_assert_cmpuint(now.rlim_max, ==, 100);

        /* Gone: nothing is done by its number any more. */
        kill(p, SIGKILL);
        waitpid(p, NULL, 0);
        struct rlimit old;
        g_assert_cmpint(target_prlimit(&t, RLIMIT_CORE, &(struct rlimit) { 1, 1 }, &old), ==, -ESRCH);
        target_done(&t);
}

static void on_acted(const ActResult *r, void *userdata) {
        *(ActResult *) userdata = *r;
}

/* The acting process, with a caller's ids: the same batch is put back by
 * the acting process itself, with the same ids. */
static void test_acting_batch_put_back(void) {
        pid_t p = child_with_limits(&(struct rlimit) { 0, 100 }, &(struct rlimit) { 64, 128 }, 65534);
        sd_event *e = NULL;
        Acting *a = NULL;
        ActResult res = { .applied = 99 };

        g_assert_cmpint(sd_event_new(&e), >=, 0);
        ActRequest req = { .pid = p, .n = 2, .resources = { RLIMIT_CORE, RLIMIT_NOFILE },
                           .new = { { 10, 100 }, { 64, 1000 } },   /* the second: a hard raise */
                           .uid = 65534, .gid = 65534 };
        g_assert_cmpint(act_as_caller(e, &req, 5 * SEC, on_acted, &res, &a), ==, 0);
        for (int i = 0; i < 500 && res.applied == 99; i++)
                g_assert_cmpint(sd_event_run(e, 10 * 1000), >=, 0);
        g_assert_true(res.reported);
        g_assert_cmpint(res.r, ==, -EPERM);
        g_assert_cmpuint(res.applied, ==, 1);
        g_assert_true(res.restored);
        struct rlimit now;
        get_limit(p, RLIMIT_CORE, &now);
        g_assert_cmpuint(now.rlim_cur, ==, 0);
        act_free(a);
        sd_event_unref(e);
        kill(p, SIGKILL);
        waitpid(p, NULL, 0);
}

/* A process as a container's: uid 0 of a user namespace root made, "outer"
 * outside (uid_map "0 outer 1"), with NOFILE 20000:20000. */
static pid_t child_in_root_userns(uid_t outer) {
        int up[2], down[2];
        g_assert_cmpint(pipe(up), ==, 0);
        g_assert_cmpint(pipe(down), ==, 0);
        pid_t p = fork();
        g_assert_cmpint(p, >=, 0);
        if (p == 0) {
                char c = 0;
                if (setrlimit(RLIMIT_NOFILE, &(struct rlimit) { 20000, 20000 }) < 0 || unshare(CLONE_NEWUSER) < 0)
                        _exit(1);
                if (write(up[1], "x", 1) != 1 || read(down[0], &c, 1) != 1 || setresgid(0, 0, 0) < 0 ||
                    setresuid(0, 0, 0) < 0 || write(up[1], "y", 1) != 1)
                        _exit(1);
                pause();
                _exit(0);
        }
        char c = 0, path[64], map[32];
        g_assert_cmpint(read(up[0], &c, 1), ==, 1);
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned) outer);
        static const char *const files[] = { "uid_map", "setgroups", "gid_map" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                snprintf(path, sizeof path, "/proc/%d/%s", (int) p, files[i]);
                const char *v = i == 1 ? "deny" : map;
                int fd = open(path, O_WRONLY | O_CLOEXEC);
                g_assert_cmpint(fd, >=, 0);
                g_assert_cmpint(write(fd, v, strlen(v)), ==, (ssize_t) strlen(v));
                close(fd);
        }
        g_assert_cmpint(write(down[1], "x", 1), ==, 1);
        g_assert_cmpint(read(up[0], &c, 1), ==, 1);
        g_assert_cmpint(c, ==, 'y');
        for (int i = 0; i < 2; i++)
                close(up[i]), close(down[i]);
        return p;
}

/* The acting process can do only what the caller can: not change a process
 * of another uid in a user namespace root made, whose owner (root) has every
 * capability in it. An acting process that kept euid 0 could. */
static void test_acting_process_has_the_callers_power_only(void) {
        pid_t p = child_in_root_userns(200000);
        struct rlimit before, after;
        get_limit(p, RLIMIT_NOFILE, &before);
        g_assert_cmpuint(before.rlim_max, ==, 20000);
        g_autofree char *status = NULL;
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) p);
        g_assert_true(g_file_get_contents(path, &status, NULL, NULL));
        g_assert_nonnull(strstr(status, "\nUid:\t200000\t200000\t200000\t200000\n"));

        sd_event *e = NULL;
        Acting *a = NULL;
        ActResult res = { .applied = 99 };
        g_assert_cmpint(sd_event_new(&e), >=, 0);
        ActRequest req = { .pid = p, .n = 1, .resources = { RLIMIT_NOFILE }, .new = { { 199, 199 } },
                           .uid = 65534, .gid = 65534 };
        g_assert_cmpint(act_as_caller(e, &req, 5 * SEC, on_acted, &res, &a), ==, 0);
        for (int i = 0; i < 500 && res.applied == 99; i++)
                g_assert_cmpint(sd_event_run(e, 10 * 1000), >=, 0);
        g_test_message("acting as uid 65534 on uid 200000 of a user namespace of root's: r=%d applied=%u%s (%s)",
                       res.r, res.applied, res.not_caller ? " not_caller" : "",
                       act_setup() ? "sharing the memory" : "a fork");
        get_limit(p, RLIMIT_NOFILE, &after);
        g_assert_true(res.reported);
        g_assert_false(res.not_caller);
        g_assert_cmpint(res.r, ==, -EPERM);
        g_assert_cmpuint(res.applied, ==, 0);
        g_assert_cmpuint(after.rlim_cur, ==, 20000);
        g_assert_cmpuint(after.rlim_max, ==, 20000);
        act_free(a);
        sd_event_unref(e);
        kill(p, SIGKILL);
        waitpid(p, NULL, 0);
}

/* The kernel's EPERM as the caller hears it: of the daemon's own act, for
 * want of CAP_SYS_RESOURCE, ServiceLacksCapability (what was asked was
 * allowed); of the acting process, which has the caller's ids, the caller's
 * own PermissionDenied. */
static void test_kernel_eperm_names(void) {
        Context c = { .refusals = {} };
        g_assert_cmpint(sd_event_default(&c.refusals.event), >=, 0);
        const Resource1Rlimit *nofile = NULL;
        g_assert_cmpint(resource1_rlimit_from_name("NOFILE", &nofile), ==, 0);
        Change ch = { .context = &c, .n = 1, .resources = { nofile }, .new = { { 400, 900 } },
                      .caller = { .uid = 1, .account = 1 }, .target = { .pid = 42 } };
        const bool cap = have_cap_sys_resource();

        sd_bus_error e = SD_BUS_ERROR_NULL;
        g_assert_cmpint(change_refuse_errno(&ch, &e, -EPERM, true, "", ""), <, 0);
        g_test_message("privileged: %s: %s", e.name, e.message);
        g_assert_cmpstr(e.name, ==, cap ? RESOURCE1_ERROR_PERMISSION_DENIED : RESOURCE1_ERROR_SERVICE_LACKS_CAPABILITY);
        g_assert_cmpstr(e.message, ==, cap ? "setting NOFILE of pid 42 to 400:900: the kernel refused "
                                             "(operation not permitted)" :
                                             "setting NOFILE of pid 42 to 400:900: the kernel refused "
                                             "(the service lacks CAP_SYS_RESOURCE)");
        sd_bus_error_free(&e);

        g_assert_cmpint(change_refuse_errno(&ch, &e, -EPERM, false, " NOFILE", "; nothing was set"), <, 0);
        g_test_message("as the caller: %s: %s", e.name, e.message);
        g_assert_cmpstr(e.name, ==, RESOURCE1_ERROR_PERMISSION_DENIED);
        g_assert_cmpstr(e.message, ==, "setting NOFILE of pid 42 to 400:900: the kernel refused NOFILE "
                                       "(operation not permitted to the caller); nothing was set");
        sd_bus_error_free(&e);
        if (cap)
                g_test_message("this process holds CAP_SYS_RESOURCE: ServiceLacksCapability not reachable here");
        refusals_done(&c.refusals);
        c.refusals.event = sd_event_unref(c.refusals.event);
}

/* /.flatpak-info as Flatpak writes it, and what a hostile one may hold. */
static void test_sandbox_app_id(void) {
        char id[SANDBOX_APP_ID_MAX];
        static const char good[] = "[Application]\nname=com.valvesoftware.Steam\nruntime=runtime/x\n\n"
                                   "[Instance]\ninstance-id=1\n";
        g_assert_cmpint(sandbox_parse_app_id(good, strlen(good), id), ==, 0);
        g_assert_cmpstr(id, ==, "com.valvesoftware.Steam");

        static const char crlf[] = "[Instance]\r\nname=not.this\r\n[Application]\r\nname=org.example.App\r\n";
        g_assert_cmpint(sandbox_parse_app_id(crlf, strlen(crlf), id), ==, 0);
        g_assert_cmpstr(id, ==, "org.example.App");

        static const char *const bad[] = {
                "[Instance]\nname=org.example.App\n",          /* not in [Application] */
                "[Application]\nname=noDot\n",
                "[Application]\nname=org.example.App;rm -rf\n",
                "[Application]\nname=.org.example\n",
                "[Application]\nname=\n",
                "",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                g_assert_cmpint(sandbox_parse_app_id(bad[i], strlen(bad[i]), id), ==, -EBADMSG);

        /* Not NUL-terminated where it ends: only size bytes are read. */
        g_assert_cmpint(sandbox_parse_app_id("[Application]\nname=org.example.AppXYZ", 34, id), ==, 0);
        g_assert_cmpstr(id, ==, "org.example.App");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        if (getuid() != 0) {
                g_test_skip("needs root: the acting process takes a caller's ids");
                return g_test_run();
        }
        /* Log lines of the parts under test go to stderr, not the TAP stream. */
        g_test_add_func("/sandbox/flatpak-info-app-id", test_sandbox_app_id);
        g_test_add_func("/pool/one-uid-stuck-others-served", test_pool_one_uid_stuck_others_served);
        g_test_add_func("/pool/bounds-and-cancel", test_pool_bounds_and_cancel);
        g_test_add_func("/rate/burst-then-per-second", test_rate_burst_then_per_second);
        g_test_add_func("/rate/global-bound-over-many-accounts", test_rate_global);
        g_test_add_func("/refusals/bursts-per-uid-and-in-all", test_refusal_bursts);
        g_test_add_func("/account-slots/lru", test_account_slots);
        g_test_add_func("/creds/cache-replaces-the-oldest-and-never-caches-long-names", test_creds_cache);
        g_test_add_func("/act/privileged-batch-put-back-and-nothing-by-number-once-gone",
                        test_privileged_batch_put_back);
        g_test_add_func("/act/acting-process-puts-its-batch-back", test_acting_batch_put_back);
        g_test_add_func("/act/acting-process-has-the-callers-power-only",
                        test_acting_process_has_the_callers_power_only);
        g_test_add_func("/change/kernel-eperm-of-the-service-or-of-the-caller", test_kernel_eperm_names);
        return g_test_run();
}
