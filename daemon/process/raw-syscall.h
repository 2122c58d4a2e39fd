/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* System calls that return -errno instead of setting errno, for code that
 * runs in a process sharing the daemon's memory and thread-local storage
 * (see act.c), where libc's errno belongs to a thread of the daemon. Where
 * no such call is written for the architecture, HAVE_RAW_SYSCALL is 0 and
 * the acting process is a fork, whose errno is its own. Either way a call
 * returns what the kernel returned: a value, or -errno. */

#include <errno.h>
#include <unistd.h>

#if defined(__x86_64__)
#define HAVE_RAW_SYSCALL 1
static inline long raw_syscall5(long n, long a1, long a2, long a3, long a4, long a5) {
        long ret;
        register long r10 __asm__("r10") = a4;
        register long r8 __asm__("r8") = a5;
        __asm__ volatile ("syscall"
                          : "=a"(ret)
                          : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
                          : "rcx", "r11", "memory");
        return ret;
}
#elif defined(__aarch64__)
#define HAVE_RAW_SYSCALL 1
static inline long raw_syscall5(long n, long a1, long a2, long a3, long a4, long a5) {
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a1;
        register long x1 __asm__("x1") = a2;
        register long x2 __asm__("x2") = a3;
        register long x3 __asm__("x3") = a4;
        register long x4 __asm__("x4") = a5;
        __asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
        return x0;
}
#else
#define HAVE_RAW_SYSCALL 0
static inline long raw_syscall5(long n, long a1, long a2, long a3, long a4, long a5) {
        long r = syscall(n, a1, a2, a3, a4, a5);
        return r < 0 ? -errno : r;
}
#endif

static inline long raw_syscall4(long n, long a1, long a2, long a3, long a4) {
        return raw_syscall5(n, a1, a2, a3, a4, 0);
}
