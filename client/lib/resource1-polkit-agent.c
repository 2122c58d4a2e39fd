/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: polkit's text authentication agent for this process, started
 * the way systemd's tools start it (systemctl, busctl: pkttyagent
 * --notify-fd, --fallback, only on a terminal, never for root). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <systemd/sd-login.h>

#include "resource1-pidfd.h"
#include "resource1-polkit-agent.h"

#define AGENT "pkttyagent"
/* pkttyagent registers within milliseconds; a slow machine gets longer. */
#define AGENT_REGISTER_TIMEOUT_MS 10000

extern char *program_invocation_short_name;

/* The agent's path in PATH (as execvp would find it), in buf. */
static bool in_path(const char *name, char *buf, size_t size) {
        const char *path = getenv("PATH");
        if (!path || !*path)
                path = "/usr/local/bin:/usr/bin:/bin";
        while (*path) {
                size_t n = strcspn(path, ":");
                if (n > 0 && snprintf(buf, size, "%.*s/%s", (int) n, path, name) < (int) size &&
                    access(buf, X_OK) == 0)
                        return true;
                path += n;
                if (*path == ':')
                        path++;
        }
        return false;
}

/* In the child, before exec: what the program set for its own signals is
 * not the agent's (a blocked or ignored SIGTERM would keep it from stopping). */
static void reset_signals(void) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void) signal(sig, SIG_DFL);
}

/* In the child, before exec: only the standard three and keep reach the
 * agent. The program's other descriptors, which it may have opened with a
 * privilege or for itself alone (a score file, a socket) without O_CLOEXEC,
 * are not the agent's. Safe after fork(): system calls only. */
