/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

typedef struct Context Context;

/* The gate processes (resource1d-gate, gate.c): the only part of the service
 * that takes callers' descriptors. The daemon starts one, serves the calls
 * it passes on over a private connection (the same vtable, the caller named
 * by the sender the gate copies from the bus), pings it, and starts a fresh
 * one when it retires (a caller passed it a descriptor it must not close
 * while serving) or stops answering. A retired gate may stay, closing such a
 * descriptor, for as long as its sender likes: at most GATES_MAX gate
 * processes live at once; past that the *Pidfd methods are unavailable
 * until one ends, and the log says whose descriptors hold them. */
#define GATES_MAX 8u

/* Starts the first gate; "ready" is called once it owns its name, or once it
 * could not be had (then with false): the daemon asks for its own name only
 * after that, so that both are there when its own appears. */
int gates_start(Context *c, void (*ready)(Context *c, bool ok));
void gates_done(Context *c);
