/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pinning the caller's process, without a bus: the log of connections
 * appearing (unique names, runs, gaps, a flood), whether a process started
 * by the moment its connection appeared (clock ticks, and the pid counter
 * within one), and the bus's ProcessFD, parsed from a GetConnectionCredentials
 * reply and taken as the pin only when it is a live pidfd of the reported
 * pid. Needs no privilege. */
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "appear.h"
#include "caller-pin.h"
#include "context.h"
#include "creds-prefetch.h"
#include "util.h"

static void test_names(void) {
        uint64_t major, minor;

        g_assert_cmpint(appear_parse_name(":1.42", &major, &minor), ==, 0);
        g_assert_cmpuint(major, ==, 1);
        g_assert_cmpuint(minor, ==, 42);
        g_assert_cmpint(appear_parse_name(":1.0", &major, &minor), ==, 0);
        g_assert_cmpint(appear_parse_name(":2.18446744073709551615", &major, &minor), ==, -EINVAL);   /* 20 digits */
        g_assert_cmpint(appear_parse_name(":2.1844674407370955161", &major, &minor), ==, 0);
        g_assert_cmpuint(minor, ==, 1844674407370955161ULL);
        const char *bad[] = { "org.example.Resource1", ":1.", ":.1", ":1", ":01.2", ":1.02", ":1.2.3", ":1.-2",
                              ":1.2 ", "", ":a.b" };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                g_assert_cmpint(appear_parse_name(bad[i], &major, &minor), ==, -EINVAL);
}

/* Consecutive names seen within APPEAR_RUN_USEC of the first are one run,
 * bounded by when its first was seen; a name missed (a gap), one before the
 * log began, one out of order or a well-known name is not seen; a flood
 * replaces the oldest runs. */
static void test_log(void) {
        AppearLog log;
        AppearBound b;

        g_assert_cmpint(appear_log_init(&log), ==, 0);
        g_assert_cmpint(appear_log_find(&log, ":1.5", &b), ==, -ENOENT);

        appear_log_add(&log, 1, 10, 1000000, 500);
        appear_log_add(&log, 1, 11, 1000030, 501);
        appear_log_add(&log, 1, 12, 1000090, 503);        /* same run: within 100 µs of its first */
        appear_log_add(&log, 1, 13, 1000100, 504);        /* a new run: 100 µs after */
        appear_log_add(&log, 1, 15, 1000110, 510);        /* 14 missed: a run of its own */
        appear_log_add(&log, 1, 15, 1000120, 511);        /* again, or */
        appear_log_add(&log, 1, 9, 1000130, 512);         /* out of order: ignored */
        g_assert_cmpuint(log.n, ==, 3);

        g_assert_cmpint(appear_log_find(&log, ":1.9", &b), ==, -ENOENT);   /* before the log began */
        g_assert_cmpint(appear_log_find(&log, ":1.10", &b), ==, 0);
        g_assert_cmpuint(b.usec, ==, 1000000);
        g_assert_cmpint(b.last_pid, ==, 500);
        g_assert_cmpint(appear_log_find(&log, ":1.12", &b), ==, 0);        /* its run's first moment */
        g_assert_cmpuint(b.usec, ==, 1000000);
        g_assert_cmpint(b.last_pid, ==, 500);
        g_assert_cmpint(appear_log_find(&log, ":1.13", &b), ==, 0);
        g_assert_cmpuint(b.usec, ==, 1000100);
        g_assert_cmpint(appear_log_find(&log, ":1.14", &b), ==, -ENOENT);  /* the gap */
        g_assert_cmpint(appear_log_find(&log, ":1.15", &b), ==, 0);
        g_assert_cmpuint(b.usec, ==, 1000110);
        g_assert_cmpint(b.last_pid, ==, 510);
        g_assert_cmpint(appear_log_find(&log, ":1.16", &b), ==, -ENOENT);  /* not yet */
        g_assert_cmpint(appear_log_find(&log, ":2.15", &b), ==, -ENOENT);
        g_assert_cmpint(appear_log_find(&log, "org.example.Resource1", &b), ==, -ENOENT);

        /* A flood of names, each 200 µs apart: one run each, the ring full,
         * the oldest gone. */
        for (uint64_t i = 0; i < APPEAR_RUNS_MAX; i++)
                appear_log_add(&log, 1, 100 + i, 2000000 + i * 200, 600);
        g_assert_cmpuint(log.n, ==, APPEAR_RUNS_MAX);
        g_assert_cmpint(appear_log_find(&log, ":1.15", &b), ==, -ENOENT);
        g_assert_cmpint(appear_log_find(&log, ":1.100", &b), ==, 0);
        g_assert_cmpuint(b.usec, ==, 2000000);
        g_assert_cmpint(appear_log_find(&log, ":1.8291", &b), ==, 0);
        g_assert_cmpuint(b.usec, ==, 2000000 + (APPEAR_RUNS_MAX - 1) * 200);
        /* Names dispatched back to back share a run, however many. */
        for (uint64_t i = 0; i < 3 * APPEAR_RUNS_MAX; i++)
                appear_log_add(&log, 1, 100 + APPEAR_RUNS_MAX + i, 9000000, 700);
        g_assert_cmpint(appear_log_find(&log, ":1.8291", &b), ==, 0);
        g_assert_cmpint(appear_log_find(&log, ":1.30000", &b), ==, 0);
        g_assert_cmpuint(b.usec, ==, 9000000);
        /* A new major number (the minor wrapped) starts a run of its own. */
        appear_log_add(&log, 2, 0, 20000000, 700);
        g_assert_cmpint(appear_log_find(&log, ":2.0", &b), ==, 0);
        g_assert_cmpint(appear_log_find(&log, ":1.40000", &b), ==, -ENOENT);
        appear_log_done(&log);
        g_assert_cmpint(appear_log_find(&log, ":2.0", &b), ==, -ENOENT);
}

