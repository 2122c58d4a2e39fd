/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: the connection to the system bus, made with a handshake that
 * a bus proxy which does not understand pipelining can carry.
 *
 * sd-bus writes its whole SASL handshake at once, BEGIN included, before the
 * bus has answered any of it ("\0AUTH EXTERNAL\r\nDATA\r\nNEGOTIATE_UNIX_FD\r\n
 * BEGIN\r\n"). xdg-dbus-proxy before 0.1.6 (Debian 12 has 0.1.4), the proxy
 * every Flatpak app talks to the bus through, ends the authentication of both
 * directions when it sees the client's BEGIN, and then reads the bus's own
 * answers (DATA, OK, AGREE_UNIX_FD) as the header of a message: "Invalid
 * message header read", and the client's connection is closed. sd-bus has no
 * option to wait, nor to take a connection that is already authenticated.
 *
 * So sd-bus authenticates against a stand-in: one end of a socketpair. What
 * it writes there is sent to the bus without its BEGIN; the bus's answers,
 * one per command, are passed back to sd-bus unchanged (sd-bus judges them as
 * it always does); only then is BEGIN sent. Then the real connection takes
 * the stand-in's descriptor number (dup3), with sd-bus's Hello passed on
 * after BEGIN, and from there sd-bus talks to the bus itself: no thread, no
 * relay, nothing parsed but the handshake's lines, descriptors passed as
 * sd-bus passes them. The round trips are those sd-bus makes anyway (it too
 * waits for the answers before its Hello).
 *
 * When sd-bus does not behave as this expects (a later version that writes
 * something else) or the address is not a single unix socket, the connection
 * is made by sd_bus_open_system() as before.
 *
 * A handle connects this way only after one of its connections was lost
 * before it ever answered (resource1.c, conn_lost()): until then
 * sd_bus_open_system() is used, which costs a socketpair and a dozen system
 * calls less (resourcectl ran about 3 % longer with this on every
 * connection). Behind the proxy that first connection fails as it always
 * did, and the call is sent once more on a stepwise one, as after any lost
 * connection. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/sockios.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>

#include "resource1-internal.h"

#define DEFAULT_SYSTEM_BUS_ADDRESS "unix:path=/run/dbus/system_bus_socket"

/* Far more than a handshake (its lines are a few dozen bytes; dbus-daemon
 * allows 16 KiB) and than sd-bus's Hello. */
#define HANDSHAKE_MAX 4096

static void closep(int *fd) {
        if (*fd >= 0)
                close(*fd);
}

/* ---- the address ---- */

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* The value at *p up to ',' or the end, %-escapes decoded, into buf; *p past
 * it and its ','. */
static int address_value(const char **p, char *buf, size_t size) {
        size_t n = 0;
        const char *a = *p;

        for (; *a && *a != ','; n++) {
                char c = *a++;
                if (c == '%') {
                        int x = unhex(a[0]), y = x < 0 ? -1 : unhex(a[1]);
                        if (y < 0)
                                return -EINVAL;
                        c = (char) (x << 4 | y);
                        a += 2;
                }
                if (c == '\0' || n + 1 >= size)
                        return -EINVAL;
                buf[n] = c;
        }
        buf[n] = '\0';
        *p = *a == ',' ? a + 1 : a;
        return 0;
}

/* The socket of a single "unix:" address with path= or abstract= (and
 * perhaps guid=). -EOPNOTSUPP for every other form (several addresses, tcp:,
 * unixexec:, other keys): sd-bus connects to those itself. */
static int parse_address(const char *address, struct sockaddr_un *ret_sa, socklen_t *ret_len,
                         sd_id128_t *ret_guid) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char value[sizeof sa.sun_path];
        sd_id128_t guid = SD_ID128_NULL;
        bool have_socket = false;
        socklen_t len = 0;
        const char *p;
        int r;

        if (strncmp(address, "unix:", 5) != 0 || strchr(address, ';'))
                return -EOPNOTSUPP;
        for (p = address + 5; *p;) {
                const char *eq = strchr(p, '=');
                if (!eq)
                        return -EINVAL;
                size_t klen = (size_t) (eq - p);
                bool path = klen == 4 && memcmp(p, "path", 4) == 0;
                bool abstract = klen == 8 && memcmp(p, "abstract", 8) == 0;
                bool is_guid = klen == 4 && memcmp(p, "guid", 4) == 0;
                if (!path && !abstract && !is_guid)
                        return -EOPNOTSUPP;
                p = eq + 1;
                /* One byte less for abstract's leading NUL. */
                r = address_value(&p, value, abstract ? sizeof value - 1 : sizeof value);
                if (r < 0)
                        return r;
                if (is_guid) {
                        if (sd_id128_from_string(value, &guid) < 0)
                                return -EINVAL;
                        continue;
                }
                if (have_socket || !value[0])
                        return -EINVAL;
                have_socket = true;
                size_t l = strlen(value);
                if (path) {
                        memcpy(sa.sun_path, value, l + 1);
                        len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + l + 1);
                } else {
                        memcpy(sa.sun_path + 1, value, l);
                        len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + l);
                }
        }
        if (!have_socket)
                return -EINVAL;
        *ret_sa = sa;
        *ret_len = len;
        *ret_guid = guid;
        return 0;
}

