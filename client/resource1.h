/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libresource1: Python's resource module for C, through the
 * org.example.Resource1 system service (see libresource1(3)).
 *
 *   Python                                 libresource1
 *   resource.getrlimit(r)                  resource1_getrlimit(h, r, &lim)
 *   resource.setrlimit(r, (soft, hard))    resource1_setrlimit(h, r, &lim)
 *   resource.prlimit(pid, r)               resource1_prlimit(h, pid, r, NULL, &old)
 *   resource.prlimit(pid, r, limits)       resource1_prlimit(h, pid, r, &lim, &old)
 *   several prlimit() at once              resource1_setrlimits(h, pid, rs, lims, n, olds)
 *   resource.getrusage(who)                resource1_getrusage(h, 0, who, &usage)
 *   resource.getpagesize()                 resource1_getpagesize(h, &bytes)
 *   RLIM_INFINITY                          RLIM_INFINITY (the service's 18446744073709551615)
 *
 * Resources are Linux's RLIMIT_* numbers; resource1_resource_from_name()
 * turns "NOFILE", "nofile", "RLIMIT_NOFILE" or "OFILE" into one.
 *
 * A pid is a process id as the caller sees it, in the caller's own pid
 * namespace (as for prlimit(1)); 0 is the caller. For every other pid the
 * library opens a pidfd (pidfd_open(2)) and names the process to the service
 * by it, so a pid means the same process inside a container or sandbox as
 * outside; the *_pidfd() calls take a pidfd the program opened itself.
 *
 * Every call returns 0 (or a non-negative value) on success and a negative
 * errno on failure: -EINVAL for an invalid resource, limits or who;
 * -ESRCH for no such process; -EPERM when policy, polkit or the kernel
 * refused; -EACCES when polkit would allow after authentication but
 * interactive authorization was not allowed; -ECONNREFUSED when the service
 * cannot be reached; -EAGAIN when too many of the uid's changes wait for
 * authorization; -EIO for another failure in the service; -EXDEV when the
 * service refused a pid number named from another pid namespace
 * (OtherPidNamespace: only where this kernel cannot open a pidfd for it). Out-parameters
 * are written only on success. resource1_last_error_name() and
 * resource1_last_error_message() then say exactly what the service said.
 *
 * A handle keeps one bus connection for many calls: it connects on first use
 * and, when the connection was lost (the bus or the service restarted),
 * reconnects and retries once. A NULL handle makes a one-shot call on a
 * connection of its own. Handles are not thread-safe: use one per thread. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Resource1 Resource1;

/* Linux computes self + children internally; the service offers it too. */
#define RESOURCE1_RUSAGE_BOTH (-2)

/* Python's struct_rusage: times as seconds in doubles, the rest as counts
 * (ru_maxrss in KiB). */
typedef struct Resource1Usage {
        double ru_utime, ru_stime;
        long ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap,
             ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
} Resource1Usage;

int resource1_new(Resource1 **ret);
Resource1 *resource1_free(Resource1 *h);

/* Whether the service may ask polkit to authenticate the user (off by
 * default; an authentication agent must be running for it to help). */
void resource1_set_allow_interactive(Resource1 *h, bool allow);

/* What the service answered to the handle's last failed call: the D-Bus
 * error name and its message. NULL when the last call succeeded. */
const char *resource1_last_error_name(const Resource1 *h);
const char *resource1_last_error_message(const Resource1 *h);

/* RLIMIT_* number for a name; -EINVAL unknown, -EOPNOTSUPP not on Linux. */
int resource1_resource_from_name(const char *name);
/* Short name ("NOFILE") of an RLIMIT_* number, NULL when unknown. */
const char *resource1_resource_to_name(int resource);

int resource1_getrlimit(Resource1 *h, int resource, struct rlimit *ret);
int resource1_setrlimit(Resource1 *h, int resource, const struct rlimit *limits);
/* pid 0 is the caller. new_limits NULL: read only. ret_old may be NULL. */
int resource1_prlimit(Resource1 *h, pid_t pid, int resource, const struct rlimit *new_limits,
                      struct rlimit *ret_old);
/* The same, with the process named by a pidfd (pidfd_open(2)). */
int resource1_prlimit_pidfd(Resource1 *h, int pidfd, int resource, const struct rlimit *new_limits,
                            struct rlimit *ret_old);
/* Several limits of one process at once: resources[i] set to limits[i] for
 * i < n, each resource at most once, all or nothing, with one authorization
 * (polkit is asked at most once per action for the whole batch). When the
 * kernel refuses one, those set before it are restored and the call fails
 * naming it. ret_old (NULL, or n entries) receives the limits in force
 * before, in the order given. Since libresource1 1.1 (LIBRESOURCE1_1.1). */
int resource1_setrlimits(Resource1 *h, pid_t pid, const int resources[], const struct rlimit limits[], size_t n,
                         struct rlimit ret_old[]);
int resource1_setrlimits_pidfd(Resource1 *h, int pidfd, const int resources[], const struct rlimit limits[],
                               size_t n, struct rlimit ret_old[]);
/* Every resource of process pid (0: the caller), indexed by RLIMIT_*:
 * ret must hold RLIM_NLIMITS entries. Returns how many were filled. */
int resource1_list_rlimits(Resource1 *h, pid_t pid, struct rlimit *ret, size_t n);
int resource1_list_rlimits_pidfd(Resource1 *h, int pidfd, struct rlimit *ret, size_t n);

/* who: RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD or RESOURCE1_RUSAGE_BOTH.
 * pid 0 is the caller (for RUSAGE_THREAD its main thread; else a thread id,
 * named by a thread's pidfd, Linux 6.9's PIDFD_THREAD). With a pidfd, for
 * RUSAGE_THREAD: a thread's pidfd names that thread, a process's its main
 * thread. */
int resource1_getrusage(Resource1 *h, pid_t pid, int who, Resource1Usage *ret);
int resource1_getrusage_struct(Resource1 *h, pid_t pid, int who, struct rusage *ret);
int resource1_getrusage_pidfd(Resource1 *h, int pidfd, int who, Resource1Usage *ret);
int resource1_getrusage_struct_pidfd(Resource1 *h, int pidfd, int who, struct rusage *ret);

int resource1_getpagesize(Resource1 *h, uint64_t *ret);

#ifdef __cplusplus
}
#endif
