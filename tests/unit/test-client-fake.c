/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1 against a fake service on a peer-to-peer connection (a
 * socketpair, served by a thread), through resource1_new_with_bus(): what the
 * real service never sends. Every bus error name and the errno it becomes
 * (each errno one meaning: a bus's AccessDenied or DBus.Error.Failed is not
 * the -EACCES of InteractiveAuthorizationRequired), a NoReply from the bus
 * retried once, a timeout not retried, a bound's LimitsExceeded waited out
 * within the timeout (the service's "try again in S s", or short waits) and
 * otherwise given back at once, a listing without some resources (not
 * reported, never as unlimited) or with names this library does not know,
 * usage with missing and unknown fields, replies of the wrong shape, and the
 * bus name each call is sent to. No system bus needed. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#include "resource1-bus.h"
#include "resource1-client-errno.h"
#include "resource1-errors.h"
#include "resource1.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL   /* Linux 6.9; older headers lack it */
#endif

/* What the fake service answers; set by each test before its calls. */
typedef enum Answer {
        ANSWER_ERROR,          /* error_name, error_message */
        ANSWER_PARTIAL_LIST,   /* ListRlimits: NOFILE, a name of the future, CORE */
        ANSWER_DUPLICATE_LIST, /* ListRlimits: NOFILE twice */
        ANSWER_SPARSE_USAGE,   /* GetRusage: ru_utime, ru_maxrss and a field of the future */
        ANSWER_WRONG_TYPE,     /* anything: a string */
        ANSWER_SILENCE,        /* no answer at all */
        ANSWER_PROPERTIES,     /* Properties.Get */
        ANSWER_REFUSE_FIRST,   /* the error for the first "refusals" calls, then limits 512:1024 */
} Answer;

static struct {
        pthread_mutex_t lock;
        Answer answer;
        const char *error_name, *error_message;
        unsigned refusals;
        unsigned calls;
        char last_member[64];
        char last_destination[64];
        int last_pidfd_pid;    /* the pid (a thread's id for a thread's pidfd) of the pidfd passed, or 0 */
        int last_set;          /* PrlimitPidfd's set, or -1 */
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The pid a pidfd names, as its fdinfo says ("Pid:"), or 0. */
static int pidfd_pid(int fd) {
        g_autofree char *path = g_strdup_printf("/proc/self/fdinfo/%d", fd), *text = NULL;
        if (!g_file_get_contents(path, &text, NULL, NULL))
                return 0;
        const char *p = strstr(text, "\nPid:");
        return p ? atoi(p + 5) : 0;
}

/* What a call's first argument, a pidfd, names (and PrlimitPidfd's set). */
static void read_pidfd_arg(sd_bus_message *m, int *ret_pid, int *ret_set) {
        const char *contents;
        char type;
        int fd, set;

        *ret_pid = 0;
        *ret_set = -1;
        if (sd_bus_message_peek_type(m, &type, &contents) <= 0 || type != 'h')
                return;
        if (sd_bus_message_read(m, "h", &fd) < 0)
                return;
        *ret_pid = pidfd_pid(fd);
        if (strcmp(sd_bus_message_get_member(m), "PrlimitPidfd") == 0 &&
            sd_bus_message_skip(m, "s") >= 0 && sd_bus_message_read(m, "b", &set) >= 0)
                *ret_set = set;
        (void) sd_bus_message_rewind(m, true);
}

static int fake_answer(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const char *member = sd_bus_message_get_member(m);
        int r = 0;

        if (!sd_bus_message_is_method_call(m, NULL, NULL))
                return 0;

        int pidfd_of, set;
        read_pidfd_arg(m, &pidfd_of, &set);
        pthread_mutex_lock(&fake.lock);
        Answer answer = fake.answer;
        const char *name = fake.error_name, *message = fake.error_message;
        fake.calls++;
        bool refuse = fake.calls <= fake.refusals;
        g_strlcpy(fake.last_member, member, sizeof fake.last_member);
        g_strlcpy(fake.last_destination, sd_bus_message_get_destination(m) ?: "", sizeof fake.last_destination);
        fake.last_pidfd_pid = pidfd_of;
        fake.last_set = set;
        pthread_mutex_unlock(&fake.lock);

        switch (answer) {
        case ANSWER_ERROR:
                return sd_bus_reply_method_errorf(m, name, "%s", message);
        case ANSWER_SILENCE:
                return 1;
        case ANSWER_WRONG_TYPE:
                return sd_bus_reply_method_return(m, "s", "surprise");
        case ANSWER_PARTIAL_LIST:
                return sd_bus_reply_method_return(m, "a(stt)", 3, "NOFILE", (uint64_t) 512, (uint64_t) 1024,
                                                  "FUTURE", (uint64_t) 1, (uint64_t) 2, "CORE", (uint64_t) 0,
                                                  (uint64_t) 0);
        case ANSWER_DUPLICATE_LIST:
                return sd_bus_reply_method_return(m, "a(stt)", 2, "NOFILE", (uint64_t) 1, (uint64_t) 2, "NOFILE",
                                                  (uint64_t) 1, (uint64_t) 2);
        case ANSWER_SPARSE_USAGE:
                return sd_bus_reply_method_return(m, "a{sv}", 3, "ru_utime", "d", 1.5, "ru_future", "s", "x",
                                                  "ru_maxrss", "x", (int64_t) 4242);
        case ANSWER_REFUSE_FIRST:
                if (refuse)
                        return sd_bus_reply_method_errorf(m, name, "%s", message);
                return sd_bus_reply_method_return(m, "tt", (uint64_t) 512, (uint64_t) 1024);
        case ANSWER_PROPERTIES: {
                const char *iface, *property;
                r = sd_bus_message_read(m, "ss", &iface, &property);
                if (r < 0)
                        return r;
                if (strcmp(property, "Version") == 0)
                        return sd_bus_reply_method_return(m, "v", "s", "fake 1");
                if (strcmp(property, "CanRaiseHardLimits") == 0)
                        return sd_bus_reply_method_return(m, "v", "b", 1);
                return sd_bus_reply_method_return(m, "v", "as", 2, "NOFILE", "FUTURE");
        }
        }
        return r;
}

static int server_fd, client_fd;
static volatile int server_stop;

static void *serve(void *userdata) {
        sd_bus *bus = NULL;
        sd_id128_t id;

        g_assert_cmpint(sd_id128_randomize(&id), ==, 0);
        g_assert_cmpint(sd_bus_new(&bus), ==, 0);
        g_assert_cmpint(sd_bus_set_fd(bus, server_fd, server_fd), ==, 0);
        g_assert_cmpint(sd_bus_set_server(bus, 1, id), ==, 0);
        g_assert_cmpint(sd_bus_negotiate_fds(bus, 1), ==, 0);
        g_assert_cmpint(sd_bus_add_filter(bus, NULL, fake_answer, NULL), ==, 0);
        g_assert_cmpint(sd_bus_start(bus), ==, 0);
        while (!server_stop) {
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r == 0)
                        sd_bus_wait(bus, 50 * 1000);
        }
        sd_bus_flush_close_unref(bus);
        return NULL;
}

static sd_bus *client_bus;
static Resource1 *h;

static void answer(Answer a, const char *name, const char *message) {
        pthread_mutex_lock(&fake.lock);
        fake.answer = a;
        fake.error_name = name;
        fake.error_message = message;
        fake.refusals = 0;
        fake.calls = 0;
        pthread_mutex_unlock(&fake.lock);
}

/* The error for the first n calls, then an answer. */
static void refuse_first(unsigned n, const char *name, const char *message) {
        answer(ANSWER_REFUSE_FIRST, name, message);
        pthread_mutex_lock(&fake.lock);
        fake.refusals = n;
        pthread_mutex_unlock(&fake.lock);
}

static unsigned calls(void) {
        pthread_mutex_lock(&fake.lock);
        unsigned n = fake.calls;
        pthread_mutex_unlock(&fake.lock);
        return n;
}

static void assert_error(int r, int errnum, const char *name, const char *fragment) {
        g_assert_cmpint(r, ==, -errnum);
        g_assert_cmpstr(resource1_last_error_name(h), ==, name);
        g_assert_nonnull(resource1_last_error_message(h));
        if (fragment)
                g_assert_nonnull(strstr(resource1_last_error_message(h), fragment));
}

/* The service's names as the daemon's map has them; every other name of the
 * bus with one errno of its own. */
static void test_bus_errors_as_errno(void) {
        static const struct {
                const char *name;
                int errnum;
        } table[] = {
                { "org.example.Resource1.Error.InvalidResource", EINVAL },
                { "org.example.Resource1.Error.InvalidLimits", EINVAL },
                { "org.example.Resource1.Error.InvalidWho", EINVAL },
                { "org.example.Resource1.Error.NoSuchProcess", ESRCH },
                { "org.example.Resource1.Error.PermissionDenied", EPERM },
                { "org.example.Resource1.Error.Failed", EIO },
                { "org.example.Resource1.Error.OtherPidNamespace", EXDEV },
                { "org.example.Resource1.Error.ServiceLacksCapability", ENOKEY },
                { "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", EACCES },
                /* the bus's policy, a generic failure: not "authentication needed" */
                { "org.freedesktop.DBus.Error.AccessDenied", EPROTO },
                { "org.freedesktop.DBus.Error.Failed", EPROTO },
                { "org.freedesktop.DBus.Error.InvalidArgs", EPROTO },
                { "org.freedesktop.DBus.Error.AuthFailed", EPROTO },
                { "com.example.Something.Else", EPROTO },
                { "org.freedesktop.DBus.Error.ServiceUnknown", ECONNREFUSED },
                { "org.freedesktop.DBus.Error.NameHasNoOwner", ECONNREFUSED },
                { "org.freedesktop.DBus.Error.Spawn.ChildExited", ECONNREFUSED },
                { "org.freedesktop.DBus.Error.UnknownMethod", EOPNOTSUPP },
                { "org.freedesktop.DBus.Error.UnknownObject", EOPNOTSUPP },
                { "org.freedesktop.DBus.Error.Timeout", ETIMEDOUT },
                { "org.freedesktop.DBus.Error.NoMemory", ENOMEM },
                /* (LimitsExceeded, the service's and the bus's: -EAGAIN, after
                 * waiting; see the bound-* tests) */
        };
        Resource1Limit l;

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                answer(ANSWER_ERROR, table[i].name, "the fake service says so");
                g_test_message("%s", table[i].name);
                assert_error(resource1_getrlimit(h, RLIMIT_NOFILE, &l), table[i].errnum, table[i].name,
                             "the fake service says so");
                g_assert_cmpuint(calls(), ==, 1);
        }
}

