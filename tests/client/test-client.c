/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1's synchronous calls against the real daemon on the fixture's
 * bus (with-bus.sh, with tests/rules/client-slow.rules): every call, every error as
 * errno and as the service's name and message, the last error of handles and
 * of one-shot calls, use after fork(), a timeout; can_setrlimits both ways.
 * The other asynchronous calls are tested by test-async-sd-event.c and
 * test-async-glib.c, threads by
 * test-threads.c; unprivileged callers also through resourcectl in
 * test-cli.sh. */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <grp.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "resource1-bus.h"
#include "resource1.h"

/* The detail tests/rules/client-slow.rules answers slowly (about 2 s) for "daemon". */
#define SLOW_SOFT 343

static Resource1 *h;

static void kernel_limits(pid_t pid, int resource, Resource1Limit *ret) {
        struct rlimit k;
        g_assert_cmpint(prlimit(pid, resource, NULL, &k), ==, 0);
        *ret = resource1_limit_from_rlimit(&k);
}

static void set_kernel_limits(pid_t pid, int resource, uint64_t soft, uint64_t hard) {
        struct rlimit k = { soft, hard };
        g_assert_cmpint(prlimit(pid, resource, &k, NULL), ==, 0);
}

static void assert_kernel_limits(pid_t pid, int resource, uint64_t soft, uint64_t hard) {
        Resource1Limit k;
        kernel_limits(pid, resource, &k);
        g_assert_cmpuint(k.soft, ==, soft);
        g_assert_cmpuint(k.hard, ==, hard);
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

/* A sleep of the daemon's own user (the unit's User=, with-bus.sh's
 * RESOURCE1D_USER) with the limits given: root's batch with a hard raise is
 * the daemon's own act, whose prlimit(2) may set the others on this process
 * without CAP_SYS_RESOURCE, which the fixture may lack. */
static pid_t spawn_service_sleeper(const int resources[], const struct rlimit limits[], size_t n) {
        const char *name = g_getenv("RESOURCE1D_USER");
        g_assert_nonnull(name);
        const struct passwd *pw = getpwnam(name);
        g_assert_nonnull(pw);
        pid_t p = fork();
        g_assert_cmpint(p, >=, 0);
        if (p == 0) {
                for (size_t i = 0; i < n; i++)
                        if (setrlimit(resources[i], &limits[i]) < 0)
                                _exit(126);
                if (setgroups(0, NULL) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
                    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
                        _exit(126);
                execlp("sleep", "sleep", "600", NULL);
                _exit(127);
        }
        /* Until it is sleep with the user's ids. */
        g_autofree char *path = g_strdup_printf("/proc/%d/comm", p);
        for (int i = 0; i < 500; i++) {
                g_autofree char *comm = NULL;
                if (g_file_get_contents(path, &comm, NULL, NULL) && g_str_has_prefix(comm, "sleep"))
                        break;
                g_usleep(10000);
        }
        return p;
}

/* A limit as /proc/PID/limits shows it (the line starting with "label"):
 * what prlimit(2) would say, for a process whose limits root may not read by
 * it here (the daemon's user's, without CAP_SYS_RESOURCE). */
static void proc_limits(pid_t pid, const char *label, Resource1Limit *ret) {
        g_autofree char *path = g_strdup_printf("/proc/%d/limits", pid), *text = NULL;
        g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
        const char *line = strstr(text, label);
        g_assert_nonnull(line);
        char cur[32], max[32];
        g_assert_cmpint(sscanf(line + strlen(label), "%31s %31s", cur, max), ==, 2);
        ret->soft = strcmp(cur, "unlimited") == 0 ? RESOURCE1_INFINITY : g_ascii_strtoull(cur, NULL, 10);
        ret->hard = strcmp(max, "unlimited") == 0 ? RESOURCE1_INFINITY : g_ascii_strtoull(max, NULL, 10);
}

static void assert_proc_limits(pid_t pid, const char *label, uint64_t soft, uint64_t hard) {
        Resource1Limit k;
        proc_limits(pid, label, &k);
        g_assert_cmpuint(k.soft, ==, soft);
        g_assert_cmpuint(k.hard, ==, hard);
}

static void reap(pid_t p) {
        kill(p, SIGKILL);
        waitpid(p, NULL, 0);
}

static void assert_failed_on(Resource1 *handle, int r, int errnum, const char *name, const char *fragment) {
        g_assert_cmpint(r, ==, -errnum);
        g_assert_cmpstr(resource1_last_error_name(handle), ==, name);
        g_assert_nonnull(resource1_last_error_message(handle));
        if (fragment && !strstr(resource1_last_error_message(handle), fragment))
                g_error("message '%s' lacks '%s'", resource1_last_error_message(handle), fragment);
}

static void assert_failed(int r, int errnum, const char *name, const char *fragment) {
        assert_failed_on(h, r, errnum, name, fragment);
}

/* Runs f in a child as uid/gid "daemon" (whom client-slow.rules answers slowly); its exit status is its failures. */
static void as_daemon_user(int (*f)(void *), void *userdata) {
        pid_t child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child == 0) {
                if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, 1, 1, 1) < 0 ||
                    syscall(SYS_setresuid, 1, 1, 1) < 0)
                        _exit(100);
                _exit(f(userdata));
        }
        int status;
        g_assert_cmpint(waitpid(child, &status, 0), ==, child);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

#define EXPECT(handle, cond)                                                                            \
        do {                                                                                            \
                if (!(cond)) {                                                                          \
                        fprintf(stderr, "failed: %s (%s: %s)\n", #cond, resource1_last_error_name(handle), \
                                resource1_last_error_message(handle));                                  \
                        failures++;                                                                     \
                }                                                                                       \
        } while (0)

static void test_names(void) {
        g_assert_cmpint(resource1_resource_from_name("nofile"), ==, RLIMIT_NOFILE);
        g_assert_cmpint(resource1_resource_from_name("RLIMIT_OFILE"), ==, RLIMIT_NOFILE);
        g_assert_cmpint(resource1_resource_from_name("RLIMIT_AS"), ==, RLIMIT_AS);
        g_assert_cmpint(resource1_resource_from_name("VMEM"), ==, -EOPNOTSUPP);
        g_assert_cmpint(resource1_resource_from_name("BOGUS"), ==, -EINVAL);
        g_assert_cmpstr(resource1_resource_to_name(RLIMIT_RTTIME), ==, "RTTIME");
        g_assert_null(resource1_resource_to_name(99));
}

