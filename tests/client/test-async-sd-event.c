/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1's asynchronous calls on an sd-event loop, against the real
 * daemon on the fixture's bus (with-bus.sh, tests/rules/client-slow.rules), as the
 * user "daemon": every asynchronous call, one waiting about 2 s for polkit
 * while a 50 ms timer on the same loop keeps firing; cancelled calls never
 * answered; RlimitChanged from another client's change; a lost connection
 * (its socket shut down) with a call pending and with a subscription only.
 * Run as root: it starts a target process of the daemon's own user (whose
 * change needs polkit's manage-other for "daemon") and does the rest as
 * "daemon". TAP. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "resource1.h"

#define SLOW_SOFT 343          /* tests/rules/client-slow.rules answers it after about 2 s */
#define TICK_USEC (50 * 1000)
#define DAEMON_UID 1

static unsigned n_tests, n_failed;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...) {
        va_list ap;
        printf("%s %u - ", ok ? "ok" : "not ok", ++n_tests);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        fflush(stdout);
        n_failed += !ok;
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

typedef struct Change {
        pid_t pid;
        int resource;
        char name[16];
        Resource1Limit old_limit, limit;
        uid_t uid;
} Change;

typedef struct State {
        sd_event *event;
        Resource1 *h;
        pid_t target;                  /* the daemon's user's process */
        Resource1Limit target_nofile;
        unsigned ticks;

        unsigned fast_pending;
        uint64_t pagesize;
        char *version;
        unsigned n_resources;
        int can_raise;                 /* -1: not answered */
        Resource1Limit own_nofile, target_read;
        unsigned n_entries;
        bool entries_in_order;
        int64_t maxrss;
        int failed_r;
        char failed_name[128], failed_message[256];
        int errors;                    /* unexpected failures of fast calls */

        Resource1Slot *slow_slot;
        uint64_t slow_start;
        unsigned slow_start_ticks;
        bool slow_done, fast_done_before_slow;
        int slow_r;
        Resource1Limit slow_old;
        uint64_t slow_took;
        unsigned slow_ticks;

        unsigned cancelled_called;

        Change changes[64];
        unsigned n_changes;

        bool reconnect_done;
        int reconnect_r;
        unsigned resent_ok, resent_failed;
} State;

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        State *st = userdata;
        st->ticks++;
        sd_event_source_set_time(s, usec + TICK_USEC);
        return 0;
}

/* Runs the loop until done says so, at most max_ticks ticks more. */
static bool run_until(State *st, bool (*done)(State *), unsigned max_ticks) {
        unsigned until = st->ticks + max_ticks;
        while (!done(st) && st->ticks < until)
                if (sd_event_run(st->event, UINT64_MAX) < 0)
                        return false;
        return done(st);
}

static void fast_done(State *st, int r, const sd_bus_error *error) {
        if (r < 0) {
                fprintf(stderr, "# unexpected failure: %d %s: %s\n", r, error ? error->name : "", error ? error->message : "");
                st->errors++;
        }
        st->fast_pending--;
}

static void on_pagesize(Resource1 *h, int r, const sd_bus_error *error, uint64_t value, void *userdata) {
        State *st = userdata;
        st->pagesize = value;
        fast_done(st, r, error);
}

static void on_version(Resource1 *h, int r, const sd_bus_error *error, const char *value, void *userdata) {
        State *st = userdata;
        st->version = value ? strdup(value) : NULL;
        fast_done(st, r, error);
}

static void on_resources(Resource1 *h, int r, const sd_bus_error *error, char *const *value, void *userdata) {
        State *st = userdata;
        for (; value && value[st->n_resources]; st->n_resources++)
                if (strcmp(value[st->n_resources], resource1_resource_to_name((int) st->n_resources) ?: "") != 0)
                        st->errors++;
        fast_done(st, r, error);
}

static void on_can_raise(Resource1 *h, int r, const sd_bus_error *error, bool value, void *userdata) {
        State *st = userdata;
        st->can_raise = value;
        fast_done(st, r, error);
}

static void on_own_nofile(Resource1 *h, int r, const sd_bus_error *error, const Resource1Limit *limit, void *userdata) {
        State *st = userdata;
        if (limit)
                st->own_nofile = *limit;
        fast_done(st, r, error);
}

