/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "resource1-names.h"

/* The bus error names of org.example.Resource1 with their errno values, for
 * sd_bus_error_add_map(): one map for the daemon and the library, so both
 * read a name as the same errno. InvalidResource, InvalidLimits and
 * InvalidWho are EINVAL, NoSuchProcess ESRCH, PermissionDenied EPERM, Failed
 * EIO, LimitsExceeded EAGAIN, OtherPidNamespace EXDEV, and the bus's
 * InteractiveAuthorizationRequired EACCES. */
extern const sd_bus_error_map resource1_error_map[];

/* The negative errno libresource1 returns for a call that failed with error
 * (what the bus or the service answered; its name is NULL, or sd-bus's
 * "System.Error.*" form of r, for a failure on this side) and r (the negative
 * errno sd-bus returned). timed_out: the call's own deadline had passed. Reads
 * the map above without registering it (sd_bus_error_add_map() is process-wide
 * and not thread-safe), and gives every errno one meaning (libresource1(3)):
 * the service's names as in the map; the bus's NoReply past the deadline,
 * Timeout and TimedOut -ETIMEDOUT; NoReply before it and Disconnected
 * -ECONNRESET; ServiceUnknown, NameHasNoOwner, NoServer and Spawn.*
 * -ECONNREFUSED; UnknownMethod, UnknownInterface, UnknownObject and
 * UnknownProperty -EOPNOTSUPP; NoMemory -ENOMEM; InconsistentMessage -EBADMSG;
 * any other name (AccessDenied, Failed, InvalidArgs, ...) -EPROTO. A failure
 * on this side keeps its errno (a lost connection -ECONNRESET), except those
 * the service's names stand for, which become -EPROTO. */
int resource1_client_errno(const sd_bus_error *error, int r, bool timed_out);
