/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "context.h"

/* The change pipeline (change.c): SetRlimit, Prlimit and PrlimitPidfd with
 * "set". Returns 1 when it has replied or will reply later, or a negative
 * errno with error set. pid 0 is the caller; pidfd >= 0 names the target
 * instead. reply_old: reply with the limits replaced (Prlimit*), or nothing. */
int change_start(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, const char *resource,
                 uint64_t soft, uint64_t hard, bool reply_old, sd_bus_error *error);

/* Watches the bus for callers that leave while their change waits for polkit. */
int changes_attach(Context *c);

/* The daemon stops: every change in progress is answered and freed; checks
 * waiting for polkit are cancelled there too. */
void changes_abort(Context *c, const char *why);
