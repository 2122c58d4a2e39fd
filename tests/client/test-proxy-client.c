/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A program on libresource1 alone, run by tests/client/test-proxy.sh behind
 * xdg-dbus-proxy: a one-shot call, calls on a handle (one passing a pidfd of
 * its own, which the proxy must carry; a property), and an asynchronous call on an
 * sd-event loop. Prints TAP lines numbered from argv[1] on; exits 0 when all
 * passed. Each failure prints the library's error name and message.
 * "--silent-bus": one call with a 0.5 s timeout; prints its error. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "resource1.h"

static unsigned n_test, n_failed;

static void check(bool ok, const Resource1 *h, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void check(bool ok, const Resource1 *h, const char *fmt, ...) {
        va_list ap;
        printf("%s %u - ", ok ? "ok" : "not ok", ++n_test);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        if (!ok)
                printf("# %s: %s\n", resource1_last_error_name(h) ?: "(no error name)",
                       resource1_last_error_message(h) ?: "(no message)");
        fflush(stdout);
        n_failed += !ok;
}

typedef struct Async {
        int r;
        uint64_t pagesize;
        char name[128], message[256];
} Async;

static void on_pagesize(Resource1 *h, int r, const sd_bus_error *error, uint64_t value, void *userdata) {
        Async *a = userdata;
        a->r = r;
        a->pagesize = value;
        if (error) {
                snprintf(a->name, sizeof a->name, "%s", error->name ?: "");
                snprintf(a->message, sizeof a->message, "%s", error->message ?: "");
        }
}

int main(int argc, char *argv[]) {
        long page = sysconf(_SC_PAGESIZE);
        uint64_t bytes = 0;
        int r;

        if (argc > 1 && strcmp(argv[1], "--silent-bus") == 0) {
                Resource1 *h = NULL;
                if (resource1_new(&h) < 0)
                        return 2;
                resource1_set_timeout(h, 500 * 1000);
                r = resource1_getpagesize(h, &bytes);
                printf("%d %s: %s\n", r, resource1_last_error_name(h) ?: "", resource1_last_error_message(h) ?: "");
                resource1_free(h);
                return r < 0 ? 0 : 1;
        }
        n_test = argc > 1 ? (unsigned) atoi(argv[1]) - 1 : 0;

        r = resource1_getpagesize(NULL, &bytes);
        check(r >= 0 && bytes == (uint64_t) page, NULL, "libresource1 one-shot getpagesize (%d, %llu)", r,
              (unsigned long long) bytes);

        Resource1 *h = NULL;
        if (resource1_new(&h) < 0)
                return 2;

        /* The program's own pidfd, sent as a descriptor: the proxy must pass
         * it on. A soft limit of its own, so that no other process (the
         * proxy's, its shell's) has it. */
        int pidfd = (int) syscall(SYS_pidfd_open, getpid(), 0);
        struct rlimit want;
        getrlimit(RLIMIT_NOFILE, &want);
        want.rlim_cur = want.rlim_max < 777 ? want.rlim_max : 777;
        setrlimit(RLIMIT_NOFILE, &want);
        Resource1Limit got = {};
        r = resource1_prlimit_pidfd(h, pidfd, RLIMIT_NOFILE, NULL, &got);
        check(r >= 0 && got.soft == (uint64_t) want.rlim_cur && got.hard == (uint64_t) want.rlim_max, h,
              "libresource1 prlimit_pidfd of itself: its own NOFILE %llu:%llu (%d)",
              (unsigned long long) got.soft, (unsigned long long) got.hard, r);
        close(pidfd);

        char *version = NULL;
        r = resource1_get_version(h, &version);
        check(r >= 0 && version && version[0], h, "libresource1 Version on the same handle ('%s')", version ?: "");
        free(version);

        /* Asynchronous, on an sd-event loop: the handle's connection made anew. */
        sd_event *e = NULL;
        Async a = { .r = 1 };
        Resource1 *ah = NULL;
        if (sd_event_new(&e) < 0 || resource1_new(&ah) < 0 || resource1_attach_event(ah, e, 0) < 0)
                return 2;
        r = resource1_getpagesize_async(ah, NULL, on_pagesize, &a);
        for (unsigned i = 0; r >= 0 && a.r == 1 && i < 1000; i++)
                if (sd_event_run(e, 10 * 1000) < 0)
                        break;
        check(r >= 0 && a.r >= 0 && a.pagesize == (uint64_t) page, NULL,
              "libresource1 getpagesize_async on sd-event (%d, %llu) %s%s%s", a.r, (unsigned long long) a.pagesize,
              a.name, a.name[0] ? ": " : "", a.message);

        resource1_free(ah);
        sd_event_unref(e);
        resource1_free(h);
        return n_failed ? 1 : 0;
}
