/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* flatpak-app-lib: the flatpak suite's libresource1 program
 * (tests/client/test-flatpak.sh), run inside the app's sandbox. It asks the service
 * about itself and its child through libresource1, as a game built on it
 * would, and prints each answer beside what the process itself knows:
 *
 *   flatpak-app-lib SOFT CHILD_SOFT
 *
 *   GETRLIMIT <r> <service's soft> <hard> <own soft> <hard>
 *   RUSAGE <r> <service's ru_maxrss> <own ru_maxrss>    (KiB, after touching 64 MiB)
 *   SETRLIMIT <r> SOFT                                  (resource1_setrlimit of its own NOFILE to SOFT:own hard)
 *   STOP <pid>                                          (it stops itself with SIGSTOP, to be looked at)
 *   PRLIMIT <r> <child's pid>                           (resource1_prlimit of its child's NOFILE to CHILD_SOFT:hard)
 *   STOP <pid>                                          (again; then it kills its child and exits)
 *   ERR <call> <error name> <message>                   (after a call that failed, r < 0)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <resource1.h>

static void report_error(Resource1 *h, const char *call, int r) {
        if (r < 0)
                printf("ERR %s %s %s\n", call, resource1_last_error_name(h) ?: "-",
                       resource1_last_error_message(h) ?: strerror(-r));
}

static void stop_here(void) {
        printf("STOP %d\n", (int) getpid());
        fflush(stdout);
        raise(SIGSTOP);
}

int main(int argc, char *argv[]) {
        if (argc != 3) {
                fprintf(stderr, "usage: flatpak-app-lib SOFT CHILD_SOFT\n");
                return 2;
        }
        uint64_t soft = strtoull(argv[1], NULL, 10), child_soft = strtoull(argv[2], NULL, 10);
        struct rlimit own;
        if (getrlimit(RLIMIT_NOFILE, &own) < 0)
                return 1;

        Resource1 *h = NULL;
        int r = resource1_new(&h);
        if (r < 0) {
                printf("ERR resource1_new - %s\n", strerror(-r));
                return 1;
        }

        Resource1Limit l = {};
        r = resource1_getrlimit(h, RLIMIT_NOFILE, &l);
        printf("GETRLIMIT %d %llu %llu %llu %llu\n", r, (unsigned long long) l.soft, (unsigned long long) l.hard,
               (unsigned long long) own.rlim_cur, (unsigned long long) own.rlim_max);
        report_error(h, "resource1_getrlimit", r);

        /* Written, so resident: the program's maxrss is far above the proxy's.
         * Each page through a volatile pointer: a compiler may drop a buffer
         * that is only filled and freed. */
        size_t size = 64u << 20;
        volatile char *ballast = malloc(size);
        if (!ballast)
                return 1;
        for (size_t i = 0; i < size; i += 4096)
                ballast[i] = 'x';
        Resource1Usage u = {};
        struct rusage mine;
        r = resource1_getrusage(h, 0, RUSAGE_SELF, &u, sizeof u);
        getrusage(RUSAGE_SELF, &mine);
        printf("RUSAGE %d %lld %ld\n", r, (long long) u.ru_maxrss, mine.ru_maxrss);
        report_error(h, "resource1_getrusage", r);
        free((char *) ballast);

        Resource1Limit want = { soft, own.rlim_max };
        r = resource1_setrlimit(h, RLIMIT_NOFILE, &want);
        printf("SETRLIMIT %d %llu\n", r, (unsigned long long) soft);
        report_error(h, "resource1_setrlimit", r);
        stop_here();

        pid_t child = fork();
        if (child < 0)
                return 1;
        if (child == 0) {
                pause();
                _exit(0);
        }
        Resource1Limit child_want = { child_soft, own.rlim_max }, old;
        r = resource1_prlimit(h, child, RLIMIT_NOFILE, &child_want, &old);
        printf("PRLIMIT %d %d\n", r, (int) child);
        report_error(h, "resource1_prlimit", r);
        stop_here();

        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        resource1_free(h);
        return 0;
}
