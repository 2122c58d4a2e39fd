/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attack-fd's FUSE file system (attack-fd-fuse.c): served by a child process
 * from a user and mount namespace of its own, as any user can where
 * /dev/fuse is open to all. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

typedef struct FuseHold {
        pid_t server;           /* the child serving it */
        int control;            /* its end of our socket pair */
        char dir[64];           /* the mount point, to remove at the end */
} FuseHold;

/* Forks the server and returns a descriptor of a regular file on its file
 * system (nothing else holds one: whoever closes it waits on the server).
 * The server answers every request at once, except a FLUSH or GETATTR from a
 * process not in allowed[] (nor the server itself): those it holds
 * unanswered, printing "HELD <op> pid=<pid> comm=<comm>", until
 * fuse_hold_release(); with ATTACK_FUSE_HEALTHY=1 in the environment it
 * holds nothing (a healthy server). ATTACK_FUSE_ALLOW_OTHER=1 mounts it
 * allow_other; ATTACK_FUSE_OWNER=UID (root only) in the initial user
 * namespace, owned by UID and GID UID. 0 with *ret_file, or -errno with a reason in why
 * (a missing /dev/fuse, user namespaces or FUSE mounts refused there). */
int fuse_hold_start(FuseHold *h, const pid_t *allowed, size_t n_allowed, int *ret_file, char *why,
                    size_t why_size);

/* Answers what is held, ends the server (closing /dev/fuse, which aborts the
 * connection: no later close of the file waits) and removes the mount point.
 * Prints "FUSE held=<n> flushes=<n> getattrs=<n>" from the server's count. */
void fuse_hold_release(FuseHold *h);
