/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rcall: one org.example.Resource1 call through GDBus, for the tests to make
 * as any user (run under setpriv). Prints one line "OK <reply as GVariant
 * text>" or "ERR <error name> <message>", then what was asked for:
 *
 *   rcall [--interactive] [--fd-of PATH] [--pidfd-of PID] [--spawn-child] [--limit RES]
 *         [--all-limits] [--burn-ms N] [--own-usage] [--dest NAME] METHOD SIGNATURE ARGS
 *
 * The call goes where a client sends it: a *Pidfd method to the gate's name
 * (RESOURCE1_PIDFD_BUS_NAME), every other to the service's (RESOURCE1_BUS_NAME).
 *
 *   --interactive   allow interactive authorization on the call
 *   --fd-of PATH    pass open(PATH, O_RDONLY) as the call's fd 0 (a descriptor that is not a pidfd)
 *   --pidfd-of PID  pass pidfd_open(PID) as the call's fd 0 (for an "h" argument @h 0)
 *   --spawn-child   fork a child that waits, put its pid where ARGS says CHILD,
 *                   and afterwards print "CHILD <pid> <soft> <hard>" of RES for it
 *   --limit RES     afterwards print "LIMIT <soft> <hard>": this process's own RES
 *   --all-limits    print "BEFORE <NAME> <soft> <hard>" for each of this process's own
 *                   limits as they were just before the call, and afterwards
 *                   "RLIMIT <NAME> <soft> <hard>" as they are after it
 *   --burn-ms N     spend N ms of CPU in user mode before the call
 *   --own-usage     afterwards print "USAGE <utime> <stime> <maxrss> <minflt> <nvcsw> <hwm>"
 *                   from this process's own getrusage(RUSAGE_SELF), and VmHWM of its
 *                   /proc/self/status (KiB)
 *   --dest NAME     send the call to bus name NAME instead (a test that tries the
 *                   other name on purpose); so does the environment's RCALL_DEST
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* prlimit(2); meson defines it, the vm suite builds this with plain cc */
#endif
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <signal.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "resource1-bus.h"
#include "resource1-names.h"

/* The bus name a client sends METHOD to: the service's own connection takes
 * no descriptors, so the four methods that carry a pidfd are served at the
 * gate's name. */
