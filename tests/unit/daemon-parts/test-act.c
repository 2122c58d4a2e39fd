/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/process/act.c: a batch put back after the kernel refuses one of its
 * limits, by the daemon itself (nothing done by number once the target is
 * gone) and by the acting process; the acting process's power, the caller's
 * only, even on a process of a user namespace root made. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "act.h"
#include "daemon-parts.h"
#include "rlimits.h"
#include "target.h"
#include "util.h"

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

void add_act_tests(void) {
        g_test_add_func("/act/privileged-batch-put-back-and-nothing-by-number-once-gone",
                        test_privileged_batch_put_back);
        g_test_add_func("/act/acting-process-puts-its-batch-back", test_acting_batch_put_back);
        g_test_add_func("/act/acting-process-has-the-callers-power-only",
                        test_acting_process_has_the_callers_power_only);
}
