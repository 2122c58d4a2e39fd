/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resource1-marshal: sd-bus's own cost of the spec's two biggest replies,
 * with nothing else: N messages built field by field (as the daemon builds
 * them) from constant values and dropped unsent. Run under callgrind by
 * bench/instructions.sh, the difference to "empty" is the floor a reply of
 * that shape costs through sd-bus's public API, whatever the daemon does.
 *
 *   resource1-marshal empty|limits|usage N
 *
 * Needs a bus (sd-bus builds messages only for a connected one): the
 * fixture's system bus. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "resource1-names.h"
#include "resource1-util.h"

static int build(sd_bus *bus, const char *shape) {
        sd_bus_message *m = NULL;
        int r = sd_bus_message_new_method_call(bus, &m, "org.example.Resource1", "/", "org.example.Resource1", "X");

        if (r >= 0 && strcmp(shape, "limits") == 0) {
                /* ListRlimits' a(stt): one entry per resource. */
                r = sd_bus_message_open_container(m, 'a', "(stt)");
                for (size_t i = 0; r >= 0 && i < resource1_rlimits_count; i++) {
                        uint64_t soft = i, hard = i + 1;
                        r = sd_bus_message_open_container(m, 'r', "stt");
                        if (r >= 0)
                                r = sd_bus_message_append_basic(m, 's', resource1_rlimits[i].name);
                        if (r >= 0)
                                r = sd_bus_message_append_basic(m, 't', &soft);
                        if (r >= 0)
                                r = sd_bus_message_append_basic(m, 't', &hard);
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                }
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        } else if (r >= 0 && strcmp(shape, "usage") == 0) {
                /* GetRusage's a{sv}: two doubles, fourteen int64s. */
                r = sd_bus_message_open_container(m, 'a', "{sv}");
                for (size_t i = 0; r >= 0 && i < ELEMENTSOF(resource1_rusage_fields); i++) {
                        double d = (double) i;
                        int64_t x = (int64_t) i;
                        char type = i < 2 ? 'd' : 'x';
                        const char contents[2] = { type, '\0' };
                        r = sd_bus_message_open_container(m, 'e', "sv");
                        if (r >= 0)
                                r = sd_bus_message_append_basic(m, 's', resource1_rusage_fields[i].name);
                        if (r >= 0)
                                r = sd_bus_message_open_container(m, 'v', contents);
                        if (r >= 0)
                                r = sd_bus_message_append_basic(m, type, i < 2 ? (const void *) &d : (const void *) &x);
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                        if (r >= 0)
                                r = sd_bus_message_close_container(m);
                }
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        sd_bus_message_unref(m);
        return r;
}

int main(int argc, char *argv[]) {
        sd_bus *bus = NULL;

        if (argc != 3) {
                fprintf(stderr, "usage: resource1-marshal empty|limits|usage N\n");
                return 2;
        }
        if (sd_bus_open_system(&bus) < 0) {
                fprintf(stderr, "resource1-marshal: no system bus\n");
                return 1;
        }
        for (unsigned long i = 0, n = strtoul(argv[2], NULL, 10); i < n; i++)
                if (build(bus, argv[1]) < 0) {
                        fprintf(stderr, "resource1-marshal: building a '%s' message failed\n", argv[1]);
                        return 1;
                }
        sd_bus_flush_close_unref(bus);
        return 0;
}
