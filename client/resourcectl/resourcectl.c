/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl: resource limits and usage through org.example.Resource1,
 * modelled on util-linux prlimit(1) and systemd's *ctl tools. This file:
 * the command line (options, help, which command runs) and main; the
 * others are named for what they hold (resourcectl.h lists them). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resourcectl.h"

pid_t arg_pid = 0;
bool arg_pid_given = false;
const char *arg_who = "self";
JsonMode arg_json = JSON_OFF;
bool arg_no_headings = false;
bool arg_raw = false;
bool arg_verbose = false;
bool arg_quiet = false;
bool arg_ask_password = true;
bool arg_dry_run = false;
bool arg_service = false;
const char *arg_output = NULL;
const char *arg_to = NULL;
ResourceOption arg_resources[MAX_LIMITS];
size_t arg_n_resources = 0;

const char *lowercase(const char *s, char buf[static 16]) {
        size_t i = 0;
        for (; s[i] && i < 15; i++)
                buf[i] = (char) tolower((unsigned char) s[i]);
        buf[i] = '\0';
        return buf;
}

bool options_have_values(void) {
        for (size_t i = 0; i < arg_n_resources; i++)
                if (arg_resources[i].value)
                        return true;
        return false;
}

const ResourceOption *option_without_value(void) {
        for (size_t i = 0; i < arg_n_resources; i++)
                if (!arg_resources[i].value)
                        return &arg_resources[i];
        return NULL;
}

/* ---- the locale ---- */

/* What setlocale(category, "") takes: LC_ALL, the category's own variable
 * or LANG, the first of them set and not empty; else C. */
static const char *locale_of(const char *category) {
        const char *v;
        if ((v = getenv("LC_ALL")) && *v)
                return v;
        if ((v = getenv(category)) && *v)
                return v;
        if ((v = getenv("LANG")) && *v)
                return v;
        return "C";
}

static bool locale_is(const char *name, bool utf8) {
        return strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0 ||
               (utf8 && (strcmp(name, "C.UTF-8") == 0 || strcmp(name, "C.utf8") == 0));
}

static bool ctype_loaded = false;

void locale_load_ctype(void) {
        if (!ctype_loaded)
                setlocale(LC_CTYPE, "");
        ctype_loaded = true;
}

/* The character set (the arrow, nl_langinfo(CODESET)) and the language of
 * strerror(); not LC_ALL: loading every category costs a dozen files at each
 * start, and LC_NUMERIC would put a decimal comma into --json and --raw.
 *
 * Where both come out as C or C.UTF-8, as in containers, services and CI,
 * neither is loaded at start (loading them was 3 to 4 % of the run time of
 * "resourcectl limits --pid P NOFILE"), for nothing would differ: no message
 * is translated (gettext reads LANGUAGE beside every LC_MESSAGES but C and
 * POSIX, hence its check), the two classify and case single bytes alike
 * (ASCII only), and the one thing C.UTF-8 changes, the arrow's character
 * set, is loaded by arrow() when an arrow is written. */
static void locale_setup(void) {
        const char *messages = locale_of("LC_MESSAGES"), *language = getenv("LANGUAGE");
        bool untranslated = locale_is(messages, false) || (locale_is(messages, true) && (!language || !*language));

        if (untranslated && locale_is(locale_of("LC_CTYPE"), true))
                return;
        locale_load_ctype();
        setlocale(LC_MESSAGES, "");
}

/* ---- the service ---- */

static Resource1 *service_handle = NULL;

int service_get_quiet(Resource1 **ret) {
        if (!service_handle) {
                int r = resource1_new(&service_handle);
                if (r < 0)
                        return r;
        }
        *ret = service_handle;
        return 0;
}

int service_get(Resource1 **ret) {
        int r = service_get_quiet(ret);
        if (r >= 0)
                return EXIT_OK;
        if (library_error()) {
                fprintf(stderr, "resourcectl: cannot start: %s\n", library_error());
                return exit_status_of(r);
        }
        return fail(NULL, r, "cannot start");
}

void service_free(void) {
        service_handle = resource1_free(service_handle);
}

/* ---- the command line ---- */

