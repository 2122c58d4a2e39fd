/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

#include "proc-parse.h"

/* path: "/proc/PID" or "/proc/PID/task/TID", relative to dirfd (AT_FDCWD, or
 * a pinned /proc/PID with path ".") */
int proc_read_status(int dirfd, const char *path, ProcStatus *ret);

/* Reads a small /proc file whole, NUL-terminated; path relative to dirfd. */
int proc_read_file(int dirfd, const char *path, char *buf, size_t size);
