/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl: resource limits and usage through org.example.Resource1,
 * modelled on util-linux prlimit(1) and systemd's *ctl tools. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "limit-value.h"
#include "resource1-names.h"
#include "resource1-pidfd.h"
#include "resource1.h"

#ifndef PROJECT_VERSION
#define PROJECT_VERSION "0"
#endif

/* Exit statuses, documented in resourcectl(1). */
enum {
        EXIT_OK = 0,
        EXIT_ERROR = 1,        /* any other failure */
        EXIT_USAGE = 2,        /* bad command line, resource, value or who */
        EXIT_REFUSED = 3,      /* policy, polkit or the kernel said no, or authentication is needed */
        EXIT_UNAVAILABLE = 4,  /* the service (or the bus) cannot be reached */
        EXIT_NO_PROCESS = 5,   /* no such process */
};

#define MAX_LIMITS 64

static pid_t arg_pid = 0;
static const char *arg_who = "self";
static bool arg_json = false;
static bool arg_no_headings = false;
static bool arg_raw = false;
static bool arg_ask_password = true;
static const char *arg_limits[MAX_LIMITS];
static size_t arg_n_limits = 0;

static int exit_status_of(int r) {
        switch (-r) {
        case 0:            return EXIT_OK;
        case EINVAL:
        case EOPNOTSUPP:
        case ERANGE:       return EXIT_USAGE;
        case EPERM:
        case EACCES:       return EXIT_REFUSED;
        case ECONNREFUSED: return EXIT_UNAVAILABLE;
        case ESRCH:        return EXIT_NO_PROCESS;
        default:           return EXIT_ERROR;
        }
}

/* One line. The service's messages about a change already name the
 * resource, the values and the reason ("setting NOFILE of pid 42 to
 * 400:900: polkit refused ..."), so those stand alone; anything else says
 * first what was tried. */
