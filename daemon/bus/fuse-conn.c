/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "fuse-conn.h"

#define FUSECTL_SUPER_MAGIC 0x65735543

int fuse_connection_owner(unsigned conn, uid_t *ret_uid, gid_t *ret_gid) {
        struct statfs sfs;
        struct stat st;
        char path[64];

        /* The control file system's own, not an empty sysfs directory. */
        if (statfs(FUSECTL_DIR, &sfs) < 0 || sfs.f_type != FUSECTL_SUPER_MAGIC)
                return -ENOENT;
        snprintf(path, sizeof path, FUSECTL_DIR "/%u", conn);
        if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOENT;
        if (ret_uid)
                *ret_uid = st.st_uid;
        if (ret_gid)
                *ret_gid = st.st_gid;
        return 0;
}

int fuse_connection_of_fd(int fd, unsigned *ret_conn) {
        struct statx stx;

        if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &stx) < 0)
                return -errno;
        /* The kernel's dev_t, as fusectl prints it. */
        if (stx.stx_dev_major >= (1u << 12) || stx.stx_dev_minor >= (1u << 20))
                return -ENOENT;
        unsigned conn = stx.stx_dev_major << 20 | stx.stx_dev_minor;
        int r = fuse_connection_owner(conn, NULL, NULL);
        if (r < 0)
                return r == -ENOENT || r == -ENOTDIR ? -ENOENT : r;
        *ret_conn = conn;
        return 0;
}
