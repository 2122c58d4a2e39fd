/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "errors.h"
#include "polkit.h"
#include "util.h"

#define POLKIT_CHECK_ALLOW_USER_INTERACTION 1u

#define POLKIT_SERVICE   "org.freedesktop.PolicyKit1"
#define POLKIT_PATH      "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"

int polkit_check_async(sd_bus *bus, sd_bus_message *request, const char *action_id,
                       const char *const *details, bool interactive, const char *cancel_id,
                       sd_bus_message_handler_t callback, void *userdata, sd_bus_slot **ret_slot) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const char *sender = sd_bus_message_get_sender(request);
        int r;

        /* The subject is the bus name, never a pid: polkitd resolves it through
         * the bus, so a caller cannot be swapped for another process. */
        if (!sender)
                return -EBADMSG;

        r = sd_bus_message_new_method_call(bus, &m, POLKIT_SERVICE, POLKIT_PATH, POLKIT_INTERFACE,
                                           "CheckAuthorization");
        if (r < 0)
                return r;

        /* Field by field: sd_bus_message_append() parses its signature on
         * every call, which was half of what asking cost the daemon. The
         * subject is (s "system-bus-name", a{sv} {"name": <s sender>}). */
        r = sd_bus_message_open_container(m, 'r', "sa{sv}");
        if (r >= 0)
                r = sd_bus_message_append_basic(m, 's', "system-bus-name");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append_basic(m, 's', "name");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "s");
        if (r >= 0)
                r = sd_bus_message_append_basic(m, 's', sender);
        for (unsigned i = 0; r >= 0 && i < 4; i++)      /* the variant, entry, array and struct */
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append_basic(m, 's', action_id);

        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{ss}");
        for (const char *const *d = details; r >= 0 && d && d[0] && d[1]; d += 2) {
                r = sd_bus_message_open_container(m, 'e', "ss");
                if (r >= 0)
                        r = sd_bus_message_append_basic(m, 's', d[0]);
                if (r >= 0)
                        r = sd_bus_message_append_basic(m, 's', d[1]);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;

        unsigned flags = interactive && sd_bus_message_get_allow_interactive_authorization(request) > 0 ?
                         POLKIT_CHECK_ALLOW_USER_INTERACTION : 0;
        r = sd_bus_message_append_basic(m, 'u', &flags);
        if (r >= 0)
                r = sd_bus_message_append_basic(m, 's', cancel_id);
        if (r < 0)
                return r;

        /* No sd-bus timeout: the caller keeps the deadline, and cancels. */
        return sd_bus_call_async(bus, ret_slot, m, callback, userdata, UINT64_MAX);
}

int polkit_cancel(sd_bus *bus, const char *cancel_id) {
        return sd_bus_call_method_async(bus, NULL, POLKIT_SERVICE, POLKIT_PATH, POLKIT_INTERFACE,
                                        "CancelCheckAuthorization", NULL, NULL, "s", cancel_id);
}

int polkit_answer(sd_bus_message *reply, const char *action_id, const char *what, PolkitAnswer *ret,
                  sd_bus_error *error) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int authorized, challenge, r;

        if (e)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                         "%s: authorization for %s could not be checked, so it is denied: %s: %s",
                                         what, action_id, e->name, e->message ?: "");

        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0)
                return sd_bus_error_setf(error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                         "%s: authorization for %s could not be checked, so it is denied: "
                                         "malformed reply from polkit", what, action_id);

        *ret = authorized ? POLKIT_AUTHORIZED : challenge ? POLKIT_CHALLENGE : POLKIT_NOT_AUTHORIZED;
        return 0;
}

int polkit_refuse(PolkitAnswer answer, const char *action_id, bool interactive, const char *what,
                  sd_bus_error *error) {
        if (answer == POLKIT_AUTHORIZED)
                return 0;

        /* polkitd (122) answers a challenge, with no details, both when it
         * was not allowed to ask and when it was but found no authentication
         * agent for the subject (its session, or its process): with an agent
         * it asks, and answers once the person did. Only the flag we sent
         * tells the two apart, so the message says which is missing. */
        if (answer == POLKIT_CHALLENGE && !interactive)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                         "%s: %s needs authentication, but the call did not allow interactive "
                                         "authorization (send it with the ALLOW_INTERACTIVE_AUTHORIZATION flag, "
                                         "with an authentication agent running, to be asked)", what, action_id);
        if (answer == POLKIT_CHALLENGE)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                         "%s: %s needs authentication, but no authentication agent answered: "
                                         "polkit found none registered for the caller's session or process "
                                         "(run one there, such as pkttyagent)", what, action_id);

        return sd_bus_error_setf(error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                 "%s: polkit refused %s", what, action_id);
}

/* Appends to a detail's text at *len, truncating (never past size): the
 * buffers are sized for the longest text, so nothing is cut in fact. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t size, size_t *len, const char *format, ...) {
        va_list ap;

        if (*len >= size - 1)
                return;
        va_start(ap, format);
        int r = vsnprintf(buf + *len, size - *len, format, ap);
        va_end(ap);
        if (r > 0)
                *len = *len + (size_t) r < size - 1 ? *len + (size_t) r : size - 1;
}

/* "user alice", or "user bob (effective root, saved root)" where the
 * effective or saved id differs from the real one (a setuid program's). */