/* The same through the map function, for what sd-bus reports on this side. */
static void test_local_errno(void) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        g_assert_cmpint(resource1_client_errno(NULL, -ECHILD, false), ==, -ECHILD);
        g_assert_cmpint(resource1_client_errno(NULL, -ENOTCONN, false), ==, -ECONNRESET);
        g_assert_cmpint(resource1_client_errno(NULL, -EPIPE, false), ==, -ECONNRESET);
        g_assert_cmpint(resource1_client_errno(NULL, -EACCES, false), ==, -EPROTO);
        g_assert_cmpint(resource1_client_errno(NULL, -EINVAL, false), ==, -EPROTO);
        g_assert_cmpint(resource1_client_errno(NULL, -ENOKEY, false), ==, -EPROTO);
        /* every errno a name of the service stands for, never from this side */
        for (const sd_bus_error_map *m = resource1_error_map; m->name; m++)
                g_assert_cmpint(resource1_client_errno(NULL, -m->code, false), ==, -EPROTO);
        g_assert_cmpint(resource1_client_errno(NULL, -ENOMEM, false), ==, -ENOMEM);
        sd_bus_error_set_errno(&e, EMFILE);
        g_assert_cmpint(resource1_client_errno(&e, -EMFILE, false), ==, -EMFILE);
        sd_bus_error_free(&e);
        sd_bus_error_set(&e, SD_BUS_ERROR_NO_REPLY, "x");
        g_assert_cmpint(resource1_client_errno(&e, -ETIMEDOUT, true), ==, -ETIMEDOUT);
        g_assert_cmpint(resource1_client_errno(&e, -ETIMEDOUT, false), ==, -ECONNRESET);
        sd_bus_error_free(&e);
        sd_bus_error_set(&e, SD_BUS_ERROR_DISCONNECTED, "x");
        g_assert_cmpint(resource1_client_errno(&e, -ECONNRESET, false), ==, -ECONNRESET);
        sd_bus_error_free(&e);
}

