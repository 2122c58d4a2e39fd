/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#define RESOURCE1_ERROR_INVALID_RESOURCE  "org.example.Resource1.Error.InvalidResource"
#define RESOURCE1_ERROR_INVALID_LIMITS    "org.example.Resource1.Error.InvalidLimits"
#define RESOURCE1_ERROR_INVALID_WHO       "org.example.Resource1.Error.InvalidWho"
#define RESOURCE1_ERROR_NO_SUCH_PROCESS   "org.example.Resource1.Error.NoSuchProcess"
#define RESOURCE1_ERROR_PERMISSION_DENIED "org.example.Resource1.Error.PermissionDenied"
#define RESOURCE1_ERROR_FAILED            "org.example.Resource1.Error.Failed"

/* Registers the errno <-> name map once, so sd_bus_error_get_errno() and
 * the library agree with the daemon on what each name means. */
int errors_register(void);

/* The reply error for a failed system call on a process: ESRCH becomes
 * NoSuchProcess, EPERM a PermissionDenied that names the kernel, anything
 * else Failed with the errno text. Returns the negative errno. */
int error_from_errno(sd_bus_error *error, int r, const char *what);
