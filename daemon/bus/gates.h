/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

typedef struct Context Context;

/* The gate processes (resource1d-gate.c): the only part of the service
 * that takes callers' descriptors. The daemon starts one, serves the calls
 * it passes on over a private connection (the same vtable, the caller named
 * by the sender the gate copies from the bus), pings it, and starts a fresh
 * one when it asks to retire (a caller passed it a descriptor it must not
 * close while serving) or stops answering. A retired gate may stay, closing
 * such a descriptor, for as long as its sender likes, so each is charged to
 * the sender's account: an account with GATES_PER_ACCOUNT retired gates
 * alive, or a service with GATES_MAX gate processes, gets no successor, and
 * the serving gate then keeps the descriptor unclosed and serves on. No
 * account can take the *Pidfd methods from another. */
#define GATES_MAX 32u
#define GATES_PER_ACCOUNT 2u

/* Starts the first gate; "ready" is called once it owns its name, or once it
 * could not be had (then with false): the daemon asks for its own name only
 * after that, so that both are there when its own appears. */
int gates_start(Context *c, void (*ready)(Context *c, bool ok));
void gates_done(Context *c);

/* GetConnectionCredentials of sender's connection, its a{sv} to callback
 * (or an error, at timeout_usec; 0: sd-bus's default): asked of the bus, or,
 * on a bus that offers ProcessFD, of a gate (the serving one, else one still
 * connected: gate-protocol.h's Credentials), because such a bus may send the
 * pidfd to the daemon's connection, which takes no descriptors, and drop it
 * for that (dbus-broker 37 does). -ENOTCONN when no gate is connected. */
int gates_ask_credentials(Context *c, const char *sender, uint64_t timeout_usec, sd_bus_message_handler_t callback,
                          void *userdata, sd_bus_slot **ret_slot);
