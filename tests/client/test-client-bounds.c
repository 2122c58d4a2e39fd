/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1 against the service's bounds (resource1d(8), BOUNDS), on the
 * fixture's real bus (a system bus: 128 pending replies per connection),
 * polkitd and daemon, run as an unprivileged user (meson starts it through
 * setpriv), as a session manager runs:
 *   - 300 reads started at once all succeed (the bus takes 128 pending
 *     replies of one connection, the service's gate 32 calls with a pidfd);
 *   - the NOFILE soft limit of the 100 children it started, lowered at once
 *     through the asynchronous API on sd-event, is set in all 100 (the
 *     service takes 64 changes of one user at once, then 4 a second: about
 *     9 s), without the process spinning meanwhile;
 *   - a synchronous change whose timeout is shorter than the rate limit's
 *     wait fails at once with the service's LimitsExceeded, "try again in S s";
 *   - one with time enough waits and succeeds;
 *   - asynchronous changes on a loop of the program's own (poll(2), through
 *     resource1_get_timeout() and resource1_process()) wait too.
 * The service's bounds are its own: nothing here loosens them. TAP. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "resource1.h"

#define CHILDREN 100
#define READS 300

static pid_t children[CHILDREN];
static Resource1Limit start_nofile;
/* Every change sets a soft limit no child has had yet: a change to the
 * limits a process already has is no change, which the rate limit does not
 * count. */
static uint64_t next_soft;

static uint64_t take_soft(void) {
        return next_soft--;
}

/* A sleep of this user, once it runs (end of file on the pipe at its exec). */
static pid_t start_sleeper(void) {
        int ready[2];
        g_assert_cmpint(pipe2(ready, O_CLOEXEC), ==, 0);
        pid_t p = fork();
        g_assert_cmpint(p, >=, 0);
        if (p == 0) {
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                execlp("sleep", "sleep", "600", NULL);
                _exit(127);
        }
        close(ready[1]);
        char c;
        while (read(ready[0], &c, 1) < 0 && errno == EINTR)
                ;
        close(ready[0]);
        return p;
}

/* The soft NOFILE limit of pid, as the kernel says (/proc/PID/limits). */
static uint64_t soft_nofile_of(pid_t pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/limits", (int) pid), *text = NULL;
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        const char *line = strstr(text, "Max open files");
        g_assert_nonnull(line);
        unsigned long long soft = 0, hard = 0;
        g_assert_cmpint(sscanf(line, "Max open files %llu %llu", &soft, &hard), ==, 2);
        return soft;
}

