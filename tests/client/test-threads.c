/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1 from 8 threads at once, against the real daemon on the
 * fixture's bus (with-bus.sh), run under valgrind's helgrind (tests/meson.build):
 * one-shot calls (a NULL handle) from every thread, each thread's one-shot
 * errors its own, and a handle per thread. Fails on any data race helgrind
 * sees (--error-exitcode) or any wrong answer. TAP.
 *
 * Before the threads start, the main thread makes libsystemd's own
 * process-wide caches with one plain sd-bus call (not libresource1's): its pid
 * cache (set with a compare-and-swap) and its hashmaps' key (made under
 * pthread_once()), which helgrind, blind to atomics and to glibc's
 * pthread_once(), would otherwise report in every thread's first sd-bus call.
 * Nothing of libresource1 runs before the threads do, so a race of its own
 * (such as registering an error map process-wide from each thread's first
 * call) is still seen. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "resource1.h"

#define THREADS 8
#define ROUNDS 5

typedef struct Worker {
        unsigned index;
        unsigned failures;
        char first_failure[256];
} Worker;

static void fail(Worker *w, const char *what) {
        if (w->failures++ == 0)
                snprintf(w->first_failure, sizeof w->first_failure, "%s (%s: %s)", what,
                         resource1_last_error_name(NULL) ?: "-", resource1_last_error_message(NULL) ?: "-");
}

static void *run(void *userdata) {
        Worker *w = userdata;
        uint64_t page = 0;
        char expected[64];

        for (unsigned round = 0; round < ROUNDS; round++) {
                /* the call of the issue: one-shot from every thread */
                if (resource1_getpagesize(NULL, &page) != 0 || page != (uint64_t) sysconf(_SC_PAGESIZE))
                        fail(w, "getpagesize(NULL)");
                if (resource1_last_error_name(NULL))
                        fail(w, "no error after a success");

                /* an error of this thread's own: the service's words for its values */
                Resource1Limit l = { 5000 + w->index, 1000 + w->index };
                snprintf(expected, sizeof expected, "soft limit %u exceeds hard limit %u", 5000 + w->index,
                         1000 + w->index);
                if (resource1_setrlimit(NULL, RLIMIT_NOFILE, &l) != -EINVAL)
                        fail(w, "setrlimit(NULL) of inverted limits");
                const char *msg = resource1_last_error_message(NULL);
                if (!msg || !strstr(msg, expected))
                        fail(w, "this thread's one-shot error");

                /* refused by the library itself */
                if (resource1_getrlimit(NULL, 90 + (int) w->index, &l) != -EINVAL ||
                    !resource1_last_error_name(NULL) ||
                    strcmp(resource1_last_error_name(NULL), "org.example.Resource1.Error.InvalidResource") != 0)
                        fail(w, "getrlimit(NULL) of an invalid resource");
        }

        /* a handle per thread */
        Resource1 *h = NULL;
        Resource1Usage u;
        if (resource1_new(&h) != 0)
                fail(w, "resource1_new");
        for (unsigned round = 0; h && round < ROUNDS; round++)
                if (resource1_getrusage(h, 0, RUSAGE_THREAD, &u, sizeof u) != 0 || resource1_getpagesize(h, &page) != 0)
                        fail(w, "calls on the thread's handle");
        resource1_free(h);
        return NULL;
}

static int warm_libsystemd(void) {
        sd_bus *bus = NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetId", NULL, &reply, NULL);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(bus);
        return r;
}

int main(void) {
        pthread_t threads[THREADS];
        Worker workers[THREADS] = {};
        unsigned failed = 0;

        if (warm_libsystemd() < 0)
                return 1;

        for (unsigned i = 0; i < THREADS; i++) {
                workers[i].index = i;
                if (pthread_create(&threads[i], NULL, run, &workers[i]) != 0)
                        return 1;
        }
        for (unsigned i = 0; i < THREADS; i++)
                pthread_join(threads[i], NULL);

        printf("1..%d\n", THREADS);
        for (unsigned i = 0; i < THREADS; i++) {
                printf("%s %u - thread %u: %u rounds of one-shot calls and calls on its own handle%s%s\n",
                       workers[i].failures ? "not ok" : "ok", i + 1, i, ROUNDS,
                       workers[i].failures ? ": " : "", workers[i].first_failure);
                failed += workers[i].failures > 0;
        }
        return failed > 0;
}
