/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "account.h"
#include "log.h"
#include "util.h"

/* Deeper than the kernel allows (32 levels of user namespaces). */
#define USERNS_DEPTH_MAX 40

static uid_t account_of_namespace(ino_t ino) {
        /* Namespace inodes are numbered from 0xF0000000 up, far above the
         * uids of users; ACCOUNT_UNKNOWN and -1 are left out. */
        uid_t a = (uid_t) ino;
        return a == 0 || a == ACCOUNT_UNKNOWN || a == UID_INVALID ? ACCOUNT_UNKNOWN - 1 : a;
}

static bool same_file(int fd, const struct stat *st) {
        struct stat s;
        return fstat(fd, &s) >= 0 && s.st_dev == st->st_dev && s.st_ino == st->st_ino;
}

uid_t account_of(uid_t uid, pid_t pid) {
        char path[48];
        struct stat own, dir;

        if (uid == 0)
                return 0;
        if (stat("/proc/self/ns/user", &own) < 0)
                return ACCOUNT_UNKNOWN;

        snprintf(path, sizeof path, "/proc/%d", (int) pid);
        _cleanup_close_ int pdir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (pdir < 0)
                return ACCOUNT_UNKNOWN;
        /* The number may have been given to another process since the caller
         * connected: only a process of the caller's uid is asked about (a
         * process's /proc directory belongs to its effective uid). */
        if (fstat(pdir, &dir) < 0 || dir.st_uid != uid)
                return ACCOUNT_UNKNOWN;

        _cleanup_close_ int ns = openat(pdir, "ns/user", O_RDONLY | O_CLOEXEC);
        if (ns < 0)
                return ACCOUNT_UNKNOWN;
        if (same_file(ns, &own))
                return uid;

        for (unsigned depth = 0; depth < USERNS_DEPTH_MAX; depth++) {
                _cleanup_close_ int parent = ioctl(ns, NS_GET_PARENT);
                if (parent < 0)
                        return ACCOUNT_UNKNOWN;
                if (same_file(parent, &own)) {
                        uid_t owner;
                        struct stat st;
                        if (ioctl(ns, NS_GET_OWNER_UID, &owner) < 0 || fstat(ns, &st) < 0)
                                return ACCOUNT_UNKNOWN;
                        /* A namespace root made (systemd-nspawn -U, a
                         * service's PrivateUsers=) is nobody's user: its uids
                         * share the namespace's own account, never root's,
                         * which no budget limits. */
                        if (owner == 0)
                                return account_of_namespace(st.st_ino);
                        return owner;
                }
                closep(&ns);
                ns = TAKE_FD(parent);
        }
        return ACCOUNT_UNKNOWN;
}
