/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl explain RESOURCE: where a process's limit comes from, as far
 * as the caller may see (explain.h lists the parts), the kernel's ceiling
 * for it, and what raising it would take, asked of the service
 * (CanSetRlimits): nothing is changed, and nobody is asked for a password.
 * Without the service, all but the last is shown, and that it could not be
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

/* Why the service gave no answer, in the --json words the Python package
 * uses too: "unreachable" when it could not be asked (no bus, no service,
 * no answer in time, the connection lost), else its error's name. */
static void ask_failed(Resource1 *h, int r, ExplainAsk *a) {
        const char *name = resource1_last_error_name(h), *msg = resource1_last_error_message(h);

        if (r == -ECONNREFUSED || r == -ETIMEDOUT || r == -ECONNRESET)
                EXPLAIN_COPY(a->error, "unreachable");
        else
                EXPLAIN_COPY(a->error, name ?: "failed");
        if (r == -ETIMEDOUT)
                EXPLAIN_COPY(a->reason, "it did not answer in time");
        else
                EXPLAIN_COPY(a->reason, msg ?: strerror(-r));
}

/* One side's question: what setting the resource of the target to
 * soft:hard would meet now (CanSetRlimits, the pidfd form where resourcectl
 * holds one), nothing changed, nobody asked for a password. */
static void ask(const Resource1Rlimit *res, uint64_t to, uint64_t soft, uint64_t hard, ExplainAsk *a) {
        Resource1LimitAnswer per_limit[1];
        struct rlimit want = { .rlim_cur = soft, .rlim_max = hard };
        int resources[1] = { res->number };
        Resource1 *h;

        *a = (ExplainAsk) { .asked = true, .to = to, .soft = soft, .hard = hard, .answer = -1 };
        int r = service_get_quiet(&h);
        if (r < 0) {
                /* resourcectl loads the library only when the service is
                 * asked: without it the service cannot be asked at all. */
                EXPLAIN_COPY(a->error, "unreachable");
                EXPLAIN_COPY(a->reason, library_error() ?: strerror(-r));
                return;
        }
        r = request_can_set(h, target.fd, target.pid, resources, &want, 1, per_limit);
        if (r < 0) {
                ask_failed(h, r, a);
                return;
        }
        a->answer = (int) per_limit[0].answer;
        EXPLAIN_COPY(a->action, per_limit[0].action);
}

/* What raising the limit would take, as the service answers it, each side
 * asked alone: the soft limit up to the hard one (or to --to, when that is
 * lower), keeping the hard one; the hard one up to --to, or else to the
 * kernel's ceiling (infinity where there is none), keeping the soft one. A
 * side already there is not asked. */
static void explain_raise(const Resource1Rlimit *res, const ExplainProc *p, const ExplainKernel *k,
                          bool to_given, uint64_t to, ExplainRaise *ret) {
        ExplainRaise r = { .caller_uid = geteuid(), .to_given = to_given, .to = to };
        uint64_t soft_to = to_given && to < p->limit.hard ? to : p->limit.hard;
        uint64_t hard_to = to_given ? to : k->ceiling;

        if (p->limit.soft < soft_to)
                ask(res, soft_to, soft_to, p->limit.hard, &r.soft);
        if (p->limit.hard < hard_to)
                ask(res, hard_to, p->limit.soft, hard_to, &r.hard);
        *ret = r;
}

#define EXPLAIN_USAGE "'explain' takes one RESOURCE, e.g. 'resourcectl explain NOFILE'"

int verb_explain(char **argv, size_t argc) {
        _cleanup_(freep) Explain *e = calloc(1, sizeof *e);
        char dir[32], name[96];
        uint64_t to = 0;
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
        if (arg_to) {
                const char *why;
                if (limit_value_parse(arg_to, e->res->unit, &to, &why) < 0)
                        return usage_error("invalid --to '%s' for %s: %s", arg_to, e->res->name, why);
        }
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
        explain_raise(e->res, p, &e->kernel, arg_to != NULL, to, &e->raise);

        if (arg_json != JSON_OFF)
                explain_print_json(e);
        else
                explain_print_text(e);
        return EXIT_OK;
}
