/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* security-gate-calls (found by the ninth attack): one user's flood of
 * well-formed CanSetRlimitsPidfd calls to the gate, each carrying a pidfd of
 * the flooder's own process (what the bus policy lets through): CONNECTIONS
 * connections, one process each, keep IN_FLIGHT calls outstanding for
 * SECONDS, sending the next as soon as one is answered, refused or not.
 *   attack-gate-calls CONNECTIONS IN_FLIGHT SECONDS
 * Prints a line per connection, "CONN sent= ok= limits= other=" (limits:
 * refused LimitsExceeded, the gate's or the bus's), then "FLOOD" with the
 * sums. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-bus.h>

typedef struct Counts {
        unsigned sent, ok, limits, other, in_flight;
} Counts;

static double now(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec + t.tv_nsec / 1e9;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Counts *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        (void) error;
        c->in_flight--;
        if (!e)
                c->ok++;
        else if (sd_bus_error_has_names(e, "org.freedesktop.DBus.Error.LimitsExceeded",
                                        "org.example.Resource1.Error.LimitsExceeded"))
                c->limits++;
        else
                c->other++;
        return 0;
}

static int send_one(sd_bus *b, int pidfd, Counts *c) {
        sd_bus_message *m = NULL;
        int r = sd_bus_message_new_method_call(b, &m, "org.example.Resource1.Pidfd", "/org/example/Resource1",
                                               "org.example.Resource1", "CanSetRlimitsPidfd");
        if (r >= 0)
                r = sd_bus_message_append(m, "ha(stt)", pidfd, 1, "NOFILE", (uint64_t) 1, (uint64_t) 1);
        if (r >= 0)
                r = sd_bus_call_async(b, NULL, m, on_reply, c, 60 * 1000000ULL);
        sd_bus_message_unref(m);
        if (r < 0)
                return r;
        c->sent++;
        c->in_flight++;
        return 0;
}

static int connection(int pidfd, unsigned in_flight, double secs) {
        Counts c = {};
        sd_bus *b = NULL;
        if (sd_bus_open_system(&b) < 0)
                return 1;
        for (double end = now() + secs; now() < end;) {
                while (c.in_flight < in_flight && send_one(b, pidfd, &c) >= 0)
                        ;
                int r = sd_bus_process(b, NULL);
                if (r < 0)
                        break;
                if (r == 0)
                        (void) sd_bus_wait(b, 100000);
        }
        /* The answers still due. */
        for (double end = now() + 30; c.in_flight > 0 && now() < end;) {
                int r = sd_bus_process(b, NULL);
                if (r < 0)
                        break;
                if (r == 0)
                        (void) sd_bus_wait(b, 100000);
        }
        printf("CONN sent=%u ok=%u limits=%u other=%u\n", c.sent, c.ok, c.limits, c.other);
        return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
        if (argc != 4) {
                fprintf(stderr, "usage: attack-gate-calls CONNECTIONS IN_FLIGHT SECONDS\n");
                return 2;
        }
        unsigned conns = (unsigned) atoi(argv[1]), in_flight = (unsigned) atoi(argv[2]);
        double secs = atof(argv[3]);
        int pidfd = (int) syscall(SYS_pidfd_open, getpid(), 0);
        if (pidfd < 0) {
                perror("pidfd_open");
                return 1;
        }
        int out[2];
        if (pipe(out) < 0)
                return 1;
        for (unsigned i = 0; i < conns; i++)
                if (fork() == 0) {
                        (void) dup2(out[1], STDOUT_FILENO);
                        _exit(connection(pidfd, in_flight, secs));
                }
        close(out[1]);
        Counts sum = {};
        FILE *f = fdopen(out[0], "r");
        char line[256];
        while (f && fgets(line, sizeof line, f)) {
                Counts c = {};
                fputs(line, stdout);
                if (sscanf(line, "CONN sent=%u ok=%u limits=%u other=%u", &c.sent, &c.ok, &c.limits, &c.other) == 4) {
                        sum.sent += c.sent;
                        sum.ok += c.ok;
                        sum.limits += c.limits;
                        sum.other += c.other;
                }
        }
        while (wait(NULL) > 0)
                ;
        printf("FLOOD sent=%u ok=%u limits=%u other=%u\n", sum.sent, sum.ok, sum.limits, sum.other);
        return 0;
}
