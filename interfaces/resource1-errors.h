/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "resource1-bus.h"

/* The bus error names of org.example.Resource1 with their errno values, for
 * sd_bus_error_add_map(): one map for the daemon and the library, so both
 * read a name as the same errno. InvalidResource, InvalidLimits and
 * InvalidWho are EINVAL, NoSuchProcess ESRCH, PermissionDenied EPERM, Failed
 * EIO, LimitsExceeded EAGAIN, OtherPidNamespace EXDEV,
 * ServiceLacksCapability ENOKEY (no other name, nor sd-bus or the library
 * on the caller's side, gives it: libresource1(3) says why this one), and
 * the bus's InteractiveAuthorizationRequired EACCES. */
extern const sd_bus_error_map resource1_error_map[];
