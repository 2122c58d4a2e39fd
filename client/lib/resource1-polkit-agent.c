/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <systemd/sd-login.h>

#include "resource1-polkit-agent.h"

#define AGENT "pkttyagent"
/* pkttyagent registers within milliseconds; a slow machine gets longer. */
#define AGENT_REGISTER_TIMEOUT_MS 10000

static bool in_path(const char *name) {
        const char *path = getenv("PATH");
        if (!path || !*path)
                path = "/usr/local/bin:/usr/bin:/bin";
        while (*path) {
                size_t n = strcspn(path, ":");
                char file[4096];
                if (n > 0 && snprintf(file, sizeof file, "%.*s/%s", (int) n, path, name) < (int) sizeof file &&
                    access(file, X_OK) == 0)
                        return true;
                path += n;
                if (*path == ':')
                        path++;
        }
        return false;
}

void polkit_agent_open(PolkitAgent *a) {
        *a = (PolkitAgent) { .state = POLKIT_AGENT_NO_TTY };

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
        if (!in_path(AGENT)) {
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
        pid_t pid = fork();
        if (pid < 0) {
                a->status = errno;
                close(p[0]), close(p[1]);
                return;
        }
        if (pid == 0) {
                char fd[16];
                int keep = dup(p[1]);   /* without O_CLOEXEC: the agent inherits it */
                snprintf(fd, sizeof fd, "%d", keep);
                if (a->fallback)
                        execlp(AGENT, AGENT, "--notify-fd", fd, "--fallback", NULL);
                else
                        execlp(AGENT, AGENT, "--notify-fd", fd, NULL);
                _exit(127);
        }
        close(p[1]);
        a->pid = pid;
        a->state = POLKIT_AGENT_RUNNING;
        /* It closes the fd once registered, or exits (closing it) when it cannot. */
        struct pollfd pfd = { .fd = p[0], .events = POLLIN };
        while (poll(&pfd, 1, AGENT_REGISTER_TIMEOUT_MS) < 0 && errno == EINTR)
                ;
        close(p[0]);
}

void polkit_agent_close(PolkitAgent *a) {
        if (a->pid <= 0)
                return;
        int status;
        pid_t r = waitpid(a->pid, &status, WNOHANG);
        if (r == a->pid) {
                a->state = POLKIT_AGENT_EXITED;
                a->status = status;
        } else {
                kill(a->pid, SIGTERM);
                while (waitpid(a->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        a->pid = 0;
}

const char *polkit_agent_why(const PolkitAgent *a, bool asked, char *buf, size_t size) {
        if (!asked) {
                snprintf(buf, size, "--no-ask-password forbids asking");
                return buf;
        }
        switch (a->state) {
        case POLKIT_AGENT_NO_TTY:
                if (a->session[0])
                        snprintf(buf, size, "no authentication agent answered: standard input is not a terminal, "
                                            "so resourcectl started none, and no agent of login session %s took "
                                            "the request", a->session);
                else
                        snprintf(buf, size, "no authentication agent answered: standard input is not a terminal, "
                                            "so resourcectl started none, and it is in no login session, whose "
                                            "agent polkit could have asked");
                break;
        case POLKIT_AGENT_ROOT:
                snprintf(buf, size, "resourcectl runs as root, for which it starts no agent");
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
                        snprintf(buf, size, "polkit did not ask the agent resourcectl started, nor another agent "
                                            "of login session %s", a->session);
                else
                        snprintf(buf, size, "polkit did not ask the agent resourcectl started for its process "
                                            "(which is in no login session)");
                break;
        default:
                snprintf(buf, size, "no authentication agent was asked");
                break;
        }
        return buf;
}