static void on_target_read(Resource1 *h, int r, const sd_bus_error *error, const Resource1Limit *limit,
                           void *userdata) {
        State *st = userdata;
        if (limit)
                st->target_read = *limit;
        fast_done(st, r, error);
}

static void on_list(Resource1 *h, int r, const sd_bus_error *error, const Resource1LimitEntry entries[], size_t n,
                    void *userdata) {
        State *st = userdata;
        st->n_entries = (unsigned) n;
        st->entries_in_order = true;
        for (size_t i = 0; i < n; i++)
                st->entries_in_order = st->entries_in_order && entries[i].resource == (int) i;
        fast_done(st, r, error);
}

static void on_usage(Resource1 *h, int r, const sd_bus_error *error, const Resource1Usage *usage, void *userdata) {
        State *st = userdata;
        if (usage)
                st->maxrss = usage->ru_maxrss;
        fast_done(st, r, error);
}

/* A call the service refuses: the errno, name and message in the callback. */
static void on_refused(Resource1 *h, int r, const sd_bus_error *error, void *userdata) {
        State *st = userdata;
        st->failed_r = r;
        if (error) {
                snprintf(st->failed_name, sizeof st->failed_name, "%s", error->name);
                snprintf(st->failed_message, sizeof st->failed_message, "%s", error->message);
        }
        st->fast_pending--;
}

static void on_slow(Resource1 *h, int r, const sd_bus_error *error, const Resource1Limit *limit, void *userdata) {
        State *st = userdata;
        st->slow_done = true;
        st->fast_done_before_slow = st->fast_pending == 0;
        st->slow_r = r;
        if (limit)
                st->slow_old = *limit;
        if (r < 0)
                fprintf(stderr, "# slow call failed: %s: %s\n", error->name, error->message);
        st->slow_took = now_usec() - st->slow_start;
        st->slow_ticks = st->ticks - st->slow_start_ticks;
        /* freed in its own callback */
        st->slow_slot = resource1_slot_free(st->slow_slot);
}

static void on_cancelled_limit(Resource1 *h, int r, const sd_bus_error *error, const Resource1Limit *limit,
                               void *userdata) {
        ((State *) userdata)->cancelled_called++;
}

static void on_cancelled_u64(Resource1 *h, int r, const sd_bus_error *error, uint64_t value, void *userdata) {
        ((State *) userdata)->cancelled_called++;
}

static void on_changed(Resource1 *h, pid_t pid, int resource, const char *name, const Resource1Limit *old_limit,
                       const Resource1Limit *new_limit, uid_t caller_uid, void *userdata) {
        State *st = userdata;
        if (st->n_changes >= 64)
                return;
        Change *c = &st->changes[st->n_changes++];
        *c = (Change) { .pid = pid, .resource = resource, .old_limit = *old_limit, .limit = *new_limit,
                        .uid = caller_uid };
        snprintf(c->name, sizeof c->name, "%s", name);
}

static const Change *change_of(State *st, pid_t pid, int resource) {
        for (unsigned i = 0; i < st->n_changes; i++)
                if (st->changes[i].pid == pid && st->changes[i].resource == resource)
                        return &st->changes[i];
        return NULL;
}

static bool fast_calls_done(State *st) {
        return st->fast_pending == 0;
}

/* Another client: a process of its own lowers its CORE soft limit through
 * the service (a one-shot call on a connection of its own). */
static pid_t other_client_changes_core(void) {
        fflush(stdout);
        pid_t p = fork();
        if (p == 0) {
                struct rlimit k;
                getrlimit(RLIMIT_CORE, &k);
                /* Soft 1 first, so that soft 0 is a change: setting the
                 * limits a process has already is no change, and no signal. */
                k.rlim_cur = k.rlim_max > 0 ? 1 : 0;
                (void) setrlimit(RLIMIT_CORE, &k);
                Resource1Limit l = { 0, resource1_limit_from_rlimit(&k).hard };
                _exit(resource1_setrlimit(NULL, RLIMIT_CORE, &l) < 0);
        }
        return p;
}

static pid_t other_pid;

static bool other_change_seen(State *st) {
        return st->slow_done && change_of(st, other_pid, RLIMIT_CORE) && change_of(st, st->target, RLIMIT_NOFILE);
}

static bool never(State *st) {
        return false;
}

