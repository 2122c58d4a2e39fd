/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1's asynchronous calls on a GLib main loop, driven through
 * resource1_get_fd(), _get_events(), _get_timeout() and _process() by a
 * GSource (the one libresource1(3) shows), against the real daemon on the
 * fixture's bus (with-bus.sh, tests/rules/client-slow.rules), as the user
 * "daemon": a call waiting about 2 s for polkit while a 50 ms GLib timeout
 * keeps firing and other calls are answered; cancelled calls (at once, and
 * from another call's callback) never answered; RlimitChanged from another
 * client; a handle on the program's own sd-bus connection; a lost connection
 * with calls pending. Run as root: it
 * starts a process of the daemon's own user to change and runs the tests as
 * "daemon". */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "resource1.h"

#define SLOW_SOFT 343          /* tests/rules/client-slow.rules answers it after about 2 s */
#define DAEMON_UID 1

/* ---- a GSource for a Resource1 handle (as in libresource1(3)) ---- */

typedef struct Resource1Source {
        GSource source;
        Resource1 *handle;
        gpointer tag;
        int fd;
} Resource1Source;

static gboolean resource1_source_prepare(GSource *source, gint *timeout) {
        Resource1Source *s = (Resource1Source *) source;
        int fd = resource1_get_fd(s->handle), events = resource1_get_events(s->handle);
        uint64_t until;

        if (fd != s->fd) {   /* connected, or a new connection after a lost one */
                if (s->tag)
                        g_source_remove_unix_fd(source, s->tag);
                s->tag = fd >= 0 ? g_source_add_unix_fd(source, fd, 0) : NULL;
                s->fd = fd;
        }
        if (s->tag)
                g_source_modify_unix_fd(source, s->tag, events > 0 ? (GIOCondition) events : 0);

        *timeout = -1;
        if (resource1_get_timeout(s->handle, &until) > 0) {
                uint64_t now = (uint64_t) g_get_monotonic_time();   /* CLOCK_MONOTONIC µs, as sd-bus */
                if (until <= now)
                        return TRUE;
                *timeout = (gint) MIN((until - now + 999) / 1000, (uint64_t) G_MAXINT);
        }
        return FALSE;
}

static gboolean resource1_source_check(GSource *source) {
        Resource1Source *s = (Resource1Source *) source;
        uint64_t until;

        if (s->tag && g_source_query_unix_fd(source, s->tag))
                return TRUE;
        return resource1_get_timeout(s->handle, &until) > 0 && until <= (uint64_t) g_get_monotonic_time();
}

static gboolean resource1_source_dispatch(GSource *source, GSourceFunc callback, gpointer userdata) {
        resource1_process(((Resource1Source *) source)->handle);
        return G_SOURCE_CONTINUE;
}

static GSourceFuncs resource1_source_funcs = {
        .prepare = resource1_source_prepare,
        .check = resource1_source_check,
        .dispatch = resource1_source_dispatch,
};

static GSource *resource1_source_new(Resource1 *h) {
        Resource1Source *s = (Resource1Source *) g_source_new(&resource1_source_funcs, sizeof *s);
        s->handle = h;
        s->fd = -1;
        return &s->source;
}

/* ---- the tests ---- */

static pid_t target;            /* the daemon's user's process */
static Resource1Limit target_nofile;
static Resource1 *h;
static guint ticks;

static gboolean on_tick(gpointer userdata) {
        ticks++;
        return G_SOURCE_CONTINUE;
}

/* Iterates the default main context until *flag, at most max_ms. */
static gboolean run_until(const gboolean *flag, guint max_ms) {
        gint64 end = g_get_monotonic_time() + (gint64) max_ms * 1000;
        while (!*flag && g_get_monotonic_time() < end)
                g_main_context_iteration(NULL, TRUE);
        return *flag;
}

static void run_for(guint ms) {
        gboolean never = FALSE;
        run_until(&never, ms);
}

typedef struct Slow {
        gboolean done;
        int r;
        Resource1Limit old;
        gint64 took_us;
        guint ticks;
        guint fast_done_meanwhile;
} Slow;

static guint fast_done;
static gint64 slow_start;
static guint slow_start_ticks;

static void on_slow(Resource1 *handle, int r, const sd_bus_error *error, const Resource1Limit *limit, void *userdata) {
        Slow *s = userdata;
        s->done = TRUE;
        s->r = r;
        if (limit)
                s->old = *limit;
        if (error)
                g_test_message("slow call: %s: %s", error->name, error->message);
        s->took_us = g_get_monotonic_time() - slow_start;
        s->ticks = ticks - slow_start_ticks;
        s->fast_done_meanwhile = fast_done;
}

static void on_pagesize(Resource1 *handle, int r, const sd_bus_error *error, uint64_t value, void *userdata) {
        g_assert_cmpint(r, ==, 0);
        g_assert_null(error);
        g_assert_cmpuint(value, ==, (uint64_t) sysconf(_SC_PAGESIZE));
        fast_done++;
}

static void on_version(Resource1 *handle, int r, const sd_bus_error *error, const char *value, void *userdata) {
        g_assert_cmpint(r, ==, 0);
        g_assert_cmpstr(value, ==, PROJECT_VERSION);
        fast_done++;
}

static void on_resources(Resource1 *handle, int r, const sd_bus_error *error, char *const *value, void *userdata) {
        g_assert_cmpint(r, ==, 0);
        g_assert_cmpuint(g_strv_length((char **) value), ==, RLIM_NLIMITS);
        g_assert_cmpstr(value[RLIMIT_NOFILE], ==, "NOFILE");
        fast_done++;
}

static void on_can_raise(Resource1 *handle, int r, const sd_bus_error *error, bool value, void *userdata) {
        g_assert_cmpint(r, ==, 0);
        fast_done++;
}

static void on_batch_refused(Resource1 *handle, int r, const sd_bus_error *error, const Resource1Limit old[], size_t n,
                             void *userdata) {
        /* a batch naming NOFILE twice: the service's error, whole */
        g_assert_cmpint(r, ==, -EINVAL);
        g_assert_nonnull(error);
        g_assert_cmpstr(error->name, ==, "org.example.Resource1.Error.InvalidLimits");
        g_assert_nonnull(strstr(error->message, "NOFILE is given twice"));
        g_assert_null(old);
        g_assert_cmpuint(n, ==, 0);
        fast_done++;
}

static void on_own_batch(Resource1 *handle, int r, const sd_bus_error *error, const Resource1Limit old[], size_t n,
                         void *userdata) {
        g_assert_cmpint(r, ==, 0);
        g_assert_cmpuint(n, ==, 1);
        fast_done++;
}

static void on_thread_usage(Resource1 *handle, int r, const sd_bus_error *error, const Resource1Usage *usage,
                            void *userdata) {
        g_assert_cmpint(r, ==, 0);
        g_assert_cmpfloat(usage->ru_utime, >=, 0);
        fast_done++;
}

/* One call waits about 2 s for polkit; the timeout keeps firing and the
 * other calls are answered meanwhile. */
static void test_slow_call_and_a_timer(void) {
        Slow slow = {};
        Resource1Limit l = { SLOW_SOFT, target_nofile.hard };
        guint tick = g_timeout_add(50, on_tick, NULL);

        slow_start = g_get_monotonic_time();
        slow_start_ticks = ticks;
        g_assert_cmpint(resource1_prlimit_async(h, NULL, target, RLIMIT_NOFILE, &l, on_slow, &slow), ==, 0);

        fast_done = 0;
        g_assert_cmpint(resource1_getpagesize_async(h, NULL, on_pagesize, NULL), ==, 0);
        g_assert_cmpint(resource1_get_version_async(h, NULL, on_version, NULL), ==, 0);
        g_assert_cmpint(resource1_get_resources_async(h, NULL, on_resources, NULL), ==, 0);
        g_assert_cmpint(resource1_get_can_raise_hard_limits_async(h, NULL, on_can_raise, NULL), ==, 0);
        int twice[] = { RLIMIT_NOFILE, RLIMIT_NOFILE };
        Resource1Limit low[] = { { 10, 20 }, { 10, 20 } };
        g_assert_cmpint(resource1_setrlimits_async(h, NULL, 0, twice, low, 2, on_batch_refused, NULL), ==, 0);
        struct rlimit core;
        getrlimit(RLIMIT_CORE, &core);
        int one[] = { RLIMIT_CORE };
        Resource1Limit zero[] = { { 0, resource1_limit_from_rlimit(&core).hard } };
        g_assert_cmpint(resource1_setrlimits_async(h, NULL, 0, one, zero, 1, on_own_batch, NULL), ==, 0);
        g_assert_cmpint(resource1_getrusage_async(h, NULL, 0, RUSAGE_THREAD, sizeof(Resource1Usage), on_thread_usage,
                                                  NULL), ==, 0);

        g_assert_true(run_until(&slow.done, 10000));
        g_test_message("slow call answered after %.3f s, %u ticks meanwhile, %u other calls answered before it",
                       slow.took_us / 1e6, slow.ticks, slow.fast_done_meanwhile);
        g_assert_cmpint(slow.r, ==, 0);
        g_assert_cmpuint(slow.old.soft, ==, target_nofile.soft);
        g_assert_cmpint(slow.took_us, >=, 1500000);
        g_assert_cmpuint(slow.ticks, >=, 20);
        g_assert_cmpuint(slow.fast_done_meanwhile, ==, 7);
        g_source_remove(tick);
}

static guint cancelled_called;

static void on_cancelled(Resource1 *handle, int r, const sd_bus_error *error, const Resource1Limit *limit,
                         void *userdata) {
        cancelled_called++;
}

static Resource1Slot *to_cancel;

static void on_first_cancels_second(Resource1 *handle, int r, const sd_bus_error *error, const Resource1Limit *limit,
                                    void *userdata) {
        to_cancel = resource1_slot_free(to_cancel);
        *(gboolean *) userdata = TRUE;
}

/* Cancelled calls are never answered, whether cancelled at once or from
 * another call's callback before their reply. The call that cancels goes
 * the same way as the one it cancels (this process's limits, by its pidfd,
 * through the service's gate), so that its answer comes first: PageSize,
 * which the daemon answers on its own name, could be overtaken by the other
 * (an ASan run saw it). */
static void test_cancel(void) {
        Resource1Slot *slot = NULL;
        Resource1Limit l = { SLOW_SOFT, target_nofile.hard };
        gboolean first = FALSE;

        cancelled_called = 0;
        g_assert_cmpint(resource1_prlimit_async(h, &slot, target, RLIMIT_NOFILE, &l, on_cancelled, NULL), ==, 0);
        g_assert_null(resource1_slot_free(slot));
        g_assert_cmpint(resource1_getrlimit_async(h, NULL, RLIMIT_CORE, on_first_cancels_second, &first), ==, 0);
        g_assert_cmpint(resource1_getrlimit_async(h, &to_cancel, RLIMIT_NOFILE, on_cancelled, NULL), ==, 0);
        g_assert_true(run_until(&first, 5000));
        g_assert_null(to_cancel);
        run_for(3000);   /* past the slow call's answer */
        g_assert_cmpuint(cancelled_called, ==, 0);
}

typedef struct Seen {
        pid_t pid;
        gboolean seen;
        Resource1Limit old_limit, limit;
        uid_t uid;
        char name[16];
} Seen;

static void on_changed(Resource1 *handle, pid_t pid, int resource, const char *name, const Resource1Limit *old_limit,
                       const Resource1Limit *new_limit, uid_t caller_uid, void *userdata) {
        Seen *s = userdata;
        if (pid != s->pid || resource != RLIMIT_CORE)
                return;
        s->seen = TRUE;
        s->old_limit = *old_limit;
        s->limit = *new_limit;
        s->uid = caller_uid;
        g_strlcpy(s->name, name, sizeof s->name);
}

static void on_done_flag(Resource1 *handle, int r, const sd_bus_error *error, uint64_t value, void *userdata) {
        *(gboolean *) userdata = TRUE;
}

/* RlimitChanged of a change another client makes. */
static void test_signal_from_another_client(void) {
        Resource1Slot *sub = NULL;
        Seen seen = {};
        gboolean ready = FALSE;

        g_assert_cmpint(resource1_subscribe_rlimit_changed(h, &sub, on_changed, &seen), ==, 0);
        /* in place once a call made after it is answered */
        g_assert_cmpint(resource1_getpagesize_async(h, NULL, on_done_flag, &ready), ==, 0);
        g_assert_true(run_until(&ready, 5000));

        seen.pid = fork();
        g_assert_cmpint(seen.pid, >=, 0);
        if (seen.pid == 0) {
                struct rlimit k;
                getrlimit(RLIMIT_CORE, &k);
                /* Soft 1 first, so that soft 0 is a change: setting the
                 * limits a process has already is no change, and no signal. */
                k.rlim_cur = k.rlim_max > 0 ? 1 : 0;
                (void) setrlimit(RLIMIT_CORE, &k);
                Resource1Limit l = { 0, resource1_limit_from_rlimit(&k).hard };
                _exit(resource1_setrlimit(NULL, RLIMIT_CORE, &l) < 0);
        }
        g_assert_true(run_until(&seen.seen, 5000));
        int status;
        g_assert_cmpint(waitpid(seen.pid, &status, 0), ==, seen.pid);
        g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        g_assert_cmpstr(seen.name, ==, "CORE");
        g_assert_cmpuint(seen.old_limit.soft, ==, 1);   /* what the child set before */
        g_assert_cmpuint(seen.limit.soft, ==, 0);
        g_assert_cmpuint(seen.old_limit.hard, ==, seen.limit.hard);
        g_assert_cmpuint(seen.uid, ==, DAEMON_UID);
        resource1_slot_free(sub);
}

static void on_list(Resource1 *handle, int r, const sd_bus_error *error, const Resource1LimitEntry entries[], size_t n,
                    void *userdata) {
        g_assert_cmpint(r, ==, 0);
        g_assert_cmpuint(n, ==, RLIM_NLIMITS);
        *(gboolean *) userdata = TRUE;
}

/* A handle on the program's own sd-bus connection, driven the same way. */
static void test_programs_own_bus(void) {
        sd_bus *bus = NULL;
        Resource1 *mine = NULL;
        gboolean done = FALSE;

        g_assert_cmpint(sd_bus_open_system(&bus), >=, 0);
        g_assert_cmpint(resource1_new_with_bus(&mine, bus), ==, 0);
        GSource *source = resource1_source_new(mine);
        g_source_attach(source, NULL);
        g_assert_cmpint(resource1_get_fd(mine), ==, sd_bus_get_fd(bus));
        g_assert_cmpint(resource1_list_rlimits_async(mine, NULL, 0, on_list, &done), ==, 0);
        g_assert_true(run_until(&done, 5000));
        g_source_destroy(source);
        g_source_unref(source);
        resource1_free(mine);
        /* the connection is still the program's */
        g_assert_cmpint(sd_bus_is_open(bus), >, 0);
        sd_bus_flush_close_unref(bus);
}

static guint resent_ok, resent_failed;
static gboolean all_resent;

static void on_resent(Resource1 *handle, int r, const sd_bus_error *error, uint64_t value, void *userdata) {
        if (r == 0)
                resent_ok++;
        else
                resent_failed++;
        all_resent = resent_ok + resent_failed == 3;
}

/* The connection lost (its socket shut down) with calls pending: each is
 * sent again on a new connection, which the GSource polls from then on. */
static void test_lost_connection(void) {
        int fd = resource1_get_fd(h);
        g_assert_cmpint(fd, >=, 0);
        for (int i = 0; i < 3; i++)
                g_assert_cmpint(resource1_getpagesize_async(h, NULL, on_resent, NULL), ==, 0);
        g_assert_cmpint(shutdown(fd, SHUT_RDWR), ==, 0);
        g_assert_true(run_until(&all_resent, 5000));
        g_assert_cmpuint(resent_ok, ==, 3);

        gboolean done = FALSE;
        g_assert_cmpint(resource1_getpagesize_async(h, NULL, on_done_flag, &done), ==, 0);
        g_assert_true(run_until(&done, 5000));
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

int main(int argc, char *argv[]) {
        struct rlimit k;

        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/async-glib/slow-call-and-a-timer", test_slow_call_and_a_timer);
        g_test_add_func("/async-glib/cancel", test_cancel);
        g_test_add_func("/async-glib/signal-from-another-client", test_signal_from_another_client);
        g_test_add_func("/async-glib/programs-own-bus", test_programs_own_bus);
        g_test_add_func("/async-glib/lost-connection", test_lost_connection);

        target = service_sleeper();
        if (target < 0 || nofile_of(target, &k) < 0)
                return 1;
        target_nofile = resource1_limit_from_rlimit(&k);

        fflush(stdout);
        pid_t worker = fork();
        if (worker == 0) {
                if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, DAEMON_UID, DAEMON_UID, DAEMON_UID) < 0 ||
                    syscall(SYS_setresuid, DAEMON_UID, DAEMON_UID, DAEMON_UID) < 0 || prctl(PR_SET_DUMPABLE, 1) < 0)
                        _exit(100);
                g_assert_cmpint(resource1_new(&h), ==, 0);
                GSource *source = resource1_source_new(h);
                g_source_attach(source, NULL);
                int r = g_test_run();
                g_source_destroy(source);
                g_source_unref(source);
                resource1_free(h);
                _exit(r);
        }
        int status = 0;
        waitpid(worker, &status, 0);
        kill(target, SIGKILL);
        waitpid(target, NULL, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
