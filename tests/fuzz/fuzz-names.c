/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: the resource and who name parsers, shared by daemon, library and CLI. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resource1-names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = strndup((const char *) data, size);
        if (!s)
                return 0;

        const Resource1Rlimit *r = NULL;
        int k = resource1_rlimit_from_name(s, &r);
        if (k == 0 && (r->number < 0 || (size_t) r->number >= resource1_rlimits_count ||
                       resource1_rlimit_from_number(r->number) != r))
                abort();
        if (k != 0 && k != -EINVAL && k != -EOPNOTSUPP)
                abort();

        Resource1Who w;
        k = resource1_who_from_name(s, &w);
        if (k == 0 && !resource1_who_to_name(w))
                abort();

        free(s);
        return 0;
}
