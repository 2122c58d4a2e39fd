/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fd-bits.h"
#include "util.h"

int fd_bits_set(FdBits *s, int fd) {
        if (fd < 0)
                return 0;
        size_t word = (size_t) fd / 64;
        if (word >= s->n_words) {
                size_t n = word + 1 > s->n_words * 2 ? word + 1 : s->n_words * 2;
                uint64_t *bits = reallocarray(s->bits, n, sizeof *bits);
                if (!bits)
                        return -ENOMEM;
                memset(bits + s->n_words, 0, (n - s->n_words) * sizeof *bits);
                s->bits = bits;
                s->n_words = n;
        }
        s->bits[word] |= UINT64_C(1) << (fd % 64);
        return 0;
}

void fd_bits_clear(FdBits *s, int fd) {
        if (fd >= 0 && (size_t) fd / 64 < s->n_words)
                s->bits[fd / 64] &= ~(UINT64_C(1) << (fd % 64));
}

bool fd_bits_test(const FdBits *s, int fd) {
        return fd >= 0 && (size_t) fd / 64 < s->n_words && (s->bits[fd / 64] & (UINT64_C(1) << (fd % 64)));
}

void fd_bits_done(FdBits *s) {
        s->bits = mfree(s->bits);
        s->n_words = 0;
}
