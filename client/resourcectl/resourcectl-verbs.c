/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl's commands: limits, set (and prlimit's form of it), usage,
 * pagesize and run; set and run with --dry-run ask what they would meet
 * (resourcectl-can.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "resource1-pidfd.h"
#include "resourcectl.h"

/* --dry-run is for the commands that change limits. */
static int no_dry_run(const char *verb) {
        return syntax_error("--dry-run asks what a change would meet, and '%s' changes nothing (use it with 'set' or "
                            "'run')", verb);
}

static int add_wanted(const Resource1Rlimit *wanted[], size_t *n, const Resource1Rlimit *res) {
        for (size_t i = 0; i < *n; i++)
                if (wanted[i] == res)
                        return 0;   /* once each, in the order first named */
        wanted[(*n)++] = res;
        return 0;
}

/* The wanted limits of the target, read as limits reads them. */
static int show_limits(const Resource1Rlimit *const wanted[], size_t n) {
        struct rlimit all[RLIM_NLIMITS];
        int r = read_limits(all, true);
        if (r != EXIT_OK)
                return r;
        print_limits(wanted, n, all);
        return EXIT_OK;
}

int verb_limits(char **argv, size_t argc) {
        const Resource1Rlimit *wanted[RLIM_NLIMITS];
        size_t n = 0;
        int r;

        if (options_have_values())
                return syntax_error("a --RESOURCE=VALUE option changes a limit, which 'limits' does not "
                                    "(use 'set', or leave out 'limits')");
        if (arg_dry_run)
                return no_dry_run("limits");
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

        r = target_choose(false, false);
        if (r != EXIT_OK)
                return r;
        target_note("Limits of", false);
        return show_limits(wanted, n);
}

#define SET_USAGE "'set' takes RESOURCE VALUE [RESOURCE VALUE...], e.g. 'resourcectl set NOFILE 1024:4096'"

/* set RESOURCE VALUE..., and prlimit's form without a command:
 * --RESOURCE=VALUE... sets, and --RESOURCE without a value shows that limit
 * afterwards (then_show). */
int verb_set(char **argv, size_t argc, bool then_show) {
        Change changes[MAX_LIMITS];
        int resources[MAX_LIMITS];
        struct rlimit cur[RLIM_NLIMITS] = {}, old[MAX_LIMITS], new[MAX_LIMITS];
        size_t n = 0;
        bool need_current = false;
        int r;

        for (size_t i = 0; i < argc; i++)
                if (i % 2 == 0 && argv[i][0] == '-' && argv[i][1] != '\0')
                        return syntax_error("'%s' after RESOURCE VALUE pairs: options go before the first RESOURCE "
                                            "(a VALUE may start with '-', as in 'set NICE -5')", argv[i]);
        if (argc % 2 != 0)
                return syntax_error(SET_USAGE);
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
                return syntax_error(SET_USAGE);
        const ResourceOption *show = option_without_value();
        if (show && !then_show)
                return syntax_error("--%s without a value shows a limit, which 'set' does not",
                                    lowercase(show->res->name, (char[16]) {}));
        if (show && arg_dry_run)
                return syntax_error("--%s without a value shows a limit, which --dry-run does not",
                                    lowercase(show->res->name, (char[16]) {}));
        /* A dry run shows each limit from what it is now. */
        need_current = arg_dry_run;
        for (size_t i = 0; i < n; i++)
                need_current = need_current || !changes[i].spec.has_soft || !changes[i].spec.has_hard;

        r = target_choose(false, true);
        if (r != EXIT_OK)
                return r;
        if (need_current) {
                r = read_limits_for_change(cur);
                if (r != EXIT_OK)
                        return r;
        }
        changes_apply(changes, n, cur, resources, new);

        if (arg_dry_run)
                return dry_run(target.fd, target.pid, changes, resources, cur, new, n);

        /* One request: all or nothing, one authorization. A failure names
         * the process itself, so the note is for what was done. */
        r = request_set(target.fd, target.pid, changes, resources, new, n, old);
        if (r != EXIT_OK)
                return r;
        target_note("Set limits of", true);

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
                        change_print(stdout, &changes[i], &old[i], &new[i]);

        if (show) {
                const Resource1Rlimit *wanted[RLIM_NLIMITS];
                size_t k = 0;
                for (size_t i = 0; i < arg_n_resources; i++)
                        if (!arg_resources[i].value)
                                add_wanted(wanted, &k, arg_resources[i].res);
                return show_limits(wanted, k);
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

/* Whether Linux reports a field (resource1_rusage_fields[] index) of a
 * usage: never ru_ixrss, ru_idrss, ru_isrss, ru_nswap, ru_msgsnd, ru_msgrcv
 * and ru_nsignals (getrusage(2): "unused"); and, as the spec's GetRusage
 * says, /proc has no children's ru_maxrss, ru_inblock, ru_oublock, ru_nvcsw
 * or ru_nivcsw, so for children those are 0 (only the service's own
 * process, which getrusage(2) reports on, can have them: a non-zero value is
 * one), and for both the process's alone (its ru_inblock and ru_oublock
 * count waited-for children's already). */
typedef enum Reported { REPORTED, REPORTED_NOT, REPORTED_SELF_ONLY } Reported;

static Reported field_reported(int field, int who, int64_t value) {
        switch (field) {
        case 3: case 4: case 5: case 8: case 11: case 12: case 13:
                return value == 0 ? REPORTED_NOT : REPORTED;
        case 2: case 9: case 10: case 14: case 15:
                if (who == RUSAGE_CHILDREN)
                        return value == 0 ? REPORTED_NOT : REPORTED;
                if (who == RESOURCE1_RUSAGE_BOTH && field != 9 && field != 10)
                        return REPORTED_SELF_ONLY;
                return REPORTED;
        default:
                return REPORTED;
        }
}

int verb_usage(char **argv, size_t argc) {
        Resource1Usage u;
        int who = RUSAGE_SELF, r;
        char name[96];

        (void) argv;
        if (argc != 0)
                return syntax_error("'usage' takes no arguments (use --pid and --who)");
        if (arg_dry_run)
                return no_dry_run("usage");
        if (arg_n_resources > 0)
                return syntax_error("'usage' takes no --RESOURCE options");
        r = who_arg(&who);
        if (r != EXIT_OK)
                return r;
        /* For --who thread, --pid is a thread id: a thread's pidfd. */
        r = target_choose(who == RUSAGE_THREAD, false);
        if (r != EXIT_OK)
                return r;
        target_note("Usage of", false);
        /* The service's: it says what Linux reports of whom, in one form
         * for every process. */
        Resource1 *h;
        r = service_get(&h);
        if (r != EXIT_OK)
                return r;
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
        Reported rep[14];
        bool any_unknown = false, any_partial = false;
        for (int i = 0; i < 14; i++) {
                rep[i] = field_reported(i + 2, who, counters[i]);
                any_unknown = any_unknown || rep[i] == REPORTED_NOT;
                any_partial = any_partial || rep[i] == REPORTED_SELF_ONLY;
        }
        if (arg_json != JSON_OFF) {
                j_open('{');
                for (int i = 0; i < 16; i++) {
                        j_key(resource1_rusage_fields[i].name);
                        if (i < 2)
                                j_number("%.*f", dec, times[i]);
                        else if (rep[i - 2] == REPORTED_NOT)
                                j_number("null");
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
                        else if (rep[i - 2] == REPORTED_NOT)
                                printf("%s -\n", f->name);
                        else
                                printf("%s %" PRId64 "\n", f->name, counters[i - 2]);
                        continue;
                }
                if (i < 2)
                        printf("%-30s (%-11s) = %.*f %s\n", f->description, f->name, dec, times[i], f->unit);
                else if (rep[i - 2] == REPORTED_NOT)
                        printf("%-30s (%-11s) = -\n", f->description, f->name);
                else
                        printf("%-30s (%-11s) = %" PRId64 "%s%s%s\n", f->description, f->name, counters[i - 2],
                               f->unit ? " " : "", f->unit ?: "", rep[i - 2] == REPORTED_SELF_ONLY ? " *" : "");
        }
        if (arg_raw)
                return EXIT_OK;
        if (any_unknown)
                printf("-: not reported by Linux\n");
        if (any_partial)
                printf("*: the process's own alone: Linux does not report its children's\n");
        return EXIT_OK;
}

int verb_pagesize(char **argv, size_t argc) {
        uint64_t bytes;
        (void) argv;
        if (argc != 0)
                return syntax_error("'pagesize' takes no arguments");
        if (arg_dry_run)
                return no_dry_run("pagesize");
        /* The kernel's, which the service only repeats. */
        long k = sysconf(_SC_PAGESIZE);
        if (arg_service || k <= 0) {
                Resource1 *h;
                int r = service_get(&h);
                if (r != EXIT_OK)
                        return r;
                r = resource1_getpagesize(h, &bytes);
                if (r < 0)
                        return fail(h, r, "cannot read the page size");
        } else
                bytes = (uint64_t) k;
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
 * which inherits them. With --dry-run: says what that request would meet,
 * and runs nothing. */
int verb_run(char **argv, size_t argc) {
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
                return syntax_error("--%s needs a value with a command (--%s=VALUE)",
                                    lowercase(show->res->name, (char[16]) {}), lowercase(show->res->name, (char[16]) {}));
        r = changes_from_options(changes, &n);
        if (r != EXIT_OK)
                return r;
        for (int i = 0; i < RLIM_NLIMITS; i++)
                if (getrlimit(i, &cur[i]) < 0)
                        return usage_error("cannot read %s: %m", resource1_rlimit_from_number(i) ?
                                           resource1_rlimit_from_number(i)->name : "a limit");
        changes_apply(changes, n, cur, resources, new);
        if (arg_dry_run && n == 0)
                return syntax_error("'run --dry-run' asks about the limits given with --limit, and none is");

        if (n > 0) {
                /* This very process, by its pidfd, as every target: the
                 * service's "caller" (pid 0) is whoever owns the bus
                 * connection, which behind a bus proxy (Flatpak's) is the
                 * proxy. A kernel without pidfd_open(2): the caller, as
                 * then nothing better names it. */
                int self = resource1_pidfd_open(getpid(), false);
                if (self < 0 && self != -EOPNOTSUPP) {
                        fprintf(stderr, "resourcectl: cannot open a pidfd of its own process: %s\n", strerror(-self));
                        return EXIT_ERROR;
                }
                if (arg_dry_run)
                        r = dry_run(self, 0, changes, resources, cur, new, n);
                else
                        r = request_set(self, 0, changes, resources, new, n, old);
                if (self >= 0)
                        close(self);
                if (arg_dry_run)
                        return r;
                if (r != EXIT_OK)
                        return r;
                if (arg_verbose && !arg_quiet)
                        for (size_t i = 0; i < n; i++)
                                change_print(stderr, &changes[i], &old[i], &new[i]);
        }
        if (arg_verbose && !arg_quiet)
                fprintf(stderr, "Running %s.\n", argv[0]);

        /* The bus connection is O_CLOEXEC: nothing of ours leaks into the command. */
        fflush(stdout);
        execvp(argv[0], argv);
        fprintf(stderr, "resourcectl: cannot run '%s': %m\n", argv[0]);
        return errno == ENOENT ? 127 : 126;
}