/* The header's helpers, in this (64-bit, _FILE_OFFSET_BITS=64) build. */
static void test_limit_conversions(void) {
        struct rlimit k = { RLIM_INFINITY, 4096 }, back;
        Resource1Limit l = resource1_limit_from_rlimit(&k);
        g_assert_cmpuint(l.soft, ==, RESOURCE1_INFINITY);
        g_assert_cmpuint(l.hard, ==, 4096);
        g_assert_cmpint(resource1_limit_to_rlimit(&l, &back), ==, 0);
        g_assert_true(back.rlim_cur == RLIM_INFINITY && back.rlim_max == 4096);
        g_assert_cmpuint(sizeof(Resource1Limit), ==, 16);
        g_assert_cmpuint(sizeof(Resource1Usage), ==, 2 * 8 + 14 * 8);
}

static void test_getrlimit_every_resource(void) {
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                Resource1Limit got, k;
                g_assert_cmpint(resource1_getrlimit(h, i, &got), ==, 0);
                g_assert_null(resource1_last_error_name(h));
                kernel_limits(getpid(), i, &k);
                g_assert_cmpuint(got.soft, ==, k.soft);
                g_assert_cmpuint(got.hard, ==, k.hard);
        }
}

static void test_setrlimit_lowers_own(void) {
        Resource1Limit k, l;
        kernel_limits(getpid(), RLIMIT_CORE, &k);
        l = (Resource1Limit) { .soft = 0, .hard = k.hard };
        g_assert_cmpint(resource1_setrlimit(h, RLIMIT_CORE, &l), ==, 0);
        assert_kernel_limits(getpid(), RLIMIT_CORE, 0, k.hard);
}

static void test_prlimit_child(void) {
        pid_t c = spawn_sleeper();
        Resource1Limit old, k, set = { 100, 200 };

        g_assert_cmpint(resource1_prlimit(h, c, RLIMIT_NOFILE, NULL, &old), ==, 0);
        kernel_limits(c, RLIMIT_NOFILE, &k);
        g_assert_cmpuint(old.soft, ==, k.soft);

        g_assert_cmpint(resource1_prlimit(h, c, RLIMIT_NOFILE, &set, &old), ==, 0);
        g_assert_cmpuint(old.soft, ==, k.soft);
        assert_kernel_limits(c, RLIMIT_NOFILE, 100, 200);

        /* infinity is RESOURCE1_INFINITY both ways */
        Resource1Limit inf = { RESOURCE1_INFINITY, RESOURCE1_INFINITY }, core;
        kernel_limits(c, RLIMIT_CORE, &core);
        if (core.hard == RESOURCE1_INFINITY) {
                g_assert_cmpint(resource1_prlimit(h, c, RLIMIT_CORE, &inf, NULL), ==, 0);
                assert_kernel_limits(c, RLIMIT_CORE, RESOURCE1_INFINITY, RESOURCE1_INFINITY);
        }

        int fd = pidfd_open(c, 0);
        g_assert_cmpint(fd, >=, 0);
        Resource1Limit lower = { 50, 150 };
        g_assert_cmpint(resource1_prlimit_pidfd(h, fd, RLIMIT_NOFILE, &lower, &old), ==, 0);
        g_assert_cmpuint(old.hard, ==, 200);
        assert_kernel_limits(c, RLIMIT_NOFILE, 50, 150);

        reap(c);
        assert_failed(resource1_prlimit_pidfd(h, fd, RLIMIT_NOFILE, NULL, &old), ESRCH,
                      "org.example.Resource1.Error.NoSuchProcess", NULL);
        close(fd);
}

/* Every resource in RLIMIT_* order, as the kernel has them; at most n. */
static void test_list_rlimits(void) {
        Resource1LimitEntry all[RLIM_NLIMITS + 4];
        g_assert_cmpint(resource1_list_rlimits(h, 0, all, G_N_ELEMENTS(all)), ==, RLIM_NLIMITS);
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                Resource1Limit k;
                g_assert_cmpint(all[i].resource, ==, i);
                kernel_limits(getpid(), i, &k);
                g_assert_cmpuint(all[i].limit.soft, ==, k.soft);
                g_assert_cmpuint(all[i].limit.hard, ==, k.hard);
        }
        Resource1LimitEntry few[3];
        g_assert_cmpint(resource1_list_rlimits(h, 0, few, 3), ==, 3);
        g_assert_cmpint(few[2].resource, ==, RLIMIT_DATA);
        g_assert_cmpuint(few[2].limit.soft, ==, all[RLIMIT_DATA].limit.soft);
        g_assert_cmpint(resource1_list_rlimits(h, 0, NULL, 0), ==, 0);
}

static double seconds(struct timeval tv) {
        return (double) tv.tv_sec + tv.tv_usec / 1e6;
}

static void test_getrusage(void) {
        /* burn some CPU so there is something to compare */
        volatile double x = 0;
        for (long i = 0; i < 30000000; i++)
                x += i * 0.5;

        Resource1Usage u;
        struct rusage own, ru;
        g_assert_cmpint(resource1_getrusage(h, 0, RUSAGE_SELF, &u, sizeof u), ==, 0);
        getrusage(RUSAGE_SELF, &own);
        g_test_message("utime: service %.3f, own %.3f", u.ru_utime, seconds(own.ru_utime));
        g_assert_cmpfloat(fabs(u.ru_utime - seconds(own.ru_utime)), <=, 0.05);
        g_assert_cmpint(u.ru_maxrss, >, 0);
        g_assert_cmpint(u.ru_nswap, ==, 0);

        resource1_usage_to_rusage(&u, &ru);
        g_assert_cmpfloat(fabs(seconds(ru.ru_utime) - u.ru_utime), <=, 1e-6);
        g_assert_cmpint(ru.ru_maxrss, ==, u.ru_maxrss);
        g_assert_cmpint(resource1_getrusage(h, 0, RUSAGE_CHILDREN, &u, sizeof u), ==, 0);
        g_assert_cmpint(resource1_getrusage(h, 0, RUSAGE_THREAD, &u, sizeof u), ==, 0);
        g_assert_cmpint(resource1_getrusage(h, 0, RESOURCE1_RUSAGE_BOTH, &u, sizeof u), ==, 0);
        assert_failed(resource1_getrusage(h, 0, 42, &u, sizeof u), EINVAL,
                      "org.example.Resource1.Error.InvalidWho", "invalid who 42");
}

/* The size a program passes: a newer program's larger struct gets zeros
 * after the fields this library knows; less than the first struct is refused. */
