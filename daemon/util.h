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

/* Doubly linked lists: an item has "prev" and "next" pointers, the list is a
 * pointer to its first item (NULL when empty). Macros, as the lists hold
 * items of different types; each argument is evaluated once. */
#define LIST_PREPEND(head, item)                                        \
        do {                                                            \
                __typeof__(head) *_h = &(head), _i = (item);            \
                _i->prev = NULL;                                        \
                _i->next = *_h;                                         \
                if (*_h)                                                \
                        (*_h)->prev = _i;                               \
                *_h = _i;                                               \
        } while (0)

/* At the end, for lists kept in arrival order: walks the list. */
#define LIST_APPEND(head, item)                                         \
        do {                                                            \
                __typeof__(head) *_p = &(head), _i = (item), _prev = NULL; \
                for (; *_p; _p = &(*_p)->next)                          \
                        _prev = *_p;                                    \
                _i->prev = _prev;                                       \
                _i->next = NULL;                                        \
                *_p = _i;                                               \
        } while (0)

/* An item with no prev that is not the head was never linked: it is left
 * as it is (the head stays). The item's own pointers are cleared. */
#define LIST_REMOVE(head, item)                                         \
        do {                                                            \
                __typeof__(head) *_h = &(head), _i = (item);            \
                if (_i->prev)                                           \
                        _i->prev->next = _i->next;                      \
                else if (*_h == _i)                                     \
                        *_h = _i->next;                                 \
                if (_i->next)                                           \
                        _i->next->prev = _i->prev;                      \
                _i->prev = _i->next = NULL;                             \
        } while (0)