static int fail(Resource1 *h, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(Resource1 *h, int r, const char *fmt, ...) {
        const char *msg = resource1_last_error_message(h);
        va_list ap;

        fputs("resourcectl: ", stderr);
        if (msg && strncmp(msg, "setting ", 8) == 0) {
                fprintf(stderr, "%s\n", msg);
                return exit_status_of(r);
        }
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, ": %s\n", msg ?: strerror(-r));
        return exit_status_of(r);
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
 * as for prlimit(1). It is opened as a pidfd once, and the service is told
 * of the process by that pidfd for the whole command: inside a container the
 * number means the same process to the service, and a read and a change
 * that follows it are about the same process. */

static int target_fd = -1;   /* -1: pid 0 (resourcectl itself), or a kernel that gives no pidfd for it */

static int target_open(bool thread) {
        if (arg_pid == 0)
                return EXIT_OK;
        int fd = resource1_pidfd_open(arg_pid, thread);
        if (fd == -EOPNOTSUPP)
                return EXIT_OK;   /* the number is passed as it is */
        if (fd == -ESRCH) {
                fprintf(stderr, "resourcectl: no such process: pid %d\n", (int) arg_pid);
                return EXIT_NO_PROCESS;
        }
        if (fd < 0) {
                fprintf(stderr, "resourcectl: cannot open pid %d: %s\n", (int) arg_pid, strerror(-fd));
                return EXIT_ERROR;
        }
        target_fd = fd;
        return EXIT_OK;
}

static void target_close(void) {
        if (target_fd >= 0)
                close(target_fd);
        target_fd = -1;
}

/* Indexed by RLIMIT_*; every resource, or an error: nothing is shown for
 * a limit the service did not report. */
static int target_list_rlimits(Resource1 *h, Resource1Limit all[static RLIM_NLIMITS]) {
        Resource1LimitEntry e[RLIM_NLIMITS];
        int n = target_fd >= 0 ? resource1_list_rlimits_pidfd(h, target_fd, e, RLIM_NLIMITS) :
                                 resource1_list_rlimits(h, arg_pid, e, RLIM_NLIMITS);
        if (n >= 0 && n != RLIM_NLIMITS)
                return -EBADMSG;
        for (int i = 0; i < n; i++)
                all[e[i].resource] = e[i].limit;
        return n;
}

/* ---- a polkit text agent, as systemctl starts one ---- */

static pid_t agent_pid = 0;

static void agent_close(void) {
        if (agent_pid <= 0)
                return;
        kill(agent_pid, SIGTERM);
        waitpid(agent_pid, NULL, 0);
        agent_pid = 0;
}

/* When the user can answer, let polkit ask: start pkttyagent for this
 * process and wait until it has registered. */
static void agent_open(Resource1 *h) {
        if (!arg_ask_password || !isatty(STDIN_FILENO))
                return;
        resource1_set_allow_interactive(h, true);

        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return;
        pid_t self = getpid();
        pid_t pid = fork();
        if (pid < 0) {
                close(p[0]), close(p[1]);
                return;
        }
        if (pid == 0) {
                char fd[16], process[16];
                int keep = dup(p[1]);   /* without O_CLOEXEC: the agent inherits it */
                snprintf(fd, sizeof fd, "%d", keep);
                snprintf(process, sizeof process, "%d", (int) self);
                execlp("pkttyagent", "pkttyagent", "--notify-fd", fd, "--fallback", "--process", process, NULL);
                _exit(127);
        }
        close(p[1]);
        agent_pid = pid;
        /* The agent writes or closes the fd once registered. */
        struct pollfd pfd = { .fd = p[0], .events = POLLIN };
        (void) poll(&pfd, 1, 5000);
        close(p[0]);
}

/* ---- output ---- */

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

static int verb_limits(Resource1 *h, int argc, char **argv) {
        const Resource1Rlimit *wanted[RLIM_NLIMITS];
        size_t n = 0;
        Resource1Limit all[RLIM_NLIMITS];
        char a[24], b[24];
        int r;

        for (int i = 0; i < argc; i++) {
                const Resource1Rlimit *res;
                r = resource_arg(argv[i], &res);
                if (r != EXIT_OK)
                        return r;
                if (n < RLIM_NLIMITS)
                        wanted[n++] = res;
        }
        if (n == 0)
                for (size_t i = 0; i < resource1_rlimits_count; i++)
                        wanted[n++] = &resource1_rlimits[i];

        r = target_open(false);
        if (r != EXIT_OK)
                return r;
        r = target_list_rlimits(h, all);
        if (r < 0)
                return fail(h, r, "cannot read the limits of %s%d", arg_pid ? "pid " : "", (int) arg_pid);

        if (arg_json) {
                printf("[");
                for (size_t i = 0; i < n; i++) {
                        const Resource1Rlimit *res = wanted[i];
                        printf("%s{\"resource\":", i ? "," : "");
                        json_string(res->name);
                        printf(",\"description\":");
                        json_string(res->description);
                        printf(",\"soft\":%" PRIu64 ",\"hard\":%" PRIu64 ",\"units\":",
                               all[res->number].soft, all[res->number].hard);
                        json_string(res->units);
                        printf("}");
                }
                printf("]\n");
                return EXIT_OK;
        }

        /* --raw: single spaces and exact numbers; otherwise columns as prlimit(1) has them. */
        if (!arg_no_headings)
                printf(arg_raw ? "%s %s %s %s %s\n" : "%-10s %-35s %10s %10s %s\n",
                       "RESOURCE", "DESCRIPTION", "SOFT", "HARD", "UNITS");
        for (size_t i = 0; i < n; i++) {
                const Resource1Rlimit *res = wanted[i];
                printf(arg_raw ? "%s \"%s\" %s %s %s\n" : "%-10s %-35s %10s %10s %s\n", res->name, res->description,
                       limit_value_format(all[res->number].soft, arg_raw, a),
                       limit_value_format(all[res->number].hard, arg_raw, b), res->units ?: "");
        }
        return EXIT_OK;
}

static const char *arrow(void) {
        return strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? "→" : "->";
}

/* RESOURCE VALUE pairs (set) or RESOURCE=VALUE words (run), each resource
 * once. */
typedef struct Change {
        const Resource1Rlimit *res;
        LimitSpec spec;
} Change;

static int change_parse(const char *name, const char *value, Change changes[], size_t n) {
        const char *why = NULL;
        int r = resource_arg(name, &changes[n].res);
        if (r != EXIT_OK)
                return r;
        for (size_t j = 0; j < n; j++)
                if (changes[j].res == changes[n].res)
                        return usage_error("%s is given twice", changes[n].res->name);
        r = limit_spec_parse(value, changes[n].res->unit, &changes[n].spec, &why);
        if (r < 0)
                return usage_error("invalid value '%s' for %s: %s", value, changes[n].res->name, why ?: strerror(-r));
        return EXIT_OK;
}

/* The limits to ask for: "soft:" and ":hard" keep the other side as it is in cur. */
static void changes_apply(const Change changes[], size_t n, const Resource1Limit cur[static RLIM_NLIMITS],
                          int ret_resources[], Resource1Limit ret_new[]) {
        for (size_t i = 0; i < n; i++) {
                uint64_t soft, hard;
                const Resource1Limit *c = &cur[changes[i].res->number];
                limit_spec_apply(&changes[i].spec, c->soft, c->hard, &soft, &hard);
                ret_resources[i] = changes[i].res->number;
                ret_new[i] = (Resource1Limit) { .soft = soft, .hard = hard };
        }
}

/* "NOFILE to 100:200, CORE to 0:0" for a failure the service did not word. */
static const char *changes_describe(const Change changes[], const Resource1Limit new[], size_t n, char *buf,
                                    size_t size) {
        char a[24], b[24];
        size_t k = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n && k < size; i++)
                k += (size_t) snprintf(buf + k, size - k, "%s%s to %s:%s", i ? ", " : "", changes[i].res->name,
                                       limit_value_format(new[i].soft, arg_raw, a),
                                       limit_value_format(new[i].hard, arg_raw, b));
        return buf;
}

