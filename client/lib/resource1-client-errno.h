/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>

/* libresource1's own (resourcectl and the library's unit test link it too),
 * beside the map of the bus contract it reads.
 *
 * The negative errno libresource1 returns for a call that failed with error
 * (what the bus or the service answered; its name is NULL, or sd-bus's
 * "System.Error.*" form of r, for a failure on this side) and r (the negative
 * errno sd-bus returned). timed_out: the call's own deadline had passed. Reads
 * resource1_error_map (resource1-errors.h) without registering it (sd_bus_error_add_map() is process-wide
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
