/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whether fd is a pidfd, in constant time: nothing is read from it and
 * nothing of its filesystem is called, so a descriptor a caller chose cannot
 * make this wait. Returns 1, 0, or -ESRCH for a pidfd whose process is gone.
 * pidfd_send_signal(2) also takes a /proc/PID directory, which counts as 1
 * here: closing either never waits; what can use one is decided later. */
int fd_is_pidfd(int fd);
