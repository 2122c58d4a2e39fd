/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the attack helpers (attack-*.c) share: a clock, how they give up, a
 * connection with a call timeout, what counts as a timed-out call, and
 * reading a small /proc file whole. */
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* The exit status of a mode that could not be run; the suites judge the
 * lines an attack prints, not its status. */
static inline int die(const char *what, int r) {
        fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(r < 0 ? -r : r));
        return 3;
}

static inline sd_bus *connect_bus(uint64_t timeout_us) {
        sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "%s: connecting: %s\n", program_invocation_short_name, strerror(-r));
                return NULL;
        }
        sd_bus_set_method_call_timeout(bus, timeout_us);
        return bus;
}

static inline bool is_timeout_name(const char *name) {
        return name && (strcmp(name, SD_BUS_ERROR_NO_REPLY) == 0 || strcmp(name, SD_BUS_ERROR_TIMEOUT) == 0);
}

static inline bool is_timeout(const sd_bus_error *e, int r) {
        return r == -ETIMEDOUT || is_timeout_name(e->name);
}

/* A /proc file of at most size - 1 bytes, NUL-terminated: its length, or -1
 * when it is gone or empty. */
static inline ssize_t read_small(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        ssize_t n = read(fd, buf, size - 1);
        close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        return n;
}
