/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "context.h"

/* Installs on bus (the system bus, or a gate's connection, whose calls name
 * their caller by the sender the gate copied) the filter that holds back a
 * new connection's calls until the system bus said who it is (asked
 * asynchronously); creds_prefetch_done() answers what still waits when the
 * daemon stops. */
int creds_prefetch_attach(Context *c, sd_bus *bus, sd_bus_slot **ret_slot);
void creds_prefetch_done(Context *c);