static void on_reconnected_read(Resource1 *h, int r, const sd_bus_error *error, const Resource1Limit *limit,
                                void *userdata) {
        State *st = userdata;
        st->reconnect_done = true;
        st->reconnect_r = r;
        if (r < 0)
                fprintf(stderr, "# after the lost connection: %s: %s\n", error->name, error->message);
}

static bool reconnected(State *st) {
        return st->reconnect_done;
}

static void on_resent(Resource1 *h, int r, const sd_bus_error *error, uint64_t value, void *userdata) {
        State *st = userdata;
        if (r == 0)
                st->resent_ok++;
        else
                st->resent_failed++;
}

static bool three_resent(State *st) {
        return st->resent_ok + st->resent_failed >= 3;
}

static bool answered(State *st) {
        return st->cancelled_called > 0;
}

static bool other_change_seen_again(State *st) {
        return change_of(st, other_pid, RLIMIT_CORE) != NULL;
}

static int as_daemon(pid_t target, Resource1Limit target_nofile) {
        State st = { .target = target, .target_nofile = target_nofile, .can_raise = -1 };
        sd_event_source *tick = NULL;
        Resource1Slot *cancelled = NULL, *subscription = NULL;
        int r;

        if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, DAEMON_UID, DAEMON_UID, DAEMON_UID) < 0 ||
            syscall(SYS_setresuid, DAEMON_UID, DAEMON_UID, DAEMON_UID) < 0)
                return 100;
        /* Changing uids made it non-dumpable, which would make its usage root's to read. */
        if (prctl(PR_SET_DUMPABLE, 1) < 0)
                return 101;

        check(sd_event_new(&st.event) >= 0, "sd_event_new");
        check(sd_event_add_time_relative(st.event, &tick, CLOCK_MONOTONIC, TICK_USEC, 0, on_tick, &st) >= 0 &&
              sd_event_source_set_enabled(tick, SD_EVENT_ON) >= 0, "a 50 ms timer on the loop");
        check(resource1_new(&st.h) == 0 && resource1_attach_event(st.h, st.event, 0) == 0,
              "a handle attached to the loop");
        check(resource1_subscribe_rlimit_changed(st.h, &subscription, on_changed, &st) == 0, "subscribed to RlimitChanged");

        /* The slow one first, then everything else while it waits. */
        Resource1Limit slow = { SLOW_SOFT, target_nofile.hard };
        st.slow_start = now_usec();
        st.slow_start_ticks = st.ticks;
        check(resource1_prlimit_async(st.h, &st.slow_slot, target, RLIMIT_NOFILE, &slow, on_slow, &st) == 0,
              "prlimit_async of another user's process (manage-other, polkit answers in about 2 s) started");

        r = 0;
        r |= resource1_getpagesize_async(st.h, NULL, on_pagesize, &st);
        r |= resource1_get_version_async(st.h, NULL, on_version, &st);
        r |= resource1_get_resources_async(st.h, NULL, on_resources, &st);
        r |= resource1_get_can_raise_hard_limits_async(st.h, NULL, on_can_raise, &st);
        r |= resource1_getrlimit_async(st.h, NULL, RLIMIT_NOFILE, on_own_nofile, &st);
        r |= resource1_prlimit_async(st.h, NULL, target, RLIMIT_NOFILE, NULL, on_target_read, &st);
        r |= resource1_list_rlimits_async(st.h, NULL, 0, on_list, &st);
        r |= resource1_getrusage_async(st.h, NULL, 0, RUSAGE_SELF, sizeof(Resource1Usage), on_usage, &st);
        Resource1Limit inverted = { 4096, 1024 };
        r |= resource1_setrlimit_async(st.h, NULL, RLIMIT_NOFILE, &inverted, on_refused, &st);
        st.fast_pending = 9;
        check(r == 0, "nine more asynchronous calls started");

        /* refused before anything is sent: no callback, the handle's last error */
        check(resource1_getrlimit_async(st.h, NULL, 99, on_own_nofile, &st) == -EINVAL &&
              strcmp(resource1_last_error_name(st.h), "org.example.Resource1.Error.InvalidResource") == 0,
              "an invalid resource refused at the start (-EINVAL, InvalidResource), no callback");
        check(resource1_getpagesize_async(NULL, NULL, on_pagesize, &st) == -EINVAL, "asynchronous calls need a handle");

        /* cancelled at once: never answered */
        check(resource1_prlimit_async(st.h, &cancelled, target, RLIMIT_NOFILE, &slow, on_cancelled_limit, &st) == 0,
              "a second slow call started");
        cancelled = resource1_slot_free(cancelled);
        check(resource1_getpagesize_async(st.h, &cancelled, on_cancelled_u64, &st) == 0, "a fast call started");
        cancelled = resource1_slot_free(cancelled);

        check(run_until(&st, fast_calls_done, 100), "the nine calls answered");
        check(!st.slow_done, "... while the slow call was still waiting for polkit (after %.3f s, %u ticks)",
              (now_usec() - st.slow_start) / 1e6, st.ticks - st.slow_start_ticks);
        check(st.errors == 0, "... each as expected");
        check(st.pagesize == (uint64_t) sysconf(_SC_PAGESIZE), "PageSize %llu", (unsigned long long) st.pagesize);
        check(st.version && strcmp(st.version, PROJECT_VERSION) == 0, "Version '%s'", st.version ?: "(null)");
        check(st.n_resources == RLIM_NLIMITS, "Resources: %u names in RLIMIT_* order", st.n_resources);
        check(st.can_raise == 0 || st.can_raise == 1, "CanRaiseHardLimits %d", st.can_raise);
        /* The kernel's, as /proc says (valgrind's getrlimit() hides the descriptors it keeps). */
        unsigned long long soft = 0, hard = 0;
        FILE *f = fopen("/proc/self/limits", "re");
        char line[256];
        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "Max open files %llu %llu", &soft, &hard) == 2)
                        break;
        if (f)
                fclose(f);
        check(st.own_nofile.soft == soft && st.own_nofile.hard == hard, "GetRlimit NOFILE %llu:%llu (/proc: %llu:%llu)",
              (unsigned long long) st.own_nofile.soft, (unsigned long long) st.own_nofile.hard, soft, hard);
        check(st.target_read.soft == target_nofile.soft && st.target_read.hard == target_nofile.hard,
              "Prlimit read of the target process by its pidfd");
        check(st.n_entries == RLIM_NLIMITS && st.entries_in_order, "ListRlimits: %u entries in order", st.n_entries);
        check(st.maxrss > 0, "GetRusage: ru_maxrss %lld KiB", (long long) st.maxrss);
        check(st.failed_r == -EINVAL && strcmp(st.failed_name, "org.example.Resource1.Error.InvalidLimits") == 0 &&
              strstr(st.failed_message, "soft limit 4096 exceeds hard limit 1024"),
              "a refused call: -EINVAL, %s, '%s'", st.failed_name, st.failed_message);

        other_pid = other_client_changes_core();
        check(run_until(&st, other_change_seen, 200), "the slow call answered, and RlimitChanged of both changes seen");
        check(st.slow_r == 0 && st.slow_old.soft == target_nofile.soft,
              "the slow call succeeded (%d), with the old limits (%llu, then %llu)", st.slow_r,
              (unsigned long long) st.slow_old.soft, (unsigned long long) target_nofile.soft);
        check(st.slow_took >= 1500000, "... after %.3f s", st.slow_took / 1e6);
        check(st.slow_ticks >= 20, "... while the timer fired %u times", st.slow_ticks);
        check(st.fast_done_before_slow, "... after every fast call was answered");
        int status;
        check(waitpid(other_pid, &status, 0) == other_pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "the other client changed its CORE limit");
        const Change *c = change_of(&st, other_pid, RLIMIT_CORE);
        check(c && strcmp(c->name, "CORE") == 0 && c->old_limit.soft == 1 && c->limit.soft == 0 &&
              c->old_limit.hard == c->limit.hard && c->uid == DAEMON_UID,
              "RlimitChanged: pid %d CORE soft 1 to 0 by uid %u", c ? (int) c->pid : 0, c ? (unsigned) c->uid : 0);
        c = change_of(&st, target, RLIMIT_NOFILE);
        check(c && c->old_limit.soft == target_nofile.soft && c->old_limit.hard == target_nofile.hard &&
              c->limit.soft == SLOW_SOFT && c->limit.hard == target_nofile.hard,
              "RlimitChanged of the slow call's change, from %llu:%llu to %llu:%llu",
              c ? (unsigned long long) c->old_limit.soft : 0, c ? (unsigned long long) c->old_limit.hard : 0,
              c ? (unsigned long long) c->limit.soft : 0, c ? (unsigned long long) c->limit.hard : 0);

        /* The cancelled slow call's reply comes in about now: not to us. */
        run_until(&st, never, 30);
        check(st.cancelled_called == 0, "cancelled calls: no callback");

        /* The connection lost (its socket shut down) with a call pending: it is
         * sent again on a new connection. */
        int fd = resource1_get_fd(st.h);
        check(resource1_getrlimit_async(st.h, NULL, RLIMIT_CORE, on_reconnected_read, &st) == 0 &&
              shutdown(fd, SHUT_RDWR) == 0, "a call pending when the connection is lost");
        check(run_until(&st, reconnected, 100) && st.reconnect_r == 0, "... answered on a new connection");
        check(resource1_get_fd(st.h) >= 0, "the handle has a connection again");

        /* Lost with three calls pending: each sent again on the one new connection. */
        fd = resource1_get_fd(st.h);
        r = 0;
        for (int i = 0; i < 3; i++)
                r |= resource1_getpagesize_async(st.h, NULL, on_resent, &st);
        check(r == 0 && shutdown(fd, SHUT_RDWR) == 0, "three calls pending when the connection is lost");
        check(run_until(&st, three_resent, 100) && st.resent_ok == 3, "... all three answered on a new connection");

        /* Lost again with nothing pending: the subscription is renewed on a new one. */
        fd = resource1_get_fd(st.h);
        check(shutdown(fd, SHUT_RDWR) == 0, "the connection lost with only a subscription");
        st.reconnect_done = false;
        check(resource1_getpagesize_async(st.h, NULL, on_cancelled_u64, &st) == 0, "a call after it");
        st.cancelled_called = 0;
        run_until(&st, answered, 100);
        other_pid = other_client_changes_core();
        check(run_until(&st, other_change_seen_again, 100), "RlimitChanged of another client seen through the renewed subscription");
        waitpid(other_pid, NULL, 0);

        resource1_slot_free(subscription);
        resource1_free(st.h);
        sd_event_source_unref(tick);
        sd_event_unref(st.event);
        free(st.version);
        printf("1..%u\n", n_tests);
        return n_failed > 0;
}

