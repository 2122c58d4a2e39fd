/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "resource1-errors.h"

/* The reply error for a failed system call on a process: ESRCH becomes
 * NoSuchProcess, EPERM a PermissionDenied that names the kernel, anything
 * else Failed with the errno text. Returns the negative errno. */
int error_from_errno(sd_bus_error *error, int r, const char *what);

/* Answers a call whose handling ended with r < 0: with error when one is
 * set, else (or when sending it fails) with the bare errno, as systemd's
 * services do, so that every path answers. Nothing when r >= 0: answered. */
void reply_finish(sd_bus_message *request, int r, const sd_bus_error *error);
