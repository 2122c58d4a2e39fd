/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: a call's arguments checked, and the target it names. What
 * each call asks is its wrapper's (resource1-methods.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "resource1-errors.h"
#include "resource1-internal.h"
#include "resource1-names.h"
#include "resource1-pidfd.h"

/* The first Resource1Usage: the 16 fields of struct_rusage. */
#define USAGE_SIZE_MIN (offsetof(Resource1Usage, ru_nivcsw) + sizeof(int64_t))

/* ---- arguments ---- */

void request_done(Request *q) {
        if (q->own_fd && q->fd >= 0)
                close(q->fd);
        q->fd = -1;
        free(q->own_resources);
        free(q->own_limits);
        q->own_resources = NULL;
        q->own_limits = NULL;
}

static const char *name_of(int resource) {
        return resource1_resource_to_name(resource);
}

int check_resource(Resource1 *h, int resource, const char **ret) {
        *ret = name_of(resource);
        if (!*ret)
                return failf(h, -EINVAL, RESOURCE1_ERROR_INVALID_RESOURCE, "invalid resource number %d", resource);
        return 0;
}

static const char *who_name(int who) {
        switch (who) {
        case RUSAGE_SELF:           return "self";
        case RUSAGE_CHILDREN:       return "children";
        case RUSAGE_THREAD:         return "thread";
        case RESOURCE1_RUSAGE_BOTH: return "both";
        }
        return NULL;
}

int check_who(Resource1 *h, int who, const char **ret) {
        *ret = who_name(who);
        if (!*ret)
                return failf(h, -EINVAL, RESOURCE1_ERROR_INVALID_WHO,
                             "invalid who %d (expected RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD or "
                             "RESOURCE1_RUSAGE_BOTH)", who);
        return 0;
}

int check_arg(Resource1 *h, bool ok, const char *what) {
        if (!ok)
                return failf(h, -EINVAL, SD_BUS_ERROR_INVALID_ARGS, "invalid argument: %s", what);
        return 0;
}

int check_batch(Resource1 *h, const int resources[], const Resource1Limit limits[], size_t n) {
        if (n == 0)
                return failf(h, -EINVAL, RESOURCE1_ERROR_INVALID_LIMITS, "an empty batch of limits");
        if (!resources || !limits)
                return check_arg(h, false, "resources or limits is NULL");
        if (n > RLIM_NLIMITS)
                return failf(h, -EINVAL, RESOURCE1_ERROR_INVALID_LIMITS,
                             "%zu limits in one batch, more than there are resources", n);
        for (size_t i = 0; i < n; i++) {
                const char *unused;
                int r = check_resource(h, resources[i], &unused);
                if (r < 0)
                        return r;
        }
        return 0;
}

int check_usage_size(Resource1 *h, size_t size) {
        if (size < USAGE_SIZE_MIN)
                return failf(h, -EINVAL, SD_BUS_ERROR_INVALID_ARGS,
                             "a Resource1Usage of %zu bytes, less than the %zu of the first one", size,
                             (size_t) USAGE_SIZE_MIN);
        return 0;
}

/* Copies the library's usage into the program's, of size bytes: the fields
 * both know, zeros for the rest. */
void usage_copy(void *dst, const Resource1Usage *u, size_t size) {
        size_t n = size < sizeof *u ? size : sizeof *u;
        memcpy(dst, u, n);
        if (size > n)
                memset((char *) dst + n, 0, size - n);
}

/* ---- naming the target ----
 *
 * A pid number means a process in the caller's pid namespace, as it does for
 * prlimit(1); the service would read it in its own, which is another one for a
 * caller in a container or sandbox (it refuses such numbers with
 * OtherPidNamespace). So every process is named by a pidfd opened here, in
 * the caller's namespace: pid 0, "this process", too. The service's own
 * "caller" (pid 0, GetRlimit, SetRlimit) is the process that owns the bus
 * connection, which behind a bus proxy (Flatpak's xdg-dbus-proxy) is the
 * proxy, not this program. */

/* A pidfd of this process, which the handle keeps (moved above the numbers
 * the program uses) so that naming itself costs no descriptor per call: a
 * program that used up its descriptors still reads and changes its limits.
 * Opened again in a child of fork(): a pidfd names one process for good. */
static int self_pidfd(Resource1 *h) {
        pid_t pid = getpid();

        if (h->self_fd >= 0 && h->self_pid == pid)
                return h->self_fd;
        if (h->self_fd >= 0)
                close(h->self_fd);   /* the parent's, inherited */
        h->self_fd = -1;
        int fd = resource1_pidfd_open(pid, false);
        if (fd < 0)
                return fd;
        h->self_fd = resource1_fd_move_high(fd);
        h->self_pid = pid;
        return h->self_fd;
}

