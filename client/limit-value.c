/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "limit-value.h"

typedef struct Suffix { const char *name; uint64_t factor; } Suffix;

static const Suffix byte_suffixes[] = {
        { "K", 1ULL << 10 }, { "M", 1ULL << 20 }, { "G", 1ULL << 30 },
        { "T", 1ULL << 40 }, { "P", 1ULL << 50 }, { "E", 1ULL << 60 },
        { "KiB", 1ULL << 10 }, { "MiB", 1ULL << 20 }, { "GiB", 1ULL << 30 },
        { "TiB", 1ULL << 40 }, { "PiB", 1ULL << 50 }, { "EiB", 1ULL << 60 },
        { "KB", 1ULL << 10 }, { "MB", 1ULL << 20 }, { "GB", 1ULL << 30 },
        { "TB", 1ULL << 40 }, { "PB", 1ULL << 50 }, { "EB", 1ULL << 60 },
        { "B", 1 }, {}
};
static const Suffix second_suffixes[] = {
        { "s", 1 }, { "sec", 1 }, { "min", 60 }, { "h", 3600 }, {}
};
static const Suffix usec_suffixes[] = {
        { "us", 1 }, { "usec", 1 }, { "ms", 1000 }, { "msec", 1000 }, { "s", 1000000 }, { "sec", 1000000 }, {}
};
static const Suffix no_suffixes[] = { {} };

static const Suffix *suffixes_of(Resource1Unit unit) {
        switch (unit) {
        case RESOURCE1_UNIT_BYTES:        return byte_suffixes;
        case RESOURCE1_UNIT_SECONDS:      return second_suffixes;
        case RESOURCE1_UNIT_MICROSECONDS: return usec_suffixes;
        default:                          return no_suffixes;
        }
}

static int fail(const char **ret_why, const char *why, int r) {
        if (ret_why)
                *ret_why = why;
        return r;
}

int limit_value_parse(const char *s, Resource1Unit unit, uint64_t *ret, const char **ret_why) {
        if (!s || !*s)
                return fail(ret_why, "empty value", -EINVAL);

        if (strcasecmp(s, "unlimited") == 0 || strcasecmp(s, "infinity") == 0) {
                *ret = UINT64_MAX;
                return 0;
        }

        if (unit == RESOURCE1_UNIT_NICE && (s[0] == '-' || s[0] == '+')) {
                char *end;
                errno = 0;
                long level = strtol(s, &end, 10);
                if (errno != 0 || end == s + 1 || *end != '\0')
                        return fail(ret_why, "expected a nice level such as -5 or +10", -EINVAL);
                if (level < -20 || level > 19)
                        return fail(ret_why, "a nice level is between -20 and +19", -ERANGE);
                /* RLIMIT_NICE holds 20 - level: the ceiling -20 is 40. */
                *ret = (uint64_t) (20 - level);
                return 0;
        }

        if (!isdigit((unsigned char) s[0]))
                return fail(ret_why, "expected a number or 'unlimited'", -EINVAL);

        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return fail(ret_why, "number too large", -ERANGE);

        uint64_t factor = 1;
        if (*end != '\0') {
                const Suffix *sf = suffixes_of(unit);
                for (; sf->name; sf++)
                        if (strcmp(end, sf->name) == 0)
                                break;
                if (!sf->name)
                        return fail(ret_why,
                                    unit == RESOURCE1_UNIT_BYTES ? "unknown size suffix (K, M, G, T, P, E)" :
                                    unit == RESOURCE1_UNIT_SECONDS ? "unknown time suffix (s, min, h)" :
                                    unit == RESOURCE1_UNIT_MICROSECONDS ? "unknown time suffix (us, ms, s)" :
                                    "this resource takes a plain number", -EINVAL);
                factor = sf->factor;
        }

        if (v > UINT64_MAX / factor)
                return fail(ret_why, "number too large", -ERANGE);
        v *= factor;

        if (unit == RESOURCE1_UNIT_NICE && v > 40)
                return fail(ret_why, "a raw NICE limit is between 0 and 40 (or give a signed nice level)", -ERANGE);

        *ret = v;
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

const char *limit_value_format(uint64_t v, bool raw, char buf[static 24]) {
        if (v == UINT64_MAX && !raw)
                return "unlimited";
        snprintf(buf, 24, "%" PRIu64, v);
        return buf;
}
