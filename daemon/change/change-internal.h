/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A change in progress, shared by the pipeline (change.c), what it reports
 * (change-report.c) and its check after acting (change-verify.c); nothing
 * else sees it. */

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "act.h"
#include "change.h"
#include "decide.h"
#include "target.h"

typedef enum ChangeState {
        CHANGE_NEW,
        CHANGE_ASKING,   /* waiting for polkit */
        CHANGE_ACTING,   /* waiting for the acting process */
} ChangeState;

typedef struct Change {
        Context *context;
        struct Change *prev, *next;
        ChangeState state;

        sd_bus_message *request;
        Caller caller;
        Target target;
        unsigned n;                  /* limits, each resource at most once, in the caller's order */
        const Resource1Rlimit *resources[RLIM_NLIMITS];
        struct rlimit old[RLIM_NLIMITS], new[RLIM_NLIMITS];
        unsigned order[RLIM_NLIMITS];   /* the order they are applied in: order[k] is an index above */
        unsigned beyond;             /* a dry run's: bit i when limit i is above what the kernel takes from anyone */
        Decision decision;
        ChangeReply reply;

        unsigned granted;            /* AuthAction bits polkit has granted */
        PolkitAnswers polkit;        /* a dry run's: those it answered otherwise (a change stops at the first) */
        AuthAction asking;
        sd_bus_slot *polkit_slot;
        sd_event_source *polkit_deadline;
        char cancel_id[64];

        Acting *acting;
} Change;

/* "setting NOFILE of pid 55 to 400:900", or for several limits "setting
 * NOFILE to 400:900, CORE to 0:0 of pid 55", in the caller's order; "dry run
 * of setting ..." for CanSetRlimits. */
#define DESCRIBE_MAX 1024
void change_describe(const Change *ch, char buf[static DESCRIBE_MAX]);

/* Every refusal of a change in one shape: "<what was asked>: <why>" as the
 * reply error, and the same line in the log at notice, rate-limited per
 * account. Returns the error's negative errno. */
int change_refuse(const Change *ch, sd_bus_error *error, const char *name, const char *format, ...)
        __attribute__((format(printf, 4, 5)));

/* A system call's failure on the target, refused in the same shape; "which"
 * names the limit the kernel refused in a batch ("" for one limit), "after"
 * what became of those set before it. privileged: the daemon made the call
 * itself, with what it holds of CAP_SYS_RESOURCE (then EPERM without the
 * capability is ServiceLacksCapability), not the process acting with the
 * caller's ids (EPERM: PermissionDenied, the caller may not). */
int change_refuse_errno(const Change *ch, sd_bus_error *error, int r, bool privileged, const char *which,
                        const char *after);

/* "uids 1000/1000/1000 gids 100/100/100", for messages. */
void ids_str(const ProcessIds *ids, char buf[static 96]);

/* The reply of a change: nothing, the old limits, or all of them, as the
 * method has it. */
int change_reply(const Change *ch, const struct rlimit old[]);

/* The end of a change carried out: the audit line for each limit and
 * RlimitChanged for each that changed, then the reply. old[] are the limits
 * replaced, as the kernel reported them. */
int change_finish(Change *ch, const struct rlimit old[]);

/* The ids the decision was made on against those of now: 0 when the same,
 * else the refusal; "when" says while what they changed, "outcome" what
 * became of the change (change-verify.c). */
int change_check_ids(const Change *ch, const ProcessIds *now, const char *when, const char *outcome,
                     sd_bus_error *error);

/* A privileged change rested on the target's ids (and, for what polkit
 * granted, on its limits): if any changed while it was made, the change does
 * not stay, and what it set is undone on the held target (change-verify.c).
 * old[] is what the kernel says was replaced, in the caller's order. */
int change_verify(Change *ch, const struct rlimit old[], sd_bus_error *error);

/* The end of a dry run, once polkit answered every action it needs (or none
 * was needed): the answers, as the reply; nothing logged but at debug level,
 * no signal. */
int change_answer(const Change *ch);
