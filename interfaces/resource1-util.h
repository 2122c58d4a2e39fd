/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The few helpers every part of the project would otherwise define again
 * (the names table, libresource1, resourcectl; the daemon's util.h has its
 * own superset). Not part of the bus contract: they are here because
 * interfaces/ is the one folder that the daemon and the clients both may
 * depend on, and each of them may depend on nothing of the other's. Header
 * only, nothing exported. */

#include <stdint.h>
#include <time.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* meson defines it (meson.build); a build without it says "0". */
#ifndef PROJECT_VERSION
#define PROJECT_VERSION "0"
#endif

/* CLOCK_MONOTONIC in µs. */
static inline uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}
