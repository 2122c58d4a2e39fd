/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1 against the real daemon on the fixture's bus (with-bus.sh):
 * every call, every error as errno and as the service's name and message.
 * Unprivileged callers are covered through resourcectl in test-cli.sh. */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "resource1.h"

static Resource1 *h;

static void kernel_limits(pid_t pid, int resource, struct rlimit *ret) {
        g_assert_cmpint(prlimit(pid, resource, NULL, ret), ==, 0);
}

static pid_t spawn_sleeper(void) {
        pid_t p = fork();
        g_assert_cmpint(p, >=, 0);
        if (p == 0) {
                execlp("sleep", "sleep", "600", NULL);
                _exit(127);
        }
        return p;
}

static void reap(pid_t p) {
        kill(p, SIGKILL);
        waitpid(p, NULL, 0);
}

static void assert_failed(int r, int errnum, const char *name, const char *fragment) {
        g_assert_cmpint(r, ==, -errnum);
        g_assert_cmpstr(resource1_last_error_name(h), ==, name);
        if (fragment && !strstr(resource1_last_error_message(h), fragment))
                g_error("message '%s' lacks '%s'", resource1_last_error_message(h), fragment);
}

static void test_names(void) {
        g_assert_cmpint(resource1_resource_from_name("nofile"), ==, RLIMIT_NOFILE);
        g_assert_cmpint(resource1_resource_from_name("RLIMIT_OFILE"), ==, RLIMIT_NOFILE);
        g_assert_cmpint(resource1_resource_from_name("RLIMIT_AS"), ==, RLIMIT_AS);
        g_assert_cmpint(resource1_resource_from_name("VMEM"), ==, -EOPNOTSUPP);
        g_assert_cmpint(resource1_resource_from_name("BOGUS"), ==, -EINVAL);
        g_assert_cmpstr(resource1_resource_to_name(RLIMIT_RTTIME), ==, "RTTIME");
        g_assert_null(resource1_resource_to_name(99));
}

static void test_getrlimit_every_resource(void) {
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                struct rlimit got, k;
                g_assert_cmpint(resource1_getrlimit(h, i, &got), ==, 0);
                g_assert_null(resource1_last_error_name(h));
                kernel_limits(getpid(), i, &k);
                g_assert_cmpuint(got.rlim_cur, ==, k.rlim_cur);
                g_assert_cmpuint(got.rlim_max, ==, k.rlim_max);
        }
}

static void test_setrlimit_lowers_own(void) {
        struct rlimit k, l;
        kernel_limits(getpid(), RLIMIT_CORE, &k);
        l = (struct rlimit) { .rlim_cur = 0, .rlim_max = k.rlim_max };
        g_assert_cmpint(resource1_setrlimit(h, RLIMIT_CORE, &l), ==, 0);
        kernel_limits(getpid(), RLIMIT_CORE, &k);
        g_assert_cmpuint(k.rlim_cur, ==, 0);
}

static void test_prlimit_child(void) {
        pid_t c = spawn_sleeper();
        struct rlimit old, k, set = { 100, 200 };

        g_assert_cmpint(resource1_prlimit(h, c, RLIMIT_NOFILE, NULL, &old), ==, 0);
        kernel_limits(c, RLIMIT_NOFILE, &k);
        g_assert_cmpuint(old.rlim_cur, ==, k.rlim_cur);

        g_assert_cmpint(resource1_prlimit(h, c, RLIMIT_NOFILE, &set, &old), ==, 0);
        g_assert_cmpuint(old.rlim_cur, ==, k.rlim_cur);
        kernel_limits(c, RLIMIT_NOFILE, &k);
        g_assert_cmpuint(k.rlim_cur, ==, 100);
        g_assert_cmpuint(k.rlim_max, ==, 200);

        /* infinity is RLIM_INFINITY both ways */
        struct rlimit inf = { RLIM_INFINITY, RLIM_INFINITY }, core;
        kernel_limits(c, RLIMIT_CORE, &core);
        if (core.rlim_max == RLIM_INFINITY) {
                g_assert_cmpint(resource1_prlimit(h, c, RLIMIT_CORE, &inf, NULL), ==, 0);
                kernel_limits(c, RLIMIT_CORE, &core);
                g_assert_cmpuint(core.rlim_cur, ==, RLIM_INFINITY);
        }

        int fd = pidfd_open(c, 0);
        g_assert_cmpint(fd, >=, 0);
        struct rlimit lower = { 50, 150 };
        g_assert_cmpint(resource1_prlimit_pidfd(h, fd, RLIMIT_NOFILE, &lower, &old), ==, 0);
        g_assert_cmpuint(old.rlim_max, ==, 200);
        kernel_limits(c, RLIMIT_NOFILE, &k);
        g_assert_cmpuint(k.rlim_max, ==, 150);

        reap(c);
        assert_failed(resource1_prlimit_pidfd(h, fd, RLIMIT_NOFILE, NULL, &old), ESRCH,
                      "org.example.Resource1.Error.NoSuchProcess", NULL);
        close(fd);
}

