/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl's failures: how each is said on standard error, and the exit
 * status it ends with (resourcectl(1) documents both). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

/* What the service said after the words that name the call ("setting
 * NOFILE of pid 42 to 400:900: " or "usage of pid 42 (uid 5) for uid 1000: "),
 * which resourcectl words itself, or all of it. */
static const char *service_reason(const char *msg) {
        if (strncmp(msg, "setting ", 8) == 0 || strncmp(msg, "dry run of setting ", 19) == 0 ||
            strncmp(msg, "usage of ", 9) == 0) {
                const char *p = strstr(msg, ": ");
                if (p && p[2])
                        return p + 2;
        }
        if (strncmp(msg, "pid ", 4) == 0) {
                const char *p = msg + 4;
                while (isdigit((unsigned char) *p))
                        p++;
                if (p > msg + 4 && strncmp(p, ": ", 2) == 0)
                        return p + 2;
        }
        return msg;
}

/* What kind of no the service's error name is, in a few words; NULL for a
 * name that is not the service's own (the bus's, the library's). */
static const char *error_kind(const char *name) {
        static const struct { const char *name, *kind; } kinds[] = {
                { RESOURCE1_ERROR_PERMISSION_DENIED,   "not allowed" },
                { RESOURCE1_ERROR_SERVICE_LACKS_CAPABILITY, "allowed, but the service cannot" },
                { RESOURCE1_ERROR_INVALID_LIMITS,      "invalid limits" },
                { RESOURCE1_ERROR_INVALID_RESOURCE,    "invalid resource" },
                { RESOURCE1_ERROR_INVALID_WHO,         "invalid who" },
                { RESOURCE1_ERROR_LIMITS_EXCEEDED,     "too many requests" },
                { RESOURCE1_ERROR_OTHER_PID_NAMESPACE, "another pid namespace" },
                { RESOURCE1_ERROR_FAILED,              "failed" },
        };
        if (!name)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (strcmp(name, kinds[i].name) == 0)
                        return kinds[i].kind;
        return NULL;
}

/* "resourcectl: WHAT: WHY" on one line: WHAT in resourcectl's words (the
 * process by pid and name), WHY the kind of refusal the error name says and
 * the service's reason (or, for a refusal that wants authentication, the
 * words given: hint says on a line of its own what stood in the way of
 * asking). --verbose adds the service's error name and whole message. */
static int say_failure(Resource1 *h, int r, const char *hint, const char *fmt, va_list ap)
        __attribute__((format(printf, 4, 0), nonnull(4)));
static int say_failure(Resource1 *h, int r, const char *hint, const char *fmt, va_list ap) {
        const char *name = resource1_last_error_name(h), *msg = resource1_last_error_message(h);
        const char *kind = error_kind(name);

        fputs("resourcectl: ", stderr);
        vfprintf(stderr, fmt, ap);
        if (r == -ETIMEDOUT)
                fputs(": the service did not answer in time (it may be stopped or hung)\n", stderr);
        else if (r == -ESRCH)
                fputs(": no such process\n", stderr);
        else if (r == -EACCES && name && strcmp(name, ERROR_INTERACTIVE) == 0)
                fputs(": not allowed: polkit refused (needs authentication)\n", stderr);
        else if (kind && msg)
                fprintf(stderr, ": %s: %s\n", kind, service_reason(msg));
        else
                fprintf(stderr, ": %s\n", msg ? service_reason(msg) : strerror(-r));
        if (hint)
                fprintf(stderr, "resourcectl: %s\n", hint);
        if (arg_verbose && name && msg)
                fprintf(stderr, "resourcectl: the service answered %s: %s\n", name, msg);
        return exit_status_of(r);
}

int fail(Resource1 *h, int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int k = say_failure(h, r, NULL, fmt, ap);
        va_end(ap);
        return k;
}

int fail_with_hint(Resource1 *h, int r, const char *hint, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int k = say_failure(h, r, hint, fmt, ap);
        va_end(ap);
        return k;
}

/* The optimal string alignment distance (Levenshtein's, with a swap of two
 * neighbours as one edit: NOFLIE is one from NOFILE), case ignored. */
static size_t edit_distance(const char *a, const char *b) {
        size_t n = strlen(a), m = strlen(b);
        if (n > 31 || m > 31)
                return SIZE_MAX;
        size_t d[32][32];
        for (size_t i = 0; i <= n; i++)
                d[i][0] = i;
        for (size_t j = 0; j <= m; j++)
                d[0][j] = j;
        for (size_t i = 1; i <= n; i++)
                for (size_t j = 1; j <= m; j++) {
                        bool same = tolower((unsigned char) a[i - 1]) == tolower((unsigned char) b[j - 1]);
                        size_t v = d[i - 1][j - 1] + (same ? 0 : 1);
                        if (d[i - 1][j] + 1 < v)
                                v = d[i - 1][j] + 1;
                        if (d[i][j - 1] + 1 < v)
                                v = d[i][j - 1] + 1;
                        if (i > 1 && j > 1 && tolower((unsigned char) a[i - 1]) == tolower((unsigned char) b[j - 2]) &&
                            tolower((unsigned char) a[i - 2]) == tolower((unsigned char) b[j - 1]) && d[i - 2][j - 2] + 1 < v)
                                v = d[i - 2][j - 2] + 1;
                        d[i][j] = v;
                }
        return d[n][m];
}

/* The closest of the names (and, with resources set, of the resource
 * names) to s, when it is close enough to be a typo: at most two edits,
 * and fewer than half the name's letters. NULL otherwise. */
const char *closest_name(const char *s, const char *const names[], bool resources) {
        const char *best = NULL;
        size_t best_d = SIZE_MAX;

        if (strncasecmp(s, "RLIMIT_", 7) == 0)
                s += 7;
        for (size_t i = 0; names && names[i]; i++) {
                size_t d = edit_distance(s, names[i]);
                if (d < best_d && d <= 2 && 2 * d < strlen(names[i]))
                        best = names[i], best_d = d;
        }
        for (size_t i = 0; resources && i < resource1_rlimits_count; i++) {
                size_t d = edit_distance(s, resource1_rlimits[i].name);
                if (d < best_d && d <= 2 && 2 * d < strlen(resource1_rlimits[i].name))
                        best = resource1_rlimits[i].name, best_d = d;
        }
        return best;
}

int resource_arg(const char *name, const Resource1Rlimit **ret) {
        int r = resource1_rlimit_from_name(name, ret);
        if (r == -EOPNOTSUPP)
                return usage_error("resource '%s' is not available on this platform (Linux)", name);
        if (r < 0) {
                const char *close = closest_name(name, NULL, true);
                if (close)
                        return usage_error("unknown resource '%s'; did you mean '%s'?", name, close);
                return usage_error("unknown resource '%s' (see 'resourcectl limits')", name);
        }
        return EXIT_OK;
}
