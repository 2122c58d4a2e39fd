/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl's failures: how each is said on standard error, and the exit
 * status it ends with (resourcectl(1) documents both). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "resourcectl.h"

int exit_status_of(int r) {
        switch (-r) {
        case 0:            return EXIT_OK;
        case EINVAL:
        case EOPNOTSUPP:
        case ERANGE:       return EXIT_USAGE;
        case EPERM:
        case EACCES:       return EXIT_REFUSED;
        case ECONNREFUSED:
        case ETIMEDOUT:    return EXIT_UNAVAILABLE;
        case ESRCH:        return EXIT_NO_PROCESS;
        case ENOKEY:       return EXIT_SERVICE_LACKS_CAPABILITY;
        default:           return EXIT_ERROR;
        }
}

/* usage_error and syntax_error differ only in what follows the reason.
 * nonnull: with -fsanitize=undefined GCC otherwise sees a null format on
 * some path and, warnings being errors, fails the build. */
static int say_usage(const char *after, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0), nonnull(2)));
static int say_usage(const char *after, const char *fmt, va_list ap) {
        fputs("resourcectl: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputs(after, stderr);
        return EXIT_USAGE;
}

int usage_error(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = say_usage("\n", fmt, ap);
        va_end(ap);
        return r;
}

int syntax_error(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = say_usage("\nTry 'resourcectl --help' for more information.\n", fmt, ap);
        va_end(ap);
        return r;
}

/* What the service said, without the "pid N: " it starts with when the
 * words before it name the process already. */
static const char *service_reason(Resource1 *h, int r) {
        const char *msg = resource1_last_error_message(h);
        if (r == -ESRCH)
                return "no such process";
        if (!msg)
                return strerror(-r);
        const char *s = msg;
        if (strncmp(s, "pid ", 4) == 0) {
                const char *p = s + 4;
                while (isdigit((unsigned char) *p))
                        p++;
                if (p > s + 4 && strncmp(p, ": ", 2) == 0)
                        return p + 2;
        }
        return msg;
}

/* One line. The service's messages about a change or a usage read already
 * name the process, what was asked and the reason ("setting NOFILE of pid 42
 * to 400:900: polkit refused ..."), so those stand alone; anything else says
 * first what was tried. */
int fail(Resource1 *h, int r, const char *fmt, ...) {
        const char *msg = resource1_last_error_message(h);
        va_list ap;

        fputs("resourcectl: ", stderr);
        if (r != -ETIMEDOUT && r != -ESRCH && msg && (strncmp(msg, "setting ", 8) == 0 || strncmp(msg, "usage of ", 9) == 0)) {
                fprintf(stderr, "%s\n", msg);
                return exit_status_of(r);
        }
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        if (r == -ETIMEDOUT)
                fprintf(stderr, ": the service did not answer in time (it may be stopped or hung)\n");
        else
                fprintf(stderr, ": %s\n", service_reason(h, r));
        return exit_status_of(r);
}

int resource_arg(const char *name, const Resource1Rlimit **ret) {
        int r = resource1_rlimit_from_name(name, ret);
        if (r == -EOPNOTSUPP)
                return usage_error("resource '%s' is not available on this platform (Linux)", name);
        if (r < 0)
                return usage_error("unknown resource '%s' (see 'resourcectl limits')", name);
        return EXIT_OK;
}
