/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl explain: the systemd unit a process runs in, from its cgroup
 * (/proc/PID/cgroup, as the caller may read it), with that unit's
 * LimitXXX= and its manager's DefaultLimitXXX=, asked of systemd over
 * D-Bus: the system manager on the system bus, and for a process of a
 * user@UID.service the user manager on that user's bus, where the caller
 * may reach it. Unit properties are public on the bus; nothing here needs
 * privilege. Without systemd as the init system (sd_booted()) nothing is
 * asked, and that is said. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include "explain.h"
#include "resource1-util.h"

#define SYSTEMD_NAME "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define CALL_TIMEOUT_USEC (5 * 1000000ULL)

/* The interface that has LimitXXX= for a unit of this type; NULL for a
 * type without an exec context (a scope: its processes keep the limits
 * they were started with). */
static const char *exec_interface(const char *unit) {
        static const struct { const char *suffix, *interface; } types[] = {
                { ".service", "org.freedesktop.systemd1.Service" },
                { ".socket",  "org.freedesktop.systemd1.Socket" },
                { ".mount",   "org.freedesktop.systemd1.Mount" },
                { ".swap",    "org.freedesktop.systemd1.Swap" },
        };
        size_t n = strlen(unit);
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                size_t k = strlen(types[i].suffix);
                if (n > k && strcmp(unit + n - k, types[i].suffix) == 0)
                        return types[i].interface;
        }
        return NULL;
}

static bool is_unit_name(const char *s, size_t n) {
        static const char *const suffixes[] = { ".service", ".scope", ".socket", ".mount", ".swap" };
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t k = strlen(suffixes[i]);
                if (n > k && strncmp(s + n - k, suffixes[i], k) == 0)
                        return true;
        }
        return false;
}

/* "user@UID.service": the uid of that user manager. */
static bool user_manager_uid(const char *unit, uid_t *ret) {
        char *end;
        if (strncmp(unit, "user@", 5) != 0 || !isdigit((unsigned char) unit[5]))
                return false;
        errno = 0;
        unsigned long v = strtoul(unit + 5, &end, 10);
        if (errno != 0 || strcmp(end, ".service") != 0 || v >= UINT32_MAX)
                return false;
        *ret = (uid_t) v;
        return true;
}

/* The next unit in a cgroup path after *p, past slices. */
static bool next_unit(const char **p, char *buf, size_t size) {
        while (**p) {
                while (**p == '/')
                        (*p)++;
                size_t n = strcspn(*p, "/");
                const char *c = *p;
                *p += n;
                if (n == 0 || n >= size)
                        continue;
                if (is_unit_name(c, n)) {
                        memcpy(buf, c, n);
                        buf[n] = '\0';
                        return true;
                }
        }
        return false;
}

/* The cgroup path: the unified hierarchy's line, or systemd's own on v1. */
static int read_cgroup(const char *proc_dir, char *buf, size_t size) {
        char path[64], text[4096];
        snprintf(path, sizeof path, "%s/cgroup", proc_dir);
        int r = explain_read_file(path, text, sizeof text);
        if (r < 0)
                return r;
        for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                size_t len = strcspn(line, "\n");
                const char *path_start = NULL;
                if (strncmp(line, "0::", 3) == 0)
                        path_start = line + 3;
                else {
                        const char *s = strstr(line, ":name=systemd:");
                        if (s && s < line + len)
                                path_start = s + 14;
                }
                if (path_start) {
                        snprintf(buf, size, "%.*s", (int) (len - (size_t) (path_start - line)), path_start);
                        return 0;
                }
        }
        return -ENODATA;
}

