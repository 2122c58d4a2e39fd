/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "context.h"

/* Installs on bus (the system bus, or a gate's connection, whose calls name
 * their caller by the sender the gate copied) the filter that holds back a
 * new connection's calls until the system bus said who it is (asked
 * asynchronously); creds_prefetch_done() answers what still waits when the
 * daemon stops. */
int creds_prefetch_attach(Context *c, sd_bus *bus, sd_bus_slot **ret_slot);
/* UnixUserID, ProcessID, UnixGroupIDs (ret_groups NULL and -1 when the
 * bus did not send them) and ProcessFD (borrowed from the reply; -1 when the
 * bus did not send it, as a gate passes it on: gates.h) of
 * GetConnectionCredentials' a{sv}; -ENODATA without a uid or a pid. */
int creds_parse_reply(sd_bus_message *reply, uid_t *ret_uid, pid_t *ret_pid, gid_t **ret_groups,
                      int *ret_n_groups, int *ret_processfd);
/* The caller-pin read for sender is done: its calls are dispatched again. */
void creds_prefetch_pinned(Context *c, const char *sender);
void creds_prefetch_done(Context *c);
