/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What resourcectl's files share: the options as parsed (arg_*, as
 * systemd's tools keep them), the target process, the exit statuses and
 * how failures are said, the output writers, the changes asked for, and
 * the commands. Private to resourcectl. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "limit-value.h"
#include "resource1-names.h"
#include "resource1-util.h"
#include "resource1.h"

/* Exit statuses, documented in resourcectl(1). run's own are 126 and 127
 * (COMMAND found but not executable, not found), and then COMMAND's. */
enum {
        EXIT_OK = 0,
        EXIT_ERROR = 1,        /* any other failure, a write error among them */
        EXIT_USAGE = 2,        /* bad command line, resource, value or who */
        EXIT_REFUSED = 3,      /* policy, polkit or the kernel said no, or authentication could not be asked */
        EXIT_UNAVAILABLE = 4,  /* the service (or the bus) cannot be reached, or did not answer */
        EXIT_NO_PROCESS = 5,   /* no such process */
        EXIT_SERVICE_LACKS_CAPABILITY = 6,   /* allowed, but the service lacks CAP_SYS_RESOURCE */
        /* --dry-run's answers (0: "yes"): */
        EXIT_ANSWER_CHALLENGE = 10,          /* allowed once the user authenticates */
        EXIT_ANSWER_NO = 11,                 /* polkit refuses it */
        EXIT_ANSWER_NA = 12,                 /* not available here: the kernel or the service cannot */
};

#define MAX_LIMITS 64

typedef enum JsonMode { JSON_OFF, JSON_SHORT, JSON_PRETTY } JsonMode;

/* --RESOURCE[=VALUE] (prlimit's options) and --limit RESOURCE=VALUE, in order. */
typedef struct ResourceOption {
        const Resource1Rlimit *res;
        const char *value;   /* NULL: show this limit */
} ResourceOption;

/* ---- the options (resourcectl.c) ---- */

extern pid_t arg_pid;
extern bool arg_pid_given;
extern const char *arg_who;
extern JsonMode arg_json;
extern bool arg_no_headings;
extern bool arg_raw;
extern bool arg_verbose;
extern bool arg_quiet;
extern bool arg_ask_password;
extern bool arg_dry_run;
extern bool arg_service;
extern const char *arg_output;
extern const char *arg_to;          /* explain --to VALUE, as given */
extern ResourceOption arg_resources[MAX_LIMITS];
extern size_t arg_n_resources;

/* s in lower case, at most 15 characters of it: prlimit's option for a
 * resource ("nofile"), a JSON key for a column ("soft"). */
const char *lowercase(const char *s, char buf[static 16]);
/* LC_CTYPE as the environment says, loaded once: at start, or by the
 * first output that needs the character set (main() leaves it out where
 * it changes nothing else). */
void locale_load_ctype(void);
bool options_have_values(void);
const ResourceOption *option_without_value(void);

/* ---- the service (resourcectl.c, resourcectl-library.c) ---- */

/* The service's handle, made when a command first needs the service: only
 * then are libresource1 and libsystemd loaded. An exit status; a failure is
 * said on standard error. */
int service_get(Resource1 **ret);
/* The same, saying nothing: 0 or -errno. */
int service_get_quiet(Resource1 **ret);
void service_free(void);
/* Loads libresource1 (and libsystemd with it) if it is not yet: 0, or
 * -ELIBACC or -ELIBBAD with library_error() saying why. */
int library_load(void);
const char *library_error(void);

/* ---- what resourcectl does itself (resourcectl-local.c) ---- */

/* The process fd names is still there (not yet reaped), so the number it
 * had still names it; true without a pidfd (fd < 0). */
bool local_pinned(int fd);
/* Every limit of pid (indexed by RLIMIT_*) by prlimit(2), where the kernel
 * lets the caller read them (its own process), checked to be still of the
 * process fd names; -errno otherwise (-EPERM: not the caller's). */
int local_read_limits(int fd, pid_t pid, struct rlimit ret[static RLIM_NLIMITS]);
/* Sets new[i] for resources[i] of pid (0: resourcectl itself), all or
 * none, where the kernel lets the caller: ret_old[i] the limits before.
 * -errno where it does not, nothing changed then (but see resourcectl-local.c
 * for what a process exiting meanwhile leaves). */
int local_set_limits(int fd, pid_t pid, const int resources[], const struct rlimit new[], size_t n,
                     struct rlimit ret_old[]);

/* ---- errors (resourcectl-errors.c) ---- */

