/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "resource1-errors.h"

/* The reply error for a failed system call on a process: ESRCH becomes
 * NoSuchProcess, EPERM a PermissionDenied that names the kernel, anything
 * else Failed with the errno text. Returns the negative errno. */
int error_from_errno(sd_bus_error *error, int r, const char *what);