/* The bus's NoReply before the deadline: the service left without answering.
 * Tried once more, then -ECONNRESET. */
static void test_no_reply_retried_once(void) {
        Resource1Limit l;
        answer(ANSWER_ERROR, "org.freedesktop.DBus.Error.NoReply", "Message recipient disconnected from message bus without replying");
        assert_error(resource1_getrlimit(h, RLIMIT_NOFILE, &l), ECONNRESET, "org.freedesktop.DBus.Error.NoReply",
                     "without replying");
        g_assert_cmpuint(calls(), ==, 2);
}

/* No answer: -ETIMEDOUT at the handle's timeout, not tried again. */
static void test_timeout_not_retried(void) {
        Resource1Limit l;
        answer(ANSWER_SILENCE, NULL, NULL);
        resource1_set_timeout(h, 200 * 1000);
        gint64 start = g_get_monotonic_time();
        assert_error(resource1_getrlimit(h, RLIMIT_NOFILE, &l), ETIMEDOUT, "org.freedesktop.DBus.Error.NoReply",
                     "did not answer within 0.2 s");
        gint64 took = g_get_monotonic_time() - start;
        g_assert_cmpint(took, >=, 190 * 1000);
        g_assert_cmpint(took, <, 390 * 1000);
        g_assert_cmpuint(calls(), ==, 1);
        resource1_set_timeout(h, 0);
}

#define RATE_LIMITED "NOFILE of pid 7: this user is over the rate limit of changes (64 at once, then 4 a second)"

/* A bound's refusal with a time (the rate limit's "try again in S s", as
 * the specification words it): the call waits that long and goes again. */
