/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

typedef struct Gate Gate;

/* The descriptors a call carries that no argument of it names.
 *
 * sd-bus hands a call's descriptors out only through its "h" arguments, and
 * frees them with the call, on the loop; a *Pidfd call that names none where
 * the interface has its pidfd (another signature, "uh", or an index past
 * those it carries) may still carry one (the bus policy lets one through,
 * and checks no signature). So its number is found in the table instead:
 * gate_sweep() lists every open descriptor whose close may wait that the
 * gate neither made nor knows a call of (gate_close_known()). Read right
 * after the call was received, before the next one is: sd-bus reads one
 * message at a time, up to its end, and the kernel passes a message's
 * descriptors with its first bytes. Nothing is read from the files: the
 * kind comes from /proc/self/fd's link, fcntl(F_GETFL) and a pidfd's own
 * check. */

/* The numbers found, in *ret (malloc'd; NULL when none): their count, or
 * -errno. */
int gate_sweep(Gate *g, int **ret);
