/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* agent-setid FILE: what a setgid game launcher on libresource1 does (the
 * example of libresource1(3) is one): opens FILE with its privilege, as
 * fopen() does, without O_CLOEXEC, then raises its own NOFILE hard limit by
 * one with resource1_set_polkit_agent(). Prints "r=R MESSAGE" (or "r=0").
 * The agent-setid suite (tests/client/test-agent-setid.sh) runs it setgid and not,
 * on a terminal, with a pkttyagent of the user's own first in PATH. Built
 * with the library's build directory as an absolute run path: the dynamic
 * loader ignores LD_LIBRARY_PATH and $ORIGIN in a setgid program. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>

#include <resource1.h>

int main(int argc, char *argv[]) {
        Resource1 *h = NULL;
        struct rlimit now;

        if (argc != 2 || open(argv[1], O_RDWR | O_APPEND) < 0 || getrlimit(RLIMIT_NOFILE, &now) < 0 ||
            resource1_new(&h) < 0) {
                fprintf(stderr, "usage: agent-setid FILE (a file it can open)\n");
                return 2;
        }
        resource1_set_polkit_agent(h, true);
        Resource1Limit l = { (uint64_t) now.rlim_cur, (uint64_t) now.rlim_max + 1 };
        int r = resource1_setrlimit(h, RLIMIT_NOFILE, &l);
        printf("r=%d %s\n", r, r < 0 ? resource1_last_error_message(h) : "");
        resource1_free(h);
        return r < 0;
}