static void test_list_rlimits(void) {
        struct rlimit all[RLIM_NLIMITS];
        g_assert_cmpint(resource1_list_rlimits(h, 0, all, RLIM_NLIMITS), ==, RLIM_NLIMITS);
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                struct rlimit k;
                kernel_limits(getpid(), i, &k);
                g_assert_cmpuint(all[i].rlim_cur, ==, k.rlim_cur);
                g_assert_cmpuint(all[i].rlim_max, ==, k.rlim_max);
        }
        struct rlimit few[3];
        g_assert_cmpint(resource1_list_rlimits(h, 0, few, 3), ==, 3);
        g_assert_cmpuint(few[RLIMIT_DATA].rlim_cur, ==, all[RLIMIT_DATA].rlim_cur);
}

static void test_getrusage(void) {
        /* burn some CPU so there is something to compare */
        volatile double x = 0;
        for (long i = 0; i < 30000000; i++)
                x += i * 0.5;

        Resource1Usage u;
        struct rusage own, ru;
        g_assert_cmpint(resource1_getrusage(h, 0, RUSAGE_SELF, &u), ==, 0);
        getrusage(RUSAGE_SELF, &own);
        double own_ut = own.ru_utime.tv_sec + own.ru_utime.tv_usec / 1e6;
        g_test_message("utime: service %.3f, own %.3f", u.ru_utime, own_ut);
        g_assert_cmpfloat(fabs(u.ru_utime - own_ut), <=, 0.05);
        g_assert_cmpint(u.ru_maxrss, >, 0);
        g_assert_cmpint(u.ru_nswap, ==, 0);

        g_assert_cmpint(resource1_getrusage_struct(h, 0, RUSAGE_SELF, &ru), ==, 0);
        g_assert_cmpint(labs(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec -
                             (own.ru_utime.tv_sec * 1000000 + own.ru_utime.tv_usec)), <=, 50000);
        g_assert_cmpint(resource1_getrusage(h, 0, RUSAGE_CHILDREN, &u), ==, 0);
        g_assert_cmpint(resource1_getrusage(h, 0, RUSAGE_THREAD, &u), ==, 0);
        g_assert_cmpint(resource1_getrusage(h, 0, RESOURCE1_RUSAGE_BOTH, &u), ==, 0);
        g_assert_cmpint(resource1_getrusage(h, 0, 42, &u), ==, -EINVAL);
}

/* A thread that burns CPU, measures its own RUSAGE_THREAD, and waits. */
typedef struct Burner {
        pid_t tid;
        double own_utime;
        int ready[2], done[2];
} Burner;

static void *burner_run(void *userdata) {
        Burner *b = userdata;
        struct rusage ru;
        volatile double x = 0;
        char c = 0;

        b->tid = gettid();
        for (long i = 0; i < 60000000; i++)
                x += i * 0.5;
        getrusage(RUSAGE_THREAD, &ru);
        b->own_utime = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
        g_assert_cmpint(write(b->ready[1], &c, 1), ==, 1);
        g_assert_cmpint(read(b->done[0], &c, 1), ==, 1);
        return NULL;
}

/* A thread id: for RUSAGE_THREAD the library names that thread by a thread's
 * pidfd; for the others it names the thread's process. */
