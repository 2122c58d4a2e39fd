/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "limit-value.h"

typedef unsigned __int128 u128;

typedef struct Unit { const char *name; uint64_t factor; } Unit;

/* Sizes: 1024-based, in any case ("10k" as "10K"), with an optional "iB"
 * or "B" after the letter. */
static const Unit byte_units[] = {
        { "", 1 }, { "B", 1 },
        { "K", 1ULL << 10 }, { "KB", 1ULL << 10 }, { "KiB", 1ULL << 10 },
        { "M", 1ULL << 20 }, { "MB", 1ULL << 20 }, { "MiB", 1ULL << 20 },
        { "G", 1ULL << 30 }, { "GB", 1ULL << 30 }, { "GiB", 1ULL << 30 },
        { "T", 1ULL << 40 }, { "TB", 1ULL << 40 }, { "TiB", 1ULL << 40 },
        { "P", 1ULL << 50 }, { "PB", 1ULL << 50 }, { "PiB", 1ULL << 50 },
        { "E", 1ULL << 60 }, { "EB", 1ULL << 60 }, { "EiB", 1ULL << 60 },
        {}
};

/* Times, in microseconds, as systemd.time(7) names them: case matters
 * ("m" is a minute, "M" a month). */
#define USEC_PER_SEC 1000000ULL
static const Unit time_units[] = {
        { "us", 1 }, { "usec", 1 }, { "\xc2\xb5s", 1 }, { "\xce\xbcs", 1 },
        { "ms", 1000 }, { "msec", 1000 },
        { "s", USEC_PER_SEC }, { "sec", USEC_PER_SEC }, { "second", USEC_PER_SEC }, { "seconds", USEC_PER_SEC },
        { "m", 60 * USEC_PER_SEC }, { "min", 60 * USEC_PER_SEC }, { "minute", 60 * USEC_PER_SEC },
        { "minutes", 60 * USEC_PER_SEC },
        { "h", 3600 * USEC_PER_SEC }, { "hr", 3600 * USEC_PER_SEC }, { "hour", 3600 * USEC_PER_SEC },
        { "hours", 3600 * USEC_PER_SEC },
        { "d", 86400 * USEC_PER_SEC }, { "day", 86400 * USEC_PER_SEC }, { "days", 86400 * USEC_PER_SEC },
        { "w", 604800 * USEC_PER_SEC }, { "week", 604800 * USEC_PER_SEC }, { "weeks", 604800 * USEC_PER_SEC },
        { "M", 2629800 * USEC_PER_SEC }, { "month", 2629800 * USEC_PER_SEC }, { "months", 2629800 * USEC_PER_SEC },
        { "y", 31557600 * USEC_PER_SEC }, { "year", 31557600 * USEC_PER_SEC }, { "years", 31557600 * USEC_PER_SEC },
        {}
};

static int fail(const char **ret_why, const char *why, int r) {
        if (ret_why)
                *ret_why = why;
        return r;
}

static bool is_unit_char(char c) {
        /* Letters, and the bytes of "µs" in UTF-8. */
        return isalpha((unsigned char) c) || (unsigned char) c >= 0x80;
}

static const Unit *unit_lookup(const Unit *table, const char *name, size_t len, bool any_case) {
        for (const Unit *u = table; u->name; u++)
                if (strlen(u->name) == len &&
                    (any_case ? strncasecmp(u->name, name, len) == 0 : strncmp(u->name, name, len) == 0))
                        return u;
        return NULL;
}

/* "N", "N.F", each followed by a unit of table (none: default_factor);
 * several such parts ("1h 30min", "1G 512M") are added up. The sum, in the
 * table's base unit, goes to *ret. */
