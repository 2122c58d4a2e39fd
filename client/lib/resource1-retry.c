/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: the service's bounds (resource1d(8), BOUNDS), as a client
 * lives with them. A bound refuses a call with LimitsExceeded and does
 * nothing; the specification says how long to wait: "try again in S s" where
 * the service knows (its rate limit of changes), otherwise a bound on calls
 * in progress that passes as soon as one of them is answered, whose time
 * only a short wait, longer each time, can find. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "resource1-errors.h"
#include "resource1-internal.h"

#define USEC_PER_SEC 1000000ULL
/* A refusal without a time: the bounds it comes from are calls in
 * progress, most answered within milliseconds (the bus's answer about a new
 * connection, a change that needs no polkit); the longest wait a client
 * makes is 1 s, so that a call one of those frees is not left waiting long. */
#define BACKOFF_FIRST_USEC (10ULL * 1000)
#define BACKOFF_MAX_USEC USEC_PER_SEC

bool bound_refusal(const sd_bus_error *e) {
        return e && sd_bus_error_has_names(e, RESOURCE1_ERROR_LIMITS_EXCEEDED, SD_BUS_ERROR_LIMITS_EXCEEDED);
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_word(char c) {
        return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

int bound_parse_wait(const char *message, uint64_t *ret_usec) {
        static const char phrase[] = "try again in ";
        const char *at = NULL;

        /* The last one: whatever the message quotes before it (a resource
         * name, say) cannot pass for it. */
        for (const char *p = message; p && (p = strstr(p, phrase)); p++)
                at = p;
        if (!at)
                return -ENODATA;

        const char *p = at + strlen(phrase);
        uint64_t sec = 0, usec = 0, scale = USEC_PER_SEC / 10;
        bool saturated = false;
        if (!is_digit(*p))
                return -ENODATA;
        for (; is_digit(*p); p++) {
                if (sec > (UINT64_MAX / USEC_PER_SEC - 9) / 10)
                        saturated = true;
                else
                        sec = sec * 10 + (uint64_t) (*p - '0');
        }
        if (*p == '.') {
                if (!is_digit(*++p))
                        return -ENODATA;
                for (; is_digit(*p); p++, scale /= 10)
                        usec += (uint64_t) (*p - '0') * scale;   /* past µs, scale is 0 */
        }
        if (p[0] != ' ' || p[1] != 's' || is_word(p[2]))
                return -ENODATA;
        *ret_usec = saturated ? UINT64_MAX : sec * USEC_PER_SEC + usec;
        return 0;
}

uint64_t bound_wait(const sd_bus_error *e, unsigned waits, bool *ret_timed) {
        uint64_t usec;

        if (e && e->message && bound_parse_wait(e->message, &usec) >= 0) {
                *ret_timed = true;
                return usec;
        }
        *ret_timed = false;
        usec = BACKOFF_FIRST_USEC << (waits < 10 ? waits : 10);
        return usec < BACKOFF_MAX_USEC ? usec : BACKOFF_MAX_USEC;
}

void sleep_until(uint64_t usec) {
        struct timespec ts = {
                .tv_sec = (time_t) (usec / USEC_PER_SEC),
                .tv_nsec = (long) (usec % USEC_PER_SEC) * 1000,
        };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
}