/* prlimit(1)'s resource options, one for each resource of the names table
 * (interfaces/resource1-names.c: the long option is its name in lower case,
 * the short one its letter), in the order of their long names. */
static struct {
        char name[16];
        const Resource1Rlimit *res;
} resource_options[RLIM_NLIMITS];

static void resource_options_make(void) {
        static bool made = false;

        if (made)
                return;
        for (size_t i = 0; i < resource1_rlimits_count; i++) {
                char name[16];
                size_t k = i;
                lowercase(resource1_rlimits[i].name, name);
                for (; k > 0 && strcmp(resource_options[k - 1].name, name) > 0; k--)
                        resource_options[k] = resource_options[k - 1];
                memcpy(resource_options[k].name, name, sizeof name);
                resource_options[k].res = &resource1_rlimits[i];
        }
        made = true;
}

/* "  -c --core  -d --data ...": the resource options by letter, six a line. */
static void help_resource_options(void) {
        const Resource1Rlimit *by_letter[RLIM_NLIMITS];

        for (size_t i = 0; i < resource1_rlimits_count; i++) {
                size_t k = i;
                for (; k > 0 && by_letter[k - 1]->option > resource1_rlimits[i].option; k--)
                        by_letter[k] = by_letter[k - 1];
                by_letter[k] = &resource1_rlimits[i];
        }
        for (size_t i = 0; i < resource1_rlimits_count; i++) {
                char name[16];
                printf("%s  -%c --%s", i > 0 && i % 6 == 0 ? "\n" : "", by_letter[i]->option,
                       lowercase(by_letter[i]->name, name));
        }
        printf("      (short ones: -n256, not -n 256)\n");
}