static int verb_set(Resource1 *h, int argc, char **argv) {
        Change changes[RLIM_NLIMITS];
        int resources[RLIM_NLIMITS];
        Resource1Limit cur[RLIM_NLIMITS] = {}, old[RLIM_NLIMITS], new[RLIM_NLIMITS];
        char a[24], b[24], c[24], d[24], what[1024];
        size_t n = 0;
        bool need_current = false;
        int r;

        if (argc < 2 || argc % 2 != 0)
                return usage_error("'set' takes RESOURCE VALUE [RESOURCE VALUE...], e.g. 'resourcectl set NOFILE 1024:4096'");
        if ((size_t) argc / 2 > RLIM_NLIMITS)
                return usage_error("'set' takes at most %d limits, each resource once", RLIM_NLIMITS);
        for (int i = 0; i < argc; i += 2, n++) {
                r = change_parse(argv[i], argv[i + 1], changes, n);
                if (r != EXIT_OK)
                        return r;
                need_current = need_current || !changes[n].spec.has_soft || !changes[n].spec.has_hard;
        }

        r = target_open(false);
        if (r != EXIT_OK)
                return r;
        if (need_current) {
                r = target_list_rlimits(h, cur);
                if (r < 0)
                        return fail(h, r, "cannot read the limits of %s%d", arg_pid ? "pid " : "", (int) arg_pid);
        }
        changes_apply(changes, n, cur, resources, new);

        /* One request: all or nothing, one authorization. */
        agent_open(h);
        r = target_fd >= 0 ? resource1_setrlimits_pidfd(h, target_fd, resources, new, n, old) :
                             resource1_setrlimits(h, arg_pid, resources, new, n, old);
        agent_close();
        if (r < 0)
                return fail(h, r, "cannot set %s", changes_describe(changes, new, n, what, sizeof what));

        if (arg_json) {
                if (n > 1)
                        printf("[");
                for (size_t i = 0; i < n; i++)
                        printf("%s{\"resource\":\"%s\",\"pid\":%d,\"old\":{\"soft\":%" PRIu64 ",\"hard\":%" PRIu64 "},"
                               "\"new\":{\"soft\":%" PRIu64 ",\"hard\":%" PRIu64 "}}",
                               i ? "," : "", changes[i].res->name, (int) arg_pid, old[i].soft, old[i].hard,
                               new[i].soft, new[i].hard);
                printf("%s\n", n > 1 ? "]" : "");
                return EXIT_OK;
        }
        for (size_t i = 0; i < n; i++)
                printf("%s: %s:%s %s %s:%s\n", changes[i].res->name, limit_value_format(old[i].soft, arg_raw, a),
                       limit_value_format(old[i].hard, arg_raw, b), arrow(),
                       limit_value_format(new[i].soft, arg_raw, c), limit_value_format(new[i].hard, arg_raw, d));
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

static int verb_usage(Resource1 *h, int argc, char **argv) {
        Resource1Usage u;
        int who = RUSAGE_SELF, r;

        if (argc != 0)
                return usage_error("'usage' takes no arguments (use --pid and --who)");
        r = who_arg(&who);
        if (r != EXIT_OK)
                return r;
        /* For --who thread, --pid is a thread id: a thread's pidfd. */
        r = target_open(who == RUSAGE_THREAD);
        if (r != EXIT_OK)
                return r;
        r = target_fd >= 0 ? resource1_getrusage_pidfd(h, target_fd, who, &u, sizeof u) :
                             resource1_getrusage(h, arg_pid, who, &u, sizeof u);
        if (r < 0)
                return fail(h, r, "cannot read the usage of %s%d", arg_pid ? "pid " : "", (int) arg_pid);

        const int64_t counters[14] = {
                u.ru_maxrss, u.ru_ixrss, u.ru_idrss, u.ru_isrss, u.ru_minflt, u.ru_majflt, u.ru_nswap,
                u.ru_inblock, u.ru_oublock, u.ru_msgsnd, u.ru_msgrcv, u.ru_nsignals, u.ru_nvcsw, u.ru_nivcsw,
        };
        if (arg_json) {
                printf("{\"ru_utime\":%.6f,\"ru_stime\":%.6f", u.ru_utime, u.ru_stime);
                for (int i = 0; i < 14; i++)
                        printf(",\"%s\":%" PRId64, resource1_rusage_fields[i + 2].name, counters[i]);
                printf("}\n");
                return EXIT_OK;
        }
        for (int i = 0; i < 16; i++) {
                const Resource1RusageField *f = &resource1_rusage_fields[i];
                if (arg_raw) {
                        if (i < 2)
                                printf("%s %.6f\n", f->name, i ? u.ru_stime : u.ru_utime);
                        else
                                printf("%s %" PRId64 "\n", f->name, counters[i - 2]);
                        continue;
                }
                if (i < 2)
                        printf("%-30s (%-11s) = %.6f %s\n", f->description, f->name, i ? u.ru_stime : u.ru_utime,
                               f->unit);
                else
                        printf("%-30s (%-11s) = %" PRId64 "%s%s\n", f->description, f->name, counters[i - 2],
                               f->unit ? " " : "", f->unit ?: "");
        }
        return EXIT_OK;
}

static int verb_pagesize(Resource1 *h, int argc, char **argv) {
        uint64_t bytes;
        if (argc != 0)
                return usage_error("'pagesize' takes no arguments");
        int r = resource1_getpagesize(h, &bytes);
        if (r < 0)
                return fail(h, r, "cannot read the page size");
        if (arg_json)
                printf("{\"pagesize\":%" PRIu64 "}\n", bytes);
        else
                printf("%" PRIu64 "\n", bytes);
        return EXIT_OK;
}

/* Sets the limits on this very process through the service, all in one
 * request (which asks polkit once for what needs it), then becomes COMMAND,
 * which inherits them. */
static int verb_run(Resource1 *h, int argc, char **argv) {
        Change changes[RLIM_NLIMITS];
        int resources[RLIM_NLIMITS];
        Resource1Limit cur[RLIM_NLIMITS], new[RLIM_NLIMITS];
        struct rlimit k;
        char what[1024];
        size_t n = 0;
        int r;

        if (argc == 0)
                return usage_error("'run' needs a command: resourcectl run --limit NOFILE=65536 -- COMMAND [ARG...]");
        if (arg_pid != 0)
                return usage_error("'run' sets its own limits; --pid does not apply");
        if (arg_n_limits > RLIM_NLIMITS)
                return usage_error("'run' takes at most %d --limit options, each resource once", RLIM_NLIMITS);

        for (; n < arg_n_limits; n++) {
                const char *eq = strchr(arg_limits[n], '=');
                if (!eq)
                        return usage_error("invalid --limit '%s': expected RESOURCE=VALUE", arg_limits[n]);
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int) (eq - arg_limits[n]), arg_limits[n]);
                r = change_parse(name, eq + 1, changes, n);
                if (r != EXIT_OK)
                        return r;
        }
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                if (getrlimit(i, &k) < 0)
                        return usage_error("cannot read %s: %m", resource1_resource_to_name(i) ?: "a limit");
                cur[i] = resource1_limit_from_rlimit(&k);
        }
        changes_apply(changes, n, cur, resources, new);

        if (n > 0) {
                agent_open(h);
                r = resource1_setrlimits(h, 0, resources, new, n, NULL);
                agent_close();
                if (r < 0)
                        return fail(h, r, "cannot set %s", changes_describe(changes, new, n, what, sizeof what));
        }

        /* The bus connection is O_CLOEXEC: nothing of ours leaks into the command. */
        execvp(argv[0], argv);
        fprintf(stderr, "resourcectl: cannot run '%s': %m\n", argv[0]);
        return errno == ENOENT ? 127 : 126;
}

