/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl: resource limits and usage through org.example.Resource1,
 * modelled on util-linux prlimit(1) and systemd's *ctl tools. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "limit-value.h"
#include "polkit-agent.h"
#include "resource1-names.h"
#include "resource1-pidfd.h"
#include "resource1.h"

#ifndef PROJECT_VERSION
#define PROJECT_VERSION "0"
#endif

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define ERROR_INTERACTIVE "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"

/* Exit statuses, documented in resourcectl(1). run's own are 126 and 127
 * (COMMAND found but not executable, not found), and then COMMAND's. */
enum {
        EXIT_OK = 0,
        EXIT_ERROR = 1,        /* any other failure, a write error among them */
        EXIT_USAGE = 2,        /* bad command line, resource, value or who */
        EXIT_REFUSED = 3,      /* policy, polkit or the kernel said no, or authentication could not be asked */
        EXIT_UNAVAILABLE = 4,  /* the service (or the bus) cannot be reached, or did not answer */
        EXIT_NO_PROCESS = 5,   /* no such process */
};

#define MAX_LIMITS 64

typedef enum JsonMode { JSON_OFF, JSON_SHORT, JSON_PRETTY } JsonMode;

/* --RESOURCE[=VALUE] (prlimit's options) and --limit RESOURCE=VALUE, in order. */
typedef struct ResourceOption {
        const Resource1Rlimit *res;
        const char *value;   /* NULL: show this limit */
} ResourceOption;

static pid_t arg_pid = 0;
static bool arg_pid_given = false;
static const char *arg_who = "self";
static JsonMode arg_json = JSON_OFF;
static bool arg_no_headings = false;
static bool arg_raw = false;
static bool arg_verbose = false;
static bool arg_quiet = false;
static bool arg_ask_password = true;
static const char *arg_output = NULL;
static ResourceOption arg_resources[MAX_LIMITS];
static size_t arg_n_resources = 0;

/* ---- errors ---- */

static int exit_status_of(int r) {
        switch (-r) {
        case 0:            return EXIT_OK;
        case EINVAL:
        case EOPNOTSUPP:
        case ERANGE:       return EXIT_USAGE;
        case EPERM:
        case EACCES:       return EXIT_REFUSED;
        case ECONNREFUSED:
        case ETIMEDOUT:    return EXIT_UNAVAILABLE;
        case ESRCH:        return EXIT_NO_PROCESS;
        default:           return EXIT_ERROR;
        }
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...) {
        va_list ap;
        fputs("resourcectl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\n", stderr);
        return EXIT_USAGE;
}