static int get_limit(sd_bus *bus, const char *path, const char *interface, const char *prefix, const char *name,
                     ExplainLimit *ret, sd_bus_error *error) {
        char prop[64];
        uint64_t soft, hard;
        int r;

        snprintf(prop, sizeof prop, "%s%s", prefix, name);
        r = sd_bus_get_property_trivial(bus, SYSTEMD_NAME, path, interface, prop, error, 't', &hard);
        if (r < 0)
                return r;
        snprintf(prop, sizeof prop, "%s%sSoft", prefix, name);
        r = sd_bus_get_property_trivial(bus, SYSTEMD_NAME, path, interface, prop, error, 't', &soft);
        if (r < 0)
                return r;
        *ret = (ExplainLimit) { true, soft, hard };
        return 0;
}

/* The unit's and its manager's limits, asked of the manager on bus. */
static void ask_manager(sd_bus *bus, const char *name, SystemdUnit *u) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path, *interface = exec_interface(u->unit);
        int r;

        (void) sd_bus_set_method_call_timeout(bus, CALL_TIMEOUT_USEC);
        r = get_limit(bus, SYSTEMD_PATH, SYSTEMD_MANAGER, "DefaultLimit", name, &u->dflt, &error);
        if (r >= 0 && interface) {
                u->has_limit = true;
                /* sd-bus's variadic calls spelt out: resourcectl-library.c
                 * forwards fixed argument lists only. */
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
                r = sd_bus_message_new_method_call(bus, &call, SYSTEMD_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "GetUnit");
                if (r >= 0)
                        r = sd_bus_message_append_basic(call, 's', u->unit);
                if (r >= 0)
                        r = sd_bus_call(bus, call, 0, &error, &reply);
                if (r >= 0)
                        r = sd_bus_message_read_basic(reply, 'o', &path);
                if (r >= 0)
                        r = get_limit(bus, path, interface, "Limit", name, &u->limit, &error);
        }
        if (r < 0)
                EXPLAIN_COPY(u->error, error.message ?: strerror(-r));
}

static void ask_user_manager(uid_t uid, const char *name, SystemdUnit *u) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        char address[64];
        int r;

        snprintf(address, sizeof address, "unix:path=/run/user/%u/bus", (unsigned) uid);
        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, true);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                snprintf(u->error, sizeof u->error, "its bus (%s) is not reachable: %s", address + 10, strerror(-r));
                return;
        }
        ask_manager(bus, name, u);
}

int explain_systemd(const char *proc_dir, const Resource1Rlimit *res, SystemdResult *ret) {
        SystemdResult s = {};
        char unit[256];
        uid_t uid;
        int r;

        s.running = sd_booted() > 0;
        if (!s.running) {
                snprintf(s.note, sizeof s.note, "not the init system here (no /run/systemd/system)");
                *ret = s;
                return 0;
        }
        r = read_cgroup(proc_dir, s.cgroup, sizeof s.cgroup);
        if (r < 0) {
                snprintf(s.note, sizeof s.note, r == -ENODATA ? "its cgroup names no systemd hierarchy" :
                         "its cgroup is not visible to you");
                *ret = s;
                return 0;
        }
        const char *p = s.cgroup;
        if (!next_unit(&p, unit, sizeof unit)) {
                snprintf(s.note, sizeof s.note, "its cgroup names no unit");
                *ret = s;
                return 0;
        }
        SystemdUnit *u = &s.units[s.n_units++];
        snprintf(u->manager, sizeof u->manager, "system");
        EXPLAIN_COPY(u->unit, unit);
        {
                _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
                r = sd_bus_open_system(&bus);
                if (r < 0)
                        snprintf(u->error, sizeof u->error, "the system bus is not reachable: %s", strerror(-r));
                else
                        ask_manager(bus, res->name, u);
        }
        if (user_manager_uid(unit, &uid) && next_unit(&p, unit, sizeof unit)) {
                u = &s.units[s.n_units++];
                snprintf(u->manager, sizeof u->manager, "user");
                u->uid = uid;
                EXPLAIN_COPY(u->unit, unit);
                ask_user_manager(u->uid, res->name, u);
        }
        *ret = s;
        return 0;
}