static void test_bound_waits_its_time(void) {
        Resource1Limit l = {};
        refuse_first(1, "org.example.Resource1.Error.LimitsExceeded", RATE_LIMITED "; try again in 0.3 s");
        gint64 start = g_get_monotonic_time();
        g_assert_cmpint(resource1_getrlimit(h, RLIMIT_NOFILE, &l), ==, 0);
        gint64 took = g_get_monotonic_time() - start;
        g_assert_cmpuint(l.soft, ==, 512);
        g_assert_null(resource1_last_error_name(h));
        g_assert_cmpuint(calls(), ==, 2);
        g_test_message("refused, then answered after %" G_GINT64_FORMAT " us", took);
        g_assert_cmpint(took, >=, 300 * 1000);
        g_assert_cmpint(took, <, 600 * 1000);

        /* The last "try again in" of the message counts, a whole number of
         * seconds too; what a message quotes before it does not. */
        refuse_first(1, "org.example.Resource1.Error.LimitsExceeded",
                     "resource 'try again in 9 s': over the rate limit; try again in 0 s");
        start = g_get_monotonic_time();
        g_assert_cmpint(resource1_getrlimit(h, RLIMIT_NOFILE, &l), ==, 0);
        g_assert_cmpint(g_get_monotonic_time() - start, <, G_USEC_PER_SEC);
        g_assert_cmpuint(calls(), ==, 2);
}

/* A wait that would outlast the call's timeout is not made: the service's
 * error at once, -EAGAIN. */
static void test_bound_past_deadline(void) {
        Resource1Limit l = {};
        refuse_first(100, "org.example.Resource1.Error.LimitsExceeded", RATE_LIMITED "; try again in 0.3 s");
        resource1_set_timeout(h, 200 * 1000);
        gint64 start = g_get_monotonic_time();
        assert_error(resource1_getrlimit(h, RLIMIT_NOFILE, &l), EAGAIN, "org.example.Resource1.Error.LimitsExceeded",
                     "try again in 0.3 s");
        g_assert_cmpint(g_get_monotonic_time() - start, <, 100 * 1000);
        g_assert_cmpuint(calls(), ==, 1);

        /* A time too long to say is no exception. */
        refuse_first(100, "org.example.Resource1.Error.LimitsExceeded",
                     RATE_LIMITED "; try again in 99999999999999999999999 s");
        assert_error(resource1_getrlimit(h, RLIMIT_NOFILE, &l), EAGAIN, "org.example.Resource1.Error.LimitsExceeded",
                     "99999999999999999999999 s");
        g_assert_cmpuint(calls(), ==, 1);
        resource1_set_timeout(h, 0);
}

/* A bound on calls in progress says no time ("try again"), and nor does the
 * bus's own (its pending replies): short waits, longer each time, within the
 * call's timeout; then the last refusal, -EAGAIN. */
static void test_bound_without_time(void) {
        Resource1Limit l = {};
        refuse_first(3, "org.freedesktop.DBus.Error.LimitsExceeded",
                     "The maximum number of pending replies per connection has been reached");
        g_assert_cmpint(resource1_getrlimit(h, RLIMIT_NOFILE, &l), ==, 0);
        g_assert_cmpuint(calls(), ==, 4);

        refuse_first(1000, "org.example.Resource1.Error.LimitsExceeded",
                     "too many calls with descriptors are in progress from this connection; try again");
        resource1_set_timeout(h, 300 * 1000);
        gint64 start = g_get_monotonic_time();
        assert_error(resource1_getrlimit(h, RLIMIT_NOFILE, &l), EAGAIN, "org.example.Resource1.Error.LimitsExceeded",
                     "from this connection; try again");
        gint64 took = g_get_monotonic_time() - start;
        unsigned n = calls();
        g_test_message("%u calls in %" G_GINT64_FORMAT " us", n, took);
        g_assert_cmpuint(n, >=, 4);       /* 10, 20, 40, 80 ms apart: no busy loop, no single try */
        g_assert_cmpuint(n, <=, 7);
        g_assert_cmpint(took, <, 300 * 1000);

        refuse_first(1000, "org.freedesktop.DBus.Error.LimitsExceeded", "The maximum number of pending replies");
        assert_error(resource1_getrlimit(h, RLIMIT_NOFILE, &l), EAGAIN, "org.freedesktop.DBus.Error.LimitsExceeded",
                     "pending replies");
        resource1_set_timeout(h, 0);
}

/* Only what the service sent, in its order; names this library has no number
 * for are left out; nothing is made up as unlimited. */