/* A command line resourcectl cannot make sense of: the reason and where to look. */
static int syntax_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int syntax_error(const char *fmt, ...) {
        va_list ap;
        fputs("resourcectl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputs("\nTry 'resourcectl --help' for more information.\n", stderr);
        return EXIT_USAGE;
}

/* What the service said, without the "pid N: " it starts with when the
 * words before it name the process already. */
static const char *service_reason(Resource1 *h, int r) {
        const char *msg = resource1_last_error_message(h);
        if (r == -ESRCH)
                return "no such process";
        if (!msg)
                return strerror(-r);
        const char *s = msg;
        if (strncmp(s, "pid ", 4) == 0) {
                const char *p = s + 4;
                while (isdigit((unsigned char) *p))
                        p++;
                if (p > s + 4 && strncmp(p, ": ", 2) == 0)
                        return p + 2;
        }
        return msg;
}

/* One line. The service's messages about a change or a usage read already
 * name the process, what was asked and the reason ("setting NOFILE of pid 42
 * to 400:900: polkit refused ..."), so those stand alone; anything else says
 * first what was tried. */
static int fail(Resource1 *h, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(Resource1 *h, int r, const char *fmt, ...) {
        const char *msg = resource1_last_error_message(h);
        va_list ap;

        fputs("resourcectl: ", stderr);
        if (r != -ETIMEDOUT && r != -ESRCH && msg && (strncmp(msg, "setting ", 8) == 0 || strncmp(msg, "usage of ", 9) == 0)) {
                fprintf(stderr, "%s\n", msg);
                return exit_status_of(r);
        }
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        if (r == -ETIMEDOUT)
                fprintf(stderr, ": the service did not answer in time (it may be stopped or hung)\n");
        else
                fprintf(stderr, ": %s\n", service_reason(h, r));
        return exit_status_of(r);
}

static int resource_arg(const char *name, const Resource1Rlimit **ret) {
        int r = resource1_rlimit_from_name(name, ret);
        if (r == -EOPNOTSUPP)
                return usage_error("resource '%s' is not available on this platform (Linux)", name);
        if (r < 0)
                return usage_error("unknown resource '%s' (see 'resourcectl limits')", name);
        return EXIT_OK;
}

/* ---- the target ----
 *
 * --pid is a process id as this process sees it, in its own pid namespace,
 * as for prlimit(1); without it, the process resourcectl was started from
 * (its parent: the shell it was typed in), which is what a person means, as
 * ulimit does. It is opened as a pidfd once, and the service is told of the
 * process by that pidfd for the whole command: inside a container the
 * number means the same process to the service, and a read and a change
 * that follows it are about the same process. */

typedef struct Target {
        int fd;          /* -1: named by its number (a kernel that gives no pidfd for it) */
        pid_t pid;
        bool parent;     /* chosen because no --pid was given */
        char comm[64];
} Target;

static Target target = { .fd = -1 };

static void target_close(void) {
        if (target.fd >= 0)
                close(target.fd);
        target.fd = -1;
}

static const char *target_name(char buf[static 96]) {
        snprintf(buf, 96, "pid %d (%s)", (int) target.pid, target.comm);
        return buf;
}

/* change: the process is to be changed, not read. */
static int target_open(bool thread, bool change) {
        pid_t pid = arg_pid;

        if (!arg_pid_given) {
                pid = getppid();
                if (pid == 0)
                        return usage_error("the process that started resourcectl is outside its pid namespace; "
                                           "name a process with --pid");
                if (pid == 1 && change)
                        return usage_error("resourcectl was started by pid 1 (init), whose limits it changes "
                                           "only when told so: --pid 1");
                target.parent = true;
        }
        target.pid = pid;

        int fd = resource1_pidfd_open(pid, thread);
        if (fd == -ESRCH) {
                fprintf(stderr, "resourcectl: pid %d: no such process\n", (int) pid);
                return EXIT_NO_PROCESS;
        }
        if (fd < 0 && fd != -EOPNOTSUPP) {   /* -EOPNOTSUPP: the number is passed as it is */
                fprintf(stderr, "resourcectl: cannot open pid %d: %s\n", (int) pid, strerror(-fd));
                return EXIT_ERROR;
        }
        target.fd = fd >= 0 ? fd : -1;
        if (target.parent && getppid() != pid) {
                fprintf(stderr, "resourcectl: the process that started resourcectl (pid %d) has exited\n", (int) pid);
                return EXIT_NO_PROCESS;
        }

        char path[64];
        snprintf(path, sizeof path, "/proc/%d/comm", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f || !fgets(target.comm, sizeof target.comm, f))
                snprintf(target.comm, sizeof target.comm, "?");
        if (f)
                fclose(f);
        target.comm[strcspn(target.comm, "\n")] = '\0';
        return EXIT_OK;
}

/* "Setting limits of pid 42 (bash), resourcectl's parent process." on
 * standard error: always for a change of the implied process (unless
 * --quiet), and for anything with --verbose. */
static void target_note(const char *doing, bool change) {
        char name[96];
        if (arg_quiet || !(arg_verbose || (change && target.parent)))
                return;
        fprintf(stderr, "%s %s%s.\n", doing, target_name(name),
                target.parent ? ", resourcectl's parent process" : "");
}

/* Indexed by RLIMIT_*; every resource, or an error: nothing is shown for
 * a limit the service did not report. (The CLI is built with 64-bit rlim_t,
 * so the library's limits convert without loss.) */
static int target_list_rlimits(Resource1 *h, struct rlimit all[static RLIM_NLIMITS]) {
        Resource1LimitEntry e[RLIM_NLIMITS];
        int n = target.fd >= 0 ? resource1_list_rlimits_pidfd(h, target.fd, e, RLIM_NLIMITS) :
                                 resource1_list_rlimits(h, target.pid, e, RLIM_NLIMITS);
        if (n >= 0 && n != RLIM_NLIMITS)
                return -EBADMSG;
        for (int i = 0; i < n; i++)
                if (e[i].resource < 0 || e[i].resource >= RLIM_NLIMITS ||
                    resource1_limit_to_rlimit(&e[i].limit, &all[e[i].resource]) < 0)
                        return -EBADMSG;
        return n;
}

/* /proc/PID/limits, which anyone may read, for when the service cannot be
 * reached. */
static int proc_list_rlimits(struct rlimit all[static RLIM_NLIMITS]) {
        char path[64], text[8192];
        snprintf(path, sizeof path, "/proc/%d/limits", (int) target.pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        size_t k = 0;
        ssize_t n;
        while (k < sizeof text - 1 && (n = read(fd, text + k, sizeof text - 1 - k)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = errno;
                        close(fd);
                        return -e;
                }
                k += (size_t) n;
        }
        close(fd);
        text[k] = '\0';
        if (limit_proc_parse(text, all) < 0)
                return -EBADMSG;
        /* Still the process the pidfd names, not a newcomer with its number. */
        if (target.fd >= 0 && syscall(SYS_pidfd_send_signal, target.fd, 0, NULL, 0) < 0 && errno == ESRCH)
                return -ESRCH;
        return 0;
}

/* ---- changes ---- */

/* RESOURCE VALUE pairs (set), --RESOURCE=VALUE or --limit RESOURCE=VALUE,
 * each resource once. */
typedef struct Change {
        const Resource1Rlimit *res;
        LimitSpec spec;
} Change;

static int change_parse(const Resource1Rlimit *res, const char *value, Change changes[], size_t n) {
        const char *why = NULL;
        for (size_t j = 0; j < n; j++)
                if (changes[j].res == res)
                        return usage_error("%s is given twice", res->name);
        changes[n].res = res;
        int r = limit_spec_parse(value, res->unit, &changes[n].spec, &why);
        if (r < 0)
                return usage_error("invalid value '%s' for %s: %s", value, res->name, why ?: strerror(-r));
        return EXIT_OK;
}

/* The valued --RESOURCE options, added to changes (n of them so far). */
static int changes_from_options(Change changes[], size_t *n) {
        for (size_t i = 0; i < arg_n_resources; i++) {
                if (!arg_resources[i].value)
                        continue;
                if (*n >= MAX_LIMITS)
                        return usage_error("too many limits (at most %d)", MAX_LIMITS);
                int r = change_parse(arg_resources[i].res, arg_resources[i].value, changes, *n);
                if (r != EXIT_OK)
                        return r;
                (*n)++;
        }
        return EXIT_OK;
}

/* prlimit's option for a resource: its name in lower case ("nofile"). */
static const char *option_name(const Resource1Rlimit *res, char buf[static 16]) {
        size_t i = 0;
        for (; res->name[i] && i < 15; i++)
                buf[i] = (char) tolower((unsigned char) res->name[i]);
        buf[i] = '\0';
        return buf;
}

static bool options_have_values(void) {
        for (size_t i = 0; i < arg_n_resources; i++)
                if (arg_resources[i].value)
                        return true;
        return false;
}

static const ResourceOption *option_without_value(void) {
        for (size_t i = 0; i < arg_n_resources; i++)
                if (!arg_resources[i].value)
                        return &arg_resources[i];
        return NULL;
}

/* The limits to ask for: "soft:" and ":hard" keep the other side as it is in cur. */
static void changes_apply(const Change changes[], size_t n, const struct rlimit cur[static RLIM_NLIMITS],
                          int ret_resources[], struct rlimit ret_new[]) {
        for (size_t i = 0; i < n; i++) {
                uint64_t soft, hard;
                const struct rlimit *c = &cur[changes[i].res->number];
                limit_spec_apply(&changes[i].spec, c->rlim_cur, c->rlim_max, &soft, &hard);
                ret_resources[i] = changes[i].res->number;
                ret_new[i] = (struct rlimit) { .rlim_cur = soft, .rlim_max = hard };
        }
}

/* "NOFILE to 100:200, CORE to 0:0" for a failure the service did not word. */
static const char *changes_describe(const Change changes[], const struct rlimit new[], size_t n, char *buf,
                                    size_t size) {
        char a[24], b[24];
        size_t k = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n && k < size; i++)
                k += (size_t) snprintf(buf + k, size - k, "%s%s to %s:%s", i ? ", " : "", changes[i].res->name,
                                       limit_value_format(new[i].rlim_cur, a), limit_value_format(new[i].rlim_max, b));
        return buf;
}

static bool interactive_required(Resource1 *h) {
        const char *name = resource1_last_error_name(h);
        return name && strcmp(name, ERROR_INTERACTIVE) == 0;
}

/* One SetRlimits request, on the target (fd, or pid; 0: resourcectl). It
 * is made without interactive authorization first, so that nothing is
 * started for the many calls that need none; when polkit wants the user
 * authenticated, it is made again allowing that, with a text agent on a
 * terminal (a desktop's agent may answer too). */
static int request_set(Resource1 *h, int fd, pid_t pid, const Change changes[], const int resources[],
                       const struct rlimit new[], size_t n, struct rlimit old[]) {
        PolkitAgent agent = { .state = POLKIT_AGENT_NOT_TRIED };
        char what[1024], why[512];
        int r;

        Resource1Limit want[RLIM_NLIMITS], was[RLIM_NLIMITS];
        for (size_t i = 0; i < n; i++)
                want[i] = resource1_limit_from_rlimit(&new[i]);

        resource1_set_allow_interactive(h, false);
        r = fd >= 0 ? resource1_setrlimits_pidfd(h, fd, resources, want, n, was) :
                      resource1_setrlimits(h, pid, resources, want, n, was);
        if (r == -EACCES && interactive_required(h) && arg_ask_password) {
                polkit_agent_open(&agent);
                resource1_set_allow_interactive(h, true);
                r = fd >= 0 ? resource1_setrlimits_pidfd(h, fd, resources, want, n, was) :
                              resource1_setrlimits(h, pid, resources, want, n, was);
                polkit_agent_close(&agent);
        }
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (resource1_limit_to_rlimit(&was[i], &old[i]) < 0)
                        r = -EBADMSG;
        if (r >= 0)
                return EXIT_OK;

        if (r == -EACCES && interactive_required(h)) {
                /* The service says what needs authentication; what stood in
                 * the way of asking for it is known only here. */
                const char *msg = resource1_last_error_message(h) ?: "";
                const char *needs = strstr(msg, " needs authentication");
                polkit_agent_why(&agent, arg_ask_password, why, sizeof why);
                if (needs)
                        fprintf(stderr, "resourcectl: %.*s, but %s\n",
                                (int) (needs - msg + strlen(" needs authentication")), msg, why);
                else
                        fprintf(stderr, "resourcectl: %s (%s)\n", msg, why);
                return EXIT_REFUSED;
        }
        return fail(h, r, "cannot set %s", changes_describe(changes, new, n, what, sizeof what));
}

/* ---- output ---- */

static const char *arrow(void) {
        return strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? "→" : "->";
}

static void json_string(const char *s) {
        if (!s) {
                fputs("null", stdout);
                return;
        }
        putchar('"');
        for (; *s; s++)
                if (*s == '"' || *s == '\\')
                        printf("\\%c", *s);
                else if ((unsigned char) *s < 0x20)
                        printf("\\u%04x", *s);
                else
                        putchar(*s);
        putchar('"');
}

/* A JSON writer for --json=short (no whitespace) and --json=pretty. */
static struct { int depth; bool comma, after_key; } J;

static void j_before_value(void) {
        if (J.after_key) {
                J.after_key = false;
                return;
        }
        if (J.comma)
                putchar(',');
        if (arg_json == JSON_PRETTY && J.depth > 0)
                printf("\n%*s", 2 * J.depth, "");
}

static void j_open(char c) {
        j_before_value();
        putchar(c);
        J.depth++;
        J.comma = false;
}

static void j_close(char c) {
        J.depth--;
        if (arg_json == JSON_PRETTY && J.comma)
                printf("\n%*s", 2 * J.depth, "");
        putchar(c);
        J.comma = true;
        if (J.depth == 0) {
                putchar('\n');
                J.comma = false;
        }
}

static void j_key(const char *k) {
        j_before_value();
        json_string(k);
        fputs(arg_json == JSON_PRETTY ? ": " : ":", stdout);
        J.after_key = true;
}

static void j_string(const char *s) {
        j_before_value();
        json_string(s);
        J.comma = true;
}

static void j_number(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void j_number(const char *fmt, ...) {
        va_list ap;
        j_before_value();
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        J.comma = true;
}

/* A limit: a number, or the string "infinity" (which jq keeps, and set
 * takes back; 18446744073709551615 is beyond a double's exact range). */
static void j_limit(uint64_t v) {
        if (v == UINT64_MAX)
                j_string("infinity");
        else
                j_number("%" PRIu64, v);
}

static void j_limits_object(const char *key, const struct rlimit *l) {
        j_key(key);
        j_open('{');
        j_key("soft");
        j_limit(l->rlim_cur);
        j_key("hard");
        j_limit(l->rlim_max);
        j_close('}');
}

/* ---- limits: columns as prlimit(1) has them ---- */

enum { COL_RESOURCE, COL_DESCRIPTION, COL_SOFT, COL_HARD, COL_UNITS, COL_MAX };
static const char *const column_names[COL_MAX] = { "RESOURCE", "DESCRIPTION", "SOFT", "HARD", "UNITS" };
static const int default_columns[] = { COL_RESOURCE, COL_DESCRIPTION, COL_SOFT, COL_HARD, COL_UNITS };
static int columns[32];
static size_t n_columns = 0;

/* -o LIST, or -o +LIST for the default columns and LIST after them. */
static int columns_parse(const char *spec) {
        n_columns = 0;
        if (!spec || *spec == '+') {
                memcpy(columns, default_columns, sizeof default_columns);
                n_columns = ELEMENTSOF(default_columns);
                if (!spec)
                        return EXIT_OK;
                spec++;
        }
        while (*spec) {
                size_t len = strcspn(spec, ",");
                int c = -1;
                for (int i = 0; i < COL_MAX; i++)
                        if (strlen(column_names[i]) == len && strncasecmp(spec, column_names[i], len) == 0)
                                c = i;
                if (c < 0)
                        return syntax_error("unknown column '%.*s' in --output (RESOURCE, DESCRIPTION, SOFT, HARD, UNITS)",
                                            (int) len, spec);
                if (n_columns >= ELEMENTSOF(columns))
                        return syntax_error("too many columns in --output");
                columns[n_columns++] = c;
                spec += len;
                if (*spec == ',')
                        spec++;
        }
        if (n_columns == 0)
                return syntax_error("--output names no column");
        return EXIT_OK;
}

static const char *cell(const Resource1Rlimit *res, const struct rlimit all[], int col, char buf[static 24]) {
        switch (col) {
        case COL_RESOURCE:    return res->name;
        case COL_DESCRIPTION: return res->description;
        case COL_SOFT:        return limit_value_format(all[res->number].rlim_cur, buf);
        case COL_HARD:        return limit_value_format(all[res->number].rlim_max, buf);
        default:              return res->units ?: "";
        }
}

/* --raw: util-linux's raw form (fields separated by one space, a space
 * within one written \x20, as prlimit --raw does), "-" for an empty one, so
 * that every line has every column. */
static void raw_cell(const char *s) {
        if (!*s) {
                putchar('-');
                return;
        }
        for (; *s; s++)
                if (*s == ' ' || *s == '\\' || (unsigned char) *s < 0x20)
                        printf("\\x%02x", (unsigned char) *s);
                else
                        putchar(*s);
}

static void print_limits(const Resource1Rlimit *const wanted[], size_t n, const struct rlimit all[]) {
        char buf[24];

        if (arg_json != JSON_OFF) {
                j_open('[');
                for (size_t i = 0; i < n; i++) {
                        j_open('{');
                        for (size_t c = 0; c < n_columns; c++) {
                                char key[16];
                                snprintf(key, sizeof key, "%s", column_names[columns[c]]);
                                for (char *k = key; *k; k++)
                                        *k = (char) tolower((unsigned char) *k);
                                j_key(key);
                                switch (columns[c]) {
                                case COL_SOFT:  j_limit(all[wanted[i]->number].rlim_cur); break;
                                case COL_HARD:  j_limit(all[wanted[i]->number].rlim_max); break;
                                case COL_UNITS: j_string(wanted[i]->units); break;
                                default:        j_string(cell(wanted[i], all, columns[c], buf)); break;
                                }
                        }
                        j_close('}');
                }
                j_close(']');
                return;
        }

        if (arg_raw) {
                for (size_t i = arg_no_headings ? 1 : 0; i <= n; i++) {
                        for (size_t c = 0; c < n_columns; c++) {
                                if (c)
                                        putchar(' ');
                                raw_cell(i == 0 ? column_names[columns[c]] : cell(wanted[i - 1], all, columns[c], buf));
                        }
                        putchar('\n');
                }
                return;
        }

        /* A table: each column as wide as its widest cell, numbers to the
         * right, no space after the last. */
        int width[32] = {};
        for (size_t c = 0; c < n_columns; c++) {
                if (!arg_no_headings)
                        width[c] = (int) strlen(column_names[columns[c]]);
                for (size_t i = 0; i < n; i++) {
                        int w = (int) strlen(cell(wanted[i], all, columns[c], buf));
                        if (w > width[c])
                                width[c] = w;
                }
        }
        for (size_t i = arg_no_headings ? 1 : 0; i <= n; i++) {
                char line[1024];
                size_t k = 0;
                for (size_t c = 0; c < n_columns && k < sizeof line; c++) {
                        const char *s = i == 0 ? column_names[columns[c]] : cell(wanted[i - 1], all, columns[c], buf);
                        bool right = columns[c] == COL_SOFT || columns[c] == COL_HARD;
                        k += (size_t) snprintf(line + k, sizeof line - k, "%s%*s", c ? " " : "",
                                               right ? width[c] : -width[c], s);
                }
                while (k > 0 && line[k - 1] == ' ')
                        k--;
                line[k] = '\0';
                puts(line);
        }
}

/* ---- commands ---- */

static int add_wanted(const Resource1Rlimit *wanted[], size_t *n, const Resource1Rlimit *res) {
        for (size_t i = 0; i < *n; i++)
                if (wanted[i] == res)
                        return 0;   /* once each, in the order first named */
        wanted[(*n)++] = res;
        return 0;
}

/* The limits of the target, through the service or, when it cannot be
 * reached, from /proc/PID/limits (anyone may read those). */
static int read_limits(Resource1 *h, struct rlimit all[static RLIM_NLIMITS]) {
        char name[96];
        int r = target_list_rlimits(h, all);
        if (r >= 0)
                return EXIT_OK;
        if (exit_status_of(r) != EXIT_UNAVAILABLE)
                return fail(h, r, "cannot read the limits of %s", target_name(name));

        const char *why = r == -ETIMEDOUT ? "it did not answer in time" :
                          resource1_last_error_message(h) ?: strerror(-r);
        int k = proc_list_rlimits(all);
        if (k < 0) {
                fprintf(stderr, "resourcectl: cannot read the limits of %s: the service is unavailable (%s), "
                                "and /proc/%d/limits could not be read: %s\n",
                        target_name(name), why, (int) target.pid, k == -ESRCH ? "no such process" : strerror(-k));
                return k == -ESRCH ? EXIT_NO_PROCESS : EXIT_UNAVAILABLE;
        }
        fprintf(stderr, "resourcectl: the service is unavailable (%s); read /proc/%d/limits instead\n", why,
                (int) target.pid);
        return EXIT_OK;
}

static int verb_limits(Resource1 *h, char **argv, size_t argc) {
        const Resource1Rlimit *wanted[RLIM_NLIMITS];
        struct rlimit all[RLIM_NLIMITS];
        size_t n = 0;
        int r;

        if (options_have_values())
                return syntax_error("a --RESOURCE=VALUE option changes a limit, which 'limits' does not "
                                    "(use 'set', or leave out 'limits')");
        for (size_t i = 0; i < argc; i++) {
                const Resource1Rlimit *res;
                r = resource_arg(argv[i], &res);
                if (r != EXIT_OK)
                        return r;
                add_wanted(wanted, &n, res);
        }
        for (size_t i = 0; i < arg_n_resources; i++)
                add_wanted(wanted, &n, arg_resources[i].res);
        if (n == 0)
                for (size_t i = 0; i < resource1_rlimits_count; i++)
                        wanted[n++] = &resource1_rlimits[i];

        r = target_open(false, false);
        if (r != EXIT_OK)
                return r;
        target_note("Limits of", false);
        r = read_limits(h, all);
        if (r != EXIT_OK)
                return r;
        print_limits(wanted, n, all);
        return EXIT_OK;
}

/* set RESOURCE VALUE..., and prlimit's form without a command:
 * --RESOURCE=VALUE... sets, and --RESOURCE without a value shows that limit
 * afterwards (then_show). */
static int verb_set(Resource1 *h, char **argv, size_t argc, bool then_show) {
        Change changes[MAX_LIMITS];
        int resources[MAX_LIMITS];
        struct rlimit cur[RLIM_NLIMITS] = {}, old[MAX_LIMITS], new[MAX_LIMITS];
        char a[24], b[24], c[24], d[24];
        size_t n = 0;
        bool need_current = false;
        int r;

        for (size_t i = 0; i < argc; i++)
                if (i % 2 == 0 && argv[i][0] == '-' && argv[i][1] != '\0')
                        return syntax_error("'%s' after RESOURCE VALUE pairs: options go before the first RESOURCE "
                                            "(a VALUE may start with '-', as in 'set NICE -5')", argv[i]);
        if (argc % 2 != 0)
                return syntax_error("'set' takes RESOURCE VALUE [RESOURCE VALUE...], e.g. 'resourcectl set NOFILE 1024:4096'");
        if (argc / 2 > MAX_LIMITS)
                return usage_error("too many limits (at most %d)", MAX_LIMITS);
        for (size_t i = 0; i < argc; i += 2, n++) {
                const Resource1Rlimit *res;
                r = resource_arg(argv[i], &res);
                if (r != EXIT_OK)
                        return r;
                r = change_parse(res, argv[i + 1], changes, n);
                if (r != EXIT_OK)
                        return r;
        }
        r = changes_from_options(changes, &n);
        if (r != EXIT_OK)
                return r;
        if (n == 0)
                return syntax_error("'set' takes RESOURCE VALUE [RESOURCE VALUE...], e.g. 'resourcectl set NOFILE 1024:4096'");
        const ResourceOption *show = option_without_value();
        if (show && !then_show)
                return syntax_error("--%s without a value shows a limit, which 'set' does not",
                                    option_name(show->res, (char[16]) {}));
        for (size_t i = 0; i < n; i++)
                need_current = need_current || !changes[i].spec.has_soft || !changes[i].spec.has_hard;

        r = target_open(false, true);
        if (r != EXIT_OK)
                return r;
        if (need_current) {
                r = target_list_rlimits(h, cur);
                if (r < 0) {
                        char name[96];
                        return fail(h, r, "cannot read the limits of %s", target_name(name));
                }
        }
        changes_apply(changes, n, cur, resources, new);

        target_note("Setting limits of", true);
        /* One request: all or nothing, one authorization. */
        r = request_set(h, target.fd, target.pid, changes, resources, new, n, old);
        if (r != EXIT_OK)
                return r;

        if (arg_json != JSON_OFF) {
                if (n > 1)
                        j_open('[');
                for (size_t i = 0; i < n; i++) {
                        j_open('{');
                        j_key("resource");
                        j_string(changes[i].res->name);
                        j_key("pid");
                        j_number("%d", (int) target.pid);
                        j_limits_object("old", &old[i]);
                        j_limits_object("new", &new[i]);
                        j_close('}');
                }
                if (n > 1)
                        j_close(']');
        } else
                for (size_t i = 0; i < n; i++)
                        printf("%s: %s:%s %s %s:%s\n", changes[i].res->name, limit_value_format(old[i].rlim_cur, a),
                               limit_value_format(old[i].rlim_max, b), arrow(),
                               limit_value_format(new[i].rlim_cur, c), limit_value_format(new[i].rlim_max, d));

        if (show) {
                const Resource1Rlimit *wanted[RLIM_NLIMITS];
                struct rlimit all[RLIM_NLIMITS];
                size_t k = 0;
                for (size_t i = 0; i < arg_n_resources; i++)
                        if (!arg_resources[i].value)
                                add_wanted(wanted, &k, arg_resources[i].res);
                r = read_limits(h, all);
                if (r != EXIT_OK)
                        return r;
                print_limits(wanted, k, all);
        }
        return EXIT_OK;
}

static int who_arg(int *ret) {
        Resource1Who w;
        if (resource1_who_from_name(arg_who, &w) < 0)
                return usage_error("invalid --who '%s': expected self, children, both or thread", arg_who);
        *ret = w == RESOURCE1_WHO_SELF ? RUSAGE_SELF : w == RESOURCE1_WHO_CHILDREN ? RUSAGE_CHILDREN :
               w == RESOURCE1_WHO_THREAD ? RUSAGE_THREAD : RESOURCE1_RUSAGE_BOTH;
        return EXIT_OK;
}

/* Decimals worth printing for times counted in clock ticks (10 ms: 2). */
static int tick_decimals(void) {
        long hz = sysconf(_SC_CLK_TCK);
        int d = 0;
        for (long t = 1; t < hz && d < 6; t *= 10)
                d++;
        return hz > 0 ? d : 2;
}

static int verb_usage(Resource1 *h, char **argv, size_t argc) {
        Resource1Usage u;
        int who = RUSAGE_SELF, r;
        char name[96];

        (void) argv;
        if (argc != 0)
                return syntax_error("'usage' takes no arguments (use --pid and --who)");
        if (arg_n_resources > 0)
                return syntax_error("'usage' takes no --RESOURCE options");
        r = who_arg(&who);
        if (r != EXIT_OK)
                return r;
        /* For --who thread, --pid is a thread id: a thread's pidfd. */
        r = target_open(who == RUSAGE_THREAD, false);
        if (r != EXIT_OK)
                return r;
        target_note("Usage of", false);
        r = target.fd >= 0 ? resource1_getrusage_pidfd(h, target.fd, who, &u, sizeof u) :
                             resource1_getrusage(h, target.pid, who, &u, sizeof u);
        if (r < 0)
                return fail(h, r, "cannot read the usage of %s", target_name(name));

        /* The service reads other processes' times from /proc, in clock
         * ticks: no more decimals than those have. */
        int dec = tick_decimals();
        const double times[2] = { u.ru_utime, u.ru_stime };
        const int64_t counters[14] = {
                u.ru_maxrss, u.ru_ixrss, u.ru_idrss, u.ru_isrss, u.ru_minflt, u.ru_majflt, u.ru_nswap,
                u.ru_inblock, u.ru_oublock, u.ru_msgsnd, u.ru_msgrcv, u.ru_nsignals, u.ru_nvcsw, u.ru_nivcsw,
        };
        if (arg_json != JSON_OFF) {
                j_open('{');
                for (int i = 0; i < 16; i++) {
                        j_key(resource1_rusage_fields[i].name);
                        if (i < 2)
                                j_number("%.*f", dec, times[i]);
                        else
                                j_number("%" PRId64, counters[i - 2]);
                }
                j_close('}');
                return EXIT_OK;
        }
        for (int i = 0; i < 16; i++) {
                const Resource1RusageField *f = &resource1_rusage_fields[i];
                if (arg_raw) {
                        if (i < 2)
                                printf("%s %.*f\n", f->name, dec, times[i]);
                        else
                                printf("%s %" PRId64 "\n", f->name, counters[i - 2]);
                        continue;
                }
                if (i < 2)
                        printf("%-30s (%-11s) = %.*f %s\n", f->description, f->name, dec, times[i], f->unit);
                else
                        printf("%-30s (%-11s) = %" PRId64 "%s%s\n", f->description, f->name, counters[i - 2],
                               f->unit ? " " : "", f->unit ?: "");
        }
        return EXIT_OK;
}

static int verb_pagesize(Resource1 *h, char **argv, size_t argc) {
        uint64_t bytes;
        (void) argv;
        if (argc != 0)
                return syntax_error("'pagesize' takes no arguments");
        int r = resource1_getpagesize(h, &bytes);
        if (r < 0)
                return fail(h, r, "cannot read the page size");
        if (arg_json != JSON_OFF) {
                j_open('{');
                j_key("pagesize");
                j_number("%" PRIu64, bytes);
                j_close('}');
        } else
                printf("%" PRIu64 "\n", bytes);
        return EXIT_OK;
}

/* Sets the limits on this very process through the service, all in one
 * request (which asks polkit once for what needs it), then becomes COMMAND,
 * which inherits them. */
static int verb_run(Resource1 *h, char **argv, size_t argc) {
        Change changes[MAX_LIMITS];
        int resources[MAX_LIMITS];
        struct rlimit cur[RLIM_NLIMITS], old[MAX_LIMITS], new[MAX_LIMITS];
        size_t n = 0;
        int r;

        if (argc == 0)
                return syntax_error("'run' needs a command: resourcectl run --limit NOFILE=65536 COMMAND [ARG...]");
        if (arg_pid_given)
                return syntax_error("'run' sets its own limits; --pid does not apply");
        const ResourceOption *show = option_without_value();
        if (show)
                return syntax_error("--%s needs a value with a command (--%s=VALUE)", option_name(show->res, (char[16]) {}),
                                    option_name(show->res, (char[16]) {}));
        r = changes_from_options(changes, &n);
        if (r != EXIT_OK)
                return r;
        for (int i = 0; i < RLIM_NLIMITS; i++)
                if (getrlimit(i, &cur[i]) < 0)
                        return usage_error("cannot read %s: %m", resource1_resource_to_name(i) ?: "a limit");
        changes_apply(changes, n, cur, resources, new);

        if (n > 0) {
                r = request_set(h, -1, 0, changes, resources, new, n, old);
                if (r != EXIT_OK)
                        return r;
                if (arg_verbose && !arg_quiet)
                        for (size_t i = 0; i < n; i++) {
                                char a[24], b[24], c[24], d[24];
                                fprintf(stderr, "%s: %s:%s %s %s:%s\n", changes[i].res->name,
                                        limit_value_format(old[i].rlim_cur, a), limit_value_format(old[i].rlim_max, b),
                                        arrow(), limit_value_format(new[i].rlim_cur, c),
                                        limit_value_format(new[i].rlim_max, d));
                        }
        }
        if (arg_verbose && !arg_quiet)
                fprintf(stderr, "Running %s.\n", argv[0]);

        /* The bus connection is O_CLOEXEC: nothing of ours leaks into the command. */
        fflush(stdout);
        execvp(argv[0], argv);
        fprintf(stderr, "resourcectl: cannot run '%s': %m\n", argv[0]);
        return errno == ENOENT ? 127 : 126;
}

/* ---- the command line ---- */

static void help(void) {
        printf("Usage: resourcectl [OPTIONS] [limits] [RESOURCE...]\n"
               "       resourcectl [OPTIONS] set RESOURCE VALUE [RESOURCE VALUE...]\n"
               "       resourcectl [OPTIONS] usage\n"
               "       resourcectl pagesize\n"
               "       resourcectl [OPTIONS] run [--limit RESOURCE=VALUE...] [--] COMMAND [ARG...]\n"
               "       resourcectl [OPTIONS] --RESOURCE=VALUE... [--RESOURCE...]\n"
               "       resourcectl [OPTIONS] --RESOURCE=VALUE... COMMAND [ARG...]\n"
               "\n"
               "Resource limits and usage through the org.example.Resource1 service.\n"
               "Without --pid, limits, set and usage are about the process resourcectl was started\n"
               "from (its parent: the shell it was typed in), as ulimit is.\n"
               "\n"
               "Commands:\n"
               "  limits [RESOURCE...]     show limits (the default): RESOURCE DESCRIPTION SOFT HARD UNITS\n"
               "  set RESOURCE VALUE...    set limits, all in one request: all or none are set, with one\n"
               "                           authorization; VALUE is soft:hard, N (both), soft: or :hard\n"
               "                           (the other side kept), infinity (or unlimited, or -1); sizes\n"
               "                           as 10k, 1.5G, 1G 512M; CPU in seconds or 1m, 1h 30min, 1d;\n"
               "                           RTTIME in microseconds or 20ms, 1s; NICE a nice level with a\n"
               "                           sign (-20..+19) or the raw 0..40\n"
               "  usage                    show resource usage (getrusage)\n"
               "  pagesize                 show the system page size in bytes\n"
               "  run [--limit RESOURCE=VALUE...] [--] COMMAND [ARG...]\n"
               "                           set limits on this process (one request, as for set), then\n"
               "                           run COMMAND with them; options end at COMMAND\n"
               "\n"
               "Options:\n"
               "  -p --pid=PID             the process to read or change, as this namespace numbers it\n"
               "                           (default: resourcectl's parent; for --who thread, a thread id)\n"
               "  -w --who=WHO             usage of self, children, both or thread (default: self)\n"
               "     --limit=RESOURCE=VALUE\n"
               "                           a limit for 'run' (repeatable)\n"
               "  -o --output=LIST         columns of limits: RESOURCE,DESCRIPTION,SOFT,HARD,UNITS\n"
               "                           (+LIST: the default ones and LIST)\n"
               "     --json=MODE           JSON output: short (--json alone), pretty or off\n"
               "  -j                       --json=pretty on a terminal, --json=short otherwise\n"
               "     --no-headings, --noheadings\n"
               "                           no column headings\n"
               "     --raw                 one space between fields, a space within one as \\x20,\n"
               "                           an empty one as -\n"
               "     --verbose             say which process is read or changed, and what run sets\n"
               "     --quiet               no notes on standard error\n"
               "     --no-ask-password     never ask for authentication\n"
               "  -h --help                show this help\n"
               "  -V --version             show the version\n"
               "\n"
               "prlimit's resource options: with =VALUE they set that limit (of --pid, of the\n"
               "parent, or of COMMAND when one follows); without, they choose limits to show.\n"
               "  -c --core  -d --data  -e --nice  -f --fsize  -i --sigpending  -l --memlock\n"
               "  -m --rss  -n --nofile  -q --msgqueue  -r --rtprio  -s --stack  -t --cpu\n"
               "  -u --nproc  -v --as  -x --locks  -y --rttime      (short ones: -n256, not -n 256)\n"
               "\n"
               "Exit status: 0 success, 1 failure (a write error among them), 2 invalid command\n"
               "line, resource or value, 3 refused (policy, polkit or the kernel, or authentication\n"
               "that could not be asked), 4 service unavailable, 5 no such process; run: 126 COMMAND\n"
               "not executable, 127 COMMAND not found, else COMMAND's status. See resourcectl(1).\n");
}

/* prlimit(1)'s resource options, with its short letters. */
static const struct { const char *name; char letter; int resource; } resource_options[] = {
        { "as",         'v', RLIMIT_AS },
        { "core",       'c', RLIMIT_CORE },
        { "cpu",        't', RLIMIT_CPU },
        { "data",       'd', RLIMIT_DATA },
        { "fsize",      'f', RLIMIT_FSIZE },
        { "locks",      'x', RLIMIT_LOCKS },
        { "memlock",    'l', RLIMIT_MEMLOCK },
        { "msgqueue",   'q', RLIMIT_MSGQUEUE },
        { "nice",       'e', RLIMIT_NICE },
        { "nofile",     'n', RLIMIT_NOFILE },
        { "nproc",      'u', RLIMIT_NPROC },
        { "rss",        'm', RLIMIT_RSS },
        { "rtprio",     'r', RLIMIT_RTPRIO },
        { "rttime",     'y', RLIMIT_RTTIME },
        { "sigpending", 'i', RLIMIT_SIGPENDING },
        { "stack",      's', RLIMIT_STACK },
};

static int parse_pid(const char *s, pid_t *ret) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v <= 0 || v > INT32_MAX || !isdigit((unsigned char) *s))
                return -EINVAL;
        *ret = (pid_t) v;
        return 0;
}

static int add_resource_option(const Resource1Rlimit *res, const char *value) {
        if (arg_n_resources >= MAX_LIMITS)
                return syntax_error("too many resource options (at most %d)", MAX_LIMITS);
        arg_resources[arg_n_resources++] = (ResourceOption) { .res = res, .value = value };
        return EXIT_OK;
}

/* Options, up to the first argument that is not one when stop is set (the
 * command of run, and set's pairs, whose VALUEs may start with '-'),
 * anywhere otherwise. Returns EXIT_OK, an exit status, or -1 when done
 * (--help, --version). */
static int parse_options(int argc, char *argv[], bool stop) {
        enum { ARG_JSON = 0x100, ARG_LIMIT, ARG_NO_HEADINGS, ARG_RAW, ARG_VERBOSE, ARG_QUIET, ARG_NO_ASK_PASSWORD };
        static struct option options[64] = {
                { "pid",             required_argument, NULL, 'p' },
                { "who",             required_argument, NULL, 'w' },
                { "limit",           required_argument, NULL, ARG_LIMIT },
                { "output",          required_argument, NULL, 'o' },
                { "json",            optional_argument, NULL, ARG_JSON },
                { "no-headings",     no_argument,       NULL, ARG_NO_HEADINGS },
                { "noheadings",      no_argument,       NULL, ARG_NO_HEADINGS },
                { "raw",             no_argument,       NULL, ARG_RAW },
                { "verbose",         no_argument,       NULL, ARG_VERBOSE },
                { "quiet",           no_argument,       NULL, ARG_QUIET },
                { "no-ask-password", no_argument,       NULL, ARG_NO_ASK_PASSWORD },
                { "help",            no_argument,       NULL, 'h' },
                { "version",         no_argument,       NULL, 'V' },
        };
        static char optstring[128];
        static bool ready = false;
        int c, r;

        if (!ready) {
                size_t k = 13;
                for (size_t i = 0; i < ELEMENTSOF(resource_options); i++)
                        options[k++] = (struct option) { resource_options[i].name, optional_argument, NULL,
                                                         resource_options[i].letter };
                options[k] = (struct option) {};
                ready = true;
        }
        /* "+": stop at the first argument; ":": a missing argument is ours to report. */
        size_t k = (size_t) snprintf(optstring, sizeof optstring, "%s:hVjp:w:o:", stop ? "+" : "");
        for (size_t i = 0; i < ELEMENTSOF(resource_options); i++)
                k += (size_t) snprintf(optstring + k, sizeof optstring - k, "%c::", resource_options[i].letter);

        opterr = 0;
        while ((c = getopt_long(argc, argv, optstring, options, NULL)) >= 0) {
                switch (c) {
                case 'p':
                        if (parse_pid(optarg, &arg_pid) < 0)
                                return syntax_error("invalid --pid '%s': expected a process id", optarg);
                        arg_pid_given = true;
                        break;
                case 'w':
                        arg_who = optarg;
                        break;
                case 'o':
                        arg_output = optarg;
                        break;
                case ARG_LIMIT: {
                        const char *eq = strchr(optarg, '=');
                        if (!eq)
                                return syntax_error("invalid --limit '%s': expected RESOURCE=VALUE", optarg);
                        char name[64];
                        const Resource1Rlimit *res;
                        snprintf(name, sizeof name, "%.*s", (int) (eq - optarg), optarg);
                        r = resource_arg(name, &res);
                        if (r != EXIT_OK)
                                return r;
                        r = add_resource_option(res, eq + 1);
                        if (r != EXIT_OK)
                                return r;
                        break;
                }
                case ARG_JSON:
                        if (!optarg || strcmp(optarg, "short") == 0)
                                arg_json = JSON_SHORT;
                        else if (strcmp(optarg, "pretty") == 0)
                                arg_json = JSON_PRETTY;
                        else if (strcmp(optarg, "off") == 0)
                                arg_json = JSON_OFF;
                        else if (strcmp(optarg, "help") == 0) {
                                printf("short\npretty\noff\n");
                                return -1;
                        } else
                                return syntax_error("invalid --json '%s': expected short, pretty or off", optarg);
                        break;
                case 'j':
                        arg_json = isatty(STDOUT_FILENO) ? JSON_PRETTY : JSON_SHORT;
                        break;
                case ARG_NO_HEADINGS:
                        arg_no_headings = true;
                        break;
                case ARG_RAW:
                        arg_raw = true;
                        break;
                case ARG_VERBOSE:
                        arg_verbose = true;
                        break;
                case ARG_QUIET:
                        arg_quiet = true;
                        break;
                case ARG_NO_ASK_PASSWORD:
                        arg_ask_password = false;
                        break;
                case 'h':
                        help();
                        return -1;
                case 'V':
                        printf("resourcectl %s\n", PROJECT_VERSION);
                        return -1;
                case ':':
                        if (optopt)
                                return syntax_error("option requires an argument -- '%c'", optopt);
                        return syntax_error("option '%s' requires an argument", argv[optind - 1]);
                case '?':
                        if (optopt)
                                return syntax_error("invalid option -- '%c'", optopt);
                        return syntax_error("invalid option '%s'", argv[optind - 1]);
                default:
                        for (size_t i = 0; i < ELEMENTSOF(resource_options); i++)
                                if (c == resource_options[i].letter) {
                                        r = add_resource_option(resource1_rlimit_from_number(resource_options[i].resource),
                                                                optarg);
                                        if (r != EXIT_OK)
                                                return r;
                                }
                        break;
                }
        }
        return EXIT_OK;
}

typedef int (*Verb)(Resource1 *, char **, size_t);

static int verb_set_explicit(Resource1 *h, char **argv, size_t argc) {
        return verb_set(h, argv, argc, false);
}

static const struct { const char *name; Verb run; bool stop; } verbs[] = {
        { "limits", verb_limits, false }, { "set", verb_set_explicit, true }, { "usage", verb_usage, false },
        { "pagesize", verb_pagesize, false }, { "run", verb_run, true },
};

/* Standard output is written in full, or the command fails (prlimit's
 * "write error"): a full disk or a closed pipe is not success. */
static int finish(int r) {
        int e = fflush(stdout) != 0 ? errno : 0;
        if (e != 0 || ferror(stdout)) {
                fprintf(stderr, "resourcectl: write error%s%s\n", e ? ": " : "", e ? strerror(e) : "");
                return r == EXIT_OK ? EXIT_ERROR : r;
        }
        return r;
}

int main(int argc, char *argv[]) {
        Resource1 *h = NULL;
        Verb run = NULL;
        char **args, **sub = NULL;
        size_t n;
        int r;

        setlocale(LC_ALL, "");

        /* Options before the command; then the command's own arguments,
         * among which options may come too (but for set and run, only
         * before the first argument that is not one). */
        r = parse_options(argc, argv, true);
        if (r != EXIT_OK)
                return finish(r < 0 ? EXIT_OK : r);
        args = argv + optind;
        n = (size_t) (argc - optind);

        int verb = -1;
        for (size_t i = 0; n > 0 && i < ELEMENTSOF(verbs); i++)
                if (strcmp(args[0], verbs[i].name) == 0)
                        verb = (int) i;

        if (verb >= 0 || (n > 0 && !options_have_values())) {
                if (verb < 0 && resource1_rlimit_from_name(args[0], NULL) == -EINVAL)
                        return finish(syntax_error("unknown command '%s'", args[0]));
                /* "resourcectl NOFILE" is "resourcectl limits NOFILE". */
                bool stop = verb >= 0 && verbs[verb].stop;
                size_t skip = verb >= 0 ? 1 : 0;
                sub = calloc(n + 2, sizeof *sub);
                if (!sub)
                        return finish(usage_error("out of memory"));
                sub[0] = argv[0];
                memcpy(sub + 1, args + skip, (n - skip) * sizeof *sub);
                optind = 0;   /* glibc: start afresh on another vector */
                r = parse_options((int) (n - skip + 1), sub, stop);
                if (r != EXIT_OK) {
                        free(sub);
                        return finish(r < 0 ? EXIT_OK : r);
                }
                args = sub + optind;
                n = n - skip + 1 - (size_t) optind;
                run = verb >= 0 ? verbs[verb].run : verb_limits;
        } else if (n > 0)
                run = verb_run;      /* prlimit's form: --RESOURCE=VALUE... COMMAND [ARG...] */
        else if (options_have_values())
                run = NULL;          /* prlimit's form without a command: set, then show */
        else
                run = verb_limits;

        r = columns_parse(arg_output);
        if (r == EXIT_OK) {
                r = resource1_new(&h);
                if (r < 0)
                        r = fail(NULL, r, "cannot start");
                else
                        r = run ? run(h, args, n) : verb_set(h, args, n, true);
        }
        target_close();
        resource1_free(h);
        free(sub);
        return finish(r);
}
