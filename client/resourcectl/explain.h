/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* resourcectl explain: where a process's limit comes from, as far as the
 * caller may see. What the parts gather, each in its file:
 *   explain-proc.c     the process and its ancestors, from /proc
 *   explain-pam.c      the pam_limits lines that apply to its user
 *   explain-systemd.c  its systemd unit and manager, over D-Bus
 *   resourcectl-explain.c  the kernel's ceiling, what raising it takes (asked
 *                      of the service), the command
 *   explain-output.c   its output (text and --json)
 * Everything is read as the caller: /proc hides what it hides (hidepid=), and
 * what cannot be read is said, never guessed. The --json keys are documented
 * in resourcectl(1), and the Python package's explain() returns the same. */

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "resource1-names.h"

#define EXPLAIN_MAX_CHAIN 128

/* src in dst, cut to what fits: the fields shown are at most that long. */
static inline void explain_copy(char *dst, size_t size, const char *src) {
        size_t n = strnlen(src, size - 1);
        memcpy(dst, src, n);
        dst[n] = '\0';
}
#define EXPLAIN_COPY(dst, src) explain_copy((dst), sizeof (dst), (src))

static inline void freep(void *p) {
        free(*(void **) p);
}
static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

typedef struct ExplainLimit {
        bool known;
        uint64_t soft, hard;
} ExplainLimit;

static inline bool explain_limit_equal(const ExplainLimit *a, const ExplainLimit *b) {
        return a->known && b->known && a->soft == b->soft && a->hard == b->hard;
}

/* One process of the chain, as /proc shows it to the caller. */
typedef struct ExplainProc {
        int pid;                 /* as the /proc mounted here numbers it */
        bool visible;            /* its status and limits could be read */
        char comm[64];
        uid_t uid[4];            /* real, effective, saved, filesystem */
        gid_t gid[4];
        int ppid;                /* 0: none (pid 1, or a parent outside this pid namespace) */
        unsigned long long starttime;
        ExplainLimit limit;
} ExplainProc;

typedef enum ChainEnd {
        CHAIN_END_TOP,           /* reached a process without a parent (pid 1) */
        CHAIN_END_HIDDEN,        /* the next ancestor is not visible to the caller */
        CHAIN_END_EXITED,        /* the next ancestor exited while it was read */
        CHAIN_END_TRUNCATED,     /* EXPLAIN_MAX_CHAIN processes shown */
} ChainEnd;

typedef struct ExplainChain {
        ExplainProc procs[EXPLAIN_MAX_CHAIN];   /* [0] is the process itself */
        size_t n;                /* visible ones; a hidden parent is procs[n] with visible false */
        bool hidden_parent;      /* procs[n] names the ancestor that is not visible */
        ChainEnd end;
        /* Where the value came from: the nearest process of the chain whose
         * limit differs from its parent's (it set it, or was started with
         * it); or, when none differs up to pid 1, pid 1 itself; -1 when the
         * chain ends before either could be seen. An index into procs. */
        int changed_at;
} ExplainChain;

/* proc_dir: the process's directory in /proc ("/proc/42"). */
int explain_chain_read(const char *proc_dir, int resource, ExplainChain *ret);
/* A /proc (or sysctl) file whole, at most size - 1 bytes; -errno. */
int explain_read_file(const char *path, char *buf, size_t size);

/* ---- pam_limits (explain-pam.c) ---- */

typedef struct PamLine {
        char file[128];
        unsigned line;
        char domain[64], type[16], item[16], value[32];
        bool sets_soft, sets_hard;     /* its value is the one pam_limits ends with */
        const char *ignored;           /* why it has no effect, or NULL */
} PamLine;

#define PAM_MAX_LINES 64
#define PAM_MAX_FILES 64