static void test_getrusage_of_a_thread(void) {
        Burner b = {};
        pthread_t t;
        char c = 0;
        g_assert_cmpint(pipe(b.ready), ==, 0);
        g_assert_cmpint(pipe(b.done), ==, 0);
        g_assert_cmpint(pthread_create(&t, NULL, burner_run, &b), ==, 0);
        g_assert_cmpint(read(b.ready[0], &c, 1), ==, 1);

        Resource1Usage thread, main_thread, process;
        g_assert_cmpint(resource1_getrusage(h, b.tid, RUSAGE_THREAD, &thread), ==, 0);
        g_assert_cmpint(resource1_getrusage(h, getpid(), RUSAGE_THREAD, &main_thread), ==, 0);
        g_assert_cmpint(resource1_getrusage(h, b.tid, RUSAGE_SELF, &process), ==, 0);
        g_test_message("thread %d: service %.3f s, its own %.3f s; main thread %.3f s; process %.3f s", (int) b.tid,
                       thread.ru_utime, b.own_utime, main_thread.ru_utime, process.ru_utime);
        g_assert_cmpfloat(b.own_utime, >=, 0.05);
        g_assert_cmpfloat(fabs(thread.ru_utime - b.own_utime), <=, 0.05);
        g_assert_cmpfloat(process.ru_utime, >=, thread.ru_utime + main_thread.ru_utime - 0.05);

        /* a pidfd the program opened: a process's for "thread" names the main thread */
        int fd = pidfd_open(getpid(), 0);
        Resource1Usage by_fd;
        g_assert_cmpint(resource1_getrusage_pidfd(h, fd, RUSAGE_THREAD, &by_fd), ==, 0);
        g_assert_cmpfloat(fabs(by_fd.ru_utime - main_thread.ru_utime), <=, 0.05);
        struct rusage ru;
        g_assert_cmpint(resource1_getrusage_struct_pidfd(h, fd, RUSAGE_SELF, &ru), ==, 0);
        g_assert_cmpint(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec, >=, (long) (thread.ru_utime * 1e6));
        close(fd);

        g_assert_cmpint(write(b.done[1], &c, 1), ==, 1);
        pthread_join(t, NULL);
        close(b.ready[0]), close(b.ready[1]), close(b.done[0]), close(b.done[1]);
}

static void set_kernel_limits(pid_t pid, int resource, rlim_t soft, rlim_t hard) {
        struct rlimit l = { soft, hard };
        g_assert_cmpint(prlimit(pid, resource, &l, NULL), ==, 0);
}

static void assert_kernel_limits(pid_t pid, int resource, rlim_t soft, rlim_t hard) {
        struct rlimit k;
        kernel_limits(pid, resource, &k);
        g_assert_cmpuint(k.rlim_cur, ==, soft);
        g_assert_cmpuint(k.rlim_max, ==, hard);
}

