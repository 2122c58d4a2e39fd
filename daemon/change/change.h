/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "context.h"
#include "rlimits.h"

typedef enum ChangeReply {
        CHANGE_REPLY_NOTHING,   /* SetRlimit */
        CHANGE_REPLY_OLD,       /* Prlimit, PrlimitPidfd: (tt) of the one limit */
        CHANGE_REPLY_OLD_ALL,   /* SetRlimits, SetRlimitsPidfd: a(stt), in the order given */
        CHANGE_REPLY_CAN,       /* CanSetRlimits, CanSetRlimitsPidfd: a dry run, (s a(sss)) */
} ChangeReply;

/* The change pipeline (change.c): SetRlimit, SetRlimits, Prlimit and
 * PrlimitPidfd with "set", SetRlimitsPidfd. All the limits or none: one
 * decision, each polkit action asked at most once, and if the kernel refuses
 * one, those set before it are restored. Returns 1 when it has replied or
 * will reply later, or a negative errno with error set. pid 0 is the
 * caller; pidfd >= 0 names the target instead. With CHANGE_REPLY_CAN it is
 * a dry run (CanSetRlimits): the same steps up to acting, polkit asked
 * without interaction for every action needed, then the answers instead of
 * the act. */
int change_start(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, const ChangeLimit *limits,
                 size_t n_limits, ChangeReply reply, sd_bus_error *error);

/* Watches the bus for callers that leave while their change waits for polkit. */
int changes_attach(Context *c);

/* The daemon stops: every change in progress is answered and freed; checks
 * waiting for polkit are cancelled there too. */
void changes_abort(Context *c, const char *why);