static void test_partial_listing(void) {
        Resource1LimitEntry e[RLIM_NLIMITS];
        memset(e, 0x55, sizeof e);
        answer(ANSWER_PARTIAL_LIST, NULL, NULL);
        g_assert_cmpint(resource1_list_rlimits(h, 0, e, RLIM_NLIMITS), ==, 2);
        g_assert_cmpint(e[0].resource, ==, RLIMIT_NOFILE);
        g_assert_cmpuint(e[0].limit.soft, ==, 512);
        g_assert_cmpuint(e[0].limit.hard, ==, 1024);
        g_assert_cmpint(e[1].resource, ==, RLIMIT_CORE);
        g_assert_cmpuint(e[1].limit.hard, ==, 0);
        g_assert_cmpint(e[2].resource, ==, 0x55555555);   /* untouched */

        answer(ANSWER_DUPLICATE_LIST, NULL, NULL);
        memset(e, 0x55, sizeof e);
        assert_error(resource1_list_rlimits(h, 0, e, RLIM_NLIMITS), EBADMSG,
                     "org.freedesktop.DBus.Error.InconsistentMessage", "not what org.example.Resource1 specifies");
        g_assert_cmpint(e[0].resource, ==, 0x55555555);
}

static void test_sparse_usage(void) {
        Resource1Usage u;
        memset(&u, 0x55, sizeof u);
        answer(ANSWER_SPARSE_USAGE, NULL, NULL);
        g_assert_cmpint(resource1_getrusage(h, 0, RUSAGE_SELF, &u, sizeof u), ==, 0);
        g_assert_cmpfloat(u.ru_utime, ==, 1.5);
        g_assert_cmpint(u.ru_maxrss, ==, 4242);
        g_assert_cmpfloat(u.ru_stime, ==, 0);
        g_assert_cmpint(u.ru_nivcsw, ==, 0);
}

static void test_wrong_shape(void) {
        uint64_t p = 7;
        answer(ANSWER_WRONG_TYPE, NULL, NULL);
        assert_error(resource1_getpagesize(h, &p), EBADMSG, "org.freedesktop.DBus.Error.InconsistentMessage", NULL);
        g_assert_cmpuint(p, ==, 7);
}

static void test_properties(void) {
        g_autofree char *version = NULL;
        g_autofree char **names = NULL;
        bool can = false;
        answer(ANSWER_PROPERTIES, NULL, NULL);
        g_assert_cmpint(resource1_get_version(h, &version), ==, 0);
        g_assert_cmpstr(version, ==, "fake 1");
        g_assert_cmpint(resource1_get_can_raise_hard_limits(h, &can), ==, 0);
        g_assert_true(can);
        g_assert_cmpint(resource1_get_resources(h, &names), ==, 0);
        g_assert_cmpuint(g_strv_length(names), ==, 2);
        g_assert_cmpstr(names[1], ==, "FUTURE");
}

/* The last call was member, sent to destination. */
static void assert_sent(const char *member, const char *destination) {
        pthread_mutex_lock(&fake.lock);
        g_assert_cmpstr(fake.last_member, ==, member);
        g_assert_cmpstr(fake.last_destination, ==, destination);
        pthread_mutex_unlock(&fake.lock);
}

/* Each *Pidfd call goes to the gate's name, which takes its pidfd (the
 * service's own connection takes no descriptors, so the bus would refuse it
 * at RESOURCE1_BUS_NAME); every other call to the service's. */
static void test_destinations(void) {
        const int res[] = { RLIMIT_CORE };
        const Resource1Limit lim[] = { { 0, 0 } };
        Resource1LimitEntry e[RLIM_NLIMITS];
        Resource1Limit l = { 0, 0 };
        Resource1Usage u;
        uint64_t p;
        bool can;
        int fd = pidfd_open(getpid(), 0);
        g_assert_cmpint(fd, >=, 0);

        answer(ANSWER_ERROR, "org.example.Resource1.Error.Failed", "the fake service says so");
        g_assert_cmpint(resource1_getpagesize(h, &p), ==, -EIO);
        assert_sent("PageSize", RESOURCE1_BUS_NAME);
        g_assert_cmpint(resource1_get_can_raise_hard_limits(h, &can), ==, -EIO);
        assert_sent("Get", RESOURCE1_BUS_NAME);

        g_assert_cmpint(resource1_prlimit_pidfd(h, fd, RLIMIT_CORE, NULL, &l), ==, -EIO);
        assert_sent("PrlimitPidfd", RESOURCE1_PIDFD_BUS_NAME);
        g_assert_cmpint(resource1_setrlimits_pidfd(h, fd, res, lim, 1, NULL), ==, -EIO);
        assert_sent("SetRlimitsPidfd", RESOURCE1_PIDFD_BUS_NAME);
        g_assert_cmpint(resource1_list_rlimits_pidfd(h, fd, e, RLIM_NLIMITS), ==, -EIO);
        assert_sent("ListRlimitsPidfd", RESOURCE1_PIDFD_BUS_NAME);
        g_assert_cmpint(resource1_getrusage_pidfd(h, fd, RUSAGE_SELF, &u, sizeof u), ==, -EIO);
        assert_sent("GetRusagePidfd", RESOURCE1_PIDFD_BUS_NAME);
        close(fd);

        /* A descriptor that is not a pidfd is not sent at all. */
        int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(nul, >=, 0);
        answer(ANSWER_ERROR, "org.example.Resource1.Error.Failed", "the fake service says so");
        assert_error(resource1_prlimit_pidfd(h, nul, RLIMIT_CORE, NULL, &l), EBADF, "System.Error.EBADF",
                     "is not a pidfd");
        g_assert_cmpint(resource1_list_rlimits_pidfd_async(h, NULL, nul, NULL, NULL), ==, -EBADF);
        g_assert_cmpuint(calls(), ==, 0);
        close(nul);
}