static void test_usage_sizes(void) {
        struct { Resource1Usage u; int64_t newer[4]; } big;
        memset(&big, 0x55, sizeof big);
        g_assert_cmpint(resource1_getrusage(h, 0, RUSAGE_SELF, &big.u, sizeof big), ==, 0);
        g_assert_cmpint(big.u.ru_maxrss, >, 0);
        for (size_t i = 0; i < G_N_ELEMENTS(big.newer); i++)
                g_assert_cmpint(big.newer[i], ==, 0);

        Resource1Usage u = { .ru_maxrss = 7 };
        assert_failed(resource1_getrusage(h, 0, RUSAGE_SELF, &u, sizeof u - 8), EINVAL,
                      "org.freedesktop.DBus.Error.InvalidArgs", "Resource1Usage");
        g_assert_cmpint(u.ru_maxrss, ==, 7);
}

/* A thread that burns CPU, measures its own RUSAGE_THREAD, asks the service
 * for "the calling thread" (pid 0), and waits. */
typedef struct Burner {
        pid_t tid;
        double own_utime, via_pid0;
        int r;
        int ready[2], done[2];
} Burner;

static void *burner_run(void *userdata) {
        Burner *b = userdata;
        Resource1 *mine = NULL;
        Resource1Usage u;
        struct rusage ru;
        volatile double x = 0;
        char c = 0;

        b->tid = gettid();
        /* Until this thread has used 0.3 s of CPU, whatever the machine's
         * speed: the kernel's split into user and system time is by ticks,
         * so ru_utime is then comfortably above the 0.2 s checked below. */
        struct timespec cpu = {};
        while (cpu.tv_sec == 0 && cpu.tv_nsec < 300000000) {
                for (long i = 0; i < 1000000; i++)
                        x += i * 0.5;
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
        }
        getrusage(RUSAGE_THREAD, &ru);
        b->own_utime = seconds(ru.ru_utime);
        /* one handle per thread */
        b->r = resource1_new(&mine);
        if (b->r >= 0)
                b->r = resource1_getrusage(mine, 0, RUSAGE_THREAD, &u, sizeof u);
        b->via_pid0 = u.ru_utime;
        resource1_free(mine);
        g_assert_cmpint(write(b->ready[1], &c, 1), ==, 1);
        g_assert_cmpint(read(b->done[0], &c, 1), ==, 1);
        return NULL;
}

/* A thread id: for RUSAGE_THREAD the library names that thread by a thread's
 * pidfd; for the others it names the thread's process. pid 0 with
 * RUSAGE_THREAD is the calling thread, as in getrusage(2). */
static void test_getrusage_of_a_thread(void) {
        Burner b = {};
        pthread_t t;
        char c = 0;
        g_assert_cmpint(pipe(b.ready), ==, 0);
        g_assert_cmpint(pipe(b.done), ==, 0);
        g_assert_cmpint(pthread_create(&t, NULL, burner_run, &b), ==, 0);
        g_assert_cmpint(read(b.ready[0], &c, 1), ==, 1);

        Resource1Usage thread, main_thread, process, caller;
        struct rusage own;
        g_assert_cmpint(resource1_getrusage(h, b.tid, RUSAGE_THREAD, &thread, sizeof thread), ==, 0);
        g_assert_cmpint(resource1_getrusage(h, getpid(), RUSAGE_THREAD, &main_thread, sizeof main_thread), ==, 0);
        g_assert_cmpint(resource1_getrusage(h, b.tid, RUSAGE_SELF, &process, sizeof process), ==, 0);
        g_assert_cmpint(resource1_getrusage(h, 0, RUSAGE_THREAD, &caller, sizeof caller), ==, 0);
        getrusage(RUSAGE_THREAD, &own);
        g_test_message("thread %d: service %.3f s, its own %.3f s, its pid 0 %.3f s; main thread %.3f s (pid 0 %.3f s, "
                       "its own %.3f s); process %.3f s", (int) b.tid, thread.ru_utime, b.own_utime, b.via_pid0,
                       main_thread.ru_utime, caller.ru_utime, seconds(own.ru_utime), process.ru_utime);
        g_assert_cmpint(b.r, ==, 0);
        g_assert_cmpfloat(b.own_utime, >=, 0.2);
        g_assert_cmpfloat(fabs(thread.ru_utime - b.own_utime), <=, 0.05);
        g_assert_cmpfloat(fabs(b.via_pid0 - b.own_utime), <=, 0.05);
        g_assert_cmpfloat(fabs(caller.ru_utime - seconds(own.ru_utime)), <=, 0.05);
        g_assert_cmpfloat(process.ru_utime, >=, thread.ru_utime + main_thread.ru_utime - 0.05);

        /* a pidfd the program opened: a process's for "thread" names the main thread */
        int fd = pidfd_open(getpid(), 0);
        Resource1Usage by_fd;
        g_assert_cmpint(resource1_getrusage_pidfd(h, fd, RUSAGE_THREAD, &by_fd, sizeof by_fd), ==, 0);
        g_assert_cmpfloat(fabs(by_fd.ru_utime - main_thread.ru_utime), <=, 0.05);
        g_assert_cmpint(resource1_getrusage_pidfd(h, fd, RUSAGE_SELF, &by_fd, sizeof by_fd), ==, 0);
        g_assert_cmpfloat(by_fd.ru_utime, >=, thread.ru_utime);
        close(fd);

        g_assert_cmpint(write(b.done[1], &c, 1), ==, 1);
        pthread_join(t, NULL);
        close(b.ready[0]), close(b.ready[1]), close(b.done[0]), close(b.done[1]);
}

