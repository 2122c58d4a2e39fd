/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* No valid call of the interface, or of sd-bus's Properties interface, has
 * a string argument longer than this: the longest name a Resource1 method
 * takes is 17 bytes ("RLIMIT_SIGPENDING"), the longest "who" 15
 * ("RUSAGE_CHILDREN"), and Properties' arguments are an interface's and a
 * property's names, which the D-Bus specification bounds at 255 bytes. */
#define CALL_STRING_MAX 255u

/* Installs, on bus, a filter that reads the arguments of each call of a
 * method of vtable (of interface, on the object at path; and of Properties'
 * Get, GetAll and Set there) once, and answers at once a call with a string
 * longer than CALL_STRING_MAX or an array with more entries than there are
 * resources: a short error naming the argument and its size, the one a
 * handler gives for a bad value of that argument. sd-bus runs the filter
 * added last first: attach it after the creds prefetch's (creds-prefetch.c),
 * so that such a call is not held while the bus is asked who sent it. The
 * filter lives as long as bus (its slot is the bus's); path, interface and
 * vtable must too. Every connection the interface is served on takes one,
 * but one that takes callers' descriptors: a call answered here is dropped,
 * and the descriptors it carries closed, whatever they are. */
int call_size_attach(sd_bus *bus, const char *path, const char *interface, const sd_bus_vtable *vtable);

/* The same check of one message, for a filter that passes calls on rather
 * than have sd-bus dispatch them (the gate), and must first see to
 * something else (that a call's descriptor is a pidfd, before anything may
 * drop the message and close it). It also answers a call whose signature is
 * not its method's, which sd-bus's dispatch would refuse unread: passed on,
 * it would be copied whole. 1 when the call was answered, else 0, the
 * message read again from its start. */
int call_size_check(sd_bus_message *m, const char *path, const char *interface, const sd_bus_vtable *vtable);