/* Whether q names this process by the handle's pidfd of it (pid 0). */
bool request_names_self(const Resource1 *h, const Request *q) {
        return q->fd >= 0 && !q->own_fd && q->fd == h->self_fd;
}

/* pid's target for q: a pidfd (a thread's when thread is set), pid 0 this
 * process's (the handle's own), or the number where this kernel cannot give
 * one (see resource1_pidfd_open()). With thread set, pid 0 is the calling
 * thread: in the main thread the process's pidfd (which names its main
 * thread), else this thread's own (PIDFD_THREAD, Linux 6.9; before it, the
 * thread id as a number, which the service takes only from a caller in its
 * own pid namespace, as before). On failure, the error is remembered on the
 * handle as the service words it. */
static int target_pid(Resource1 *h, pid_t pid, bool thread, Request *q) {
        if (pid < 0)
                return failf(h, -EINVAL, SD_BUS_ERROR_INVALID_ARGS, "invalid pid %d", (int) pid);
        q->fd = -1;
        q->pid = 0;
        if (pid == 0 && thread && gettid() != getpid())
                pid = gettid();
        if (pid == 0) {
                int fd = self_pidfd(h);
                if (fd >= 0) {
                        q->fd = fd;
                        q->own_fd = false;
                        return 0;
                }
                /* A kernel without pidfd_open(2) (or a filter that forbids
                 * it), or a program that has used up its descriptors: the
                 * service's "caller", which is this process unless a proxy
                 * stands between it and the bus. */
                if (fd == -EOPNOTSUPP || fd == -EMFILE || fd == -ENFILE)
                        return 0;
                return failf(h, fd, NULL, "cannot open a pidfd of this process (pid %d): %s", (int) getpid(),
                             strerror(-fd));
        }

        int fd = resource1_pidfd_open(pid, thread);
        if (fd >= 0) {
                q->fd = fd;
                q->own_fd = true;
                return 0;
        }
        switch (fd) {
        case -EOPNOTSUPP:
                q->pid = (uint32_t) pid;
                return 0;
        case -ESRCH:
                return failf(h, -ESRCH, RESOURCE1_ERROR_NO_SUCH_PROCESS, "no such process: pid %d", (int) pid);
        default:
                return failf(h, fd, NULL, "cannot open a pidfd for pid %d: %s", (int) pid, strerror(-fd));
        }
}

static int target_pidfd(Resource1 *h, int pidfd, bool keep, Request *q) {
        if (pidfd < 0)
                return failf(h, -EBADF, NULL, "invalid pidfd %d", pidfd);
        /* Not sent when it is no pidfd: the service would refuse it, and its
         * gate, which may not close such a descriptor while it serves,
         * would retire to close it (a process of the service's each time). */
        if (resource1_pidfd_check(pidfd) < 0)
                return failf(h, -EBADF, NULL, "descriptor %d is not a pidfd", pidfd);
        if (!keep) {
                q->fd = pidfd;
                return 0;
        }
        /* An asynchronous call keeps a copy: the program may close its own. */
        q->fd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
        if (q->fd < 0)
                return failf(h, -errno, NULL, "cannot duplicate pidfd %d: %m", pidfd);
        q->own_fd = true;
        return 0;
}

/* The target a call names: the pidfd by_fd says pid_or_fd is (a copy kept
 * when keep is set), or the process pid_or_fd (a thread with thread set). */
int target_set(Resource1 *h, bool by_fd, int pid_or_fd, bool thread, bool keep, Request *q) {
        return by_fd ? target_pidfd(h, pid_or_fd, keep, q) : target_pid(h, pid_or_fd, thread, q);
}

/* ---- what an asynchronous call keeps ---- */

/* Copies of q's batch, which q keeps: the program's arrays need not outlive
 * the start of an asynchronous call. */
int request_keep_batch(Resource1 *h, Request *q) {
        size_t n = q->n;

        q->own_resources = malloc(n * sizeof q->resources[0]);
        q->own_limits = malloc(n * sizeof q->limits[0]);
        if (!q->own_resources || !q->own_limits) {
                request_done(q);
                return failf(h, -ENOMEM, NULL, "out of memory");
        }
        memcpy(q->own_resources, q->resources, n * sizeof q->resources[0]);
        memcpy(q->own_limits, q->limits, n * sizeof q->limits[0]);
        q->resources = q->own_resources;
        q->limits = q->own_limits;
        return 0;
}