static void test_setrlimits(void) {
        pid_t c = spawn_sleeper();
        set_kernel_limits(c, RLIMIT_NOFILE, 400, 800);
        set_kernel_limits(c, RLIMIT_CORE, 4096, 8192);
        set_kernel_limits(c, RLIMIT_FSIZE, 100000, 200000);

        /* several at once: the old limits in the order given */
        int res[] = { RLIMIT_NOFILE, RLIMIT_CORE };
        struct rlimit set[] = { { 100, 200 }, { 0, 4096 } }, old[2];
        g_assert_cmpint(resource1_setrlimits(h, c, res, set, 2, old), ==, 0);
        g_assert_null(resource1_last_error_name(h));
        g_assert_cmpuint(old[0].rlim_cur, ==, 400);
        g_assert_cmpuint(old[0].rlim_max, ==, 800);
        g_assert_cmpuint(old[1].rlim_cur, ==, 4096);
        g_assert_cmpuint(old[1].rlim_max, ==, 8192);
        assert_kernel_limits(c, RLIMIT_NOFILE, 100, 200);
        assert_kernel_limits(c, RLIMIT_CORE, 0, 4096);

        /* ret_old may be NULL; one limit is a batch too */
        int one[] = { RLIMIT_CORE };
        struct rlimit core[] = { { 1024, 4096 } };
        g_assert_cmpint(resource1_setrlimits(h, c, one, core, 1, NULL), ==, 0);
        assert_kernel_limits(c, RLIMIT_CORE, 1024, 4096);

        /* all or nothing: the kernel refuses the last (a hard raise, without
         * CAP_SYS_RESOURCE), the ones before it are put back */
        int three[] = { RLIMIT_CORE, RLIMIT_FSIZE, RLIMIT_NOFILE };
        struct rlimit up[] = { { 2048, 4096 }, { 50000, 200000 }, { 100, 201 } };
        struct rlimit untouched[3] = { { 7, 7 }, { 7, 7 }, { 7, 7 } };
        int r = resource1_setrlimits(h, c, three, up, 3, untouched);
        if (r == 0)
                g_test_message("the service holds CAP_SYS_RESOURCE: the batch with a hard raise succeeded");
        else {
                assert_failed(r, EPERM, "org.example.Resource1.Error.PermissionDenied", "the kernel refused NOFILE");
                g_assert_nonnull(strstr(resource1_last_error_message(h), "the limits set were restored"));
                g_assert_cmpuint(untouched[0].rlim_cur, ==, 7);   /* out-parameters only on success */
                assert_kernel_limits(c, RLIMIT_CORE, 1024, 4096);
                assert_kernel_limits(c, RLIMIT_FSIZE, 100000, 200000);
                assert_kernel_limits(c, RLIMIT_NOFILE, 100, 200);
        }

        /* refused whole before anything is done */
        int twice[] = { RLIMIT_NOFILE, RLIMIT_CORE, RLIMIT_NOFILE };
        struct rlimit low[] = { { 10, 20 }, { 0, 0 }, { 10, 20 } };
        assert_failed(resource1_setrlimits(h, c, twice, low, 3, NULL), EINVAL,
                      "org.example.Resource1.Error.InvalidLimits", "NOFILE is given twice");
        assert_kernel_limits(c, RLIMIT_CORE, 1024, 4096);
        struct rlimit inverted[] = { { 10, 20 }, { 5, 1 } };
        assert_failed(resource1_setrlimits(h, c, res, inverted, 2, NULL), EINVAL,
                      "org.example.Resource1.Error.InvalidLimits", "soft limit 5 exceeds hard limit 1 for CORE");
        g_assert_cmpint(resource1_setrlimits(h, c, res, set, 0, NULL), ==, -EINVAL);
        int bogus[] = { RLIMIT_NOFILE, 99 };
        g_assert_cmpint(resource1_setrlimits(h, c, bogus, set, 2, NULL), ==, -EINVAL);

        /* by a pidfd the program opened */
        int fd = pidfd_open(c, 0);
        g_assert_cmpint(fd, >=, 0);
        struct rlimit lower[] = { { 50, 100 }, { 0, 2048 } };
        g_assert_cmpint(resource1_setrlimits_pidfd(h, fd, res, lower, 2, old), ==, 0);
        g_assert_cmpuint(old[0].rlim_max, ==, 200);
        assert_kernel_limits(c, RLIMIT_CORE, 0, 2048);
        struct rlimit all[RLIM_NLIMITS];
        g_assert_cmpint(resource1_list_rlimits_pidfd(h, fd, all, RLIM_NLIMITS), ==, RLIM_NLIMITS);
        g_assert_cmpuint(all[RLIMIT_NOFILE].rlim_cur, ==, 50);
        g_assert_cmpuint(all[RLIMIT_FSIZE].rlim_max, ==, 200000);

        reap(c);
        assert_failed(resource1_setrlimits_pidfd(h, fd, res, lower, 2, NULL), ESRCH,
                      "org.example.Resource1.Error.NoSuchProcess", NULL);
        close(fd);
        /* pidfd_open() of a pid that is not there: the service's error, without asking it */
        assert_failed(resource1_setrlimits(h, c, res, lower, 2, NULL), ESRCH,
                      "org.example.Resource1.Error.NoSuchProcess", "no such process");

        /* pid 0: the caller itself */
        struct rlimit own_core;
        kernel_limits(getpid(), RLIMIT_CORE, &own_core);
        struct rlimit own[] = { { 0, own_core.rlim_max } };
        g_assert_cmpint(resource1_setrlimits(h, 0, one, own, 1, old), ==, 0);
        g_assert_cmpuint(old[0].rlim_cur, ==, own_core.rlim_cur);
        assert_kernel_limits(getpid(), RLIMIT_CORE, 0, own_core.rlim_max);
}