int exit_status_of(int r);
/* "resourcectl: <what>" on standard error; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, followed by where to look; for a command line resourcectl
 * cannot make sense of. */
int syntax_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define ERROR_INTERACTIVE "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"

/* A failed call to the service: "resourcectl: WHAT: WHY" (WHAT from fmt,
 * naming the process as target_name() does), with the service's error name
 * and message on a second line under --verbose; returns the exit status for
 * r. fail_with_hint: and hint on a line of its own after the first. */
int fail(Resource1 *h, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int fail_with_hint(Resource1 *h, int r, const char *hint, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* The name of names[] (NULL-terminated, or NULL) or, with resources, of the
 * resource names, that s is a typo of; NULL when none is close. */
const char *closest_name(const char *s, const char *const names[], bool resources);
int resource_arg(const char *name, const Resource1Rlimit **ret);

/* ---- the target (resourcectl-target.c) ---- */

typedef struct Target {
        int fd;          /* -1: named by its number (a kernel that gives no pidfd for it) */
        pid_t pid;
        bool parent;     /* chosen because no --pid was given */
        bool have_comm;  /* comm read (target_name() reads it when first asked) */
        char comm[64];
} Target;

extern Target target;

int target_choose(bool thread, bool change);
void target_close(void);
const char *target_name(char buf[static 96]);
/* The target's directory in the /proc mounted here ("/proc/42"), which may
 * number it otherwise than resourcectl's namespace does; -errno. */
int target_proc_dir(char buf[static 32]);
void target_note(const char *doing, bool change);
int read_limits(struct rlimit all[static RLIM_NLIMITS], bool or_proc);
int read_limits_for_change(struct rlimit all[static RLIM_NLIMITS]);

/* ---- output (resourcectl-output.c) ---- */

const char *arrow(void);
void j_open(char c);
void j_close(char c);
void j_key(const char *k);
void j_string(const char *s);
void j_number(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void j_limit(uint64_t v);
void j_limits_object(const char *key, const struct rlimit *l);
int columns_parse(const char *spec);
void print_limits(const Resource1Rlimit *const wanted[], size_t n, const struct rlimit all[]);
int finish(int r);

/* ---- changes (resourcectl-change.c) ---- */

/* RESOURCE VALUE pairs (set), --RESOURCE=VALUE or --limit RESOURCE=VALUE,
 * each resource once. */
typedef struct Change {
        const Resource1Rlimit *res;
        LimitSpec spec;
} Change;

int change_parse(const Resource1Rlimit *res, const char *value, Change changes[], size_t n);
int changes_from_options(Change changes[], size_t *n);
void changes_apply(const Change changes[], size_t n, const struct rlimit cur[static RLIM_NLIMITS],
                   int ret_resources[], struct rlimit ret_new[]);
void change_print(FILE *f, const Change *c, const struct rlimit *old, const struct rlimit *new);
int request_set(int fd, pid_t pid, const Change changes[], const int resources[],
                const struct rlimit new[], size_t n, struct rlimit old[]);

/* ---- dry runs (resourcectl-can.c) ---- */

/* "yes", "challenge", "no" or "na". */
const char *answer_word(Resource1Answer a);
/* What one request setting new[i] for resources[i] of the target (fd, or
 * pid; 0: resourcectl) would meet now, nothing changed and nobody asked:
 * the request's Resource1Answer, each limit's in ret_per_limit (n
 * entries); or a negative errno, the handle's last error saying why. */
int request_can_set(Resource1 *h, int fd, pid_t pid, const int resources[], const struct rlimit new[], size_t n,
                    Resource1LimitAnswer ret_per_limit[]);
/* set --dry-run and run --dry-run: the answers, from the limits in cur
 * (indexed by RLIMIT_*) to new, on standard output; returns the exit
 * status of the request's answer, or of the failure. */
int dry_run(int fd, pid_t pid, const Change changes[], const int resources[],
            const struct rlimit cur[static RLIM_NLIMITS], const struct rlimit new[], size_t n);

/* ---- the commands (resourcectl-verbs.c) ---- */

typedef int (*Verb)(char **, size_t);

int verb_limits(char **argv, size_t argc);
int verb_set(char **argv, size_t argc, bool then_show);
int verb_usage(char **argv, size_t argc);
int verb_pagesize(char **argv, size_t argc);
int verb_run(char **argv, size_t argc);

/* ---- explain (resourcectl-explain.c) ---- */

int verb_explain(char **argv, size_t argc);