static void append_ids(char *buf, size_t size, size_t *len, const char *kind, const char *file, unsigned real,
                       unsigned effective, unsigned saved) {
        char name[ID_NAME_MAX];

        id_name(file, real, name);
        append(buf, size, len, "%s %s", kind, name);
        if (effective != real || saved != real) {
                id_name(file, effective, name);
                append(buf, size, len, " (effective %s", name);
                id_name(file, saved, name);
                append(buf, size, len, ", saved %s)", name);
        }
}

/* A limit's value for a person: RLIM_INFINITY as ulimit and resourcectl
 * show it. */
static const char *value_text(char buf[static 24], rlim_t v) {
        if (v == RLIM_INFINITY)
                return "unlimited";
        snprintf(buf, 24, "%" PRIu64, (uint64_t) v);
        return buf;
}

void polkit_details(PolkitDetails *d, AuthAction action, pid_t pid, const ProcessIds *ids, const char *flatpak_app,
                    const Resource1Rlimit *const resources[], const struct rlimit old[], const struct rlimit new[],
                    unsigned n, unsigned needing) {
        size_t k = 0, resources_len = 0, runs_as_len = 0, changes_len = 0;
        unsigned count = 0, one = 0;

        snprintf(d->pid, sizeof d->pid, "%d", (int) pid);
        d->list[k++] = "pid";
        d->list[k++] = d->pid;
        if (flatpak_app && flatpak_app[0]) {
                d->list[k++] = "flatpak_app";
                d->list[k++] = flatpak_app;
        }

        d->runs_as[0] = d->resources[0] = d->changes[0] = '\0';
        append_ids(d->runs_as, sizeof d->runs_as, &runs_as_len, "user", "/etc/passwd", ids->uid, ids->euid,
                   ids->suid);
        append(d->runs_as, sizeof d->runs_as, &runs_as_len, ", ");
        append_ids(d->runs_as, sizeof d->runs_as, &runs_as_len, "group", "/etc/group", ids->gid, ids->egid,
                   ids->sgid);
        d->list[k++] = "runs_as";
        d->list[k++] = d->runs_as;

        /* Every limit of the call, whether it needs the action or not: a
         * rule may grant a raise only beside another limit's lowering (the
         * audio example: RTPRIO only with a finite RTTIME), which needs no
         * action and so is in none of the keys below. */
        for (unsigned i = 0; i < n && i < RLIM_NLIMITS; i++) {
                const char *name = resources[i]->name;

                snprintf(d->values[i][0], sizeof d->values[i][0], "%" PRIu64, (uint64_t) new[i].rlim_cur);
                snprintf(d->values[i][1], sizeof d->values[i][1], "%" PRIu64, (uint64_t) new[i].rlim_max);
                snprintf(d->keys[i][2], sizeof d->keys[i][2], "batch.%s.soft", name);
                snprintf(d->keys[i][3], sizeof d->keys[i][3], "batch.%s.hard", name);
                for (unsigned j = 0; j < 2; j++) {
                        d->list[k++] = d->keys[i][2 + j];
                        d->list[k++] = d->values[i][j];
                }
        }

        for (unsigned i = 0; i < n && i < RLIM_NLIMITS; i++) {
                if (!(needing & (1u << i)))
                        continue;
                const char *name = resources[i]->name;
                char a[24], b[24];

                append(d->resources, sizeof d->resources, &resources_len, "%s%s", count ? " " : "", name);
                if (action == AUTH_ACTION_RAISE_HARD)
                        append(d->changes, sizeof d->changes, &changes_len, "%s%s from %s to %s", count ? ", " : "",
                               name, value_text(a, old[i].rlim_max), value_text(b, new[i].rlim_max));
                else
                        append(d->changes, sizeof d->changes, &changes_len, "%s%s soft %s hard %s",
                               count ? ", " : "", name, value_text(a, new[i].rlim_cur),
                               value_text(b, new[i].rlim_max));
                snprintf(d->keys[i][0], sizeof d->keys[i][0], "%s.soft", name);
                snprintf(d->keys[i][1], sizeof d->keys[i][1], "%s.hard", name);
                for (unsigned j = 0; j < 2; j++) {
                        d->list[k++] = d->keys[i][j];
                        d->list[k++] = d->values[i][j];
                }
                one = i;
                count++;
        }
        d->list[k++] = "resources";
        d->list[k++] = d->resources;
        d->list[k++] = "changes";
        d->list[k++] = d->changes;
        if (count == 1) {
                d->list[k++] = "resource";
                d->list[k++] = resources[one]->name;
                d->list[k++] = "soft";
                d->list[k++] = d->values[one][0];
                d->list[k++] = "hard";
                d->list[k++] = d->values[one][1];
        }
        d->list[k] = NULL;
}