static double cpu_seconds(void) {
        struct rusage u;
        g_assert_cmpint(getrusage(RUSAGE_SELF, &u), ==, 0);
        return (double) (u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double) (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* ---- asynchronous calls, counted ---- */

typedef struct Count {
        unsigned answered, succeeded;
        Resource1Limit limit;            /* a read's */
        bool wrong;                      /* a read gave other limits than this process has */
        int first_r;
        char first_error[512];           /* the first failure's name and message */
} Count;

static void count(Count *c, int r, const sd_bus_error *error) {
        c->answered++;
        if (r >= 0) {
                c->succeeded++;
                return;
        }
        if (c->first_r == 0) {
                c->first_r = r;
                g_snprintf(c->first_error, sizeof c->first_error, "%s: %s", error ? error->name : "?",
                           error ? error->message : "?");
        }
}

static void on_read(Resource1 *h, int r, const sd_bus_error *error, const Resource1Limit *limit, void *userdata) {
        Count *c = userdata;
        (void) h;
        count(c, r, error);
        if (r >= 0 && (limit->soft != c->limit.soft || limit->hard != c->limit.hard))
                c->wrong = true;
}

static void on_set(Resource1 *h, int r, const sd_bus_error *error, const Resource1Limit *old, void *userdata) {
        (void) h, (void) old;
        count(userdata, r, error);
}

/* Runs the loop until n calls are answered, at most max_usec. */
static void run_until_answered(sd_event *e, const Count *c, unsigned n, uint64_t max_usec) {
        gint64 end = g_get_monotonic_time() + (gint64) max_usec;
        while (c->answered < n && g_get_monotonic_time() < end)
                g_assert_cmpint(sd_event_run(e, 1000 * 1000), >=, 0);
}

/* ---- the tests ---- */

/* 300 getrlimit() of this process at once, one connection: all answered,
 * all right. */
static void test_300_reads_at_once(void) {
        sd_event *e = NULL;
        Resource1 *h = NULL;
        Count c = { .limit = start_nofile };

        g_assert_cmpint(sd_event_new(&e), ==, 0);
        g_assert_cmpint(resource1_new(&h), ==, 0);
        g_assert_cmpint(resource1_attach_event(h, e, 0), ==, 0);
        gint64 start = g_get_monotonic_time();
        for (unsigned i = 0; i < READS; i++)
                g_assert_cmpint(resource1_getrlimit_async(h, NULL, RLIMIT_NOFILE, on_read, &c), ==, 0);
        run_until_answered(e, &c, READS, 20 * G_USEC_PER_SEC);
        g_test_message("%u of %u reads succeeded in %" G_GINT64_FORMAT " ms%s%s", c.succeeded, c.answered,
                       (g_get_monotonic_time() - start) / 1000, c.first_r ? "; the first failure: " : "",
                       c.first_error);
        g_assert_cmpuint(c.answered, ==, READS);
        g_assert_cmpuint(c.succeeded, ==, READS);
        g_assert_false(c.wrong);
        resource1_free(h);
        sd_event_unref(e);
}

/* The session manager's login: the children it started, each lowered at
 * once. */
static void test_100_children_lowered_at_once(void) {
        sd_event *e = NULL;
        Resource1 *h = NULL;
        Count c = {};
        uint64_t want[CHILDREN];

        g_assert_cmpint(sd_event_new(&e), ==, 0);
        g_assert_cmpint(resource1_new(&h), ==, 0);
        g_assert_cmpint(resource1_attach_event(h, e, 0), ==, 0);
        double cpu = cpu_seconds();
        gint64 start = g_get_monotonic_time();
        for (unsigned i = 0; i < CHILDREN; i++) {
                Resource1Limit l = { take_soft(), start_nofile.hard };
                want[i] = l.soft;
                g_assert_cmpint(resource1_prlimit_async(h, NULL, children[i], RLIMIT_NOFILE, &l, on_set, &c), ==, 0);
        }
        run_until_answered(e, &c, CHILDREN, 60 * G_USEC_PER_SEC);
        gint64 took = g_get_monotonic_time() - start;
        cpu = cpu_seconds() - cpu;
        g_test_message("%u of %u children set in %.1f s, with %.2f s of CPU%s%s", c.succeeded, c.answered,
                       (double) took / 1e6, cpu, c.first_r ? "; the first failure: " : "", c.first_error);
        g_assert_cmpuint(c.answered, ==, CHILDREN);
        g_assert_cmpuint(c.succeeded, ==, CHILDREN);
        for (unsigned i = 0; i < CHILDREN; i++)
                g_assert_cmpuint(soft_nofile_of(children[i]), ==, want[i]);
        /* The service's rate limit stands (64 at once, then 4 a second) ... */
        g_assert_cmpint(took, >=, 5 * G_USEC_PER_SEC);
        /* ... and the waits are timers, not a loop that spins. */
        g_assert_cmpfloat(cpu, <, 1.5);
        resource1_free(h);
        sd_event_unref(e);
}

/* A handle whose calls may take timeout_usec. */
static Resource1 *handle_with_timeout(uint64_t timeout_usec) {
        Resource1 *h = NULL;
        g_assert_cmpint(resource1_new(&h), ==, 0);
        resource1_set_timeout(h, timeout_usec);
        return h;
}

static bool is_rate_limit_refusal(const Resource1 *h) {
        const char *name = resource1_last_error_name(h), *message = resource1_last_error_message(h);
        return name && strcmp(name, "org.example.Resource1.Error.LimitsExceeded") == 0 && message &&
               g_regex_match_simple("rate limit.*; try again in [0-9]+(\\.[0-9]+)? s$", message, 0, 0);
}

/* Changes with a timeout of 90 ms, below any wait the rate limit asks (at
 * least 0.1 s), until one is refused: this user's budget is spent then. The
 * refused call returns at once, with the service's error. */
static void spend_the_budget(void) {
        Resource1 *h = handle_with_timeout(90 * 1000);
        int r = 0;
        gint64 took = 0;

        for (unsigned i = 0; i < 200 && r == 0; i++) {
                Resource1Limit l = { take_soft(), start_nofile.hard };
                gint64 start = g_get_monotonic_time();
                r = resource1_prlimit(h, children[i % CHILDREN], RLIMIT_NOFILE, &l, NULL);
                took = g_get_monotonic_time() - start;
        }
        g_test_message("refused in %" G_GINT64_FORMAT " us: %s: %s", took, resource1_last_error_name(h),
                       resource1_last_error_message(h));
        g_assert_cmpint(r, ==, -EAGAIN);
        g_assert_true(is_rate_limit_refusal(h));
        g_assert_cmpint(took, <, 90 * 1000);
        resource1_free(h);
}

static void test_sync_timeout_shorter_than_the_wait(void) {
        spend_the_budget();
}

/* With the budget spent, a synchronous change with the usual timeout: the
 * service refuses it first, the library waits what it said and sends it
 * again. */
static void test_sync_change_waits_out_the_rate_limit(void) {
        spend_the_budget();
        Resource1 *h = handle_with_timeout(0);
        Resource1Limit l = { take_soft(), start_nofile.hard }, old;
        gint64 start = g_get_monotonic_time();
        int r = resource1_prlimit(h, children[0], RLIMIT_NOFILE, &l, &old);
        gint64 took = g_get_monotonic_time() - start;
        g_test_message("%d after %" G_GINT64_FORMAT " ms%s%s", r, took / 1000, r < 0 ? ": " : "",
                       r < 0 ? resource1_last_error_message(h) : "");
        g_assert_cmpint(r, ==, 0);
        g_assert_cmpuint(soft_nofile_of(children[0]), ==, l.soft);
        g_assert_cmpint(took, >=, 90 * 1000);   /* it waited: the least wait asked is 0.1 s */
        g_assert_cmpint(took, <, 5 * G_USEC_PER_SEC);
        resource1_free(h);
}

/* On a poll(2) loop of the program's own: resource1_get_timeout() wakes it
 * when a refused call may go again. */
static void test_async_poll_loop_waits_out_the_rate_limit(void) {
        enum { N = 3 };
        Resource1 *h = handle_with_timeout(0);
        Count c = {};
        uint64_t want[N];
        unsigned turns = 0;

        spend_the_budget();
        gint64 start = g_get_monotonic_time();
        for (unsigned i = 0; i < N; i++) {
                Resource1Limit l = { take_soft(), start_nofile.hard };
                want[i] = l.soft;
                g_assert_cmpint(resource1_prlimit_async(h, NULL, children[i], RLIMIT_NOFILE, &l, on_set, &c), ==, 0);
        }
        while (c.answered < N && g_get_monotonic_time() < start + 20 * G_USEC_PER_SEC) {
                uint64_t until = UINT64_MAX;
                struct pollfd p = { .fd = resource1_get_fd(h), .events = (short) resource1_get_events(h) };
                g_assert_cmpint(p.fd, >=, 0);
                int r = resource1_get_timeout(h, &until);
                g_assert_cmpint(r, >=, 0);
                uint64_t now = (uint64_t) g_get_monotonic_time();
                int ms = r == 0 ? 1000 : until <= now ? 0 : (int) MIN((until - now + 999) / 1000, 1000);
                g_assert_cmpint(poll(&p, 1, ms), >=, 0);
                g_assert_cmpint(resource1_process(h), ==, 0);
                turns++;
        }
        gint64 took = g_get_monotonic_time() - start;
        g_test_message("%u of %u set in %" G_GINT64_FORMAT " ms, %u turns of the loop%s%s", c.succeeded, c.answered,
                       took / 1000, turns, c.first_r ? "; the first failure: " : "", c.first_error);
        g_assert_cmpuint(c.succeeded, ==, N);
        for (unsigned i = 0; i < N; i++)
                g_assert_cmpuint(soft_nofile_of(children[i]), ==, want[i]);
        g_assert_cmpint(took, >=, 250 * 1000);   /* 3 changes past the budget: 4 a second */
        g_assert_cmpuint(turns, <, 100);
        resource1_free(h);
}

int main(int argc, char *argv[]) {
        struct rlimit k;

        g_test_init(&argc, &argv, NULL);
        if (geteuid() == 0) {
                /* Root is not rate-limited: nothing would be proved. */
                printf("1..0 # SKIP run as an unprivileged user (meson runs it through setpriv)\n");
                return 0;
        }
        g_assert_cmpint(getrlimit(RLIMIT_NOFILE, &k), ==, 0);
        start_nofile = resource1_limit_from_rlimit(&k);
        if (start_nofile.soft < 1000) {
                printf("1..0 # SKIP the soft NOFILE limit (%llu) leaves too few values below it to set\n",
                       (unsigned long long) start_nofile.soft);
                return 0;
        }
        next_soft = start_nofile.soft - 1;
        for (unsigned i = 0; i < CHILDREN; i++)
                children[i] = start_sleeper();

        g_test_add_func("/client-bounds/300-reads-at-once", test_300_reads_at_once);
        g_test_add_func("/client-bounds/100-children-lowered-at-once", test_100_children_lowered_at_once);
        g_test_add_func("/client-bounds/sync-timeout-shorter-than-the-wait", test_sync_timeout_shorter_than_the_wait);
        g_test_add_func("/client-bounds/sync-change-waits-out-the-rate-limit",
                        test_sync_change_waits_out_the_rate_limit);
        g_test_add_func("/client-bounds/async-poll-loop-waits-out-the-rate-limit",
                        test_async_poll_loop_waits_out_the_rate_limit);
        int r = g_test_run();

        for (unsigned i = 0; i < CHILDREN; i++)
                kill(children[i], SIGKILL);
        for (unsigned i = 0; i < CHILDREN; i++)
                waitpid(children[i], NULL, 0);
        return r;
}