/* In a pid namespace of its own (as in a container), as pid 1 there: every
 * pid the library is given means the process of that namespace, and the
 * service, which numbers processes in its own namespace, is told by pidfd. */
static int in_namespace_checks(void) {
        struct rlimit l = { 55, 55 }, old, k, all[RLIM_NLIMITS];
        Resource1Usage u;
        int failures = 0;
#define EXPECT(cond) do { if (!(cond)) { fprintf(stderr, "failed: %s\n", #cond); failures++; } } while (0)

        EXPECT(getpid() == 1);
        EXPECT(resource1_prlimit(NULL, 1, RLIMIT_NOFILE, &l, &old) == 0);
        getrlimit(RLIMIT_NOFILE, &k);
        EXPECT(k.rlim_cur == 55 && k.rlim_max == 55);
        EXPECT(resource1_list_rlimits(NULL, 1, all, RLIM_NLIMITS) == RLIM_NLIMITS);
        EXPECT(all[RLIMIT_NOFILE].rlim_cur == 55);
        int res[] = { RLIMIT_NOFILE, RLIMIT_CORE };
        struct rlimit set[] = { { 44, 44 }, { 0, 0 } };
        EXPECT(resource1_setrlimits(NULL, 1, res, set, 2, NULL) == 0);
        getrlimit(RLIMIT_NOFILE, &k);
        EXPECT(k.rlim_cur == 44);
        getrlimit(RLIMIT_CORE, &k);
        EXPECT(k.rlim_max == 0);
        EXPECT(resource1_getrusage(NULL, 1, RUSAGE_SELF, &u) == 0);
        EXPECT(resource1_getrusage(NULL, 1, RUSAGE_THREAD, &u) == 0);
        /* no pid 2 here, whatever has that number outside */
        EXPECT(resource1_prlimit(NULL, 2, RLIMIT_NOFILE, NULL, &old) == -ESRCH);
#undef EXPECT
        return failures;
}

static void test_pids_are_the_callers_namespace(void) {
        struct rlimit outer_before, outer_after;
        kernel_limits(1, RLIMIT_NOFILE, &outer_before);

        pid_t child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child == 0) {
                if (unshare(CLONE_NEWPID) < 0)
                        _exit(100);
                pid_t init = fork();   /* pid 1 of the new namespace */
                if (init < 0)
                        _exit(101);
                if (init == 0)
                        _exit(in_namespace_checks());
                int st;
                if (waitpid(init, &st, 0) != init || !WIFEXITED(st))
                        _exit(102);
                _exit(WEXITSTATUS(st));
        }
        int status;
        g_assert_cmpint(waitpid(child, &status, 0), ==, child);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);

        /* pid 1 of this (the fixture's) namespace was never touched */
        kernel_limits(1, RLIMIT_NOFILE, &outer_after);
        g_assert_cmpuint(outer_after.rlim_cur, ==, outer_before.rlim_cur);
        g_assert_cmpuint(outer_after.rlim_max, ==, outer_before.rlim_max);
}

static void test_pagesize(void) {
        uint64_t p = 0;
        g_assert_cmpint(resource1_getpagesize(h, &p), ==, 0);
        g_assert_cmpuint(p, ==, (uint64_t) sysconf(_SC_PAGESIZE));
}

static void test_one_shot_calls(void) {
        uint64_t p = 0;
        struct rlimit l;
        g_assert_cmpint(resource1_getpagesize(NULL, &p), ==, 0);
        g_assert_cmpuint(p, ==, (uint64_t) sysconf(_SC_PAGESIZE));
        g_assert_cmpint(resource1_getrlimit(NULL, RLIMIT_NOFILE, &l), ==, 0);
        g_assert_cmpint(resource1_prlimit(NULL, 999999999, RLIMIT_NOFILE, NULL, &l), ==, -ESRCH);
}