/* A flood of short connections fills the ring, but a live connection's run
 * stays: a full ring drops the runs whose connections are all gone first;
 * only live ones beyond the ring's size push out the oldest. */
static void test_log_gone(void) {
        AppearLog log;
        AppearBound b;

        g_assert_cmpint(appear_log_init(&log), ==, 0);
        appear_log_add(&log, 1, 5, 1000000, 400);            /* the victim, live */
        appear_log_add(&log, 1, 6, 1000010, 401);            /* same run, gone */
        appear_log_gone(&log, 1, 6);
        appear_log_gone(&log, 1, 4);                         /* never seen: nothing */
        for (uint64_t i = 0; i < 3 * APPEAR_RUNS_MAX; i++) {
                appear_log_add(&log, 1, 100 + i, 2000000 + i * 200, 600);
                appear_log_gone(&log, 1, 100 + i);
        }
        g_assert_cmpint(appear_log_find(&log, ":1.5", &b), ==, 0);
        g_assert_cmpuint(b.usec, ==, 1000000);
        g_assert_cmpint(b.last_pid, ==, 400);
        g_assert_cmpint(appear_log_find(&log, ":1.100", &b), ==, -ENOENT);   /* dropped, all gone */
        g_assert_cmpuint(log.n, <=, APPEAR_RUNS_MAX);

        /* The victim gone too, and its run dropped once the ring is full. */
        appear_log_gone(&log, 1, 5);
        for (uint64_t i = 0; i < APPEAR_RUNS_MAX; i++)
                appear_log_add(&log, 1, 100 + 3 * APPEAR_RUNS_MAX + i, 9000000 + i * 200, 700);
        g_assert_cmpint(appear_log_find(&log, ":1.5", &b), ==, -ENOENT);

        /* More live runs than the ring holds: the oldest go, as before. */
        uint64_t base = 100 + 4 * APPEAR_RUNS_MAX;
        for (uint64_t i = 0; i < APPEAR_RUNS_MAX + 1; i++)
                appear_log_add(&log, 1, base + i, 20000000 + i * 200, 800);
        g_assert_cmpuint(log.n, ==, APPEAR_RUNS_MAX);
        char name[32];
        snprintf(name, sizeof name, ":1.%" PRIu64, base);
        g_assert_cmpint(appear_log_find(&log, name, &b), ==, -ENOENT);
        snprintf(name, sizeof name, ":1.%" PRIu64, base + 1);
        g_assert_cmpint(appear_log_find(&log, name, &b), ==, 0);
        appear_log_done(&log);
}

