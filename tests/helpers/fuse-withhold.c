/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A FUSE file whose READ and POLL are never answered (fuse-withhold.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fuse-withhold.h"

static int devfd;
static void reply(uint64_t unique, int error, const void *arg, size_t size) {
        struct fuse_out_header out = { .len = (uint32_t) (sizeof out + size), .error = error, .unique = unique };
        struct iovec iov[2] = { { &out, sizeof out }, { (void *) arg, size } };
        (void) !writev(devfd, iov, size ? 2 : 1);
}
static void fill_attr(struct fuse_attr *a, uint64_t node) {
        *a = (struct fuse_attr) { .ino = node, .nlink = 1, .blksize = 4096, .size = node == 1 ? 0 : 1 << 20,
                                  .mode = node == 1 ? S_IFDIR | 0755 : S_IFREG | 0666 };
}
static void serve(void) {
        size_t size = (1 << 20) + 4096;
        char *buf = malloc(size);
        for (;;) {
                ssize_t n = read(devfd, buf, size);
                if (n < 0 && (errno == EINTR || errno == ENOENT)) continue;
                if (n < (ssize_t) sizeof(struct fuse_in_header)) break;
                struct fuse_in_header *in = (void *) buf; void *body = buf + sizeof *in;
                switch (in->opcode) {
                case FUSE_INIT: {
                        struct fuse_init_in *i = body;
                        struct fuse_init_out o = { .major = FUSE_KERNEL_VERSION, .minor = FUSE_KERNEL_MINOR_VERSION,
                                                   .max_readahead = i->max_readahead, .max_write = 4096, .time_gran = 1 };
                        reply(in->unique, 0, &o, sizeof o); break; }
                case FUSE_LOOKUP: {
                        if (strcmp(body, "f")) { reply(in->unique, -ENOENT, NULL, 0); break; }
                        struct fuse_entry_out o = { .nodeid = 2, .generation = 1, .entry_valid = 3600, .attr_valid = 3600 };
                        fill_attr(&o.attr, 2); reply(in->unique, 0, &o, sizeof o); break; }
                case FUSE_GETATTR: {
                        struct fuse_attr_out o = { .attr_valid = 3600 }; fill_attr(&o.attr, in->nodeid);
                        reply(in->unique, 0, &o, sizeof o); break; }
                case FUSE_OPEN: case FUSE_OPENDIR: {
                        struct fuse_open_out o = { .fh = 1 }; reply(in->unique, 0, &o, sizeof o); break; }
                case FUSE_READ: break;   /* never answered */
                case FUSE_POLL: break;
                case FUSE_FLUSH: case FUSE_RELEASE: case FUSE_RELEASEDIR: reply(in->unique, 0, NULL, 0); break;
                case FUSE_INTERRUPT: case FUSE_FORGET: case FUSE_BATCH_FORGET: break;
                default: reply(in->unique, -ENOSYS, NULL, 0); break;
                }
        }
        _exit(0);
}
static int wr(const char *p, const char *t) { int fd = open(p, O_WRONLY); if (fd < 0) return -1; int r = write(fd, t, strlen(t)); close(fd); return r < 0 ? -1 : 0; }

int fuse_withheld_file(const char *name) {
        int sp[2]; socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp);
        char dir[64]; snprintf(dir, sizeof dir, "/tmp/%s.XXXXXX", name);
        if (!mkdtemp(dir)) { printf("SKIP mkdtemp: %m\n"); exit(0); }
        uid_t uid = getuid(); gid_t gid = getgid();
        if (fork() == 0) {
                close(sp[0]);
                char m[64];
                if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) { printf("SKIP no user namespace for nobody: %m\n"); _exit(1); }
                snprintf(m, sizeof m, "0 %u 1", uid); wr("/proc/self/uid_map", m); wr("/proc/self/setgroups", "deny");
                snprintf(m, sizeof m, "0 %u 1", gid); wr("/proc/self/gid_map", m);
                mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
                devfd = open("/dev/fuse", O_RDWR);
                if (devfd < 0) { printf("SKIP /dev/fuse: %m\n"); _exit(1); }
                char o[128]; snprintf(o, sizeof o, "fd=%d,rootmode=40000,user_id=0,group_id=0", devfd);
                if (mount(name, dir, "fuse", MS_NOSUID | MS_NODEV, o) < 0) { printf("SKIP FUSE mount in a user namespace: %m\n"); _exit(1); }
                if (fork() == 0) {
                        char p[128]; snprintf(p, sizeof p, "%s/f", dir);
                        int f = open(p, O_RDONLY);
                        if (f < 0) { perror("open f"); _exit(1); }
                        char c = 0; struct iovec iov = { &c, 1 };
                        union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } ctl = {};
                        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
                        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm->cmsg_level = SOL_SOCKET; cm->cmsg_type = SCM_RIGHTS;
                        cm->cmsg_len = CMSG_LEN(sizeof(int)); memcpy(CMSG_DATA(cm), &f, sizeof f);
                        sendmsg(sp[1], &mh, 0); _exit(0);
                }
                serve();
        }
        close(sp[1]);
        char c; char b[CMSG_SPACE(sizeof(int))]; struct iovec iov = { &c, 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = b, .msg_controllen = sizeof b };
        if (recvmsg(sp[0], &mh, 0) <= 0) exit(0);   /* the server said why (SKIP) */
        int f; memcpy(&f, CMSG_DATA(CMSG_FIRSTHDR(&mh)), sizeof f);
        return f;
}
