/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl explain: what pam_limits sets for a resource when a user's
 * session is opened, as Debian 12's pam_limits (Linux-PAM 1.5.2 with
 * Debian's patches) works it out, step for step:
 *   - it starts from pid 1's limits (/proc/1/limits), the soft NOFILE one
 *     capped at FD_SETSIZE (1024), so that a session does not keep the
 *     limits of whoever opened it;
 *   - it reads /etc/security/limits.conf, then /etc/security/limits.d/<*>.conf
 *     in C order, as one file: "<domain> <type> <item> <value>";
 *   - a line applies by its domain: the user's name, then @group (a group
 *     the user is in, by the group database), @:gid, @min:max (the primary
 *     group), uid ranges min:max, :uid, min:, and * for everyone; user and
 *     uid-range lines take precedence over group lines, and those over *
 *     lines, whatever their order; among equals the last wins, per side
 *     (type soft, hard, or - for both); % domains are for maxlogins only;
 *   - to root only lines that name root apply (Debian's patch);
 *   - a matching "<domain> -" line (two fields) makes it set nothing at all;
 *   - values: unlimited, infinity, - or -1 are infinity (nofile: fs.nr_open
 *     instead); cpu is in minutes, data, fsize, stack, core, rss, memlock and
 *     as in KiB, nice a nice level (-20..19); it knows no rttime;
 *   - a soft limit above the hard one is lowered to it.
 * The files are read as the caller (they are world-readable on Debian). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "explain.h"
#include "limit-value.h"
#include "resource1-util.h"

#define LIMITS_CONF "/etc/security/limits.conf"
#define LIMITS_GLOB "/etc/security/limits.d/*.conf"
#define PAM_D "/etc/pam.d"
#define LINE_LENGTH 1024       /* pam_limits' fgets() buffer */
#define INF UINT64_MAX

/* pam_limits' sources, most specific first (LIMITS_DEF_*). */
enum { SRC_USER, SRC_GROUP, SRC_ALLGROUP, SRC_ALL, SRC_DEFAULT, SRC_KERNEL, SRC_NONE, SRC_NO_MATCH = -1 };
enum { RANGE_ERR = -1, RANGE_NONE, RANGE_ONE, RANGE_MIN, RANGE_MM };
enum { TYPE_SOFT = 1, TYPE_HARD = 2 };

/* pam_limits' item names, by RLIMIT_*; NULL: one it does not know. */
static const char *pam_item(int resource) {
        switch (resource) {
        case RLIMIT_CPU:        return "cpu";
        case RLIMIT_FSIZE:      return "fsize";
        case RLIMIT_DATA:       return "data";
        case RLIMIT_STACK:      return "stack";
        case RLIMIT_CORE:       return "core";
        case RLIMIT_RSS:        return "rss";
        case RLIMIT_NPROC:      return "nproc";
        case RLIMIT_NOFILE:     return "nofile";
        case RLIMIT_MEMLOCK:    return "memlock";
        case RLIMIT_AS:         return "as";
        case RLIMIT_LOCKS:      return "locks";
        case RLIMIT_SIGPENDING: return "sigpending";
        case RLIMIT_MSGQUEUE:   return "msgqueue";
        case RLIMIT_NICE:       return "nice";
        case RLIMIT_RTPRIO:     return "rtprio";
        default:                return NULL;
        }
}

typedef struct User {
        const char *name;
        uid_t uid;
        gid_t gid;
        gid_t *groups;           /* getgrouplist(): the primary group and the others */
        int n_groups;
        bool root;
} User;

static bool in_group_gid(const User *u, gid_t gid) {
        for (int i = 0; i < u->n_groups; i++)
                if (u->groups[i] == gid)
                        return true;
        return u->gid == gid;
}

static bool in_group_name(const User *u, const char *name) {
        struct group *g = getgrnam(name);
        return g && in_group_gid(u, g->gr_gid);
}

/* pam_limits' parse_uid_range(), whose bounds are uid_t: strtoul()'s value
 * cut to 32 bits. */
static int uid_range(const char *domain, uid_t *ret_min, uid_t *ret_max) {
        const char *range = domain, *pmax = strchr(domain, ':');
        uid_t min = (uid_t) -1, max;
        char *end;
        int rv = RANGE_MM;

        if (!pmax)
                return RANGE_NONE;
        pmax++;
        if (range[0] == '@' || range[0] == '%')
                range++;
        if (range[0] == ':')
                rv = RANGE_ONE;
        else {
                errno = 0;
                min = (uid_t) strtoul(range, &end, 10);
                if (errno != 0 || end == range || *end != ':')
                        return RANGE_ERR;
        }
        if (*pmax == '\0') {
                if (rv == RANGE_ONE)
                        return RANGE_ERR;
                *ret_min = min;
                return RANGE_MIN;
        }
        errno = 0;
        max = (uid_t) strtoul(pmax, &end, 10);
        if (errno != 0 || end == pmax || *end != '\0')
                return RANGE_ERR;
        *ret_min = rv == RANGE_ONE ? max : min;
        *ret_max = max;
        return rv;
}

/* The source a four-field line applies with to u (parse_config_file()'s
 * branches, root's exception included), or SRC_NO_MATCH. */
static int line_source(const User *u, const char *domain, int rng, uid_t min, uid_t max) {
        if (strcmp(u->name, domain) == 0)
                return SRC_USER;
        if (domain[0] == '@' && !u->root) {
                switch (rng) {
                case RANGE_NONE: return in_group_name(u, domain + 1) ? SRC_GROUP : SRC_NO_MATCH;
                case RANGE_ONE:  return in_group_gid(u, (gid_t) max) ? SRC_GROUP : SRC_NO_MATCH;
                case RANGE_MM:   if (u->gid > (gid_t) max) return SRC_NO_MATCH; /* fall through */
                default:         return u->gid >= (gid_t) min ? SRC_GROUP : SRC_NO_MATCH;
                }
        }
        if (domain[0] == '%' && !u->root) {
                if (rng == RANGE_NONE)
                        return strcmp(domain, "%") == 0 ? SRC_ALL :
                               in_group_name(u, domain + 1) ? SRC_ALLGROUP : SRC_NO_MATCH;
                if (rng == RANGE_ONE)
                        return in_group_gid(u, (gid_t) max) ? SRC_ALLGROUP : SRC_NO_MATCH;
                return SRC_NO_MATCH;
        }
        switch (rng) {
        case RANGE_NONE: return strcmp(domain, "*") == 0 && !u->root ? SRC_DEFAULT : SRC_NO_MATCH;
        case RANGE_ONE:  if (u->uid != max) return SRC_NO_MATCH; /* fall through */
        case RANGE_MM:   if (u->uid > max) return SRC_NO_MATCH; /* fall through */
        default:         return u->uid >= min ? SRC_USER : SRC_NO_MATCH;
        }
}

/* Whether a two-field "<domain> -" line names u (then pam_limits stops and
 * sets nothing). Unlike four-field lines, root has no exception here. */
static bool no_limits_matches(const User *u, const char *domain, int rng, uid_t min, uid_t max) {
        if (strcmp(u->name, domain) == 0)
                return true;
        if (domain[0] == '@')
                switch (rng) {
                case RANGE_NONE: return in_group_name(u, domain + 1);
                case RANGE_ONE:  return in_group_gid(u, (gid_t) max);
                case RANGE_MM:   if (u->gid > (gid_t) max) return false; /* fall through */
                default:         return u->gid >= (gid_t) min;
                }
        switch (rng) {
        case RANGE_NONE: return false;
        case RANGE_ONE:  return u->uid == max;
        case RANGE_MM:   if (u->uid > max) return false; /* fall through */
        default:         return u->uid >= min;
        }
}

typedef struct State {
        int resource;
        const char *item;
        uint64_t soft, hard;
        int src_soft, src_hard;
        int by_soft, by_hard;          /* the line that set each side last, or -1 */
} State;

/* process_limit() for one line of this resource's item: its value, or why
 * it has none. */
static const char *line_value(const State *s, const char *value, uint64_t *ret) {
        char *end;

        if (s->resource != RLIMIT_NICE && (strcmp(value, "-1") == 0 || strcmp(value, "-") == 0 ||
                                           strcmp(value, "unlimited") == 0 || strcmp(value, "infinity") == 0))
                *ret = INF;
        else if (s->resource == RLIMIT_NICE) {
                long v = strtol(value, &end, 10);
                if (v == 0 && end == value)
                        return "not a number";
                v = v < -20 ? -20 : v > 19 ? 19 : v;
                *ret = (uint64_t) (20 - v);
                return NULL;
        } else {
                uint64_t v = strtoull(value, &end, 10);
                if (v == 0 && end == value)
                        return "not a number";
                *ret = v;
        }
        switch (s->resource) {
        case RLIMIT_CPU:
                if (*ret != INF)
                        *ret = *ret >= INF / 60 ? INF : *ret * 60;
                break;
        case RLIMIT_FSIZE: case RLIMIT_DATA: case RLIMIT_STACK: case RLIMIT_CORE:
        case RLIMIT_RSS: case RLIMIT_MEMLOCK: case RLIMIT_AS:
                if (*ret != INF)
                        *ret = *ret >= INF / 1024 ? INF : *ret * 1024;
                break;
        case RLIMIT_NOFILE:
                if (*ret == INF) {
                        char text[64];
                        uint64_t v;
                        if (explain_read_file("/proc/sys/fs/nr_open", text, sizeof text) >= 0 &&
                            sscanf(text, "%" SCNu64, &v) == 1)
                                *ret = v;
                }
                break;
        }
        return NULL;
}

/* Applies one line at source src; returns why it had no effect, or NULL. */
static const char *line_apply(State *s, int index, int src, const char *type, const char *value) {
        int t = strcmp(type, "soft") == 0 ? TYPE_SOFT : strcmp(type, "hard") == 0 ? TYPE_HARD :
                strcmp(type, "-") == 0 ? TYPE_SOFT | TYPE_HARD : 0;
        uint64_t v;
        const char *why;

        if (t == 0)
                return "unknown type";
        why = line_value(s, value, &v);
        if (why)
                return why;
        if (src == SRC_ALL || src == SRC_ALLGROUP)
                return "% domains are for maxlogins only";
        /* As process_limit(): a side set by a more specific domain stays, and
         * a blocked soft side ends the line, its hard side too. */
        if (t & TYPE_SOFT) {
                if (s->src_soft < src)
                        return "a more specific domain's line wins";
                s->soft = v, s->src_soft = src, s->by_soft = index;
        }
        if (t & TYPE_HARD) {
                if (s->src_hard < src)
                        return "a more specific domain's line wins";
                s->hard = v, s->src_hard = src, s->by_hard = index;
        }
        return NULL;
}

static void lower(char *s) {
        for (; *s; s++)
                *s = (char) tolower((unsigned char) *s);
}

/* One file, as parse_config_file() reads it. Returns 1 when a "<domain> -"
 * line for u ends it all, 0, or -errno when the file cannot be read. */
static int parse_file(const char *path, const User *u, State *s, PamResult *res) {
        _cleanup_(fclosep) FILE *f = fopen(path, "re");
        char buf[LINE_LENGTH], domain[LINE_LENGTH], type[LINE_LENGTH], item[LINE_LENGTH], value[LINE_LENGTH];
        unsigned number = 1;

        if (!f)
                return -errno;
        if (res->n_files < PAM_MAX_FILES) {
                EXPLAIN_COPY(res->files[res->n_files], path);
                res->n_files++;
        }
        while (fgets(buf, sizeof buf, f)) {
                /* Line numbers count newlines; a longer line is several to pam_limits too. */
                unsigned here = number;
                bool whole = strchr(buf, '\n') != NULL;
                if (whole)
                        number++;
                char *line = buf, *p;
                while (*line && isspace((unsigned char) *line))
                        line++;
                if ((p = strchr(line, '#')))
                        *p = '\0';
                if ((p = strchr(line, '\n')))
                        *p = '\0';
                if (!*line)
                        continue;
                domain[0] = type[0] = item[0] = value[0] = '\0';
                int fields = sscanf(line, "%s%s%s%s", domain, type, item, value);
                lower(type);
                uid_t min = (uid_t) -1, max = (uid_t) -1;
                int rng = uid_range(domain, &min, &max);
                if (rng == RANGE_ERR)
                        continue;
                if (fields == 2 && type[0] == '-') {
                        if (!no_limits_matches(u, domain, rng, min, max))
                                continue;
                        res->no_limits = true;
                        res->no_limits_line = (PamLine) { .line = here };
                        EXPLAIN_COPY(res->no_limits_line.file, path);
                        EXPLAIN_COPY(res->no_limits_line.domain, domain);
                        return 1;
                }
                if (fields != 4)
                        continue;
                lower(item);
                lower(value);
                if (!s->item || strcmp(item, s->item) != 0)
                        continue;
                int src = line_source(u, domain, rng, min, max);
                const char *why = NULL;
                if (src == SRC_NO_MATCH) {
                        /* Shown when only root's exception keeps it out. */
                        User other = *u;
                        other.root = false;
                        if (!u->root || line_source(&other, domain, rng, min, max) == SRC_NO_MATCH)
                                continue;
                        why = "not for root: to root only lines naming root apply";
                }
                if (res->n_lines >= PAM_MAX_LINES) {
                        res->more_lines = true;
                        if (!why)
                                (void) line_apply(s, -1, src, type, value);
                        continue;
                }
                int index = (int) res->n_lines++;
                PamLine *l = &res->lines[index];
                *l = (PamLine) { .line = here };
                EXPLAIN_COPY(l->file, path);
                EXPLAIN_COPY(l->domain, domain);
                EXPLAIN_COPY(l->type, type);
                EXPLAIN_COPY(l->item, item);
                EXPLAIN_COPY(l->value, value);
                l->ignored = why ?: line_apply(s, index, src, type, value);
        }
        return 0;
}

/* Whether a /etc/pam.d file's session stack runs pam_limits, itself or
 * through @include, include or substack. */
static bool pam_service_uses(const char *name, int depth) {
        char path[PATH_MAX], line[1024];
        bool found = false;

        if (depth > 4 || strchr(name, '/') || snprintf(path, sizeof path, PAM_D "/%s", name) >= (int) sizeof path)
                return false;
        _cleanup_(fclosep) FILE *f = fopen(path, "re");
        if (!f)
                return false;
        while (!found && fgets(line, sizeof line, f)) {
                char a[256] = "", b[256] = "", c[256] = "";
                line[strcspn(line, "#")] = '\0';
                if (sscanf(line, "%255s %255s %255s", a, b, c) < 2)
                        continue;
                if (strcmp(a, "@include") == 0)
                        found = pam_service_uses(b, depth + 1);
                else if (strcmp(a, "session") == 0 || strcmp(a, "-session") == 0) {
                        if (strcmp(b, "include") == 0 || strcmp(b, "substack") == 0)
                                found = pam_service_uses(c, depth + 1);
                        else
                                found = strstr(line, "pam_limits.so") != NULL;
                }
        }
        return found;
}

static int compare_names(const void *a, const void *b) {
        return strcmp(a, b);
}

static void pam_services(PamResult *res) {
        _cleanup_(closedirp) DIR *d = opendir(PAM_D);
        struct dirent *e;

        if (!d)
                return;
        while ((e = readdir(d)) && res->n_services < ELEMENTSOF(res->services))
                if (e->d_name[0] != '.' && !strstr(e->d_name, ".dpkg-") && pam_service_uses(e->d_name, 0))
                        snprintf(res->services[res->n_services++], sizeof res->services[0], "%.63s", e->d_name);
        qsort(res->services, res->n_services, sizeof res->services[0], compare_names);
}

int explain_pam(uid_t uid, const Resource1Rlimit *rl, PamResult *ret) {
        _cleanup_(freep) PamResult *res = calloc(1, sizeof *res);
        _cleanup_(freep) gid_t *groups = NULL;
        State s = { .resource = rl->number, .item = pam_item(rl->number), .src_soft = SRC_NONE,
                    .src_hard = SRC_NONE, .by_soft = -1, .by_hard = -1 };
        struct rlimit pid1[RLIM_NLIMITS];
        char text[8192];
        int r;

        if (!res)
                return -ENOMEM;
        res->supported = s.item != NULL;
        struct passwd *pw = getpwuid(uid);
        if (!pw) {
                *ret = *res;
                return 0;
        }
        EXPLAIN_COPY(res->user, pw->pw_name);
        User u = { .name = res->user, .uid = uid, .gid = pw->pw_gid, .root = uid == 0 };
        u.n_groups = 64;
        for (;;) {
                gid_t *g = realloc(groups, (size_t) u.n_groups * sizeof *g);
                if (!g)
                        return -ENOMEM;
                groups = g;
                int n = u.n_groups;
                if (getgrouplist(u.name, u.gid, groups, &n) >= 0) {
                        u.n_groups = n;
                        break;
                }
                if (n <= u.n_groups || n > 65536) {
                        u.n_groups = 0;
                        break;
                }
                u.n_groups = n;
        }
        u.groups = groups;

        /* Where it starts: pid 1's limits. */
        res->base_from = "pid 1";
        if (explain_read_file("/proc/1/limits", text, sizeof text) >= 0 && limit_proc_parse(text, pid1) >= 0) {
                res->base = (ExplainLimit) { true, pid1[rl->number].rlim_cur, pid1[rl->number].rlim_max };
                if (rl->number == RLIMIT_NOFILE && res->base.soft > 1024)
                        res->base.soft = 1024;       /* FD_SETSIZE (Debian's patch) */
                s.soft = res->base.soft, s.hard = res->base.hard;
                s.src_soft = s.src_hard = SRC_KERNEL;
        }

        /* Every file is read even for a resource pam_limits cannot set
         * (RTTIME): a "<domain> -" line stops it resetting that one too. */
        r = parse_file(LIMITS_CONF, &u, &s, res);
        if (r < 0)
                snprintf(res->error, sizeof res->error, "cannot read " LIMITS_CONF ": %s", strerror(-r));
        else if (r == 0) {
                glob_t g = {};
                if (glob(LIMITS_GLOB, GLOB_ERR, NULL, &g) == 0)
                        for (size_t i = 0; i < g.gl_pathc && r == 0; i++) {
                                r = parse_file(g.gl_pathv[i], &u, &s, res);
                                if (r < 0)
                                        snprintf(res->error, sizeof res->error, "cannot read %s: %s",
                                                 g.gl_pathv[i], strerror(-r));
                        }
                globfree(&g);
        }
        if (!res->no_limits && !res->error[0]) {
                res->has_soft = s.src_soft != SRC_NONE && (s.src_soft != SRC_KERNEL || res->base.known);
                res->has_hard = s.src_hard != SRC_NONE && (s.src_hard != SRC_KERNEL || res->base.known);
                res->soft = s.soft, res->hard = s.hard;
                res->soft_from_base = s.src_soft == SRC_KERNEL;
                res->hard_from_base = s.src_hard == SRC_KERNEL;
                if (res->has_soft && res->has_hard && res->soft > res->hard)
                        res->soft = res->hard;
                if (s.by_soft >= 0)
                        res->lines[s.by_soft].sets_soft = true;
                if (s.by_hard >= 0)
                        res->lines[s.by_hard].sets_hard = true;
        }
        pam_services(res);
        *ret = *res;
        return 0;
}