/* starttime in 10 ms ticks against a bound in µs: an earlier tick is before,
 * a later one after; within the bound's tick, a pid at or a little below the
 * counter read at the bound was given out before it, one above it after, one
 * far below (the counter wrapped) is not told, and neither is anything when
 * the counter is unknown. */
static void test_started_by(void) {
        AppearBound b = { .usec = 12345678, .last_pid = 4000 };   /* tick 1234 */

        g_assert_true(appear_started_by(1233, 100, 9999, 1024, &b));
        g_assert_true(appear_started_by(0, 100, 1, 1024, &b));
        g_assert_false(appear_started_by(1235, 100, 10, 1024, &b));
        g_assert_true(appear_started_by(1234, 100, 4000, 1024, &b));
        g_assert_true(appear_started_by(1234, 100, 3990, 1024, &b));
        g_assert_false(appear_started_by(1234, 100, 4001, 1024, &b));
        g_assert_false(appear_started_by(1234, 100, 4000 - 1024, 1024, &b));
        g_assert_false(appear_started_by(1234, 100, 0, 1024, &b));
        b.last_pid = -1;
        g_assert_false(appear_started_by(1234, 100, 3990, 1024, &b));
        g_assert_true(appear_started_by(1233, 100, 3990, 1024, &b));
        /* Another clock rate: 1000 ticks a second. */
        b.usec = 12345678;
        g_assert_true(appear_started_by(12344, 1000, 1, 1024, &b));
        g_assert_false(appear_started_by(12346, 1000, 1, 1024, &b));
        g_assert_false(appear_started_by(1, 0, 1, 1024, &b));
        /* The log's counter and window, as the daemon reads them. */
        AppearLog log;
        g_assert_cmpint(appear_log_init(&log), ==, 0);
        g_assert_cmpint(appear_log_read_last_pid(&log), >, 0);
        g_assert_cmpint(log.pid_window, >, 0);
        g_assert_cmpint(log.pid_window, <=, 1024);
        appear_log_done(&log);
}

/* ---- the bus's ProcessFD ---------------------------------------------------- */

/* A GetConnectionCredentials-shaped a{sv}, sealed and rewound for reading,
 * on a bus still authenticating (so it may carry a descriptor). */
static sd_bus_message *creds_reply(sd_bus *bus, uint32_t uid, uint32_t pid, int processfd) {
        sd_bus_message *m = NULL;

        g_assert_cmpint(sd_bus_message_new_signal(bus, &m, "/org/freedesktop/DBus", "org.freedesktop.DBus", "X"), ==, 0);
        g_assert_cmpint(sd_bus_message_open_container(m, 'a', "{sv}"), >=, 0);
        g_assert_cmpint(sd_bus_message_append(m, "{sv}", "UnixUserID", "u", uid), >=, 0);
        g_assert_cmpint(sd_bus_message_append(m, "{sv}", "LinuxSecurityLabel", "ay", 3, "abc"), >=, 0);
        g_assert_cmpint(sd_bus_message_append(m, "{sv}", "ProcessID", "u", pid), >=, 0);
        if (processfd >= 0)
                g_assert_cmpint(sd_bus_message_append(m, "{sv}", "ProcessFD", "h", processfd), >=, 0);
        g_assert_cmpint(sd_bus_message_append(m, "{sv}", "UnixGroupIDs", "au", 2, 27, 100), >=, 0);
        g_assert_cmpint(sd_bus_message_close_container(m), >=, 0);
        g_assert_cmpint(sd_bus_message_seal(m, 1, 0), >=, 0);
        g_assert_cmpint(sd_bus_message_rewind(m, true), >=, 0);
        return m;
}

static pid_t child_waiting(void) {
        pid_t p = fork();
        g_assert_cmpint(p, >=, 0);
        if (p == 0) {
                pause();
                _exit(0);
        }
        return p;
}

