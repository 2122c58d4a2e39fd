/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* Asks polkitd, without blocking, whether the sender of "request" may do
 * action_id. details is a NULL-terminated key, value, key, value... list.
 * AllowUserInteraction is passed only when the request allows interactive
 * authorization. "callback" receives polkitd's reply (or the error), which
 * polkit_verdict() turns into a decision. */
int polkit_check_async(sd_bus *bus, sd_bus_message *request, const char *action_id,
                       const char *const *details, sd_bus_message_handler_t callback,
                       void *userdata, sd_bus_slot **ret_slot);

/* 0 when authorized; otherwise sets error and returns a negative errno:
 * not authorized gives PermissionDenied, a challenge gives
 * InteractiveAuthorizationRequired, and any failure to ask (polkitd absent,
 * an error reply, a malformed reply) PermissionDenied naming the failure:
 * fail closed. */
/* what: the change asked for, to begin the error message with. */
int polkit_verdict(sd_bus_message *reply, const char *action_id, const char *what, sd_bus_error *error);