/* The last call was member with a pidfd of pid (a thread id for a thread's
 * pidfd) to the gate's name, and, for PrlimitPidfd, set as given. */
static void assert_sent_pidfd(const char *member, int pid, int set) {
        assert_sent(member, RESOURCE1_PIDFD_BUS_NAME);
        pthread_mutex_lock(&fake.lock);
        g_assert_cmpint(fake.last_pidfd_pid, ==, pid);
        g_assert_cmpint(fake.last_set, ==, set);
        pthread_mutex_unlock(&fake.lock);
}

static int usage_of_calling_thread(void) {
        Resource1Usage u;
        return resource1_getrusage(h, 0, RUSAGE_THREAD, &u, sizeof u);
}

static void *thread_usage(void *userdata) {
        int *ret = userdata;
        ret[0] = usage_of_calling_thread();
        ret[1] = gettid();
        return NULL;
}

/* "This process" (getrlimit, setrlimit, pid 0) is named by a pidfd of the
 * calling process, never as the service's "caller": behind a bus proxy
 * (Flatpak's xdg-dbus-proxy) the caller the bus sees is the proxy. The
 * pidfd is the handle's own, kept above the numbers the program uses: no
 * call takes the program's lowest free descriptor. */
static void test_this_process_by_pidfd(void) {
        const int res[] = { RLIMIT_CORE };
        const Resource1Limit lim[] = { { 0, 0 } };
        Resource1LimitEntry e[RLIM_NLIMITS];
        Resource1Limit l = { 0, 0 };
        Resource1Usage u;
        int lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(lowest, >=, 0);
        close(lowest);

        answer(ANSWER_ERROR, "org.example.Resource1.Error.Failed", "the fake service says so");
        g_assert_cmpint(resource1_getrlimit(h, RLIMIT_CORE, &l), ==, -EIO);
        assert_sent_pidfd("PrlimitPidfd", getpid(), 0);
        g_assert_cmpint(resource1_setrlimit(h, RLIMIT_CORE, &l), ==, -EIO);
        assert_sent_pidfd("PrlimitPidfd", getpid(), 1);
        g_assert_cmpint(resource1_prlimit(h, 0, RLIMIT_CORE, NULL, &l), ==, -EIO);
        assert_sent_pidfd("PrlimitPidfd", getpid(), 0);
        g_assert_cmpint(resource1_prlimit(h, 0, RLIMIT_CORE, &l, NULL), ==, -EIO);
        assert_sent_pidfd("PrlimitPidfd", getpid(), 1);
        g_assert_cmpint(resource1_setrlimits(h, 0, res, lim, 1, NULL), ==, -EIO);
        assert_sent_pidfd("SetRlimitsPidfd", getpid(), -1);
        g_assert_cmpint(resource1_list_rlimits(h, 0, e, RLIM_NLIMITS), ==, -EIO);
        assert_sent_pidfd("ListRlimitsPidfd", getpid(), -1);
        g_assert_cmpint(resource1_getrusage(h, 0, RUSAGE_SELF, &u, sizeof u), ==, -EIO);
        assert_sent_pidfd("GetRusagePidfd", getpid(), -1);
        g_assert_cmpint(resource1_getrusage(h, 0, RUSAGE_CHILDREN, &u, sizeof u), ==, -EIO);
        assert_sent_pidfd("GetRusagePidfd", getpid(), -1);
        /* the main thread: the process's pidfd names it */
        g_assert_cmpint(usage_of_calling_thread(), ==, -EIO);
        assert_sent_pidfd("GetRusagePidfd", getpid(), -1);

        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        g_assert_cmpint(fd, ==, lowest);
        close(fd);

        /* Another thread: its own pidfd (PIDFD_THREAD, Linux 6.9); before
         * it, its id as a number, as before (the service's namespace only). */
        int got[2];
        pthread_t t;
        g_assert_cmpint(pthread_create(&t, NULL, thread_usage, got), ==, 0);
        g_assert_cmpint(pthread_join(t, NULL), ==, 0);
        g_assert_cmpint(got[0], ==, -EIO);
        int probe = pidfd_open(getpid(), PIDFD_THREAD);
        if (probe >= 0) {
                close(probe);
                assert_sent_pidfd("GetRusagePidfd", got[1], -1);
        } else {
                g_test_message("this kernel has no PIDFD_THREAD: the thread is named by its id");
                assert_sent("GetRusage", RESOURCE1_BUS_NAME);
        }
}

