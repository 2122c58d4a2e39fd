/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parsers of the /proc files the daemon reads, apart from the reading so
 * that they can be fuzzed with any bytes (tests/fuzz). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proc-parse.h"

/* "\t1000\t1000\t1000\t1000": real, effective, saved (and fs) ids. */
static int parse_ids(const char *v, unsigned ret[3]) {
        for (int i = 0; i < 3; i++) {
                char *end;
                errno = 0;
                unsigned long x = strtoul(v, &end, 10);
                if (errno != 0 || end == v || x > UINT32_MAX)
                        return -EBADMSG;
                ret[i] = (unsigned) x;
                v = end;
        }
        return 0;
}

/* A status line "Key:\tvalue" whose key is the one wanted: the value. */
static const char *value_of(const char *line, const char *key) {
        size_t n = strlen(key);
        return strncmp(line, key, n) == 0 && line[n] == ':' ? line + n + 1 : NULL;
}

int proc_parse_status(char *buf, ProcStatus *ret) {
        ProcStatus s = { .tgid = -1 };
        bool have_uid = false, have_gid = false;
        unsigned ids[3];
        const char *v;

        /* About 55 lines, 7 wanted: dispatch on the first letter so most
         * lines cost one comparison. */
        for (char *line = buf, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';

                switch (line[0]) {
                case 'T':
                        if ((v = value_of(line, "Tgid")))
                                s.tgid = (pid_t) strtol(v, NULL, 10);
                        else if ((v = value_of(line, "Threads")))
                                s.threads = (unsigned) strtoul(v, NULL, 10);
                        break;
                case 'U':
                        if ((v = value_of(line, "Uid"))) {
                                if (parse_ids(v, ids) < 0)
                                        return -EBADMSG;
                                s.ids.uid = ids[0], s.ids.euid = ids[1], s.ids.suid = ids[2];
                                have_uid = true;
                        }
                        break;
                case 'G':
                        if ((v = value_of(line, "Gid"))) {
                                if (parse_ids(v, ids) < 0)
                                        return -EBADMSG;
                                s.ids.gid = ids[0], s.ids.egid = ids[1], s.ids.sgid = ids[2];
                                have_gid = true;
                        }
                        break;
                case 'V':
                        if ((v = value_of(line, "VmHWM")))
                                s.vm_hwm_kib = strtoull(v, NULL, 10);
                        break;
                case 'v':
                        if ((v = value_of(line, "voluntary_ctxt_switches")))
                                s.nvcsw = strtoull(v, NULL, 10);
                        break;
                case 'n':
                        if ((v = value_of(line, "nonvoluntary_ctxt_switches")))
                                s.nivcsw = strtoull(v, NULL, 10);
                        break;
                }
        }

        if (!have_uid || !have_gid || s.tgid <= 0)
                return -EBADMSG;

        *ret = s;
        return 0;
}


/* /proc/PID/limits prints "%-25s %-20s %-20s %-10s" per line, one line per
 * resource in RLIMIT_* order after a header line. */
#define LIMITS_SOFT_COLUMN 26
#define LIMITS_HARD_COLUMN 47

static int parse_limit_value(const char *s, rlim_t *ret) {
        if (strncmp(s, "unlimited", 9) == 0) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0 || end == s || (*end != ' ' && *end != '\0'))
                return -EBADMSG;
        *ret = (rlim_t) v;
        return 0;
}

int proc_parse_limits(char *buf, struct rlimit ret[RLIM_NLIMITS]) {
        struct rlimit l[RLIM_NLIMITS];

        char *line = strchr(buf, '\n');   /* skip the header */
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                if (!line)
                        return -EBADMSG;
                line++;
                char *next = strchr(line, '\n');
                if (!next || next - line < LIMITS_HARD_COLUMN)
                        return -EBADMSG;
                *next = '\0';
                if (parse_limit_value(line + LIMITS_SOFT_COLUMN, &l[i].rlim_cur) < 0 ||
                    parse_limit_value(line + LIMITS_HARD_COLUMN, &l[i].rlim_max) < 0)
                        return -EBADMSG;
                line = next;
        }

        memcpy(ret, l, sizeof l);
        return 0;
}

/* Where field 4 of /proc/.../stat starts: past the parenthesised comm and
 * field 3, the state letter; NULL for a line without them. */
static const char *stat_field4(const char *buf) {
        const char *p = strrchr(buf, ')');
        if (!p)
                return NULL;
        p++;
        while (*p == ' ')
                p++;
        return *p == '\0' ? NULL : p + 1;
}

/* Fields 4 to 17 of /proc/.../stat, after the parenthesised comm (which may
 * itself hold spaces and parentheses) and the state letter: ret[i] is field i
 * (1-based); ret[0] to ret[3] are left 0. */
int proc_parse_stat(const char *buf, unsigned long long ret[18]) {
        unsigned long long f[18] = {};

        const char *p = stat_field4(buf);
        if (!p)
                return -EBADMSG;

        for (int i = 4; i < 18; i++) {
                char *end;
                f[i] = strtoull(p, &end, 10);
                if (end == p)
                        return -EBADMSG;
                p = end;
        }

        memcpy(ret, f, sizeof f);
        return 0;
}

int proc_parse_starttime(const char *buf, unsigned long long *ret) {
        const char *p = stat_field4(buf);
        if (!p)
                return -EBADMSG;

        /* Fields 4 to 21 are signed or unsigned numbers; 22 is starttime. */
        for (int i = 4; i <= 22; i++) {
                char *end;
                unsigned long long v = strtoull(p, &end, 10);
                if (end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
                        return -EBADMSG;
                if (i == 22) {
                        *ret = v;
                        return 0;
                }
                p = end;
        }
        return -EBADMSG;
}

int proc_parse_io(const char *buf, uint64_t *ret_read, uint64_t *ret_write) {
        const char *rb = strstr(buf, "\nread_bytes:"), *wb = strstr(buf, "\nwrite_bytes:");
        if (!rb || !wb)
                return -EBADMSG;

        *ret_read = strtoull(rb + strlen("\nread_bytes:"), NULL, 10);
        *ret_write = strtoull(wb + strlen("\nwrite_bytes:"), NULL, 10);
        return 0;
}
