/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* FUSE connections as the kernel's control file system names them: a
 * directory /sys/fs/fuse/connections/N per connection, N its superblock's
 * device number (the kernel's dev_t: major << 20 | minor), owned by the
 * user that mounted it (fs/fuse/control.c, since its first version), whose
 * "abort" file (mode 0200) fails every request waiting and to come. systemd
 * mounts it at boot (sys-fs-fuse-connections.mount); where it is not
 * mounted, nothing here finds a connection. */
#define FUSECTL_DIR "/sys/fs/fuse/connections"

/* The FUSE connection of the file fd refers to, found without calling into
 * FUSE: statx(2) asking for nothing, AT_STATX_DONT_SYNC (a process the
 * connection does not allow gets st_dev only, one it allows the cached
 * attributes; neither sends a request). 0 with *ret_conn; -ENOENT when fd is
 * not on a FUSE connection fusectl knows (fusectl absent, or another file
 * system). */
int fuse_connection_of_fd(int fd, unsigned *ret_conn);

/* The ids owning connection conn, from its fusectl directory (the
 * connection's user_id and group_id, which a process must have exactly, as
 * real, effective and saved ids, to use a connection mounted without
 * allow_other): 0, or -ENOENT (no such connection, or fusectl not mounted).
 * Either pointer may be NULL. */
int fuse_connection_owner(unsigned conn, uid_t *ret_uid, gid_t *ret_gid);
