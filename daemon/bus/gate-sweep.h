/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once


typedef struct Gate Gate;

/* The gate's own descriptors, and the callers' it receives.
 *
 * A caller's descriptor can come with any message that reaches the gate's
 * connection: a *Pidfd call names it, but a call of another signature, an
 * index past those it carries, a call to the gate's unique name before it
 * owns its name or after it gave it away (the bus policy guards the name
 * only), or a unicast signal, carry it unnamed, and sd-bus would close it
 * with the message, on the loop. And the last close of any file, a pidfd
 * too, may wait: on an epoll set of the caller's that watches it, whose
 * mutex a thread of the caller's holds while its server withholds a poll.
 * So after every message that is not the bus's own, the gate lists its
 * table, and every descriptor in it that it did not make itself is the
 * caller's: closed on a closer thread (gate-close.c), never on the loop.
 *
 * What the gate made: every descriptor open when it started serving (taken
 * before its system bus connection read anything), and those it makes
 * later and names (fd_bits_set() of g->own). O_PATH descriptors are let be
 * whoever made them: their close runs no file operation and no epoll set
 * can hold one. Nothing is read from a caller's file: the table's numbers
 * come from /proc/self/fd and the kind from fcntl(F_GETFL). */
/* Every descriptor open now is the gate's (in g->own): 0, or -errno. */
int gate_fds_snapshot(Gate *g);

/* The descriptors open now that are neither the gate's nor known to its
 * closes (gate_close_known()), nor O_PATH: in *ret (malloc'd; NULL when
 * none), their count, or -errno. */
int gate_sweep(Gate *g, int **ret);