static void help(void) {
        printf("Usage: resourcectl [OPTIONS] [COMMAND] [ARGS...]\n"
               "\n"
               "Resource limits and usage through the org.example.Resource1 service.\n"
               "\n"
               "Commands:\n"
               "  limits [RESOURCE...]     show limits (the default): RESOURCE DESCRIPTION SOFT HARD UNITS\n"
               "  set RESOURCE VALUE [RESOURCE VALUE...]\n"
               "                           set limits, all in one request: all or none are set, with\n"
               "                           one authorization; VALUE is soft:hard, N (both), soft: or\n"
               "                           :hard (the other side kept), unlimited or infinity; sizes\n"
               "                           take K/M/G/T/P/E, CPU s/min/h, RTTIME us/ms/s, NICE a nice\n"
               "                           level with a sign (-20..+19) or the raw 0..40\n"
               "  usage                    show resource usage (getrusage)\n"
               "  pagesize                 show the system page size in bytes\n"
               "  run [--limit RES=VALUE]... -- COMMAND [ARG...]\n"
               "                           set limits on this process (one request, as for set),\n"
               "                           then run COMMAND with them\n"
               "\n"
               "Options:\n"
               "  -p --pid=PID             the process to read or change, as this namespace numbers\n"
               "                           it (default: this one; for --who thread, a thread id)\n"
               "  -w --who=WHO             usage of self, children, both or thread (default: self)\n"
               "  -l --limit=RES=VALUE     a limit for 'run' (repeatable)\n"
               "     --json                JSON output with stable field names\n"
               "  -n --no-headings         no column headings\n"
               "  -r --raw                 exact numbers, no alignment\n"
               "     --no-ask-password     never ask for authentication\n"
               "  -h --help                show this help\n"
               "     --version             show the version\n"
               "\n"
               "Exit status: 0 success, 1 failure, 2 invalid command line, resource or value,\n"
               "3 refused (policy, polkit or the kernel, or authentication needed), 4 service\n"
               "unavailable, 5 no such process. See resourcectl(1).\n");
}

