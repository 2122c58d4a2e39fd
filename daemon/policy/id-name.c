/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "id-name.h"
#include "util.h"

static bool name_valid(const char *name, size_t n) {
        if (n == 0 || n >= ID_NAME_MAX || name[0] == '-')
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-'))
                        return false;
        }
        return true;
}

/* The id of a "name:password:id:..." line, or -1 when the third field is
 * not a decimal number alone (a comment, a NIS "+" line). */
static long long line_id(const char *line, size_t name_len) {
        const char *p = strchr(line + name_len + 1, ':');
        if (!p || p[1] < '0' || p[1] > '9')
                return -1;
        char *end;
        unsigned long long v = strtoull(p + 1, &end, 10);
        if ((*end != ':' && *end != '\n' && *end != '\0') || v > 0xffffffffull)
                return -1;
        return (long long) v;
}

static void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}

void id_name(const char *path, unsigned id, char ret[static ID_NAME_MAX]) {
        _cleanup_(fclosep) FILE *f = fopen(path, "re");
        _cleanup_free_ char *line = NULL;
        size_t size = 0;

        snprintf(ret, ID_NAME_MAX, "%u", id);
        if (!f)
                return;
        /* The first line with the id names it, as getpwuid(3) on the files
         * answers. */
        while (getline(&line, &size, f) > 0) {
                const char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                size_t n = (size_t) (colon - line);
                if (line_id(line, n) != (long long) id)
                        continue;
                if (name_valid(line, n)) {
                        memcpy(ret, line, n);
                        ret[n] = '\0';
                }
                return;
        }
}