/* Asynchronous calls on the program's connection, driven by resource1_process(). */
typedef struct Done {
        gboolean done;
        int r;
        char name[128];
        size_t n;
} Done;

static void on_list(Resource1 *handle, int r, const sd_bus_error *error, const Resource1LimitEntry entries[], size_t n,
                    void *userdata) {
        Done *d = userdata;
        d->done = TRUE;
        d->r = r;
        d->n = n;
        if (error)
                g_strlcpy(d->name, error->name, sizeof d->name);
}

static void wait_for(Done *d) {
        gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
        while (!d->done && g_get_monotonic_time() < end) {
                uint64_t until;
                g_assert_cmpint(resource1_process(h), ==, 0);
                if (d->done)
                        break;
                g_assert_cmpint(resource1_get_timeout(h, &until), >=, 0);
                sd_bus_wait(client_bus, 50 * 1000);
        }
        g_assert_true(d->done);
}

static void test_async(void) {
        Done d = {};
        answer(ANSWER_PARTIAL_LIST, NULL, NULL);
        g_assert_cmpint(resource1_get_fd(h), ==, sd_bus_get_fd(client_bus));
        g_assert_cmpint(resource1_list_rlimits_async(h, NULL, 0, on_list, &d), ==, 0);
        wait_for(&d);
        g_assert_cmpint(d.r, ==, 0);
        g_assert_cmpuint(d.n, ==, 2);

        d = (Done) {};
        answer(ANSWER_ERROR, "org.freedesktop.DBus.Error.AccessDenied", "the bus says no");
        g_assert_cmpint(resource1_list_rlimits_async(h, NULL, 0, on_list, &d), ==, 0);
        wait_for(&d);
        g_assert_cmpint(d.r, ==, -EPROTO);
        g_assert_cmpstr(d.name, ==, "org.freedesktop.DBus.Error.AccessDenied");
        g_assert_cmpuint(d.n, ==, 0);

        /* a timeout, through the callback */
        d = (Done) {};
        answer(ANSWER_SILENCE, NULL, NULL);
        resource1_set_timeout(h, 200 * 1000);
        g_assert_cmpint(resource1_list_rlimits_async(h, NULL, 0, on_list, &d), ==, 0);
        wait_for(&d);
        resource1_set_timeout(h, 0);
        g_assert_cmpint(d.r, ==, -ETIMEDOUT);
        g_assert_cmpstr(d.name, ==, "org.freedesktop.DBus.Error.NoReply");
        g_assert_cmpuint(calls(), ==, 1);

        /* cancelled: no callback, even once the answer is there */
        Resource1Slot *slot = NULL;
        d = (Done) {};
        answer(ANSWER_PARTIAL_LIST, NULL, NULL);
        g_assert_cmpint(resource1_list_rlimits_async(h, &slot, 0, on_list, &d), ==, 0);
        resource1_slot_free(slot);
        Done later = {};
        g_assert_cmpint(resource1_list_rlimits_async(h, NULL, 0, on_list, &later), ==, 0);
        wait_for(&later);
        g_assert_false(d.done);
        g_assert_cmpuint(calls(), ==, 2);   /* the cancelled call was sent; its answer was dropped */

        /* by a pidfd: to the gate's name, as the synchronous call (test_destinations) */
        int fd = pidfd_open(getpid(), 0);
        g_assert_cmpint(fd, >=, 0);
        d = (Done) {};
        g_assert_cmpint(resource1_list_rlimits_pidfd_async(h, NULL, fd, on_list, &d), ==, 0);
        close(fd);   /* the call keeps a copy of its own */
        wait_for(&d);
        g_assert_cmpint(d.r, ==, 0);
        assert_sent("ListRlimitsPidfd", RESOURCE1_PIDFD_BUS_NAME);
        /* pid 0: this process, by the handle's pidfd of it */
        d = (Done) {};
        g_assert_cmpint(resource1_list_rlimits_async(h, NULL, 0, on_list, &d), ==, 0);
        wait_for(&d);
        assert_sent_pidfd("ListRlimitsPidfd", getpid(), -1);
}

static void on_limit(Resource1 *handle, int r, const sd_bus_error *error, const Resource1Limit *limit, void *userdata) {
        Done *d = userdata;
        d->done = TRUE;
        d->r = r;
}

static void on_done(Resource1 *handle, int r, const sd_bus_error *error, void *userdata) {
        on_limit(handle, r, error, NULL, userdata);
}

