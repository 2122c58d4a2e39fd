/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A FUSE file whose READ and POLL are never answered (fuse-withhold.c), for
 * the attacks that make a lock wait on it: attack-pipelock (a pipe's mutex,
 * held by a writer faulting on its mapping) and attack-epoll (an epoll's
 * mutex, held by epoll_ctl() adding it). */
#pragma once

/* A descriptor of the file "f" of a fresh FUSE mount ("name", in a temporary
 * directory of that name) made in a user namespace of our own and served by
 * a child that answers everything else. Where that cannot be had, prints
 * "SKIP <why>" and exits 0. */
int fuse_withheld_file(const char *name);
