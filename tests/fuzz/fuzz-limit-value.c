/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: resourcectl's VALUE parser (the first byte picks the unit), and
 * its /proc/PID/limits reader. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limit-value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        Resource1Unit unit = (Resource1Unit) (data[0] % 6);
        char *s = strndup((const char *) data + 1, size - 1);
        if (!s)
                return 0;

        LimitSpec spec = { .soft = 7, .hard = 7 };
        const char *why = NULL;
        int r = limit_spec_parse(s, unit, &spec, &why);
        if (r == 0) {
                if (!spec.has_soft && !spec.has_hard)
                        abort();
                if (spec.has_soft && spec.has_hard && spec.soft > spec.hard)
                        abort();
                if (unit == RESOURCE1_UNIT_NICE && spec.has_soft && spec.soft > 40 && spec.soft != UINT64_MAX)
                        abort();
        } else if (!why && r != -ENOMEM)
                abort();   /* every refusal says why */

        char buf[24];
        if (r == 0 && spec.has_soft && !limit_value_format(spec.soft, buf))
                abort();

        /* resourcectl's reader of /proc/PID/limits, on the same bytes. */
        struct rlimit l[RLIM_NLIMITS];
        l[0].rlim_cur = 7;
        if (limit_proc_parse(s, l) < 0 && l[0].rlim_cur != 7)
                abort();   /* nothing written on a refusal */
        free(s);
        return 0;
}