/* ---- the exchange ---- */

static int wait_fd(int fd, short events, uint64_t deadline) {
        for (;;) {
                uint64_t now = now_usec();
                if (now >= deadline)
                        return -ETIMEDOUT;
                struct pollfd pfd = { .fd = fd, .events = events };
                int k = poll(&pfd, 1, (int) ((deadline - now + 999) / 1000));
                if (k < 0 && errno != EINTR)
                        return -errno;
                if (k > 0)
                        return 0;
        }
}

static int send_all(int fd, const char *p, size_t n, uint64_t deadline) {
        while (n > 0) {
                ssize_t k = send(fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                return -errno;
                        int r = wait_fd(fd, POLLOUT, deadline);
                        if (r < 0)
                                return r;
                        continue;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Appends to buf what fd has now, in one read (a stream socket gives all
 * it holds, up to the room left): its size, -EAGAIN when it has nothing,
 * -ECONNRESET at its end, -ENOBUFS when buf is full. */
static ssize_t recv_some(int fd, char *buf, size_t *n, size_t size) {
        if (*n >= size)
                return -ENOBUFS;
        struct msghdr mh = { .msg_iov = &(struct iovec) { buf + *n, size - *n }, .msg_iovlen = 1 };
        ssize_t k;
        do
                k = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        if (k == 0)
                return -ECONNRESET;
        if (mh.msg_flags & MSG_CTRUNC)   /* descriptors: never part of a handshake */
                return -EPROTO;
        *n += (size_t) k;
        return *n >= size ? -ENOBUFS : k;
}

/* Where the line after the one at i starts (n: none). */
static size_t next_line(const char *buf, size_t n, size_t i) {
        const char *nl = memchr(buf + i, '\n', n - i);
        return nl ? (size_t) (nl - buf) + 1 : n;
}

static bool line_starts(const char *buf, size_t n, size_t i, const char *word) {
        size_t l = strlen(word);
        return n - i >= l && memcmp(buf + i, word, l) == 0;
}

static size_t count_lines(const char *p, size_t n, size_t *ret_end) {
        size_t lines = 0, end = 0;
        for (size_t i = 0; i + 1 < n; i++)
                if (p[i] == '\r' && p[i + 1] == '\n') {
                        lines++;
                        end = ++i + 1;
                }
        *ret_end = end;
        return lines;
}

/* sd-bus's handshake in buf: its first byte NUL, then command lines, then
 * BEGIN. The number of commands and where BEGIN starts, or 0 when it is not
 * that. */
static size_t split_handshake(const char *buf, size_t n, size_t *ret_begin) {
        size_t lines = 0, start = 1;

        if (n < 1 || buf[0] != '\0')
                return 0;
        for (size_t i = 1; i + 1 < n; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n') {
                        if (i - start == 5 && memcmp(buf + start, "BEGIN", 5) == 0) {
                                *ret_begin = start;
                                return lines;
                        }
                        lines++;
                        start = i + 2;
                        i++;
                } else if ((unsigned char) buf[i] < ' ' || (unsigned char) buf[i] > '~')
                        return 0;
        }
        return 0;
}

/* Reads the bus's answers, one line per command, into buf. */
static int read_answers(int fd, size_t n_commands, char *buf, size_t *ret_n, uint64_t deadline) {
        size_t n = 0, end = 0;

        for (;;) {
                int r = wait_fd(fd, POLLIN, deadline);
                if (r < 0)
                        return r;
                ssize_t k = recv_some(fd, buf, &n, HANDSHAKE_MAX);
                if (k == -EAGAIN)
                        continue;
                if (k == -ECONNRESET) {
                        /* A bus that refused the authentication may close at once. */
                        for (size_t i = 0; i < n; i = next_line(buf, n, i))
                                if (line_starts(buf, n, i, "REJECTED"))
                                        return -EPERM;
                        return -ECONNRESET;
                }
                if (k < 0)
                        return (int) k;
                size_t lines = count_lines(buf, n, &end);
                if (lines >= n_commands) {
                        /* A bus says nothing unasked before BEGIN. */
                        if (lines > n_commands || end != n)
                                return -EPROTO;
                        *ret_n = n;
                        return 0;
                }
        }
}

/* The guid of the "OK <guid>" answer, when the address named one. */
static int check_guid(const char *buf, size_t n, sd_id128_t want) {
        if (sd_id128_is_null(want))
                return 0;
        for (size_t i = 0; i < n; i = next_line(buf, n, i))
                if (line_starts(buf, n, i, "OK ") && n - i >= 3 + 32) {
                        char s[33];
                        sd_id128_t got;
                        memcpy(s, buf + i + 3, 32);
                        s[32] = '\0';
                        return sd_id128_from_string(s, &got) >= 0 && sd_id128_equal(got, want) ? 0 : -EPERM;
                }
        return 0;   /* no OK: sd-bus refuses the answers itself */
}

static int connect_bus(const struct sockaddr_un *sa, socklen_t len, uint64_t deadline) {
        _cleanup_(closep) int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;

        int r = connect(fd, (const struct sockaddr *) sa, len);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
                /* The bus's backlog is full: a blocking connect waits for room
                 * (SO_SNDTIMEO bounds it), where a non-blocking one only fails. */
                uint64_t now = now_usec(), left = deadline > now + 1000 ? deadline - now : 1000;
                struct timeval tv = { .tv_sec = (time_t) (left / 1000000), .tv_usec = (suseconds_t) (left % 1000000) };
                int flags = fcntl(fd, F_GETFL);
                if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ||
                    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
                        return -errno;
                while ((r = connect(fd, (const struct sockaddr *) sa, len)) < 0 && errno == EINTR)
                        ;
                if (r < 0)
                        return errno == EAGAIN ? -ETIMEDOUT : -errno;
                if (fcntl(fd, F_SETFL, flags) < 0)
                        return -errno;
        } else if (r < 0)
                return -errno;

        r = fd;
        fd = -1;
        return r;
}

static int unread(int fd) {
        int n = 0;
        return ioctl(fd, SIOCINQ, &n) < 0 ? -errno : n;
}

/* 1 with the connection, 0 when sd-bus did not do on the stand-in what this
 * needs (the caller then lets sd-bus connect by itself), or a negative errno
 * of the bus's. */
static int open_stepwise(const struct sockaddr_un *sa, socklen_t len, sd_id128_t guid, uint64_t deadline,
                         sd_bus **ret) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(closep) int peer = -1, fd = -1;
        char out[HANDSHAKE_MAX], answers[HANDSHAKE_MAX];
        size_t n_out = 0, n_answers = 0, begin = 0;
        int sp[2], r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sp) < 0)
                return -errno;
        peer = sp[1];
        int standin = sp[0];
        r = sd_bus_new(&bus);
        if (r < 0) {
                close(standin);
                return r;
        }
        r = sd_bus_set_fd(bus, standin, standin);   /* the bus owns it from here */
        if (r < 0) {
                close(standin);
                return r;
        }
        r = sd_bus_set_bus_client(bus, true);
        if (r < 0)
                return r;
        if (sd_bus_start(bus) < 0)
                return 0;

        /* sd-bus's handshake, all written by now (a socketpair takes it at once). */
        if (recv_some(peer, out, &n_out, sizeof out) < 0)
                return 0;
        size_t n_commands = split_handshake(out, n_out, &begin);
        if (n_commands == 0)
                return 0;

        fd = connect_bus(sa, len, deadline);
        if (fd < 0)
                return fd;
        r = send_all(fd, out, begin, deadline);
        if (r < 0)
                return r;
        r = read_answers(fd, n_commands, answers, &n_answers, deadline);
        if (r < 0)
                return r;
        r = check_guid(answers, n_answers, guid);
        if (r < 0)
                return r;

        /* sd-bus judges the answers as it would have on the bus. */
        r = send_all(peer, answers, n_answers, deadline);
        if (r < 0)
                return 0;
        int left;
        unsigned i = 0;
        do {
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
        } while ((left = unread(standin)) > 0 && ++i < 4);
        if (left != 0 || sd_bus_is_open(bus) <= 0)
                return 0;
        /* Authenticated: sd-bus writes its Hello now, to go with BEGIN in one
         * write, so that the bus reads both at once. */
        r = sd_bus_process(bus, NULL);
        if (r < 0)
                return r;

        /* BEGIN and whatever sd-bus wrote after it (its Hello), then the bus
         * in the stand-in's place. */
        ssize_t k = recv_some(peer, out, &n_out, sizeof out);
        if (k < 0 && k != -EAGAIN)
                return 0;
        r = send_all(fd, out + begin, n_out - begin, deadline);
        if (r < 0)
                return r;
        if (dup3(fd, standin, O_CLOEXEC) < 0)
                return -errno;

        *ret = bus;
        bus = NULL;
        return 1;
}

int bus_open_system_stepwise(uint64_t timeout_usec, sd_bus **ret) {
        const char *address = secure_getenv("DBUS_SYSTEM_BUS_ADDRESS") ?: DEFAULT_SYSTEM_BUS_ADDRESS;
        struct sockaddr_un sa;
        socklen_t len;
        sd_id128_t guid;
        int r;

        r = parse_address(address, &sa, &len, &guid);
        if (r == -EOPNOTSUPP)
                return sd_bus_open_system(ret);
        if (r < 0)
                return r;
        r = open_stepwise(&sa, len, guid, now_usec() + timeout_usec, ret);
        if (r == 0)
                return sd_bus_open_system(ret);
        return r < 0 ? r : 0;
}
