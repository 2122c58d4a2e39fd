/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl explain RESOURCE: where a process's limit comes from, as far
 * as the caller may see (explain.h lists the parts), the kernel's ceiling
 * for it, and what raising it would take. A reading of what the caller can
 * see and of the service's rules: nothing is changed, and polkit is not
 * asked. */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explain.h"
#include "resourcectl.h"

/* The most a limit can be, or can mean, and why. */
static void kernel_ceiling(const Resource1Rlimit *res, ExplainKernel *ret) {
        ExplainKernel k = { .ceiling = UINT64_MAX };
        char text[64];
        uint64_t v;

        switch (res->number) {
        case RLIMIT_NOFILE:
                k.sysctl = "fs.nr_open";
                if (explain_read_file("/proc/sys/fs/nr_open", text, sizeof text) >= 0 &&
                    sscanf(text, "%" SCNu64, &v) == 1) {
                        k.ceiling = v;
                        snprintf(k.note, sizeof k.note,
                                 "the kernel refuses a NOFILE limit above fs.nr_open, to root too");
                } else
                        snprintf(k.note, sizeof k.note, "fs.nr_open bounds it, but /proc/sys/fs/nr_open "
                                 "could not be read");
                break;
        case RLIMIT_NICE:
                k.ceiling = 40;
                snprintf(k.note, sizeof k.note, "40 allows nice -20, the highest priority; more means no more");
                break;
        case RLIMIT_RTPRIO:
                k.ceiling = 99;
                snprintf(k.note, sizeof k.note, "99 is the highest realtime priority; more means no more");
                break;
        case RLIMIT_RSS:
                snprintf(k.note, sizeof k.note, "none; Linux has not enforced RSS since 2.6");
                break;
        case RLIMIT_LOCKS:
                snprintf(k.note, sizeof k.note, "none; Linux has not enforced LOCKS since 2.4.25");
                break;
        case RLIMIT_NPROC:
                if (explain_read_file("/proc/sys/kernel/threads-max", text, sizeof text) >= 0 &&
                    sscanf(text, "%" SCNu64, &v) == 1)
                        snprintf(k.note, sizeof k.note, "none; kernel.threads-max (%" PRIu64 ") bounds the "
                                 "processes and threads of the whole system", v);
                else
                        snprintf(k.note, sizeof k.note, "none; kernel.threads-max bounds the processes and "
                                 "threads of the whole system");
                break;
        default:
                snprintf(k.note, sizeof k.note, "none");
                break;
        }
        *ret = k;
}

/* What raising the limit would take, by the service's rules for a change
 * (the spec's AUTHORIZATION): the one place that says so. polkit's own
 * answer for these actions (a rule's yes, a password, no) is not asked here:
 * a CanSetRlimits call to the service answers that, and belongs here when
 * the service has it. service_can: the service's CanRaiseHardLimits (1, 0),
 * or -1 when it could not be asked. */
static void explain_raise(const ExplainProc *p, const ExplainKernel *k, int service_can, ExplainRaise *ret) {
        ExplainRaise r = { .caller_uid = geteuid(), .service_can = service_can };
        struct passwd *pw = getpwuid(r.caller_uid);
        gid_t primary = pw ? pw->pw_gid : getegid();

        r.owner = true;
        for (int i = 0; i < 3; i++)
                r.owner = r.owner && p->uid[i] == r.caller_uid && p->gid[i] == primary;
        r.soft_to = p->limit.hard;
        r.hard_room = p->limit.hard < k->ceiling;
        r.hard_to = k->ceiling;
        if (r.caller_uid != 0) {
                /* uid 0 is allowed whatever the kernel allows root: polkit is not asked. */
                if (!r.owner)
                        r.soft_actions[r.n_soft_actions++] = ACTION_MANAGE_OTHER;
                r.hard_actions[r.n_hard_actions++] = ACTION_RAISE_HARD;
                if (!r.owner)
                        r.hard_actions[r.n_hard_actions++] = ACTION_MANAGE_OTHER;
        }
        *ret = r;
}

#define EXPLAIN_USAGE "'explain' takes one RESOURCE, e.g. 'resourcectl explain NOFILE'"

int verb_explain(char **argv, size_t argc) {
        _cleanup_(freep) Explain *e = calloc(1, sizeof *e);
        char dir[32], name[96];
        Resource1 *h;
        bool can;
        int r;

        if (!e)
                return usage_error("out of memory");
        if (argc != 1)
                return syntax_error(EXPLAIN_USAGE);
        if (arg_n_resources > 0)
                return syntax_error("'explain' takes its RESOURCE as an argument, not as --%s",
                                    lowercase(arg_resources[0].res->name, (char[16]) {}));
        r = resource_arg(argv[0], &e->res);
        if (r != EXIT_OK)
                return r;
        r = target_choose(false, false);
        if (r != EXIT_OK)
                return r;
        target_note("Explaining", false);
        e->pid = target.pid;

        r = target_proc_dir(dir);
        if (r >= 0)
                r = explain_chain_read(dir, e->res->number, &e->chain);
        if (r == -ESRCH || r == -ENOENT || r == -EACCES) {
                /* What /proc does not show the caller is as if it did not exist. */
                fprintf(stderr, "resourcectl: pid %d: no such process, or not visible to you\n", e->pid);
                return EXIT_NO_PROCESS;
        }
        if (r < 0) {
                fprintf(stderr, "resourcectl: cannot read %s from /proc: %s\n", target_name(name), strerror(-r));
                return EXIT_ERROR;
        }
        const ExplainProc *p = &e->chain.procs[0];
        struct passwd *pw = getpwuid(p->uid[0]);
        if (pw)
                EXPLAIN_COPY(e->user, pw->pw_name);

        r = explain_systemd(dir, e->res, &e->systemd);
        if (r >= 0)
                r = explain_pam(p->uid[0], e->res, &e->pam);
        if (r < 0) {
                fprintf(stderr, "resourcectl: cannot explain %s: %s\n", target_name(name), strerror(-r));
                return EXIT_ERROR;
        }
        kernel_ceiling(e->res, &e->kernel);
        /* Without the service (or its library), whether it could is
         * unknown; not a failure of explain's. */
        r = service_get_quiet(&h) >= 0 ? resource1_get_can_raise_hard_limits(h, &can) : -ELIBACC;
        explain_raise(p, &e->kernel, r < 0 ? -1 : can, &e->raise);

        if (arg_json != JSON_OFF)
                explain_print_json(e);
        else
                explain_print_text(e);
        return EXIT_OK;
}
