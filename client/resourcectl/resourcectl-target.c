/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl's target process.
 *
 * --pid is a process id as this process sees it, in its own pid namespace,
 * as for prlimit(1); without it, the process resourcectl was started from
 * (its parent: the shell it was typed in), which is what a person means, as
 * ulimit does. It is opened as a pidfd once, and the service is told of the
 * process by that pidfd for the whole command: inside a container the
 * number means the same process to the service, and a read and a change
 * that follows it are about the same process. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "resource1-pidfd.h"
#include "resourcectl.h"

Target target = { .fd = -1 };

void target_close(void) {
        if (target.fd >= 0)
                close(target.fd);
        target.fd = -1;
}

static int proc_dir(char buf[static 32]);

/* Chooses the command's process (--pid, or the process that started
 * resourcectl) and opens a pidfd of it where the kernel gives one (a
 * thread's with thread set); an exit status. change: the process is to be
 * changed, not read. */
int target_choose(bool thread, bool change) {
        pid_t pid = arg_pid;

        if (!arg_pid_given) {
                pid = getppid();
                if (pid == 0)
                        return usage_error("the process that started resourcectl is outside its pid namespace; "
                                           "name a process with --pid");
                if (pid == 1 && change)
                        return usage_error("resourcectl was started by pid 1 (init), whose limits it changes "
                                           "only when told so: --pid 1");
                target.parent = true;
        }
        target.pid = pid;

        int fd = resource1_pidfd_open(pid, thread);
        if (fd == -ESRCH) {
                fprintf(stderr, "resourcectl: pid %d: no such process\n", (int) pid);
                return EXIT_NO_PROCESS;
        }
        if (fd < 0 && fd != -EOPNOTSUPP) {   /* -EOPNOTSUPP: the number is passed as it is */
                fprintf(stderr, "resourcectl: cannot open pid %d: %s\n", (int) pid, strerror(-fd));
                return EXIT_ERROR;
        }
        target.fd = fd >= 0 ? fd : -1;
        if (target.parent && getppid() != pid) {
                fprintf(stderr, "resourcectl: the process that started resourcectl (pid %d) has exited\n", (int) pid);
                return EXIT_NO_PROCESS;
        }
        return EXIT_OK;
}

/* The process's name, read from /proc when a message first names it: a
 * command that succeeds names it only under --verbose (or in the note of a
 * change of resourcectl's parent), and finding and reading the file (the
 * pidfd's fdinfo, then comm) was 2 % of the run time of "resourcectl limits
 * --pid P NOFILE". A process that is gone by then is named "?", as one
 * whose comm cannot be read always was. */
static const char *target_comm(void) {
        char dir[32], path[64];
        FILE *f = NULL;

        if (target.have_comm)
                return target.comm;
        target.have_comm = true;
        if (proc_dir(dir) >= 0 && snprintf(path, sizeof path, "%s/comm", dir) > 0)
                f = fopen(path, "re");
        if (!f || !fgets(target.comm, sizeof target.comm, f))
                snprintf(target.comm, sizeof target.comm, "?");
        if (f)
                fclose(f);
        target.comm[strcspn(target.comm, "\n")] = '\0';
        return target.comm;
}

const char *target_name(char buf[static 96]) {
        snprintf(buf, 96, "pid %d (%s)", (int) target.pid, target_comm());
        return buf;
}

/* "Set limits of pid 42 (bash), resourcectl's parent process." on
 * standard error, once the call has been made: always for a change of the
 * implied process (unless --quiet), and for anything with --verbose. */
void target_note(const char *doing, bool change) {
        char name[96];
        if (arg_quiet || !(arg_verbose || (change && target.parent)))
                return;
        fprintf(stderr, "%s %s%s.\n", doing, target_name(name),
                target.parent ? ", resourcectl's parent process" : "");
}

/* Indexed by RLIMIT_*; every resource, or an error: nothing is shown for
 * a limit the service did not report. (The CLI is built with 64-bit rlim_t,
 * so the library's limits convert without loss.) */
static int target_list_rlimits(Resource1 *h, struct rlimit all[static RLIM_NLIMITS]) {
        Resource1LimitEntry e[RLIM_NLIMITS];
        int n = target.fd >= 0 ? resource1_list_rlimits_pidfd(h, target.fd, e, RLIM_NLIMITS) :
                                 resource1_list_rlimits(h, target.pid, e, RLIM_NLIMITS);
        if (n >= 0 && n != RLIM_NLIMITS)
                return -EBADMSG;
        for (int i = 0; i < n; i++)
                if (e[i].resource < 0 || e[i].resource >= RLIM_NLIMITS ||
                    resource1_limit_to_rlimit(&e[i].limit, &all[e[i].resource]) < 0)
                        return -EBADMSG;
        return n;
}