static void test_setrlimits(void) {
        pid_t c = spawn_sleeper();
        set_kernel_limits(c, RLIMIT_NOFILE, 400, 800);
        set_kernel_limits(c, RLIMIT_CORE, 4096, 8192);
        set_kernel_limits(c, RLIMIT_FSIZE, 100000, 200000);

        /* several at once: the old limits in the order given */
        int res[] = { RLIMIT_NOFILE, RLIMIT_CORE };
        Resource1Limit set[] = { { 100, 200 }, { 0, 4096 } }, old[2];
        g_assert_cmpint(resource1_setrlimits(h, c, res, set, 2, old), ==, 0);
        g_assert_null(resource1_last_error_name(h));
        g_assert_cmpuint(old[0].soft, ==, 400);
        g_assert_cmpuint(old[0].hard, ==, 800);
        g_assert_cmpuint(old[1].soft, ==, 4096);
        g_assert_cmpuint(old[1].hard, ==, 8192);
        assert_kernel_limits(c, RLIMIT_NOFILE, 100, 200);
        assert_kernel_limits(c, RLIMIT_CORE, 0, 4096);

        /* ret_old may be NULL; one limit is a batch too */
        int one[] = { RLIMIT_CORE };
        Resource1Limit core[] = { { 1024, 4096 } };
        g_assert_cmpint(resource1_setrlimits(h, c, one, core, 1, NULL), ==, 0);
        assert_kernel_limits(c, RLIMIT_CORE, 1024, 4096);

        /* all or nothing: the kernel refuses the last (a hard raise, without
         * CAP_SYS_RESOURCE), the ones before it are put back */
        int three[] = { RLIMIT_CORE, RLIMIT_FSIZE, RLIMIT_NOFILE };
        const struct rlimit svc_limits[] = { { 1024, 4096 }, { 100000, 200000 }, { 100, 200 } };
        pid_t svc = spawn_service_sleeper(three, svc_limits, 3);
        Resource1Limit up[] = { { 2048, 4096 }, { 50000, 200000 }, { 100, 201 } };
        Resource1Limit untouched[3] = { { 7, 7 }, { 7, 7 }, { 7, 7 } };
        int r = resource1_setrlimits(h, svc, three, up, 3, untouched);
        if (r == 0)
                g_test_message("the service holds CAP_SYS_RESOURCE: the batch with a hard raise succeeded");
        else {
                assert_failed(r, ENOKEY, "org.example.Resource1.Error.ServiceLacksCapability",
                              "the kernel refused NOFILE (the service lacks CAP_SYS_RESOURCE)");
                g_assert_nonnull(strstr(resource1_last_error_message(h), "the limits set were restored"));
                g_assert_cmpuint(untouched[0].soft, ==, 7);   /* out-parameters only on success */
                assert_proc_limits(svc, "Max core file size", 1024, 4096);
                assert_proc_limits(svc, "Max file size", 100000, 200000);
                assert_proc_limits(svc, "Max open files", 100, 200);
        }
        reap(svc);

        /* refused whole before anything is done */
        int twice[] = { RLIMIT_NOFILE, RLIMIT_CORE, RLIMIT_NOFILE };
        Resource1Limit low[] = { { 10, 20 }, { 0, 0 }, { 10, 20 } };
        assert_failed(resource1_setrlimits(h, c, twice, low, 3, NULL), EINVAL,
                      "org.example.Resource1.Error.InvalidLimits", "NOFILE is given twice");
        assert_kernel_limits(c, RLIMIT_CORE, 1024, 4096);
        Resource1Limit inverted[] = { { 10, 20 }, { 5, 1 } };
        assert_failed(resource1_setrlimits(h, c, res, inverted, 2, NULL), EINVAL,
                      "org.example.Resource1.Error.InvalidLimits", "soft limit 5 exceeds hard limit 1 for CORE");
        /* refused by the library, in the service's words */
        assert_failed(resource1_setrlimits(h, c, res, set, 0, NULL), EINVAL,
                      "org.example.Resource1.Error.InvalidLimits", "empty batch");
        int bogus[] = { RLIMIT_NOFILE, 99 };
        assert_failed(resource1_setrlimits(h, c, bogus, set, 2, NULL), EINVAL,
                      "org.example.Resource1.Error.InvalidResource", "invalid resource number 99");

        /* by a pidfd the program opened */
        int fd = pidfd_open(c, 0);
        g_assert_cmpint(fd, >=, 0);
        Resource1Limit lower[] = { { 50, 100 }, { 0, 2048 } };
        g_assert_cmpint(resource1_setrlimits_pidfd(h, fd, res, lower, 2, old), ==, 0);
        g_assert_cmpuint(old[0].hard, ==, 200);
        assert_kernel_limits(c, RLIMIT_CORE, 0, 2048);
        Resource1LimitEntry all[RLIM_NLIMITS];
        g_assert_cmpint(resource1_list_rlimits_pidfd(h, fd, all, RLIM_NLIMITS), ==, RLIM_NLIMITS);
        g_assert_cmpuint(all[RLIMIT_NOFILE].limit.soft, ==, 50);
        g_assert_cmpuint(all[RLIMIT_FSIZE].limit.hard, ==, 200000);

        reap(c);
        assert_failed(resource1_setrlimits_pidfd(h, fd, res, lower, 2, NULL), ESRCH,
                      "org.example.Resource1.Error.NoSuchProcess", NULL);
        close(fd);
        /* pidfd_open() of a pid that is not there: the service's error, without asking it */
        assert_failed(resource1_setrlimits(h, c, res, lower, 2, NULL), ESRCH,
                      "org.example.Resource1.Error.NoSuchProcess", "no such process");

        /* pid 0: the caller itself */
        Resource1Limit own_core;
        kernel_limits(getpid(), RLIMIT_CORE, &own_core);
        Resource1Limit own[] = { { 0, own_core.hard } };
        g_assert_cmpint(resource1_setrlimits(h, 0, one, own, 1, old), ==, 0);
        g_assert_cmpuint(old[0].soft, ==, own_core.soft);
        assert_kernel_limits(getpid(), RLIMIT_CORE, 0, own_core.hard);
}

/* In a pid namespace of its own (as in a container), as pid 1 there: every
 * pid the library is given means the process of that namespace, and the
 * service, which numbers processes in its own namespace, is told by pidfd. */
static int in_namespace_checks(void) {
        Resource1Limit l = { 55, 55 }, old, k;
        Resource1LimitEntry all[RLIM_NLIMITS];
        Resource1Usage u;
        int failures = 0;

        EXPECT(NULL, getpid() == 1);
        EXPECT(NULL, resource1_prlimit(NULL, 1, RLIMIT_NOFILE, &l, &old) == 0);
        kernel_limits(0, RLIMIT_NOFILE, &k);
        EXPECT(NULL, k.soft == 55 && k.hard == 55);
        EXPECT(NULL, resource1_list_rlimits(NULL, 1, all, RLIM_NLIMITS) == RLIM_NLIMITS);
        EXPECT(NULL, all[RLIMIT_NOFILE].limit.soft == 55);
        int res[] = { RLIMIT_NOFILE, RLIMIT_CORE };
        Resource1Limit set[] = { { 44, 44 }, { 0, 0 } };
        EXPECT(NULL, resource1_setrlimits(NULL, 1, res, set, 2, NULL) == 0);
        kernel_limits(0, RLIMIT_NOFILE, &k);
        EXPECT(NULL, k.soft == 44);
        kernel_limits(0, RLIMIT_CORE, &k);
        EXPECT(NULL, k.hard == 0);
        EXPECT(NULL, resource1_getrusage(NULL, 1, RUSAGE_SELF, &u, sizeof u) == 0);
        EXPECT(NULL, resource1_getrusage(NULL, 1, RUSAGE_THREAD, &u, sizeof u) == 0);
        /* no pid 2 here, whatever has that number outside */
        EXPECT(NULL, resource1_prlimit(NULL, 2, RLIMIT_NOFILE, NULL, &old) == -ESRCH);
        return failures;
}

