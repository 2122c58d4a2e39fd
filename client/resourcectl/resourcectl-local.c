/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What resourcectl does itself, with plain system calls, as prlimit(1)
 * would: what the kernel lets the caller do anyway. Reading the limits of
 * its own processes, lowering them, and a soft limit up to the hard one
 * need no service, no bus and no polkit; asking the service for them cost
 * a connection, a handshake and libsystemd's loading, more than prlimit's
 * whole run. Whatever the kernel refuses here (a hard raise, another
 * user's process, a value it rejects) the caller's command asks of the
 * service instead, as if nothing had been tried: nothing was changed, and
 * the service's answer, its refusal and its words are the command's. So
 * whichever answers, the output is the same (resourcectl(1), "What
 * resourcectl does itself"; the cli-local test compares them).
 *
 * The service makes the same changes the same way: with the caller's ids,
 * by the process's number, checking afterwards that the process its pidfd
 * names is still there (daemon/process/act.h). A pid number is reused only
 * once its process has been reaped; while the pidfd's process is there, the
 * number is its own. So it is checked before acting (a process already
 * gone is the service's to call "no such process") and after (a process
 * that exited meanwhile: the same). What a reused number could have been
 * acted on in between is a process the kernel let the caller change anyway:
 * one of its own. */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "resourcectl.h"

bool local_pinned(int fd) {
        /* Signal 0 sends nothing; ESRCH: reaped. (EPERM, another user's
         * process, says it is there.) */
        return fd < 0 || !(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0) < 0 && errno == ESRCH);
}

static int get(pid_t pid, int resource, struct rlimit *ret) {
        return prlimit(pid, (__rlimit_resource_t) resource, NULL, ret) < 0 ? -errno : 0;
}

int local_read_limits(int fd, pid_t pid, struct rlimit ret[static RLIM_NLIMITS]) {
        struct rlimit all[RLIM_NLIMITS];

        for (int i = 0; i < RLIM_NLIMITS; i++) {
                int r = get(pid, i, &all[i]);
                if (r < 0)
                        return r;
        }
        if (!local_pinned(fd))
                return -ESRCH;
        memcpy(ret, all, sizeof all);
        return 0;
}

/* Sets them in order, putting back those set before one the kernel refuses.
 * Those set are put back with the caller's ids too, which works for any
 * limit whose hard one was not lowered: the caller ensures that at most the
 * last lowers one. */
static int set_in_order(pid_t pid, const int resources[], const struct rlimit new[], const unsigned order[],
                        size_t n, struct rlimit old[]) {
        for (size_t k = 0; k < n; k++) {
                unsigned i = order[k];
                if (prlimit(pid, (__rlimit_resource_t) resources[i], &new[i], &old[i]) < 0) {
                        int r = -errno;
                        while (k-- > 0)
                                (void) prlimit(pid, (__rlimit_resource_t) resources[order[k]], &old[order[k]], NULL);
                        return r;
                }
        }
        return 0;
}

int local_set_limits(int fd, pid_t pid, const int resources[], const struct rlimit new[], size_t n,
                     struct rlimit ret_old[]) {
        struct rlimit old[RLIM_NLIMITS];
        unsigned order[RLIM_NLIMITS], k = 0;
        int r;

        if (n == 0 || n > RLIM_NLIMITS)
                return -EINVAL;
        if (!local_pinned(fd))
                return -ESRCH;

        if (n == 1)
                order[0] = 0;   /* one prlimit(2): all or none by itself */
        else {
                /* A batch: all or none, as the service makes it. A limit
                 * set before one the kernel refuses is put back, which the
                 * caller's ids allow unless its hard limit was lowered:
                 * so at most one may lower a hard limit, and it goes last.
                 * A hard raise the kernel would refuse anyway. */
                int lowering = -1;
                for (size_t i = 0; i < n; i++) {
                        struct rlimit cur;
                        r = get(pid, resources[i], &cur);
                        if (r < 0)
                                return r;
                        if (new[i].rlim_max > cur.rlim_max || new[i].rlim_cur > new[i].rlim_max)
                                return -EPERM;
                        if (new[i].rlim_max < cur.rlim_max) {
                                if (lowering >= 0)
                                        return -EPERM;
                                lowering = (int) i;
                        }
                }
                for (size_t i = 0; i < n; i++)
                        if ((int) i != lowering)
                                order[k++] = (unsigned) i;
                if (lowering >= 0)
                        order[k++] = (unsigned) lowering;
        }

        r = set_in_order(pid, resources, new, order, n, old);
        if (r < 0)
                return r;
        /* It exited meanwhile: what was set went to its number, which the
         * service, asked now, finds gone, as it would have. */
        if (!local_pinned(fd))
                return -ESRCH;
        memcpy(ret_old, old, n * sizeof old[0]);
        return 0;
}
