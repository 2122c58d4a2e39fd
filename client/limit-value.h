/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "resource1-names.h"

/* A limit as a person writes it: "soft:hard", "N" (both), "soft:" or
 * ":hard" (the other side kept), with "unlimited"/"infinity" for either side.
 * Sizes take K/M/G/T/P/E (1024-based, optionally followed by "iB" or "B"),
 * CPU takes s/min/h, RTTIME us/ms/s, NICE a nice level with a sign (-20..+19)
 * or the raw value 0..40. */
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

/* "unlimited" for infinity unless raw; decimal otherwise. buf: 24 bytes. */
const char *limit_value_format(uint64_t v, bool raw, char buf[static 24]);
