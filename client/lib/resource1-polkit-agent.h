/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libresource1's polkit text agent: pkttyagent, started for this process
 * only when a call needs authentication and a person at a terminal can give
 * it (resource1_set_polkit_agent()). Not exported. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef enum PolkitAgentState {
        POLKIT_AGENT_NOT_TRIED,   /* never needed */
        POLKIT_AGENT_NO_TTY,      /* standard input is not a terminal: nobody to ask */
        POLKIT_AGENT_ROOT,        /* root: polkit is not asked for root's calls */
        POLKIT_AGENT_SETID,       /* setuid, setgid or otherwise privileged: PATH is the user's */
        POLKIT_AGENT_MISSING,     /* no pkttyagent in PATH */
        POLKIT_AGENT_SPAWN_FAILED,
        POLKIT_AGENT_RUNNING,     /* registered (or at least running) during the call */
        POLKIT_AGENT_EXITED,      /* it exited before or during the call: it could not register */
} PolkitAgentState;

typedef struct PolkitAgent {
        PolkitAgentState state;
        pid_t pid;
        int pidfd;                /* the agent's pidfd, -1 where the kernel gives none */
        int status;               /* wait status (EXITED), or errno (SPAWN_FAILED) */
        bool fallback;            /* registered with --fallback (a session's own agent comes first) */
        char session[64];         /* the logind session of this process, "" for none */
} PolkitAgent;

#define POLKIT_AGENT_INIT ((PolkitAgent) { .state = POLKIT_AGENT_NOT_TRIED, .pidfd = -1 })

/* Starts pkttyagent for this process, when standard input is a terminal,
 * the user is not root and the program runs with no privilege its user lacks
 * (not setuid, setgid or with file capabilities: the agent is found in the
 * user's PATH), with no descriptor of the program's but the standard three
 * and the notify fd, and waits (boundedly) until it has registered:
 * "pkttyagent --notify-fd N --fallback" inside a logind session (the
 * session's own agent, a desktop's, comes first), without --fallback outside
 * one (polkit uses a fallback agent only through a session). */
void polkit_agent_open(PolkitAgent *a);

/* Whether it is still running (after polkit_agent_open(): it registered, or
 * is still trying); notes its exit otherwise. */
bool polkit_agent_running(PolkitAgent *a);

/* Stops it; notes whether it had exited by itself before (it could not
 * register: its message, if any, is on the terminal). */
void polkit_agent_close(PolkitAgent *a);

/* Why no agent answered a challenge, as the end of a sentence ("...needs
 * authentication, but <this>"), naming the program. */
const char *polkit_agent_why(const PolkitAgent *a, char *buf, size_t size);
