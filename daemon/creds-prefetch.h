/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "context.h"

/* Installs the filter that holds back a new connection's calls until the
 * bus said who it is (asked asynchronously), and answers what still waits
 * when the daemon stops. */
int creds_prefetch_attach(Context *c);
/* The caller-pin read for sender is done: its calls are dispatched again. */
void creds_prefetch_pinned(Context *c, const char *sender);
void creds_prefetch_done(Context *c);
