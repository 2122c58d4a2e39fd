/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer: the daemon's /proc parsers (limits, status, stat, io), fed
 * anything. The first byte picks the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        char *s = strndup((const char *) data + 1, size - 1);
        if (!s)
                return 0;

        switch (data[0] % 4) {
        case 0: {
                struct rlimit l[RLIM_NLIMITS];
                if (proc_parse_limits(s, l) == 0)
                        for (int i = 0; i < RLIM_NLIMITS; i++)
                                (void) (l[i].rlim_cur + l[i].rlim_max);
                break;
        }
        case 1: {
                ProcStatus st;
                if (proc_parse_status(s, &st) == 0 && st.tgid <= 0)
                        abort();
                break;
        }
        case 2: {
                unsigned long long f[18];
                (void) proc_parse_stat(s, f);
                break;
        }
        case 3: {
                uint64_t r, w;
                (void) proc_parse_io(s, &r, &w);
                break;
        }
        }
        free(s);
        return 0;
}