typedef struct PamResult {
        char user[64];                 /* "": the uid has no user name, and no PAM login can be it */
        bool supported;                /* pam_limits knows this resource (not RTTIME) */
        char files[PAM_MAX_FILES][128];
        size_t n_files;
        char error[256];               /* a file that could not be read, or "" */
        PamLine lines[PAM_MAX_LINES];  /* the lines about this resource that match the user */
        size_t n_lines;
        bool more_lines;               /* more than PAM_MAX_LINES matched */
        bool no_limits;                /* a "<domain> -" line names the user: pam_limits sets nothing */
        PamLine no_limits_line;        /* that line (file, line, domain) */
        ExplainLimit base;             /* where pam_limits starts (Debian: pid 1's limits) */
        const char *base_from;         /* "pid 1", "defaults" (Debian's built-in ones), or NULL */
        bool has_soft, has_hard;       /* pam_limits sets that side, to a value known here */
        bool soft_from_base, hard_from_base;   /* no line set that side: base's */
        uint64_t soft, hard;
        char services[16][64];         /* /etc/pam.d files whose session stack runs pam_limits */
        size_t n_services;
} PamResult;

/* What pam_limits (Debian's 1.5.2) sets for resource at a login of the user
 * with that uid: every line of /etc/security/limits.conf, then of
 * /etc/security/limits.d/<*>.conf in C order. */
int explain_pam(uid_t uid, const Resource1Rlimit *res, PamResult *ret);

/* ---- systemd (explain-systemd.c) ---- */

typedef struct SystemdUnit {
        char manager[8];               /* "system" or "user" */
        uid_t uid;                     /* the user manager's uid */
        char unit[256];
        bool has_limit;                /* the unit type has Limit*= (a scope has none) */
        ExplainLimit limit;            /* the unit's LimitXXX= (soft from LimitXXXSoft) */
        ExplainLimit dflt;             /* the manager's DefaultLimitXXX= */
        char error[256];               /* why the manager could not be asked, or "" */
} SystemdUnit;

typedef struct SystemdResult {
        bool running;                  /* systemd is the init system (sd_booted()) */
        char note[256];                /* why nothing is shown, or "" */
        char cgroup[512];
        SystemdUnit units[2];          /* the system manager's unit, then the user manager's */
        size_t n_units;
} SystemdResult;

int explain_systemd(const char *proc_dir, const Resource1Rlimit *res, SystemdResult *ret);

/* ---- the kernel's ceiling and what raising takes (resourcectl-explain.c) ---- */

typedef struct ExplainKernel {
        uint64_t ceiling;              /* the most the limit can be or mean; UINT64_MAX: none */
        const char *sysctl;            /* the setting it comes from, or NULL */
        char note[192];
} ExplainKernel;

/* One side of a raise (the soft limit up to the hard one, or the hard one
 * up to the kernel's ceiling or --to), asked of the service as one
 * CanSetRlimits request of that one limit, alone, as the service's answer
 * for it alone (a batch's answer may differ: the spec's CanSetRlimits). */
typedef struct ExplainAsk {
        bool asked;                    /* false: nothing to raise on this side */
        uint64_t to;                   /* the side's value asked for */
        uint64_t soft, hard;           /* the request: the limit it would set */
        int answer;                    /* a Resource1Answer, or -1: no answer (error says why) */
        char action[128];              /* the polkit action that decided it, "" when none did */
        char error[128];               /* "unreachable", the service's error name, or "" */
        char reason[256];              /* the error's words, for people */
} ExplainAsk;

/* What raising the limit would take: the service's own answers. */
typedef struct ExplainRaise {
        uid_t caller_uid;
        bool to_given;                 /* --to was given: the raise is up to to */
        uint64_t to;
        ExplainAsk soft, hard;
} ExplainRaise;

typedef struct Explain {
        const Resource1Rlimit *res;
        int pid;                       /* as resourcectl's namespace numbers it */
        char user[64];                 /* the name of the process's real uid, or "" */
        ExplainChain chain;
        SystemdResult systemd;
        PamResult pam;
        ExplainKernel kernel;
        ExplainRaise raise;
} Explain;

/* explain-output.c */
void explain_print_text(const Explain *e);
void explain_print_json(const Explain *e);