/* ---- can_setrlimits: what setrlimits would meet, nothing changed ---- */

typedef struct Answered {
        bool called;
        int r;
        size_t n;
        Resource1LimitAnswer per_limit[RLIM_NLIMITS];
} Answered;

static void on_answers(Resource1 *handle, int r, const sd_bus_error *error, const Resource1LimitAnswer per_limit[],
                       size_t n, void *userdata) {
        Answered *a = userdata;
        a->called = true;
        a->r = r;
        a->n = n;
        g_assert_true(r < 0 ? error != NULL && per_limit == NULL : error == NULL && per_limit != NULL);
        if (r >= 0)
                memcpy(a->per_limit, per_limit, n * sizeof per_limit[0]);
}

/* Drives the handle with poll(2), as a program with a loop of its own
 * would, until a's callback was called. */
static void wait_answered(Answered *a) {
        for (int i = 0; i < 500 && !a->called; i++) {
                uint64_t until;
                struct pollfd p = { .fd = resource1_get_fd(h), .events = (short) resource1_get_events(h) };
                g_assert_cmpint(resource1_get_timeout(h, &until), >=, 0);
                g_assert_cmpint(poll(&p, 1, 20), >=, 0);
                g_assert_cmpint(resource1_process(h), >=, 0);
        }
        g_assert_true(a->called);
}

/* As root: a lowering is "yes" with no action; a hard raise "yes", or "na"
 * where the service lacks CAP_SYS_RESOURCE; the batch's the stricter;
 * synchronous by pid and by pidfd, asynchronous; nothing changed. */
static void test_can_setrlimits(void) {
        pid_t c = spawn_sleeper();
        set_kernel_limits(c, RLIMIT_NOFILE, 400, 800);
        set_kernel_limits(c, RLIMIT_CORE, 4096, 8192);
        bool cap = false;
        g_assert_cmpint(resource1_get_can_raise_hard_limits(h, &cap), ==, 0);
        const int raised = cap ? RESOURCE1_ANSWER_YES : RESOURCE1_ANSWER_NA;

        int res[] = { RLIMIT_CORE, RLIMIT_NOFILE };
        Resource1Limit lower[] = { { 0, 4096 }, { 100, 200 } }, raise[] = { { 0, 4096 }, { 400, 801 } };
        Resource1LimitAnswer per_limit[2] = {};
        g_assert_cmpint(resource1_can_setrlimits(h, c, res, lower, 2, per_limit), ==, RESOURCE1_ANSWER_YES);
        g_assert_null(resource1_last_error_name(h));
        for (int i = 0; i < 2; i++) {
                g_assert_cmpint(per_limit[i].resource, ==, res[i]);
                g_assert_cmpint(per_limit[i].answer, ==, RESOURCE1_ANSWER_YES);
                g_assert_cmpstr(per_limit[i].action, ==, "");
        }
        g_assert_cmpint(resource1_can_setrlimits(h, c, res, raise, 2, per_limit), ==, raised);
        g_assert_cmpint(per_limit[1].answer, ==, raised);
        g_assert_cmpint(resource1_can_setrlimits(h, c, res, raise, 2, NULL), ==, raised);   /* per_limit may be NULL */

        int fd = pidfd_open(c, 0);
        g_assert_cmpint(fd, >=, 0);
        g_assert_cmpint(resource1_can_setrlimits_pidfd(h, fd, res + 1, raise + 1, 1, per_limit), ==, raised);
        g_assert_cmpint(per_limit[0].resource, ==, RLIMIT_NOFILE);

        Answered by_pid = {}, by_fd = {}, refused = {};
        g_assert_cmpint(resource1_can_setrlimits_async(h, NULL, c, res, raise, 2, on_answers, &by_pid), ==, 0);
        g_assert_cmpint(resource1_can_setrlimits_pidfd_async(h, NULL, fd, res, lower, 2, on_answers, &by_fd), ==, 0);
        Resource1Limit inverted[] = { { 5, 1 } };
        g_assert_cmpint(resource1_can_setrlimits_async(h, NULL, c, res, inverted, 1, on_answers, &refused), ==, 0);
        wait_answered(&by_pid);
        wait_answered(&by_fd);
        wait_answered(&refused);
        g_assert_cmpint(by_pid.r, ==, raised);
        g_assert_cmpuint(by_pid.n, ==, 2);
        g_assert_cmpint(by_pid.per_limit[1].answer, ==, raised);
        g_assert_cmpint(by_fd.r, ==, RESOURCE1_ANSWER_YES);
        g_assert_cmpint(by_fd.per_limit[0].resource, ==, RLIMIT_CORE);
        g_assert_cmpint(refused.r, ==, -EINVAL);

        assert_kernel_limits(c, RLIMIT_NOFILE, 400, 800);
        assert_kernel_limits(c, RLIMIT_CORE, 4096, 8192);
        assert_failed(resource1_can_setrlimits(h, c, res, lower, 0, NULL), EINVAL,
                      "org.example.Resource1.Error.InvalidLimits", "empty batch");
        reap(c);
        assert_failed(resource1_can_setrlimits_pidfd(h, fd, res, lower, 2, NULL), ESRCH,
                      "org.example.Resource1.Error.NoSuchProcess", NULL);
        close(fd);
}

static void test_pids_are_the_callers_namespace(void) {
        Resource1Limit outer_before, outer_after;
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
        g_assert_cmpuint(outer_after.soft, ==, outer_before.soft);
        g_assert_cmpuint(outer_after.hard, ==, outer_before.hard);
}

static void test_pagesize(void) {
        uint64_t p = 0;
        g_assert_cmpint(resource1_getpagesize(h, &p), ==, 0);
        g_assert_cmpuint(p, ==, (uint64_t) sysconf(_SC_PAGESIZE));
}

/* The service's pid, as the bus knows it. */
static pid_t service_pid(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GDBusConnection) bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
        g_assert_no_error(error);
        g_autoptr(GVariant) v = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                            "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                                            g_variant_new("(s)", RESOURCE1_BUS_NAME),
                                                            G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                                            NULL, &error);
        g_assert_no_error(error);
        guint32 pid;
        g_variant_get(v, "(u)", &pid);
        return (pid_t) pid;
}