static void help(void) {
        printf("Usage: resourcectl [OPTIONS] [limits] [RESOURCE...]\n"
               "       resourcectl [OPTIONS] set RESOURCE VALUE [RESOURCE VALUE...]\n"
               "       resourcectl [OPTIONS] usage\n"
               "       resourcectl pagesize\n"
               "       resourcectl [OPTIONS] run [--limit RESOURCE=VALUE...] [--] COMMAND [ARG...]\n"
               "       resourcectl [OPTIONS] explain [--to VALUE] RESOURCE\n"
               "       resourcectl [OPTIONS] --RESOURCE=VALUE... [--RESOURCE...]\n"
               "       resourcectl [OPTIONS] --RESOURCE=VALUE... COMMAND [ARG...]\n"
               "\n"
               "Resource limits and usage through the org.example.Resource1 service.\n"
               "Without --pid, limits, set, usage and explain are about the process resourcectl was\n"
               "started from (its parent: the shell it was typed in), as ulimit is.\n"
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
               "  explain RESOURCE         where the limit comes from: the ancestors' values, the\n"
               "                           systemd unit, the pam_limits lines (as far as /proc shows\n"
               "                           you), the kernel's ceiling, and what raising it would meet,\n"
               "                           as the service answers: the soft limit up to the hard one,\n"
               "                           the hard one up to the kernel's ceiling or --to\n"
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
               "     --verbose             say which process is read or changed, what run sets, and\n"
               "                           the service's error name and message after a failure\n"
               "     --quiet               no notes on standard error\n"
               "     --no-ask-password     never ask for authentication\n"
               "     --to=VALUE            explain: the raise to ask about (default: the hard limit for\n"
               "                           the soft one, the kernel's ceiling for the hard one)\n"
               "     --dry-run             set, run: change nothing, ask for no password; say per limit\n"
               "                           whether the change would be allowed: yes, challenge (after\n"
               "                           authentication), no, or na (the kernel or the service cannot)\n"
               "     --service             ask the service for everything, also what the kernel lets\n"
               "                           you do yourself (read limits, lower them, raise a soft one\n"
               "                           up to the hard one), which resourcectl otherwise does itself\n"
               "  -h --help                show this help\n"
               "  -V --version             show the version\n"
               "\n"
               "prlimit's resource options: with =VALUE they set that limit (of --pid, of the\n"
               "parent, or of COMMAND when one follows); without, they choose limits to show.\n");
        help_resource_options();
        printf("\n"
               "Exit status: 0 success, 1 failure (a write error among them), 2 invalid command\n"
               "line, resource or value, 3 refused (policy, polkit or the kernel, or authentication\n"
               "that could not be asked), 4 service unavailable, 5 no such process, 6 allowed but the\n"
               "service lacks CAP_SYS_RESOURCE; --dry-run: 0 yes, 10 challenge, 11 no, 12 na; run: 126\n"
               "COMMAND not executable, 127 COMMAND not found, else COMMAND's status. See resourcectl(1).\n");
}


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
        enum { ARG_JSON = 0x100, ARG_LIMIT, ARG_NO_HEADINGS, ARG_RAW, ARG_VERBOSE, ARG_QUIET, ARG_NO_ASK_PASSWORD,
               ARG_DRY_RUN, ARG_SERVICE, ARG_TO };
        static const struct option static_options[] = {
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
                { "dry-run",         no_argument,       NULL, ARG_DRY_RUN },
                { "service",         no_argument,       NULL, ARG_SERVICE },
                { "to",              required_argument, NULL, ARG_TO },
                { "help",            no_argument,       NULL, 'h' },
                { "version",         no_argument,       NULL, 'V' },
        };
        /* The static options, one for each resource, and the terminating zero entry. */
        static struct option options[ELEMENTSOF(static_options) + ELEMENTSOF(resource_options) + 1];
        static char optstring[128];
        static bool ready = false;
        int c, r;

        if (!ready) {
                size_t k = 0;
                resource_options_make();
                for (size_t i = 0; i < ELEMENTSOF(static_options); i++)
                        options[k++] = static_options[i];
                for (size_t i = 0; i < ELEMENTSOF(resource_options); i++)
                        options[k++] = (struct option) { resource_options[i].name, optional_argument, NULL,
                                                         resource_options[i].res->option };
                options[k] = (struct option) {};
                ready = true;
        }
        /* "+": stop at the first argument; ":": a missing argument is ours to report. */
        size_t k = (size_t) snprintf(optstring, sizeof optstring, "%s:hVjp:w:o:", stop ? "+" : "");
        for (size_t i = 0; i < ELEMENTSOF(resource_options); i++)
                k += (size_t) snprintf(optstring + k, sizeof optstring - k, "%c::", resource_options[i].res->option);

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
                case ARG_DRY_RUN:
                        arg_dry_run = true;
                        break;
                case ARG_SERVICE:
                        arg_service = true;
                        break;
                case ARG_TO:
                        arg_to = optarg;
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
                                if (c == resource_options[i].res->option) {
                                        r = add_resource_option(resource_options[i].res, optarg);
                                        if (r != EXIT_OK)
                                                return r;
                                }
                        break;
                }
        }
        return EXIT_OK;
}

static int verb_set_explicit(char **argv, size_t argc) {
        return verb_set(argv, argc, false);
}

static const struct { const char *name; Verb run; bool stop; } verbs[] = {
        { "limits", verb_limits, false }, { "set", verb_set_explicit, true }, { "usage", verb_usage, false },
        { "pagesize", verb_pagesize, false }, { "run", verb_run, true }, { "explain", verb_explain, false },
};

int main(int argc, char *argv[]) {
        Verb run = NULL;
        char **args, **sub = NULL;
        size_t n;
        int r;

        locale_setup();

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
                if (verb < 0 && resource1_rlimit_from_name(args[0], NULL) == -EINVAL) {
                        /* "resourcectl NOFILE" is the short form of limits:
                         * a typo may be of either. */
                        static const char *const names[] = { "limits", "set", "usage", "pagesize", "run", "explain", NULL };
                        const char *close = closest_name(args[0], names, true);
                        if (close)
                                return finish(syntax_error("'%s' is neither a command nor a resource; did you mean '%s'?",
                                                           args[0], close));
                        return finish(syntax_error("'%s' is neither a command nor a resource", args[0]));
                }
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
        if (r == EXIT_OK && arg_to && run != verb_explain)
                r = syntax_error("--to is an option of 'explain' only");
        if (r == EXIT_OK)
                r = run ? run(args, n) : verb_set(args, n, true);
        target_close();
        service_free();
        free(sub);
        return finish(r);
}