static void test_errors_as_errno_and_message(void) {
        struct rlimit l = { 4096, 1024 }, untouched = { 7, 7 };

        g_assert_cmpint(resource1_getrlimit(h, 99, &l), ==, -EINVAL);
        assert_failed(resource1_setrlimit(h, RLIMIT_NOFILE, &l), EINVAL,
                      "org.example.Resource1.Error.InvalidLimits", "soft limit 4096 exceeds hard limit 1024 for NOFILE");
        l = (struct rlimit) { 1, RLIM_INFINITY };
        assert_failed(resource1_setrlimit(h, RLIMIT_NOFILE, &l), EINVAL,
                      "org.example.Resource1.Error.InvalidLimits", "fs.nr_open");

        l = untouched;
        assert_failed(resource1_prlimit(h, 999999999, RLIMIT_NOFILE, NULL, &l), ESRCH,
                      "org.example.Resource1.Error.NoSuchProcess", "no such process");
        g_assert_cmpuint(l.rlim_cur, ==, 7);   /* out-parameters only on success */

        /* root, hard raise: the kernel decides (without CAP_SYS_RESOURCE it refuses) */
        pid_t c = spawn_sleeper();
        struct rlimit k;
        kernel_limits(c, RLIMIT_NOFILE, &k);
        struct rlimit up = { k.rlim_cur, k.rlim_max + 1 };
        int r = resource1_prlimit(h, c, RLIMIT_NOFILE, &up, NULL);
        if (r == 0)
                g_test_message("the service holds CAP_SYS_RESOURCE: the raise succeeded");
        else
                assert_failed(r, EPERM, "org.example.Resource1.Error.PermissionDenied", "kernel refused");
        reap(c);

        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_failed(resource1_prlimit_pidfd(h, nul, RLIMIT_NOFILE, NULL, &l), EIO,
                      "org.example.Resource1.Error.Failed", "not a pidfd");
        close(nul);

        /* a success clears what the last failure said */
        uint64_t p;
        g_assert_cmpint(resource1_getpagesize(h, &p), ==, 0);
        g_assert_null(resource1_last_error_name(h));
        g_assert_null(resource1_last_error_message(h));
}

static void test_service_unavailable(void) {
        g_autofree char *saved = g_strdup(g_getenv("DBUS_SYSTEM_BUS_ADDRESS"));
        Resource1 *other = NULL;
        uint64_t p;

        g_setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus", TRUE);
        g_assert_cmpint(resource1_new(&other), ==, 0);
        g_assert_cmpint(resource1_getpagesize(other, &p), ==, -ECONNREFUSED);
        g_assert_nonnull(strstr(resource1_last_error_message(other), "cannot connect to the system bus"));
        resource1_free(other);
        g_setenv("DBUS_SYSTEM_BUS_ADDRESS", saved, TRUE);
}

/* As nobody, in a child: the refusals an unprivileged caller meets, as errno
 * and as the service's words. The fixture loads no polkit rules, so every
 * gated change meets the actions' defaults: auth_admin, a challenge. */
static int unprivileged_checks(pid_t root_process) {
        Resource1 *u = NULL;
        struct rlimit cur, l;
        int failures = 0;
#define EXPECT(cond) do { if (!(cond)) { fprintf(stderr, "failed: %s (%s: %s)\n", #cond, \
                resource1_last_error_name(u), resource1_last_error_message(u)); failures++; } } while (0)

        if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, 65534, 65534, 65534) < 0 ||
            syscall(SYS_setresuid, 65534, 65534, 65534) < 0)
                return 100;
        if (resource1_new(&u) < 0)
                return 101;

        getrlimit(RLIMIT_NOFILE, &cur);
        l = (struct rlimit) { cur.rlim_cur / 2, cur.rlim_max };
        EXPECT(resource1_setrlimit(u, RLIMIT_NOFILE, &l) == 0);
        getrlimit(RLIMIT_NOFILE, &cur);
        EXPECT(cur.rlim_cur == l.rlim_cur);

        l = (struct rlimit) { cur.rlim_cur, cur.rlim_max + 1 };
        EXPECT(resource1_setrlimit(u, RLIMIT_NOFILE, &l) == -EACCES);
        EXPECT(strcmp(resource1_last_error_name(u), "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired") == 0);
        EXPECT(strstr(resource1_last_error_message(u), "raise-hard-limit") != NULL);

        l = (struct rlimit) { 1, 1 };
        EXPECT(resource1_prlimit(u, root_process, RLIMIT_NOFILE, &l, NULL) == -EACCES);
        EXPECT(strstr(resource1_last_error_message(u), "manage-other") != NULL);

        Resource1Usage usage;
        EXPECT(resource1_getrusage(u, root_process, RUSAGE_SELF, &usage) == -EPERM);
        EXPECT(strcmp(resource1_last_error_name(u), "org.example.Resource1.Error.PermissionDenied") == 0);

        struct rlimit all[RLIM_NLIMITS];
        EXPECT(resource1_list_rlimits(u, root_process, all, RLIM_NLIMITS) == RLIM_NLIMITS);
