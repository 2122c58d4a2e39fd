/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "context.h"

/* Puts the object with its vtable on the bus, and what the handlers need. */
int manager_attach(Context *c);
/* Answers every call still in progress (changes, usage reads) and frees what
 * manager_attach() set up. */
void manager_done(Context *c);