static int parse_pid(const char *s, pid_t *ret) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v < 0 || v > INT32_MAX)
                return -EINVAL;
        *ret = (pid_t) v;
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_JSON = 0x100, ARG_NO_ASK_PASSWORD, ARG_VERSION };
        static const struct option options[] = {
                { "pid",             required_argument, NULL, 'p' },
                { "who",             required_argument, NULL, 'w' },
                { "limit",           required_argument, NULL, 'l' },
                { "json",            no_argument,       NULL, ARG_JSON },
                { "no-headings",     no_argument,       NULL, 'n' },
                { "noheadings",      no_argument,       NULL, 'n' },
                { "raw",             no_argument,       NULL, 'r' },
                { "no-ask-password", no_argument,       NULL, ARG_NO_ASK_PASSWORD },
                { "help",            no_argument,       NULL, 'h' },
                { "version",         no_argument,       NULL, ARG_VERSION },
                {}
        };
        int c;

        while ((c = getopt_long(argc, argv, "p:w:l:nrh", options, NULL)) >= 0)
                switch (c) {
                case 'p':
                        if (parse_pid(optarg, &arg_pid) < 0)
                                return usage_error("invalid --pid '%s': expected a process id", optarg);
                        break;
                case 'w':
                        arg_who = optarg;
                        break;
                case 'l':
                        if (arg_n_limits >= MAX_LIMITS)
                                return usage_error("too many --limit options (at most %d)", MAX_LIMITS);
                        arg_limits[arg_n_limits++] = optarg;
                        break;
                case ARG_JSON:
                        arg_json = true;
                        break;
                case 'n':
                        arg_no_headings = true;
                        break;
                case 'r':
                        arg_raw = true;
                        break;
                case ARG_NO_ASK_PASSWORD:
                        arg_ask_password = false;
                        break;
                case 'h':
                        help();
                        return -1;
                case ARG_VERSION:
                        printf("resourcectl %s\n", PROJECT_VERSION);
                        return -1;
                default:
                        return EXIT_USAGE;
                }
        return EXIT_OK;
}

int main(int argc, char *argv[]) {
        static const struct { const char *name; int (*run)(Resource1 *, int, char **); } verbs[] = {
                { "limits", verb_limits }, { "set", verb_set }, { "usage", verb_usage },
                { "pagesize", verb_pagesize }, { "run", verb_run },
        };
        Resource1 *h = NULL;

        setlocale(LC_ALL, "");
        int r = parse_argv(argc, argv);
        if (r != EXIT_OK)
                return r < 0 ? EXIT_OK : r;

        int (*run)(Resource1 *, int, char **) = verb_limits;
        char **args = argv + optind;
        int n = argc - optind;
        if (n > 0) {
                run = NULL;
                for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
                        if (strcmp(args[0], verbs[i].name) == 0)
                                run = verbs[i].run;
                if (!run)
                        return usage_error("unknown command '%s' (see --help)", args[0]);
                args++, n--;
        }
        if (arg_n_limits > 0 && run != verb_run)
                return usage_error("--limit belongs to 'run'");

        r = resource1_new(&h);
        if (r < 0)
                return fail(NULL, r, "cannot start");
        r = run(h, n, args);
        target_close();
        resource1_free(h);
        return r;
}