#undef EXPECT
        resource1_free(u);
        return failures;
}

static void test_unprivileged_caller(void) {
        pid_t root_process = spawn_sleeper();
        struct rlimit before, after;
        kernel_limits(root_process, RLIMIT_NOFILE, &before);

        pid_t child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child == 0)
                _exit(unprivileged_checks(root_process));
        int status;
        g_assert_cmpint(waitpid(child, &status, 0), ==, child);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);

        kernel_limits(root_process, RLIMIT_NOFILE, &after);
        g_assert_cmpuint(after.rlim_cur, ==, before.rlim_cur);
        reap(root_process);
}

/* Last: the service is replaced by a new instance; the handle carries on. */
static void test_handle_survives_service_restart(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GDBusConnection) bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
        g_assert_no_error(error);
        g_autoptr(GVariant) v = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                            "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                                            g_variant_new("(s)", "org.example.Resource1"),
                                                            G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                                            NULL, &error);
        g_assert_no_error(error);
        guint32 pid;
        g_variant_get(v, "(u)", &pid);
        g_assert_cmpint(kill((pid_t) pid, SIGTERM), ==, 0);

        uint64_t p;
        for (int i = 0; i < 200 && resource1_getpagesize(h, &p) == 0; i++)
                g_usleep(10000);
        g_assert_cmpint(resource1_getpagesize(h, &p), ==, -ECONNREFUSED);

        const char *argv[] = { g_getenv("RESOURCE1D"), NULL };
        GPid d;
        g_assert_true(g_spawn_async(NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                    NULL, NULL, &d, &error));
        int r = -1;
        for (int i = 0; i < 500 && (r = resource1_getpagesize(h, &p)) < 0; i++)
                g_usleep(10000);
        g_assert_cmpint(r, ==, 0);
        kill(d, SIGTERM);
        waitpid(d, NULL, 0);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_assert_cmpint(resource1_new(&h), ==, 0);

        g_test_add_func("/client/names", test_names);
        g_test_add_func("/client/getrlimit-every-resource", test_getrlimit_every_resource);
        g_test_add_func("/client/setrlimit-lowers-own", test_setrlimit_lowers_own);
        g_test_add_func("/client/prlimit-child-and-pidfd", test_prlimit_child);
        g_test_add_func("/client/list-rlimits", test_list_rlimits);
        g_test_add_func("/client/getrusage", test_getrusage);
        g_test_add_func("/client/getrusage-of-a-thread", test_getrusage_of_a_thread);
        g_test_add_func("/client/setrlimits", test_setrlimits);
        g_test_add_func("/client/pids-are-the-callers-namespace", test_pids_are_the_callers_namespace);
        g_test_add_func("/client/pagesize", test_pagesize);
        g_test_add_func("/client/one-shot-calls", test_one_shot_calls);
        g_test_add_func("/client/errors-as-errno-and-message", test_errors_as_errno_and_message);
        g_test_add_func("/client/service-unavailable", test_service_unavailable);
        g_test_add_func("/client/unprivileged-caller", test_unprivileged_caller);
        g_test_add_func("/client/handle-survives-service-restart", test_handle_survives_service_restart);

        int r = g_test_run();
        resource1_free(h);
        return r;
}