static int parse_parts(const char *s, const Unit *table, bool any_case, uint64_t default_factor,
                       bool fraction_needs_unit, const char *unknown_unit, u128 *ret, const char **ret_why) {
        const char *p = s;
        u128 total = 0;

        if (!isdigit((unsigned char) *p) && *p != '.')
                return fail(ret_why, "expected a number or 'infinity'", -EINVAL);

        while (*p) {
                u128 whole = 0, frac = 0, scale = 1;
                bool digits = false;

                for (; isdigit((unsigned char) *p); p++) {
                        whole = whole * 10 + (u128) (*p - '0');
                        if (whole > UINT64_MAX)
                                return fail(ret_why, "number too large", -ERANGE);
                        digits = true;
                }
                bool has_frac = false;
                if (*p == '.') {
                        p++;
                        for (; isdigit((unsigned char) *p); p++) {
                                digits = true;
                                has_frac = true;
                                if (scale < 1000000000000000000ULL) {   /* 18 digits are plenty */
                                        frac = frac * 10 + (u128) (*p - '0');
                                        scale *= 10;
                                }
                        }
                }
                if (!digits)
                        return fail(ret_why, "expected a number or 'infinity'", -EINVAL);

                while (*p == ' ')
                        p++;
                const char *name = p;
                while (is_unit_char(*p))
                        p++;
                uint64_t factor = default_factor;
                if (p > name) {
                        const Unit *u = unit_lookup(table, name, (size_t) (p - name), any_case);
                        if (!u)
                                return fail(ret_why, unknown_unit, -EINVAL);
                        factor = u->factor;
                }
                if (has_frac && frac != 0 && fraction_needs_unit && factor == 1)
                        return fail(ret_why, "a fraction needs a unit, as in 1.5G", -EINVAL);

                total += whole * factor + frac * factor / scale;
                if (total > UINT64_MAX)
                        return fail(ret_why, "number too large", -ERANGE);

                while (*p == ' ')
                        p++;
                if (*p && p == name)   /* a part without a unit is the last */
                        return fail(ret_why, unknown_unit, -EINVAL);
                if (*p && !isdigit((unsigned char) *p) && *p != '.')
                        return fail(ret_why, unknown_unit, -EINVAL);
        }

        *ret = total;
        return 0;
}

static int parse_nice(const char *s, uint64_t *ret, const char **ret_why) {
        if (s[0] == '-' || s[0] == '+') {
                char *end;
                errno = 0;
                long level = strtol(s, &end, 10);
                if (errno != 0 || end == s + 1 || *end != '\0' || !isdigit((unsigned char) s[1]))
                        return fail(ret_why, "expected a nice level such as -5 or +10", -EINVAL);
                if (level < -20 || level > 19)
                        return fail(ret_why, "a nice level is between -20 and +19", -ERANGE);
                /* RLIMIT_NICE holds 20 - level: the ceiling -20 is 40. */
                *ret = (uint64_t) (20 - level);
                return 0;
        }
        return 1;
}

int limit_value_parse(const char *s, Resource1Unit unit, uint64_t *ret, const char **ret_why) {
        u128 v;
        int r;

        if (!s || !*s)
                return fail(ret_why, "empty value", -EINVAL);

        if (strcasecmp(s, "unlimited") == 0 || strcasecmp(s, "infinity") == 0) {
                *ret = UINT64_MAX;
                return 0;
        }

        if (unit == RESOURCE1_UNIT_NICE) {
                r = parse_nice(s, ret, ret_why);
                if (r <= 0)
                        return r;
        } else if (strcmp(s, "-1") == 0) {
                /* Python's RLIM_INFINITY. */
                *ret = UINT64_MAX;
                return 0;
        }

        switch (unit) {
        case RESOURCE1_UNIT_BYTES:
                r = parse_parts(s, byte_units, true, 1, true, "unknown size suffix (K, M, G, T, P, E)", &v, ret_why);
                break;
        case RESOURCE1_UNIT_SECONDS:
                r = parse_parts(s, time_units, false, USEC_PER_SEC, false,
                                "unknown time unit (us, ms, s, m or min, h, d, w, M, y)", &v, ret_why);
                if (r >= 0)   /* whole seconds, rounded up, as systemd does for LimitCPU= */
                        v = (v + USEC_PER_SEC - 1) / USEC_PER_SEC;
                break;
        case RESOURCE1_UNIT_MICROSECONDS:
                r = parse_parts(s, time_units, false, 1, false,
                                "unknown time unit (us, ms, s, m or min, h, d, w, M, y)", &v, ret_why);
                break;
        default:
                for (const char *p = s; *p; p++)
                        if (!isdigit((unsigned char) *p))
                                return fail(ret_why,
                                            isdigit((unsigned char) s[0]) ? "this resource takes a plain number" :
                                                                            "expected a number or 'infinity'",
                                            -EINVAL);
                r = parse_parts(s, byte_units, false, 1, true, "this resource takes a plain number", &v, ret_why);
                break;
        }
        if (r < 0)
                return r;

        if (unit == RESOURCE1_UNIT_NICE && v > 40)
                return fail(ret_why, "a raw NICE limit is between 0 and 40 (or give a signed nice level)", -ERANGE);

        *ret = (uint64_t) v;
        return 0;
}

