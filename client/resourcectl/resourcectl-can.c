/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl's dry runs (set --dry-run, run --dry-run): what one SetRlimits
 * request would meet now, asked of the service (CanSetRlimits) without
 * changing anything or asking for a password, said per limit and for the
 * request, and its exit status. request_can_set() and answer_word() are
 * for any command that wants to say what a change would take. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "resourcectl.h"

const char *answer_word(Resource1Answer a) {
        switch (a) {
        case RESOURCE1_ANSWER_YES:
                return "yes";
        case RESOURCE1_ANSWER_CHALLENGE:
                return "challenge";
        case RESOURCE1_ANSWER_NO:
                return "no";
        case RESOURCE1_ANSWER_NA:
                return "na";
        }
        return "?";
}

int request_can_set(Resource1 *h, int fd, pid_t pid, const int resources[], const struct rlimit new[], size_t n,
                    Resource1LimitAnswer ret_per_limit[]) {
        Resource1Limit want[RLIM_NLIMITS];

        if (n > RLIM_NLIMITS)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                want[i] = resource1_limit_from_rlimit(&new[i]);
        return fd >= 0 ? resource1_can_setrlimits_pidfd(h, fd, resources, want, n, ret_per_limit) :
                         resource1_can_setrlimits(h, pid, resources, want, n, ret_per_limit);
}

static int exit_status_of_answer(int answer) {
        switch (answer) {
        case RESOURCE1_ANSWER_YES:
                return EXIT_OK;
        case RESOURCE1_ANSWER_CHALLENGE:
                return EXIT_ANSWER_CHALLENGE;
        case RESOURCE1_ANSWER_NO:
                return EXIT_ANSWER_NO;
        default:
                return EXIT_ANSWER_NA;
        }
}

/* "NOFILE: 1024:4096 → 1024:8192: challenge (org.example.resource1.raise-hard-limit)" */
static void answer_print(const Change *c, const struct rlimit *old, const struct rlimit *new,
                         const Resource1LimitAnswer *a) {
        char soft[24], hard[24], new_soft[24], new_hard[24];
        printf("%s: %s:%s %s %s:%s: %s", c->res->name, limit_value_format(old->rlim_cur, soft),
               limit_value_format(old->rlim_max, hard), arrow(), limit_value_format(new->rlim_cur, new_soft),
               limit_value_format(new->rlim_max, new_hard), answer_word(a->answer));
        if (a->action[0])
                printf(" (%s)", a->action);
        printf("\n");
}

int dry_run(int fd, pid_t pid, const Change changes[], const int resources[],
            const struct rlimit cur[static RLIM_NLIMITS], const struct rlimit new[], size_t n) {
        Resource1LimitAnswer per_limit[RLIM_NLIMITS];
        char what[1024], name[96];
        size_t k = 0;
        Resource1 *h;

        /* Always the service's: what polkit would say, and the service's
         * own power, only it can tell. */
        int answer = service_get(&h);
        if (answer != EXIT_OK)
                return answer;
        answer = request_can_set(h, fd, pid, resources, new, n, per_limit);
        if (answer < 0) {
                what[0] = '\0';
                for (size_t i = 0; i < n && k < sizeof what; i++)
                        k += (size_t) snprintf(what + k, sizeof what - k, "%s%s", i ? ", " : "", changes[i].res->name);
                if (pid == 0)   /* run's: resourcectl itself */
                        snprintf(name, sizeof name, "pid %d (resourcectl)", (int) getpid());
                else
                        target_name(name);
                return fail(h, answer, "dry run of setting %s of %s", what, name);
        }
        if (pid != 0)   /* set's: its target, as set notes it (run's is resourcectl) */
                target_note("Dry run for", true);

        if (arg_json != JSON_OFF) {
                j_open('{');
                j_key("answer");
                j_string(answer_word((Resource1Answer) answer));
                j_key("pid");
                j_number("%d", pid == 0 ? (int) getpid() : (int) target.pid);
                j_key("limits");
                j_open('[');
                for (size_t i = 0; i < n; i++) {
                        j_open('{');
                        j_key("resource");
                        j_string(changes[i].res->name);
                        j_limits_object("old", &cur[changes[i].res->number]);
                        j_limits_object("new", &new[i]);
                        j_key("answer");
                        j_string(answer_word(per_limit[i].answer));
                        j_key("action");
                        j_string(per_limit[i].action);
                        j_close('}');
                }
                j_close(']');
                j_close('}');
        } else {
                for (size_t i = 0; i < n; i++)
                        answer_print(&changes[i], &cur[changes[i].res->number], &new[i], &per_limit[i]);
                if (n > 1)
                        printf("all: %s\n", answer_word((Resource1Answer) answer));
        }
        return exit_status_of_answer(answer);
}