/* getrlimit and setrlimit started asynchronously name this process by pidfd too. */
static void test_async_this_process(void) {
        Resource1Limit l = { 0, 0 };
        Done d = {};
        answer(ANSWER_ERROR, "org.example.Resource1.Error.Failed", "the fake service says so");
        g_assert_cmpint(resource1_getrlimit_async(h, NULL, RLIMIT_CORE, on_limit, &d), ==, 0);
        wait_for(&d);
        g_assert_cmpint(d.r, ==, -EIO);
        assert_sent_pidfd("PrlimitPidfd", getpid(), 0);
        d = (Done) {};
        g_assert_cmpint(resource1_setrlimit_async(h, NULL, RLIMIT_CORE, &l, on_done, &d), ==, 0);
        wait_for(&d);
        g_assert_cmpint(d.r, ==, -EIO);
        assert_sent_pidfd("PrlimitPidfd", getpid(), 1);
}

/* Asynchronously, on a loop of the program's own (not sd-event): a refused
 * call is held back, resource1_get_timeout() says when it goes, and
 * resource1_process() then sends it again; the loop sleeps meanwhile. */
static void test_async_bound_waits(void) {
        Done d = {};
        bool told = false;
        unsigned turns = 0;

        refuse_first(1, "org.example.Resource1.Error.LimitsExceeded", RATE_LIMITED "; try again in 0.3 s");
        gint64 start = g_get_monotonic_time();
        g_assert_cmpint(resource1_getrlimit_async(h, NULL, RLIMIT_NOFILE, on_limit, &d), ==, 0);
        while (!d.done && g_get_monotonic_time() < start + 5 * G_USEC_PER_SEC) {
                uint64_t until = UINT64_MAX;
                g_assert_cmpint(resource1_process(h), ==, 0);
                if (d.done)
                        break;
                int r = resource1_get_timeout(h, &until);
                g_assert_cmpint(r, >=, 0);
                uint64_t now = (uint64_t) g_get_monotonic_time();
                told = told || (r > 0 && until >= now + 200 * 1000 && until <= now + 400 * 1000);
                sd_bus_wait(client_bus, r > 0 ? (until > now ? until - now : 0) : G_USEC_PER_SEC);
                turns++;
        }
        gint64 took = g_get_monotonic_time() - start;
        g_test_message("answered after %" G_GINT64_FORMAT " us, %u turns of the loop", took, turns);
        g_assert_true(d.done);
        g_assert_cmpint(d.r, ==, 0);
        g_assert_cmpuint(calls(), ==, 2);
        g_assert_true(told);
        g_assert_cmpint(took, >=, 300 * 1000);
        g_assert_cmpuint(turns, <, 20);
}

int main(int argc, char *argv[]) {
        int fds[2];
        pthread_t server;

        g_test_init(&argc, &argv, NULL);
        g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
        server_fd = fds[0];
        client_fd = fds[1];
        g_assert_cmpint(pthread_create(&server, NULL, serve, NULL), ==, 0);

        g_assert_cmpint(sd_bus_new(&client_bus), ==, 0);
        g_assert_cmpint(sd_bus_set_fd(client_bus, client_fd, client_fd), ==, 0);
        g_assert_cmpint(sd_bus_negotiate_fds(client_bus, 1), ==, 0);
        g_assert_cmpint(sd_bus_start(client_bus), ==, 0);
        g_assert_cmpint(resource1_new_with_bus(&h, client_bus), ==, 0);

        g_test_add_func("/client-fake/bus-errors-as-errno", test_bus_errors_as_errno);
        g_test_add_func("/client-fake/local-errno", test_local_errno);
        g_test_add_func("/client-fake/no-reply-retried-once", test_no_reply_retried_once);
        g_test_add_func("/client-fake/timeout-not-retried", test_timeout_not_retried);
        g_test_add_func("/client-fake/bound-waits-its-time", test_bound_waits_its_time);
        g_test_add_func("/client-fake/bound-past-deadline", test_bound_past_deadline);
        g_test_add_func("/client-fake/bound-without-time", test_bound_without_time);
        g_test_add_func("/client-fake/partial-listing", test_partial_listing);
        g_test_add_func("/client-fake/sparse-usage", test_sparse_usage);
        g_test_add_func("/client-fake/wrong-shape", test_wrong_shape);
        g_test_add_func("/client-fake/properties", test_properties);
        g_test_add_func("/client-fake/async", test_async);
        g_test_add_func("/client-fake/destinations", test_destinations);
        g_test_add_func("/client-fake/this-process-by-pidfd", test_this_process_by_pidfd);
        g_test_add_func("/client-fake/async-this-process", test_async_this_process);
        g_test_add_func("/client-fake/async-bound-waits", test_async_bound_waits);
        int r = g_test_run();

        resource1_free(h);
        sd_bus_flush_close_unref(client_bus);
        server_stop = 1;
        pthread_join(server, NULL);
        return r;
}