static const char *destination_of(const char *method) {
        return g_str_has_suffix(method, "Pidfd") ? RESOURCE1_PIDFD_BUS_NAME : RESOURCE1_BUS_NAME;
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int main(int argc, char *argv[]) {
        gboolean interactive = FALSE, spawn_child = FALSE, own_usage = FALSE, all_limits = FALSE;
        gint pidfd_of = 0, burn_ms = 0;
        gchar *limit = NULL, *dest = NULL, *fd_of = NULL;
        GOptionEntry entries[] = {
                { "interactive", 0, 0, G_OPTION_ARG_NONE, &interactive,
                  "Allow interactive authorization on the call", NULL },
                { "fd-of", 0, 0, G_OPTION_ARG_FILENAME, &fd_of,
                  "Pass open(PATH, O_RDONLY) as the call's fd 0 (a descriptor that is not a pidfd)", "PATH" },
                { "pidfd-of", 0, 0, G_OPTION_ARG_INT, &pidfd_of,
                  "Pass pidfd_open(PID) as the call's fd 0 (an \"h\" argument: handle 0)", "PID" },
                { "spawn-child", 0, 0, G_OPTION_ARG_NONE, &spawn_child,
                  "Fork a child that waits, put its pid where ARGS says CHILD, and afterwards print "
                  "\"CHILD <pid> <soft> <hard>\" of --limit's RES for it", NULL },
                { "limit", 0, 0, G_OPTION_ARG_STRING, &limit,
                  "Afterwards print \"LIMIT <soft> <hard>\": this process's own RES", "RES" },
                { "all-limits", 0, 0, G_OPTION_ARG_NONE, &all_limits,
                  "Print \"BEFORE <NAME> <soft> <hard>\" for each of this process's own limits just before "
                  "the call, and afterwards \"RLIMIT <NAME> <soft> <hard>\" as they are after it", NULL },
                { "burn-ms", 0, 0, G_OPTION_ARG_INT, &burn_ms, "Spend N ms of CPU in user mode before the call", "N" },
                { "own-usage", 0, 0, G_OPTION_ARG_NONE, &own_usage,
                  "Afterwards print \"USAGE <utime> <stime> <maxrss> <minflt> <nvcsw> <hwm>\" from this "
                  "process's own getrusage(RUSAGE_SELF), and VmHWM of its /proc/self/status (KiB)", NULL },
                { "dest", 0, 0, G_OPTION_ARG_STRING, &dest,
                  "Send the call to bus name NAME (or $RCALL_DEST), not where a client sends METHOD (a *Pidfd "
                  "method to " RESOURCE1_PIDFD_BUS_NAME ", every other to " RESOURCE1_BUS_NAME ")", "NAME" },
                {}
        };
        g_autoptr(GOptionContext) oc = g_option_context_new("METHOD SIGNATURE ARGS");
        g_autoptr(GError) error = NULL;

        g_option_context_add_main_entries(oc, entries, NULL);
        g_option_context_set_summary(oc, "One org.example.Resource1 call through GDBus on the system bus, as the user\n"
                                         "running it. METHOD is the method's name, SIGNATURE its input arguments as one\n"
                                         "GVariant tuple type, ARGS those arguments in GVariant text; for example:\n"
                                         "  rcall GetRlimit '(s)' \"('NOFILE',)\"\n"
                                         "  rcall --pidfd-of 4242 PrlimitPidfd '(hsbtt)' \"(handle 0, 'NOFILE', false, 0, 0)\"");
        g_option_context_set_description(oc, "Prints one line, \"OK <reply as GVariant text>\" or \"ERR <error name> <message>\",\n"
                                             "then what the options ask for. Exit status: 0 after a reply or an error\n"
                                             "reply, 2 for a bad command line, 3 when it could not fork or open the pidfd.");
        if (!g_option_context_parse(oc, &argc, &argv, &error) || argc != 4) {
                fprintf(stderr, "rcall: usage: rcall [OPTIONS] METHOD SIGNATURE ARGS (see rcall --help)\n");
                return 2;
        }

        const Resource1Rlimit *res = NULL;
        if (limit && resource1_rlimit_from_name(limit, &res) < 0) {
                fprintf(stderr, "rcall: unknown resource '%s'\n", limit);
                return 2;
        }

        g_autofree gchar *args = g_strdup(argv[3]);
        pid_t child = 0;
        if (spawn_child) {
                child = fork();
                if (child < 0)
                        return 3;
                if (child == 0) {
                        pause();
                        _exit(0);
                }
                g_autofree gchar *pid = g_strdup_printf("%d", (int) child);
                g_auto(GStrv) parts = g_strsplit(args, "CHILD", -1);
                g_free(args);
                args = g_strjoinv(pid, parts);
        }

        if (burn_ms > 0) {
                double end = now() + burn_ms / 1000.0;
                volatile unsigned long x = 0;
                while (now() < end)
                        x++;
        }

        g_autoptr(GVariant) params = g_variant_parse(G_VARIANT_TYPE(argv[2]), args, NULL, NULL, &error);
        if (!params) {
                fprintf(stderr, "rcall: bad arguments '%s': %s\n", args, error->message);
                return 2;
        }

        g_autoptr(GDBusConnection) bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
        if (!bus) {
                printf("ERR connect %s\n", error->message);
                return 0;
        }

        g_autoptr(GUnixFDList) fds = NULL;
        if (pidfd_of > 0) {
                int fd = pidfd_open(pidfd_of, 0);
                if (fd < 0) {
                        perror("rcall: pidfd_open");
                        return 3;
                }
                fds = g_unix_fd_list_new_from_array(&fd, 1);
        }
        if (fd_of) {
                int fd = open(fd_of, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        perror("rcall: open");
                        return 3;
                }
                fds = g_unix_fd_list_new_from_array(&fd, 1);
        }

        for (size_t i = 0; all_limits && i < resource1_rlimits_count; i++) {
                struct rlimit l;
                getrlimit(resource1_rlimits[i].number, &l);
                printf("BEFORE %s %llu %llu\n", resource1_rlimits[i].name, (unsigned long long) l.rlim_cur,
                       (unsigned long long) l.rlim_max);
        }

        g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_sync(
                bus, dest ?: getenv("RCALL_DEST") ?: destination_of(argv[1]), RESOURCE1_PATH, RESOURCE1_INTERFACE,
                argv[1], g_steal_pointer(&params), NULL,
                interactive ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION : G_DBUS_CALL_FLAGS_NONE,
                -1, fds, NULL, NULL, &error);
        if (reply) {
                g_autofree gchar *text = g_variant_print(reply, TRUE);
                printf("OK %s\n", text);
        } else {
                g_autofree gchar *name = g_dbus_error_get_remote_error(error);
                g_dbus_error_strip_remote_error(error);
                printf("ERR %s %s\n", name ?: "(local)", error->message);
        }

        if (res) {
                struct rlimit l;
                getrlimit(res->number, &l);
                printf("LIMIT %llu %llu\n", (unsigned long long) l.rlim_cur, (unsigned long long) l.rlim_max);
        }
        for (size_t i = 0; all_limits && i < resource1_rlimits_count; i++) {
                struct rlimit l;
                getrlimit(resource1_rlimits[i].number, &l);
                printf("RLIMIT %s %llu %llu\n", resource1_rlimits[i].name, (unsigned long long) l.rlim_cur,
                       (unsigned long long) l.rlim_max);
        }
        if (child > 0) {
                struct rlimit l;
                prlimit(child, res ? res->number : RLIMIT_NOFILE, NULL, &l);
                printf("CHILD %d %llu %llu\n", (int) child, (unsigned long long) l.rlim_cur,
                       (unsigned long long) l.rlim_max);
                kill(child, SIGKILL);
                waitpid(child, NULL, 0);
        }
        if (own_usage) {
                struct rusage ru;
                getrusage(RUSAGE_SELF, &ru);
                /* getrusage's ru_maxrss also counts the images this process was
                 * before exec (the forked test, setpriv); VmHWM only this one */
                long hwm = -1;
                g_autofree gchar *status = NULL;
                if (g_file_get_contents("/proc/self/status", &status, NULL, NULL)) {
                        const char *p = strstr(status, "\nVmHWM:");
                        if (p)
                                hwm = strtol(p + strlen("\nVmHWM:"), NULL, 10);
                }
                printf("USAGE %.6f %.6f %ld %ld %ld %ld\n",
                       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
                       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
                       ru.ru_maxrss, ru.ru_minflt, ru.ru_nvcsw, hwm);
        }
        return 0;
}
