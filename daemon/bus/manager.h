/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "context.h"

/* Puts the object with its vtable on the system bus, and what the handlers
 * need. */
int manager_attach(Context *c);
/* The object with its vtable, and the credentials prefetch, on one more
 * connection (a gate's: the *Pidfd calls it passes on). */
int manager_serve(Context *c, sd_bus *bus, sd_bus_slot **ret_vtable, sd_bus_slot **ret_filter);
/* Answers every call still in progress (changes, usage reads) and frees what
 * manager_attach() set up. */
void manager_done(Context *c);
