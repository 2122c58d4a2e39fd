/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A set of descriptor numbers, a bit each: what the gate holds as its own
 * (gate-sweep.h), and what its closes hold (gate-close.c), looked up in
 * constant time for every number in its table. */
typedef struct FdBits {
        uint64_t *bits;
        size_t n_words;
} FdBits;

/* 0, or -ENOMEM. */
int fd_bits_set(FdBits *s, int fd);
void fd_bits_clear(FdBits *s, int fd);
bool fd_bits_test(const FdBits *s, int fd);
void fd_bits_done(FdBits *s);