/* The entry the reply makes, pinned from its ProcessFD. */
static int8_t pin_from_reply(sd_bus *bus, const char *name, uint32_t pid, int fd, CredsEntry *ret) {
        static Context c;
        sd_bus_message *m = creds_reply(bus, getuid(), pid, fd);
        uid_t uid;
        pid_t got;
        gid_t *groups;
        int n_groups, processfd;

        g_assert_cmpint(creds_parse_reply(m, &uid, &got, &groups, &n_groups, &processfd), ==, 0);
        g_assert_cmpint(got, ==, (pid_t) pid);
        g_assert_cmpint(n_groups, ==, 2);
        g_assert_cmpint((processfd >= 0), ==, (fd >= 0));
        *ret = (CredsEntry) { .uid = uid, .pid = got, .groups = groups, .n_groups = n_groups, .pin = PIN_UNKNOWN,
                              .pidfd = -1, .procfd = -1 };
        snprintf(ret->name, sizeof ret->name, "%s", name);
        /* Settled at once: no worker, no appearance log needed. */
        g_assert_cmpint(caller_pin_start(&c, ret, processfd), ==, 0);
        sd_bus_message_unref(m);
        return ret->pin;
}

static void test_process_fd(void) {
        sd_bus *bus = NULL;
        CredsEntry e;
        int pipefd[2];

        int sv[2];
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
        g_assert_cmpint(sd_bus_new(&bus), ==, 0);
        g_assert_cmpint(sd_bus_set_fd(bus, sv[0], sv[0]), ==, 0);
        g_assert_cmpint(sd_bus_start(bus), >=, 0);

        /* A live pidfd of the reported pid: held, by descriptors of the
         * entry's own (the reply's is closed with it). */
        pid_t live = child_waiting();
        int fd = pidfd_open(live, 0);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(pin_from_reply(bus, ":1.7", (uint32_t) live, fd, &e), ==, PIN_HELD);
        g_assert_cmpint(e.procfd, >=, 0);
        g_assert_cmpint(e.pidfd, >=, 0);
        g_assert_cmpint(e.pidfd, !=, fd);
        g_assert_cmpint(pidfd_send_signal(e.pidfd, 0, NULL, 0), ==, 0);
        creds_entry_clear(&e);

        /* A pidfd of another process than the reported pid: not the caller's. */
        g_assert_cmpint(pin_from_reply(bus, ":1.8", (uint32_t) getpid(), fd, &e), ==, PIN_GONE);
        creds_entry_clear(&e);

        /* Anything else than a pidfd. */
        g_assert_cmpint(pipe2(pipefd, O_CLOEXEC), ==, 0);
        g_assert_cmpint(pin_from_reply(bus, ":1.9", (uint32_t) live, pipefd[0], &e), ==, PIN_GONE);
        creds_entry_clear(&e);
        close(pipefd[0]);
        close(pipefd[1]);

        /* The process exited and was reaped: gone, whoever has its number. */
        kill(live, SIGKILL);
        g_assert_cmpint(waitpid(live, NULL, 0), ==, live);
        g_assert_cmpint(pin_from_reply(bus, ":1.10", (uint32_t) live, fd, &e), ==, PIN_GONE);
        creds_entry_clear(&e);
        close(fd);

        /* No ProcessFD in the reply: the parse says so. */
        sd_bus_message *m = creds_reply(bus, 1, 2, -1);
        uid_t uid;
        pid_t pid;
        gid_t *groups;
        int n_groups, processfd = 42;
        g_assert_cmpint(creds_parse_reply(m, &uid, &pid, &groups, &n_groups, &processfd), ==, 0);
        g_assert_cmpint(processfd, ==, -1);
        g_free(groups);
        sd_bus_message_unref(m);
        sd_bus_close(bus);
        sd_bus_unref(bus);
        close(sv[1]);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/appear/unique-names", test_names);
        g_test_add_func("/appear/runs-gaps-order-and-a-flood", test_log);
        g_test_add_func("/appear/a-flood-of-short-connections-keeps-live-ones", test_log_gone);
        g_test_add_func("/appear/started-by-ticks-and-the-pid-counter", test_started_by);
        g_test_add_func("/pin/process-fd-only-a-live-pidfd-of-the-reported-pid", test_process_fd);
        return g_test_run();
}