int limit_spec_parse(const char *s, Resource1Unit unit, LimitSpec *ret, const char **ret_why) {
        LimitSpec spec = {};
        int r;

        if (!s || !*s)
                return fail(ret_why, "empty value", -EINVAL);

        const char *colon = strchr(s, ':');
        if (!colon) {
                r = limit_value_parse(s, unit, &spec.soft, ret_why);
                if (r < 0)
                        return r;
                spec.hard = spec.soft;
                spec.has_soft = spec.has_hard = true;
        } else {
                if (strchr(colon + 1, ':'))
                        return fail(ret_why, "expected soft:hard", -EINVAL);
                if (colon == s && colon[1] == '\0')
                        return fail(ret_why, "give at least one of soft and hard", -EINVAL);
                if (colon > s) {
                        char *soft = strndup(s, (size_t) (colon - s));
                        if (!soft)
                                return -ENOMEM;
                        r = limit_value_parse(soft, unit, &spec.soft, ret_why);
                        free(soft);
                        if (r < 0)
                                return r;
                        spec.has_soft = true;
                }
                if (colon[1] != '\0') {
                        r = limit_value_parse(colon + 1, unit, &spec.hard, ret_why);
                        if (r < 0)
                                return r;
                        spec.has_hard = true;
                }
        }

        if (spec.has_soft && spec.has_hard && spec.soft > spec.hard)
                return fail(ret_why, "the soft limit exceeds the hard limit", -EINVAL);

        *ret = spec;
        return 0;
}

void limit_spec_apply(const LimitSpec *spec, uint64_t cur_soft, uint64_t cur_hard,
                      uint64_t *ret_soft, uint64_t *ret_hard) {
        *ret_soft = spec->has_soft ? spec->soft : cur_soft;
        *ret_hard = spec->has_hard ? spec->hard : cur_hard;
}

const char *limit_value_format(uint64_t v, char buf[static 24]) {
        if (v == UINT64_MAX)
                return "infinity";
        snprintf(buf, 24, "%" PRIu64, v);
        return buf;
}

/* One column of /proc/PID/limits: "unlimited" or a decimal number. */
static int proc_value(const char **p, rlim_t *ret) {
        const char *s = *p;
        while (*s == ' ')
                s++;
        if (strncmp(s, "unlimited", 9) == 0 && (s[9] == ' ' || s[9] == '\n' || s[9] == '\0')) {
                *ret = RLIM_INFINITY;
                *p = s + 9;
                return 0;
        }
        if (!isdigit((unsigned char) *s))
                return -EINVAL;
        u128 v = 0;
        for (; isdigit((unsigned char) *s); s++) {
                v = v * 10 + (u128) (*s - '0');
                if (v > UINT64_MAX)
                        return -EINVAL;
        }
        if (*s != ' ' && *s != '\n' && *s != '\0')
                return -EINVAL;
        *ret = (rlim_t) v;
        *p = s;
        return 0;
}

int limit_proc_parse(const char *text, struct rlimit ret[static RLIM_NLIMITS]) {
        /* Linux: "%-25s %-20s %-20s %-10s\n", the name first. */
        enum { VALUES_COLUMN = 26 };
        struct rlimit l[RLIM_NLIMITS];

        if (!text || strncmp(text, "Limit ", 6) != 0)
                return -EINVAL;
        const char *line = strchr(text, '\n');
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                if (!line)
                        return -EINVAL;
                line++;
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t) (end - line) : strlen(line);
                if (len <= VALUES_COLUMN || strncmp(line, "Max ", 4) != 0 || line[VALUES_COLUMN - 1] != ' ')
                        return -EINVAL;
                const char *p = line + VALUES_COLUMN;
                if (proc_value(&p, &l[i].rlim_cur) < 0 || proc_value(&p, &l[i].rlim_max) < 0)
                        return -EINVAL;
                line = end;
        }
        memcpy(ret, l, sizeof l);
        return 0;
}