static bool daemon_has_cap_sys_resource(void) {
        pid_t pid = service_pid();
        g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) pid), *status = NULL;
        g_assert_true(g_file_get_contents(path, &status, NULL, NULL));
        const char *cap = strstr(status, "CapEff:");
        g_assert_nonnull(cap);
        return (g_ascii_strtoull(cap + 7, NULL, 16) >> 24) & 1;   /* CAP_SYS_RESOURCE is 24 */
}

static void test_properties(void) {
        g_autofree char *version = NULL;
        g_autofree char **names = NULL;
        bool can = true;

        g_assert_cmpint(resource1_get_version(h, &version), ==, 0);
        g_assert_cmpstr(version, ==, PROJECT_VERSION);
        g_assert_cmpint(resource1_get_resources(h, &names), ==, 0);
        g_assert_cmpuint(g_strv_length(names), ==, RLIM_NLIMITS);
        for (int i = 0; i < RLIM_NLIMITS; i++)
                g_assert_cmpstr(names[i], ==, resource1_resource_to_name(i));
        g_assert_cmpint(resource1_get_can_raise_hard_limits(h, &can), ==, 0);
        g_assert_cmpint(can, ==, daemon_has_cap_sys_resource());
        g_autofree char *again = NULL;
        g_assert_cmpint(resource1_get_version(NULL, &again), ==, 0);
        g_assert_cmpstr(again, ==, version);
}

static void test_one_shot_calls(void) {
        uint64_t p = 0;
        Resource1Limit l;
        g_assert_cmpint(resource1_getpagesize(NULL, &p), ==, 0);
        g_assert_cmpuint(p, ==, (uint64_t) sysconf(_SC_PAGESIZE));
        g_assert_cmpint(resource1_getrlimit(NULL, RLIMIT_NOFILE, &l), ==, 0);
        g_assert_cmpint(resource1_prlimit(NULL, 999999999, RLIMIT_NOFILE, NULL, &l), ==, -ESRCH);
}

/* Another thread's one-shot failures are its own. */
static void *one_shot_in_a_thread(void *userdata) {
        Resource1Limit l = { 9, 8 };
        int *r = userdata;
        *r = resource1_setrlimit(NULL, RLIMIT_CORE, &l);
        return (void *) (resource1_last_error_name(NULL) && strstr(resource1_last_error_message(NULL), "soft limit 9")
                         ? "ok" : NULL);
}

/* A one-shot call's error (what the service said, or the library) stays the
 * calling thread's until its next one-shot call. */
static void test_one_shot_errors(void) {
        Resource1Limit l = { 4096, 1024 };

        assert_failed_on(NULL, resource1_prlimit(NULL, 999999999, RLIMIT_NOFILE, NULL, &l), ESRCH,
                         "org.example.Resource1.Error.NoSuchProcess", "no such process: pid 999999999");
        assert_failed_on(NULL, resource1_setrlimit(NULL, RLIMIT_NOFILE, &l), EINVAL,
                         "org.example.Resource1.Error.InvalidLimits", "soft limit 4096 exceeds hard limit 1024");

        pthread_t t;
        int r = 0;
        void *ok = NULL;
        g_assert_cmpint(pthread_create(&t, NULL, one_shot_in_a_thread, &r), ==, 0);
        pthread_join(t, &ok);
        g_assert_cmpint(r, ==, -EINVAL);
        g_assert_nonnull(ok);
        g_assert_nonnull(strstr(resource1_last_error_message(NULL), "soft limit 4096"));   /* still this thread's */

        assert_failed_on(NULL, resource1_getrlimit(NULL, 77, &l), EINVAL,
                         "org.example.Resource1.Error.InvalidResource", "invalid resource number 77");
        uint64_t p;
        g_assert_cmpint(resource1_getpagesize(NULL, &p), ==, 0);
        g_assert_null(resource1_last_error_name(NULL));
        g_assert_null(resource1_last_error_message(NULL));
}

static void test_errors_as_errno_and_message(void) {
        Resource1Limit l = { 4096, 1024 }, untouched = { 7, 7 };

        assert_failed(resource1_setrlimit(h, RLIMIT_NOFILE, &l), EINVAL,
                      "org.example.Resource1.Error.InvalidLimits", "soft limit 4096 exceeds hard limit 1024 for NOFILE");
        l = (Resource1Limit) { 1, RESOURCE1_INFINITY };
        assert_failed(resource1_setrlimit(h, RLIMIT_NOFILE, &l), EINVAL,
                      "org.example.Resource1.Error.InvalidLimits", "fs.nr_open");

        l = untouched;
        assert_failed(resource1_prlimit(h, 999999999, RLIMIT_NOFILE, NULL, &l), ESRCH,
                      "org.example.Resource1.Error.NoSuchProcess", "no such process");
        g_assert_cmpuint(l.soft, ==, 7);   /* out-parameters only on success */

        /* root, hard raise: the kernel decides (without CAP_SYS_RESOURCE it refuses) */
        pid_t c = spawn_sleeper();
        Resource1Limit k;
        kernel_limits(c, RLIMIT_NOFILE, &k);
        Resource1Limit up = { k.soft, k.hard + 1 };
        int r = resource1_prlimit(h, c, RLIMIT_NOFILE, &up, NULL);
        if (r == 0)
                g_test_message("the service holds CAP_SYS_RESOURCE: the raise succeeded");
        else
                assert_failed(r, ENOKEY, "org.example.Resource1.Error.ServiceLacksCapability",
                              "the kernel refused (the service lacks CAP_SYS_RESOURCE)");
        reap(c);

        /* a descriptor that is not a pidfd: refused here, never sent (the
         * service would answer InvalidArgs, and its gate retire to close it) */
        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
        assert_failed(resource1_prlimit_pidfd(h, nul, RLIMIT_NOFILE, NULL, &l), EBADF, "System.Error.EBADF",
                      "is not a pidfd");
        close(nul);

        /* a success clears what the last failure said */
        uint64_t p;
        g_assert_cmpint(resource1_getpagesize(h, &p), ==, 0);
        g_assert_null(resource1_last_error_name(h));
        g_assert_null(resource1_last_error_message(h));
}

/* Every call starts afresh: a failure the library finds itself (a bad
 * resource number, who, pidfd or pid, a NULL pointer) names itself, never the
 * previous call's error. */
