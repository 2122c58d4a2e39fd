/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "resource1-names.h"

/* A limit as a person writes it: "soft:hard", "N" (both), "soft:" or
 * ":hard" (the other side kept), with "infinity", "unlimited" or -1 (Python's
 * RLIM_INFINITY) for either side. What systemd's parsers accept for
 * LimitXXX=:
 *   sizes   "10k", "1.5G", "1G 512M": K/M/G/T/P/E (1024-based, any case,
 *           optionally followed by "iB" or "B"), fractions with a unit;
 *   CPU     seconds by default, "1m", "1h 30min", "1.5h", "1d", "2w"; units
 *           us, ms, s, m/min, h, d, w, M (month), y; rounded up to whole seconds;
 *   RTTIME  microseconds by default, the same units;
 *   NICE    a nice level with a sign (-20..+19) or the raw value 0..40;
 *   others  a plain number. */
typedef struct LimitSpec {
        bool has_soft, has_hard;
        uint64_t soft, hard;
} LimitSpec;

/* One side. Returns 0, or -EINVAL/-ERANGE with *ret_why saying why. */
int limit_value_parse(const char *s, Resource1Unit unit, uint64_t *ret, const char **ret_why);
int limit_spec_parse(const char *s, Resource1Unit unit, LimitSpec *ret, const char **ret_why);

/* Fills the sides the spec leaves out from current. */
void limit_spec_apply(const LimitSpec *spec, uint64_t cur_soft, uint64_t cur_hard,
                      uint64_t *ret_soft, uint64_t *ret_hard);

/* "infinity" for infinity (the service's word, accepted back), decimal
 * otherwise. buf: 24 bytes. */
const char *limit_value_format(uint64_t v, char buf[static 24]);

/* The text of /proc/PID/limits (as Linux writes it: a heading, then one line
 * per resource in RLIMIT_* order, "unlimited" for infinity) into ret,
 * indexed by RLIMIT_*. Returns 0, or -EINVAL when the text is not that. */
int limit_proc_parse(const char *text, struct rlimit ret[static RLIM_NLIMITS]);
