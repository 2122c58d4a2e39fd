/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* _cleanup_, ELEMENTSOF, PROJECT_VERSION and now_usec(), shared with the
 * clients; what follows only the daemon uses. */
#include "resource1-util.h"

/* Hand ownership over: returns the value and leaves NULL (or -1) behind so
 * the cleanup handler of the old owner does nothing. */
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

/* Frees p and returns NULL, for "p = mfree(p)". */
static inline void *mfree(void *p) {
        free(p);
        return NULL;
}

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

/* Closes fd (if open) and returns -1, for "fd = safe_close(fd)". */
static inline int safe_close(int fd) {
        closep(&fd);
        return -1;
}

#define UID_INVALID ((uid_t) -1)
#define GID_INVALID ((gid_t) -1)