static void cloexec_all_but(int keep, long max) {
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                for (int fd = 3; fd < max; fd++)
                        (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
        (void) fcntl(keep, F_SETFD, 0);
}

/* Whether the program runs with what its user could not do alone: started
 * setuid, setgid or with file capabilities (AT_SECURE), or with its real
 * and effective ids apart. Then PATH, and all of the environment, are the
 * user's to choose, and the agent would run what they name with the
 * program's privilege. */
static bool privileged_program(void) {
        return getauxval(AT_SECURE) != 0 || getuid() != geteuid() || getgid() != getegid();
}

void polkit_agent_open(PolkitAgent *a) {
        char path[4096], fd[16];

        *a = POLKIT_AGENT_INIT;
        a->state = POLKIT_AGENT_NO_TTY;

        char *session = NULL;
        if (sd_pid_get_session(0, &session) >= 0 && session) {
                snprintf(a->session, sizeof a->session, "%s", session);
                free(session);
        }

        if (!isatty(STDIN_FILENO))
                return;
        if (geteuid() == 0) {
                a->state = POLKIT_AGENT_ROOT;
                return;
        }
        if (privileged_program()) {
                a->state = POLKIT_AGENT_SETID;
                return;
        }
        if (!in_path(AGENT, path, sizeof path)) {
                a->state = POLKIT_AGENT_MISSING;
                return;
        }

        int p[2];
        a->state = POLKIT_AGENT_SPAWN_FAILED;
        if (pipe2(p, O_CLOEXEC) < 0) {
                a->status = errno;
                return;
        }
        /* polkit asks an agent registered for a process (here, this one: its
         * parent) only as a fallback when it finds none for the process's
         * session, and not at all when the process is in no session; so
         * outside a session the agent registers as the first choice. */
        a->fallback = a->session[0] != '\0';
        snprintf(fd, sizeof fd, "%d", p[1]);
        char *argv[] = { (char *) AGENT, (char *) "--notify-fd", fd, a->fallback ? (char *) "--fallback" : NULL, NULL };

        long max = sysconf(_SC_OPEN_MAX);
        max = max > 0 && max < 65536 ? max : 65536;

        /* Everything the child needs is ready: it only calls what is safe
         * after fork() in a program with threads. */
        pid_t pid = fork();
        if (pid < 0) {
                a->status = errno;
                close(p[0]), close(p[1]);
                return;
        }
        if (pid == 0) {
                reset_signals();
                /* The child's copy of the write end, without O_CLOEXEC: the
                 * agent inherits it, and of the rest only 0, 1 and 2. */
                cloexec_all_but(p[1], max);
                execv(path, argv);
                _exit(127);
        }
        close(p[1]);
        a->pid = pid;
        /* Held so that stopping it can never signal another process, should
         * the program reap it first (a waitpid(-1) of its own). */
        a->pidfd = resource1_pidfd_open(pid, false);
        a->state = POLKIT_AGENT_RUNNING;
        /* It closes the fd once registered, or exits (closing it) when it cannot. */
        struct pollfd pfd = { .fd = p[0], .events = POLLIN };
        while (poll(&pfd, 1, AGENT_REGISTER_TIMEOUT_MS) < 0 && errno == EINTR)
                ;
        close(p[0]);
}

/* Reaps it if it has exited (waiting at most until then when wait is set). */
static bool agent_reaped(PolkitAgent *a, bool wait) {
        int status;
        pid_t r;
        while ((r = waitpid(a->pid, &status, wait ? 0 : WNOHANG)) < 0 && errno == EINTR)
                ;
        if (r == 0)
                return false;
        if (r == a->pid) {
                a->state = POLKIT_AGENT_EXITED;
                a->status = status;
        }
        /* else ECHILD: reaped by the program; gone either way. */
        a->pid = 0;
        if (a->pidfd >= 0)
                close(a->pidfd);
        a->pidfd = -1;
        return true;
}

bool polkit_agent_running(PolkitAgent *a) {
        return a->pid > 0 && !agent_reaped(a, false);
}

void polkit_agent_close(PolkitAgent *a) {
        if (a->pid <= 0 || agent_reaped(a, false))
                return;
        if (a->pidfd >= 0)
                (void) syscall(SYS_pidfd_send_signal, a->pidfd, SIGTERM, NULL, 0);
        else
                (void) kill(a->pid, SIGTERM);
        PolkitAgentState was = a->state;
        (void) agent_reaped(a, true);
        a->state = was;   /* stopped by us: it was running during the call */
}

const char *polkit_agent_why(const PolkitAgent *a, char *buf, size_t size) {
        const char *me = program_invocation_short_name;

        switch (a->state) {
        case POLKIT_AGENT_NO_TTY:
                if (a->session[0])
                        snprintf(buf, size, "no authentication agent answered: standard input is not a terminal, "
                                            "so %s started none, and no agent of login session %s took "
                                            "the request", me, a->session);
                else
                        snprintf(buf, size, "no authentication agent answered: standard input is not a terminal, "
                                            "so %s started none, and it is in no login session, whose "
                                            "agent polkit could have asked", me);
                break;
        case POLKIT_AGENT_ROOT:
                snprintf(buf, size, "%s runs as root, for which it starts no agent", me);
                break;
        case POLKIT_AGENT_SETID:
                snprintf(buf, size, "%s runs with privileges its user does not have (setuid, setgid or "
                                    "file capabilities), for which it starts no agent from the user's PATH", me);
                break;
        case POLKIT_AGENT_MISSING:
                snprintf(buf, size, "pkttyagent, polkit's text authentication agent, is not installed "
                                    "(it is in polkit's package, polkitd on Debian)");
                break;
        case POLKIT_AGENT_SPAWN_FAILED:
                snprintf(buf, size, "pkttyagent could not be started: %s", strerror(a->status));
                break;
        case POLKIT_AGENT_EXITED:
                if (WIFEXITED(a->status))
                        snprintf(buf, size, "pkttyagent could not register as an authentication agent "
                                            "(it exited with status %d; its message, if any, is above)",
                                 WEXITSTATUS(a->status));
                else
                        snprintf(buf, size, "pkttyagent was killed by signal %d before it could ask",
                                 WTERMSIG(a->status));
                break;
        case POLKIT_AGENT_RUNNING:
                if (a->session[0])
                        snprintf(buf, size, "polkit did not ask the agent %s started, nor another agent "
                                            "of login session %s", me, a->session);
                else
                        snprintf(buf, size, "polkit did not ask the agent %s started for its process "
                                            "(which is in no login session)", me);
                break;
        default:
                snprintf(buf, size, "no authentication agent was asked");
                break;
        }
        return buf;
}