/* The target: a sleep of the daemon's own user (the unit's User=,
 * with-bus.sh's RESOURCE1D_USER). Changing it needs
 * polkit's manage-other for "daemon", and then no CAP_SYS_RESOURCE, which
 * the fixture may lack. Returned once it runs with that user's ids. */
static pid_t service_sleeper(void) {
        const char *name = getenv("RESOURCE1D_USER");
        const struct passwd *pw = name ? getpwnam(name) : NULL;
        int ready[2];
        if (!pw || pipe2(ready, O_CLOEXEC) < 0)
                return -1;
        pid_t p = fork();
        if (p == 0) {
                if (setgroups(0, NULL) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
                    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
                        _exit(126);
                execlp("sleep", "sleep", "600", NULL);
                _exit(127);
        }
        close(ready[1]);
        char c;
        /* End of file at the exec, which closes the write end. */
        while (p > 0 && read(ready[0], &c, 1) < 0 && errno == EINTR)
                ;
        close(ready[0]);
        return p;
}

/* Its NOFILE as /proc says: root may not ask prlimit(2) about another
 * user's process without CAP_SYS_RESOURCE (and valgrind's getrlimit() hides
 * the descriptors it keeps). */
static int nofile_of(pid_t pid, struct rlimit *ret) {
        char path[64], line[256];
        unsigned long long soft, hard;
        int r = -1;
        snprintf(path, sizeof path, "/proc/%d/limits", (int) pid);
        FILE *f = fopen(path, "re");
        while (f && r < 0 && fgets(line, sizeof line, f))
                if (sscanf(line, "Max open files %llu %llu", &soft, &hard) == 2) {
                        *ret = (struct rlimit) { soft, hard };
                        r = 0;
                }
        if (f)
                fclose(f);
        return r;
}

int main(void) {
        Resource1Limit nofile;
        struct rlimit k;

        pid_t target = service_sleeper();
        if (target < 0 || nofile_of(target, &k) < 0)
                return 1;
        nofile = resource1_limit_from_rlimit(&k);

        fflush(stdout);
        pid_t worker = fork();
        if (worker == 0)
                _exit(as_daemon(target, nofile));
        int status = 0;
        waitpid(worker, &status, 0);
        kill(target, SIGKILL);
        waitpid(target, NULL, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