static void test_last_error_is_the_last_calls(void) {
        Resource1Limit l = { 4096, 1024 };
        Resource1Usage u;

        assert_failed(resource1_setrlimit(h, RLIMIT_NOFILE, &l), EINVAL, "org.example.Resource1.Error.InvalidLimits",
                      NULL);
        assert_failed(resource1_getrlimit(h, 99, &l), EINVAL, "org.example.Resource1.Error.InvalidResource",
                      "invalid resource number 99");
        assert_failed(resource1_getrusage(h, 0, 7, &u, sizeof u), EINVAL, "org.example.Resource1.Error.InvalidWho",
                      "invalid who 7");
        assert_failed(resource1_prlimit_pidfd(h, -1, RLIMIT_NOFILE, NULL, &l), EBADF, "System.Error.EBADF",
                      "invalid pidfd -1");
        assert_failed(resource1_prlimit(h, -5, RLIMIT_NOFILE, NULL, &l), EINVAL, "org.freedesktop.DBus.Error.InvalidArgs",
                      "invalid pid -5");
        assert_failed(resource1_getrlimit(h, RLIMIT_NOFILE, NULL), EINVAL, "org.freedesktop.DBus.Error.InvalidArgs",
                      "NULL");
        assert_failed(resource1_setrlimit(h, RLIMIT_NOFILE, NULL), EINVAL, "org.freedesktop.DBus.Error.InvalidArgs",
                      "NULL");
        g_assert_cmpint(resource1_getrlimit(h, RLIMIT_NOFILE, &l), ==, 0);
        g_assert_null(resource1_last_error_name(h));
}

/* A handle connected in a parent is not the child's: -ECHILD, never a call on
 * the parent's connection; the child makes its own. */
static void test_use_after_fork(void) {
        uint64_t p;
        g_assert_cmpint(resource1_getpagesize(h, &p), ==, 0);   /* connected */

        pid_t child = fork();
        g_assert_cmpint(child, >=, 0);
        if (child == 0) {
                int failures = 0;
                EXPECT(h, resource1_getpagesize(h, &p) == -ECHILD);
                EXPECT(h, resource1_last_error_name(h) && strcmp(resource1_last_error_name(h), "System.Error.ECHILD") == 0);
                EXPECT(h, resource1_last_error_message(h) && strstr(resource1_last_error_message(h), "fork()"));
                Resource1 *mine = NULL;
                EXPECT(mine, resource1_new(&mine) == 0 && resource1_getpagesize(mine, &p) == 0);
                resource1_free(mine);
                EXPECT(NULL, resource1_getpagesize(NULL, &p) == 0);
                _exit(failures);
        }
        int status;
        g_assert_cmpint(waitpid(child, &status, 0), ==, child);
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        g_assert_cmpint(resource1_getpagesize(h, &p), ==, 0);   /* the parent's is fine */
}

/* As "daemon", a change of another user's process that polkit answers after
 * about 2 s, with a 500 ms timeout: -ETIMEDOUT at the timeout, not retried.
 * The process is the daemon's own user's, which the daemon may change without
 * CAP_SYS_RESOURCE once polkit said yes. */
typedef struct Target {
        pid_t pid;
        Resource1Limit nofile;
} Target;

static int timeout_checks(void *userdata) {
        Target *t = userdata;
        pid_t target = t->pid;
        Resource1 *u = NULL;
        Resource1Limit l = { SLOW_SOFT, t->nofile.hard };
        int failures = 0;

        EXPECT(u, resource1_new(&u) == 0);
        resource1_set_timeout(u, 500 * 1000);
        gint64 start = g_get_monotonic_time();
        int r = resource1_prlimit(u, target, RLIMIT_NOFILE, &l, NULL);
        double took = (g_get_monotonic_time() - start) / 1e6;
        fprintf(stderr, "# timed out after %.3f s: %s: %s\n", took, resource1_last_error_name(u),
                resource1_last_error_message(u));
        EXPECT(u, r == -ETIMEDOUT);
        EXPECT(u, resource1_last_error_name(u) && strcmp(resource1_last_error_name(u), "org.freedesktop.DBus.Error.NoReply") == 0);
        EXPECT(u, took >= 0.45 && took < 0.95);
        /* the handle goes on; the default timeout waits for the slow answer */
        resource1_set_timeout(u, 0);
        EXPECT(u, resource1_prlimit(u, target, RLIMIT_NOFILE, &l, NULL) == 0);
        resource1_free(u);
        return failures;
}

static void test_timeout(void) {
        Target t = { .pid = spawn_service_sleeper(NULL, NULL, 0) };
        Resource1Limit k;
        proc_limits(t.pid, "Max open files", &t.nofile);
        as_daemon_user(timeout_checks, &t);
        proc_limits(t.pid, "Max open files", &k);
        g_assert_cmpuint(k.soft, ==, SLOW_SOFT);
        reap(t.pid);
}

static void test_service_unavailable(void) {
        g_autofree char *saved = g_strdup(g_getenv("DBUS_SYSTEM_BUS_ADDRESS"));
        Resource1 *other = NULL;
        uint64_t p;

        g_setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/bus", TRUE);
        g_assert_cmpint(resource1_new(&other), ==, 0);
        assert_failed_on(other, resource1_getpagesize(other, &p), ECONNREFUSED, "org.freedesktop.DBus.Error.NoServer",
                         "cannot connect to the system bus");
        resource1_free(other);
        g_setenv("DBUS_SYSTEM_BUS_ADDRESS", saved, TRUE);
}

