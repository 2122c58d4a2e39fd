/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl's changes: limits as asked for (set's pairs, --RESOURCE=VALUE,
 * --limit), what they come to against the current ones, and the one
 * request that makes them, with authentication when polkit wants it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "resourcectl.h"

int change_parse(const Resource1Rlimit *res, const char *value, Change changes[], size_t n) {
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
int changes_from_options(Change changes[], size_t *n) {
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

/* The limits to ask for: "soft:" and ":hard" keep the other side as it is in cur. */
void changes_apply(const Change changes[], size_t n, const struct rlimit cur[static RLIM_NLIMITS],
                   int ret_resources[], struct rlimit ret_new[]) {
        for (size_t i = 0; i < n; i++) {
                uint64_t soft, hard;
                const struct rlimit *c = &cur[changes[i].res->number];
                limit_spec_apply(&changes[i].spec, c->rlim_cur, c->rlim_max, &soft, &hard);
                ret_resources[i] = changes[i].res->number;
                ret_new[i] = (struct rlimit) { .rlim_cur = soft, .rlim_max = hard };
        }
}

/* "NOFILE, CORE of pid 42 (bash)": what a failure was about; the values are
 * the service's to repeat (--verbose), since they are what it was asked. pid
 * 0 is resourcectl's own process (run). */
static const char *changes_describe(const Change changes[], size_t n, pid_t pid, char *buf, size_t size) {
        char name[96];
        size_t k = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n && k < size; i++)
                k += (size_t) snprintf(buf + k, size - k, "%s%s", i ? ", " : "", changes[i].res->name);
        if (k >= size)
                return buf;
        if (pid == 0)
                snprintf(buf + k, size - k, " of pid %d (resourcectl)", (int) getpid());
        else
                snprintf(buf + k, size - k, " of %s", target_name(name));
        return buf;
}

/* "NOFILE: 1024:4096 → 2048:4096": what set did, and what run did with --verbose. */
void change_print(FILE *f, const Change *c, const struct rlimit *old, const struct rlimit *new) {
        char a[24], b[24], d[24], e[24];
        fprintf(f, "%s: %s:%s %s %s:%s\n", c->res->name, limit_value_format(old->rlim_cur, a),
                limit_value_format(old->rlim_max, b), arrow(), limit_value_format(new->rlim_cur, d),
                limit_value_format(new->rlim_max, e));
}

static bool interactive_required(Resource1 *h) {
        const char *name = resource1_last_error_name(h);
        return name && strcmp(name, ERROR_INTERACTIVE) == 0;
}

static int setrlimits(Resource1 *h, int fd, pid_t pid, const int resources[], const Resource1Limit want[],
                      size_t n, Resource1Limit was[]) {
        return fd >= 0 ? resource1_setrlimits_pidfd(h, fd, resources, want, n, was) :
                         resource1_setrlimits(h, pid, resources, want, n, was);
}

/* The change, on the target (fd, or pid; 0: resourcectl): made here where
 * the kernel lets the caller make it (resourcectl-local.c), else one
 * SetRlimits request. As systemctl does, that allows interactive
 * authorization unless --no-ask-password says not to (an agent of the login session, a
 * desktop's, may answer; only polkit knows whether one is registered). When
 * polkit still wants the user authenticated and standard input is a
 * terminal, libresource1 starts pkttyagent and sends it once more, which
 * the agent can answer; otherwise nothing could, and it is sent once. */
int request_set(int fd, pid_t pid, const Change changes[], const int resources[],
                const struct rlimit new[], size_t n, struct rlimit old[]) {
        Resource1 *h;
        char what[1024];
        int r;

        /* What the kernel lets the caller do is done here (unless
         * --service); what it refuses, the service is asked, as if nothing
         * had been tried. */
        if (!arg_service && local_set_limits(fd, pid, resources, new, n, old) >= 0)
                return EXIT_OK;
        r = service_get(&h);
        if (r != EXIT_OK)
                return r;

        Resource1Limit want[RLIM_NLIMITS], was[RLIM_NLIMITS];
        for (size_t i = 0; i < n; i++)
                want[i] = resource1_limit_from_rlimit(&new[i]);

        resource1_set_allow_interactive(h, arg_ask_password);
        resource1_set_polkit_agent(h, arg_ask_password);
        r = setrlimits(h, fd, pid, resources, want, n, was);
        resource1_set_allow_interactive(h, false);
        resource1_set_polkit_agent(h, false);
        for (size_t i = 0; r >= 0 && i < n; i++)
                if (resource1_limit_to_rlimit(&was[i], &old[i]) < 0)
                        r = -EBADMSG;
        if (r >= 0)
                return EXIT_OK;

        if (r == -EACCES && interactive_required(h)) {
                /* The first line says what failed (--verbose adds the
                 * service's message); the library's message says after
                 * "needs authentication, but" what stood in the way of
                 * asking, on a line of its own. */
                static const char but[] = " needs authentication, but ";
                const char *msg = resource1_last_error_message(h) ?: "";
                const char *why = strstr(msg, but);
                return fail_with_hint(h, r, !arg_ask_password ? "--no-ask-password forbids asking" :
                                            why ? why + strlen(but) : NULL,
                                      "setting %s", changes_describe(changes, n, pid, what, sizeof what));
        }
        return fail(h, r, "setting %s", changes_describe(changes, n, pid, what, sizeof what));
}
