/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

/* A mutable global besides the daemon's context (act.c's share_memory is
 * the other): it is set once from the command line before anything logs. */
static int max_level = LOG_INFO;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

int log_parse_level(const char *s) {
        static const char *const names[] = {
                [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
                [LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
        };
        for (int i = 0; i < (int) (sizeof(names) / sizeof(names[0])); i++)
                if (strcasecmp(s, names[i]) == 0)
                        return i;
        return -EINVAL;
}

int log_internal(int level, int error, const char *format, ...) {
        char buf[1024];
        va_list ap;

        va_start(ap, format);
        vsnprintf(buf, sizeof buf, format, ap);
        va_end(ap);

        /* Under systemd stderr is a journal stream, which reads "<N>" as the
         * priority; on a terminal the prefix would only be noise. */
        char prefix[8] = "";
        if (getenv("JOURNAL_STREAM"))
                snprintf(prefix, sizeof prefix, "<%d>", level);

        if (error != 0)
                fprintf(stderr, "%s%s: %s\n", prefix, buf, strerror(abs(error)));
        else
                fprintf(stderr, "%s%s\n", prefix, buf);

        return -abs(error);
}
