/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "context.h"

/* GetRusage (pid, 0: the caller) and GetRusagePidfd (pidfd >= 0). For
 * "thread" the pid or pidfd names a thread (pid 0: the caller's main thread);
 * for the rest, a thread names its process. Returns 1 when the call will be
 * (or was) answered, or a negative errno with error set. */
int usage_start(Context *c, sd_bus_message *m, uint32_t pid, int pidfd, const char *who_name,
                sd_bus_error *error);