/* A small file whole; -errno (-ESRCH for a /proc file that is gone). */
static int read_small(const char *path, char *text, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        size_t k = 0;
        ssize_t n;
        while (k < size - 1 && (n = read(fd, text + k, size - 1 - k)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = errno;
                        close(fd);
                        return -e;
                }
                k += (size_t) n;
        }
        close(fd);
        text[k] = '\0';
        return 0;
}

/* The target's directory in the /proc mounted here, which may be of
 * another pid namespace than resourcectl's (unshare --pid without
 * --mount-proc): the pidfd's fdinfo gives its process's number in that
 * /proc's namespace. Without a pidfd, the number as given. */
static int proc_dir(char buf[static 32]) {
        char path[64], text[1024];
        int pid = (int) target.pid;

        if (target.fd >= 0) {
                snprintf(path, sizeof path, "/proc/self/fdinfo/%d", target.fd);
                int r = read_small(path, text, sizeof text);
                if (r < 0)
                        return r == -ESRCH ? -ENOENT : r;
                const char *p = strstr(text, "\nPid:");
                if (!p || sscanf(p + 6, "%d", &pid) != 1)
                        return -EOPNOTSUPP;
                if (pid <= 0)
                        return -ESRCH;   /* gone, or not in that namespace */
        }
        snprintf(buf, 32, "/proc/%d", pid);
        return 0;
}

int target_proc_dir(char buf[static 32]) {
        return proc_dir(buf);
}

/* /proc/PID/limits (anyone may read it) of the pidfd's process. */
static int proc_list_rlimits(struct rlimit all[static RLIM_NLIMITS]) {
        char dir[32], path[64], text[8192];
        int r = proc_dir(dir);
        if (r < 0)
                return r;
        snprintf(path, sizeof path, "%s/limits", dir);
        r = read_small(path, text, sizeof text);
        if (r < 0)
                return r;
        if (limit_proc_parse(text, all) < 0)
                return -EBADMSG;
        /* Still the process the pidfd names, not a newcomer with its number. */
        if (target.fd >= 0 && syscall(SYS_pidfd_send_signal, target.fd, 0, NULL, 0) < 0 && errno == ESRCH)
                return -ESRCH;
        return 0;
}

/* The target's limits as the kernel shows them to the caller: by
 * prlimit(2) where it lets the caller (its own processes), else from
 * /proc/PID/limits (anyone's, but where hidepid hides it), both checked to
 * be of the pidfd's process; -errno where neither, for the service to say. */
static int local_list_rlimits(struct rlimit all[static RLIM_NLIMITS]) {
        int r = local_read_limits(target.fd, target.pid, all);
        if (r >= 0 || r == -ESRCH || target.fd < 0)
                return r;
        return proc_list_rlimits(all);
}

/* The limits a change keeps ("soft:" keeps the hard one): read here, which
 * saves a round trip to the service before the one that changes them (they
 * may change in between either way), or from the service where the kernel
 * shows them to the caller neither way (hidepid, no pidfd). */
int read_limits_for_change(struct rlimit all[static RLIM_NLIMITS]) {
        if (local_list_rlimits(all) >= 0)
                return EXIT_OK;
        return read_limits(all, false);
}

/* The limits of the target: read here where the kernel shows them to the
 * caller (unless --service), else through the service or, when it cannot
 * be reached and or_proc is set, from /proc/PID/limits after all, said on
 * standard error (under --service it was not tried before). */
int read_limits(struct rlimit all[static RLIM_NLIMITS], bool or_proc) {
        Resource1 *h;
        char name[96];

        if (!arg_service && local_list_rlimits(all) >= 0)
                return EXIT_OK;
        int r = service_get(&h);
        if (r != EXIT_OK)
                return r;
        r = target_list_rlimits(h, all);
        if (r >= 0)
                return EXIT_OK;
        if (!or_proc || exit_status_of(r) != EXIT_UNAVAILABLE)
                return fail(h, r, "cannot read the limits of %s", target_name(name));

        const char *why = r == -ETIMEDOUT ? "it did not answer in time" :
                          resource1_last_error_message(h) ?: strerror(-r);
        int k = proc_list_rlimits(all);
        if (k < 0) {
                fprintf(stderr, "resourcectl: cannot read the limits of %s: the service is unavailable (%s), "
                                "and /proc/%d/limits could not be read: %s\n",
                        target_name(name), why, (int) target.pid, k == -ESRCH ? "no such process" : strerror(-k));
                return k == -ESRCH ? EXIT_NO_PROCESS : EXIT_UNAVAILABLE;
        }
        fprintf(stderr, "resourcectl: the service is unavailable (%s); read /proc/%d/limits instead\n", why,
                (int) target.pid);
        return EXIT_OK;
}