/* Sends descriptor 0 over fd; the errno sendmsg(2) fails with, or 0. */
static int send_a_descriptor(int fd) {
        char byte = 'x', control[CMSG_SPACE(sizeof(int))] = {};
        struct iovec iov = { &byte, 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memset(CMSG_DATA(c), 0, sizeof(int));
        return sendmsg(fd, &mh, MSG_NOSIGNAL) < 0 ? errno : 0;
}

/* Linux refuses to pass a descriptor (ETOOMANYREFS) for an unprivileged
 * sender whose user has more in flight than its soft NOFILE limit: a program
 * at NOFILE 4 (PyMOTW's example) with a few of its user's descriptors in
 * flight. The handle names the process by number then (the service's
 * caller, this process here), its connection intact. */
static int fd_passing_refused(Resource1 *u) {
        Resource1Limit cur, got, l;
        int failures = 0, sp[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
                return 200;
        for (int i = 0; i < 8; i++)      /* never received: 8 of nobody's in flight */
                if (send_a_descriptor(sp[0]) != 0)
                        return 201;
        kernel_limits(0, RLIMIT_NOFILE, &cur);
        l = (Resource1Limit) { 4, cur.hard };
        EXPECT(u, resource1_setrlimit(u, RLIMIT_NOFILE, &l) == 0);
        assert_kernel_limits(0, RLIMIT_NOFILE, 4, cur.hard);
        EXPECT(NULL, send_a_descriptor(sp[0]) == ETOOMANYREFS);

        EXPECT(u, resource1_getrlimit(u, RLIMIT_NOFILE, &got) == 0 && got.soft == 4 && got.hard == cur.hard);
        l = (Resource1Limit) { 5, cur.hard };
        EXPECT(u, resource1_setrlimit(u, RLIMIT_NOFILE, &l) == 0);
        kernel_limits(0, RLIMIT_NOFILE, &got);
        EXPECT(u, got.soft == 5);
        Resource1Usage usage;
        (void) prctl(PR_SET_DUMPABLE, 1);   /* setuid() made it private to root, by pidfd or not */
        EXPECT(u, resource1_getrusage(u, 0, RUSAGE_SELF, &usage, sizeof usage) == 0 && usage.ru_maxrss > 0);
        close(sp[0]);
        close(sp[1]);
        return failures;
}

/* As nobody, in a child: the refusals an unprivileged caller meets, as errno
 * and as the service's words. The fixture's rules answer nobody's checks with
 * the actions' defaults: auth_admin, a challenge. */
static int unprivileged_checks(pid_t root_process) {
        Resource1 *u = NULL;
        Resource1Limit cur, l;
        int failures = 0;

        if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, 65534, 65534, 65534) < 0 ||
            syscall(SYS_setresuid, 65534, 65534, 65534) < 0)
                return 100;
        if (resource1_new(&u) < 0)
                return 101;

        kernel_limits(0, RLIMIT_NOFILE, &cur);
        l = (Resource1Limit) { cur.soft / 2, cur.hard };
        EXPECT(u, resource1_setrlimit(u, RLIMIT_NOFILE, &l) == 0);
        kernel_limits(0, RLIMIT_NOFILE, &cur);
        EXPECT(u, cur.soft == l.soft);

        l = (Resource1Limit) { cur.soft, cur.hard + 1 };
        EXPECT(u, resource1_setrlimit(u, RLIMIT_NOFILE, &l) == -EACCES);
        EXPECT(u, strcmp(resource1_last_error_name(u), "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired") == 0);
        EXPECT(u, strstr(resource1_last_error_message(u), "raise-hard-limit") != NULL);
        EXPECT(u, strstr(resource1_last_error_message(u),
                         "needs authentication, but the call did not allow interactive authorization") != NULL);
        /* allowed, the same challenge: no agent answers here */
        resource1_set_allow_interactive(u, true);
        EXPECT(u, resource1_setrlimit(u, RLIMIT_NOFILE, &l) == -EACCES);
        EXPECT(u, strcmp(resource1_last_error_name(u), "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired") == 0);
        EXPECT(u, strstr(resource1_last_error_message(u),
                         "raise-hard-limit needs authentication, but no authentication agent answered") != NULL);
        resource1_set_allow_interactive(u, false);

        l = (Resource1Limit) { 1, 1 };
        EXPECT(u, resource1_prlimit(u, root_process, RLIMIT_NOFILE, &l, NULL) == -EACCES);
        EXPECT(u, strstr(resource1_last_error_message(u), "manage-other") != NULL);

        Resource1Usage usage;
        EXPECT(u, resource1_getrusage(u, root_process, RUSAGE_SELF, &usage, sizeof usage) == -EPERM);
        EXPECT(u, strcmp(resource1_last_error_name(u), "org.example.Resource1.Error.PermissionDenied") == 0);

        Resource1LimitEntry all[RLIM_NLIMITS];
        EXPECT(u, resource1_list_rlimits(u, root_process, all, RLIM_NLIMITS) == RLIM_NLIMITS);

        failures += fd_passing_refused(u);
        resource1_free(u);
        return failures;
}

static void test_unprivileged_caller(void) {
        pid_t root_process = spawn_sleeper();
        Resource1Limit before, after;
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
        g_assert_cmpuint(after.soft, ==, before.soft);
        reap(root_process);
}

/* Last: the service is replaced by a new instance; the handle carries on. */
static void test_handle_survives_service_restart(void) {
        g_autoptr(GError) error = NULL;
        g_assert_cmpint(kill(service_pid(), SIGTERM), ==, 0);

        uint64_t p;
        for (int i = 0; i < 200 && resource1_getpagesize(h, &p) == 0; i++)
                g_usleep(10000);
        assert_failed(resource1_getpagesize(h, &p), ECONNREFUSED, "org.freedesktop.DBus.Error.ServiceUnknown", NULL);

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
        g_test_add_func("/client/limit-conversions", test_limit_conversions);
        g_test_add_func("/client/getrlimit-every-resource", test_getrlimit_every_resource);
        g_test_add_func("/client/setrlimit-lowers-own", test_setrlimit_lowers_own);
        g_test_add_func("/client/prlimit-child-and-pidfd", test_prlimit_child);
        g_test_add_func("/client/list-rlimits", test_list_rlimits);
        g_test_add_func("/client/getrusage", test_getrusage);
        g_test_add_func("/client/usage-sizes", test_usage_sizes);
        g_test_add_func("/client/getrusage-of-a-thread", test_getrusage_of_a_thread);
        g_test_add_func("/client/setrlimits", test_setrlimits);
        g_test_add_func("/client/can-setrlimits", test_can_setrlimits);
        g_test_add_func("/client/pids-are-the-callers-namespace", test_pids_are_the_callers_namespace);
        g_test_add_func("/client/pagesize", test_pagesize);
        g_test_add_func("/client/properties", test_properties);
        g_test_add_func("/client/one-shot-calls", test_one_shot_calls);
        g_test_add_func("/client/one-shot-errors", test_one_shot_errors);
        g_test_add_func("/client/errors-as-errno-and-message", test_errors_as_errno_and_message);
        g_test_add_func("/client/last-error-is-the-last-calls", test_last_error_is_the_last_calls);
        g_test_add_func("/client/use-after-fork", test_use_after_fork);
        g_test_add_func("/client/timeout", test_timeout);
        g_test_add_func("/client/service-unavailable", test_service_unavailable);
        g_test_add_func("/client/unprivileged-caller", test_unprivileged_caller);
        g_test_add_func("/client/handle-survives-service-restart", test_handle_survives_service_restart);

        int r = g_test_run();
        resource1_free(h);
        return r;
}
