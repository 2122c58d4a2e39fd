/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* security-gate-signals (found by the eighth attack): a flood of unicast
 * signals (no descriptors) to the gate's name (FLOOD_DEST: another),
 * each of which makes the gate list its descriptor table (gate-sweep.c).
 *   signal-flood SECONDS [CONNECTIONS]
 * Prints "FLOOD sent=<n> secs=<s>". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>

static double now(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec + t.tv_nsec / 1e9;
}

static unsigned flood(double secs) {
        sd_bus *b = NULL;
        unsigned sent = 0;
        if (sd_bus_open_system(&b) < 0)
                return 0;
        double t0 = now();
        while (now() - t0 < secs) {
                for (int i = 0; i < 64; i++) {
                        sd_bus_message *m = NULL;
                        if (sd_bus_message_new_signal(b, &m, "/x", "org.example.Attack8", "Poke") < 0 ||
                            sd_bus_message_set_destination(m, getenv("FLOOD_DEST") ?: "org.example.Resource1.Pidfd") < 0 ||
                            sd_bus_send(b, m, NULL) < 0) {
                                sd_bus_message_unref(m);
                                break;
                        }
                        sd_bus_message_unref(m);
                        sent++;
                }
                /* Keep the bus's queue for us short: write what is queued. */
                (void) sd_bus_flush(b);
                while (sd_bus_process(b, NULL) > 0)
                        ;
        }
        sd_bus_flush_close_unref(b);
        return sent;
}

int main(int argc, char **argv) {
        double secs = argc > 1 ? atof(argv[1]) : 5;
        int n = argc > 2 ? atoi(argv[2]) : 1;
        setvbuf(stdout, NULL, _IOLBF, 0);
        double t0 = now();
        for (int i = 0; i < n; i++)
                if (fork() == 0) {
                        printf("FLOOD child sent=%u\n", flood(secs));
                        _exit(0);
                }
        while (wait(NULL) > 0)
                ;
        printf("FLOOD done secs=%.1f\n", now() - t0);
        return 0;
}
