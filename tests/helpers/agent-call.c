/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-call [--polkit-agent] HARD: sets this process's NOFILE hard limit to
 * HARD (its soft limit kept) through libresource1 alone, with
 * resource1_set_polkit_agent() when --polkit-agent is given. Prints
 * "r=R NAME: MESSAGE" (or "r=0") and "hard N", the limit after; exits 0 on
 * success. The agent suite (tests/client/test-agent.sh) runs it on a
 * pseudo-terminal as a user who types a password. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <resource1.h>

int main(int argc, char *argv[]) {
        bool agent = argc == 3 && strcmp(argv[1], "--polkit-agent") == 0;
        Resource1 *h = NULL;
        struct rlimit now;

        if (argc != 2 + agent || getrlimit(RLIMIT_NOFILE, &now) < 0) {
                fprintf(stderr, "usage: agent-call [--polkit-agent] HARD\n");
                return 2;
        }
        if (resource1_new(&h) < 0)
                return 2;
        resource1_set_polkit_agent(h, agent);

        Resource1Limit l = { (uint64_t) now.rlim_cur, strtoull(argv[argc - 1], NULL, 10) };
        int r = resource1_setrlimit(h, RLIMIT_NOFILE, &l);
        if (r < 0)
                printf("r=%d %s: %s\n", r, resource1_last_error_name(h), resource1_last_error_message(h));
        else
                printf("r=0\n");
        if (getrlimit(RLIMIT_NOFILE, &now) == 0)
                printf("hard %llu\n", (unsigned long long) now.rlim_max);
        resource1_free(h);
        return r < 0;
}
