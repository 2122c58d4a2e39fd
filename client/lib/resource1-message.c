/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1: a request's method call, as org.example.Resource1 specifies
 * it, and what its reply says. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "resource1-internal.h"
#include "resource1-names.h"

/* ---- messages ---- */

static int append_batch(sd_bus_message *m, const Request *q) {
        int r = sd_bus_message_open_container(m, 'a', "(stt)");
        for (size_t i = 0; r >= 0 && i < q->n; i++)
                r = sd_bus_message_append(m, "(stt)", resource1_resource_to_name(q->resources[i]), q->limits[i].soft,
                                          q->limits[i].hard);
        return r < 0 ? r : sd_bus_message_close_container(m);
}

/* q's arguments, each where types names its type: "h" the target's pidfd,
 * "u" its number, "s" the next of q's strings, "b" set, "t" the next of its
 * limit's soft and hard, "a(stt)" its batch. */
static int append_arguments(sd_bus_message *m, const char *types, const Request *q) {
        size_t n_strings = 0, n_numbers = 0;
        int r = 0;

        for (const char *p = types; r >= 0 && *p; p++)
                switch (*p) {
                case 'h':
                        r = sd_bus_message_append(m, "h", q->fd);
                        break;
                case 'u':
                        r = sd_bus_message_append(m, "u", q->pid);
                        break;
                case 's':
                        if (n_strings >= ELEMENTSOF(q->strings))
                                return -EINVAL;
                        r = sd_bus_message_append(m, "s", q->strings[n_strings++]);
                        break;
                case 'b':
                        r = sd_bus_message_append(m, "b", (int) q->set);
                        break;
                case 't':
                        if (n_numbers >= 2)
                                return -EINVAL;
                        r = sd_bus_message_append(m, "t", n_numbers++ == 0 ? q->limit.soft : q->limit.hard);
                        break;
                case 'a':
                        if (strncmp(p, "a(stt)", strlen("a(stt)")) != 0)
                                return -EINVAL;
                        r = append_batch(m, q);
                        p += strlen("a(stt)") - 1;
                        break;
                default:
                        return -EINVAL;   /* a type no member has yet: append_arguments() learns it with the member */
                }
        return r;
}

int request_message(const Resource1 *h, sd_bus *bus, const Request *q, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const Member *member = request_member(q);
        int r;

        if (member->kind == MEMBER_PROPERTY)
                r = sd_bus_message_new_method_call(bus, &m, RESOURCE1_BUS_NAME, RESOURCE1_PATH,
                                                   "org.freedesktop.DBus.Properties", "Get");
        else if (member->kind == MEMBER_METHOD)
                /* A call that carries a descriptor goes to the gate's name:
                 * the service's own connection does not take descriptors, so
                 * the bus refuses one sent to RESOURCE1_BUS_NAME. Everything
                 * else goes there. */
                r = sd_bus_message_new_method_call(bus, &m,
                                                   member->target == TARGET_PIDFD ? RESOURCE1_PIDFD_BUS_NAME :
                                                                                    RESOURCE1_BUS_NAME,
                                                   RESOURCE1_PATH, RESOURCE1_INTERFACE, member->name);
        else
                r = -EINVAL;
        if (r < 0)
                return r;
        r = sd_bus_message_set_allow_interactive_authorization(m, h->allow_interactive);
        if (r < 0)
                return r;

        if (member->kind == MEMBER_PROPERTY)
                r = sd_bus_message_append(m, "ss", RESOURCE1_INTERFACE, member->name);
        else
                r = append_arguments(m, member->in, q);
        if (r < 0)
                return r;

        *ret = m;
        m = NULL;
        return 0;
}

/* ---- replies ---- */

void result_done(Result *res) {
        free(res->s);
        free(res->strv);
        res->s = NULL;
        res->strv = NULL;
}

int read_nothing(sd_bus_message *reply, const Request *q, Result *res) {
        return 0;
}

int read_limit(sd_bus_message *reply, const Request *q, Result *res) {
        return sd_bus_message_read(reply, "tt", &res->limit.soft, &res->limit.hard);
}

int read_u64(sd_bus_message *reply, const Request *q, Result *res) {
        return sd_bus_message_read(reply, "t", &res->u64);
}

/* The limits in force before a batch, in the order given. */
int read_old_limits(sd_bus_message *reply, const Request *q, Result *res) {
        const char *name;
        uint64_t soft, hard;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(stt)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(stt)", &name, &soft, &hard)) > 0) {
                if (res->n_old >= q->n || res->n_old >= RLIM_NLIMITS ||
                    resource1_resource_from_name(name) != q->resources[res->n_old])
                        return -EBADMSG;
                res->old[res->n_old++] = (Resource1Limit) { soft, hard };
        }
        if (r < 0)
                return r;
        return res->n_old == q->n ? 0 : -EBADMSG;
}

static int answer_from_string(const char *s, Resource1Answer *ret) {
        static const char *const words[] = {
                [RESOURCE1_ANSWER_YES] = "yes",
                [RESOURCE1_ANSWER_CHALLENGE] = "challenge",
                [RESOURCE1_ANSWER_NO] = "no",
                [RESOURCE1_ANSWER_NA] = "na",
        };
        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (strcmp(s, words[i]) == 0) {
                        *ret = (Resource1Answer) i;
                        return 0;
                }
        return -EBADMSG;   /* none of the four the specification names */
}

/* CanSetRlimits' answers: the batch's, then one per limit of q's batch, in
 * its order. */
int read_can_answers(sd_bus_message *reply, const Request *q, Result *res) {
        const char *answer, *name, *action;
        int r;

        r = sd_bus_message_read_basic(reply, 's', &answer);
        if (r >= 0)
                r = answer_from_string(answer, &res->answer);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "(sss)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(sss)", &name, &answer, &action)) > 0) {
                Resource1LimitAnswer *a = &res->answers[res->n_answers];
                if (res->n_answers >= q->n || res->n_answers >= RLIM_NLIMITS ||
                    resource1_resource_from_name(name) != q->resources[res->n_answers] ||
                    strlen(action) >= sizeof a->action)
                        return -EBADMSG;
                a->resource = q->resources[res->n_answers];
                r = answer_from_string(answer, &a->answer);
                if (r < 0)
                        return r;
                strcpy(a->action, action);
                res->n_answers++;
        }
        if (r < 0)
                return r;
        return res->n_answers == q->n ? 0 : -EBADMSG;
}

/* What the service sent, in its order; a resource this library has no
 * number for is left out. */
int read_list(sd_bus_message *reply, const Request *q, Result *res) {
        const char *name;
        uint64_t soft, hard;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "(stt)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "(stt)", &name, &soft, &hard)) > 0) {
                int k = resource1_resource_from_name(name);
                if (k < 0)
                        continue;
                for (size_t i = 0; i < res->n_entries; i++)
                        if (res->entries[i].resource == k)
                                return -EBADMSG;
                if (res->n_entries >= RLIM_NLIMITS)
                        return -EBADMSG;
                res->entries[res->n_entries++] = (Resource1LimitEntry) { k, { soft, hard } };
        }
        return r;
}

int read_usage(sd_bus_message *reply, const Request *q, Result *res) {
        Resource1Usage u = {};
        int64_t *counters[14] = {
                &u.ru_maxrss, &u.ru_ixrss, &u.ru_idrss, &u.ru_isrss, &u.ru_minflt, &u.ru_majflt, &u.ru_nswap,
                &u.ru_inblock, &u.ru_oublock, &u.ru_msgsnd, &u.ru_msgrcv, &u.ru_nsignals, &u.ru_nvcsw, &u.ru_nivcsw,
        };
        const char *key;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                size_t i = 0;
                while (i < 16 && strcmp(key, resource1_rusage_fields[i].name) != 0)
                        i++;
                if (i < 2)
                        r = sd_bus_message_read(reply, "v", "d", i == 0 ? &u.ru_utime : &u.ru_stime);
                else if (i < 16)
                        r = sd_bus_message_read(reply, "v", "x", counters[i - 2]);
                else
                        r = sd_bus_message_skip(reply, "v");   /* a field newer than this library */
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        res->usage = u;
        return 0;
}

/* A NULL-terminated array of strings in one allocation. */
static int read_strv(sd_bus_message *reply, char ***ret) {
        const char *names[256];
        size_t n = 0, bytes = 0;
        const char *s;
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(reply, "s", &s)) > 0) {
                if (n >= ELEMENTSOF(names) - 1)
                        return -EBADMSG;
                names[n++] = s;
                bytes += strlen(s) + 1;
        }
        if (r < 0)
                return r;

        char **v = malloc((n + 1) * sizeof(char *) + bytes);
        if (!v)
                return -ENOMEM;
        char *p = (char *) (v + n + 1);
        for (size_t i = 0; i < n; i++) {
                v[i] = p;
                p = stpcpy(p, names[i]) + 1;
        }
        v[n] = NULL;
        *ret = v;
        return 0;
}

/* Properties.Get's variant, of the property's type. */
int read_property(sd_bus_message *reply, const Request *q, Result *res) {
        const char *type = request_member(q)->out, *s;
        int b, r;

        if (strcmp(type, "b") == 0) {
                r = sd_bus_message_read(reply, "v", "b", &b);
                res->b = b;
                return r;
        }
        if (strcmp(type, "s") == 0) {
                r = sd_bus_message_read(reply, "v", "s", &s);
                if (r < 0)
                        return r;
                res->s = strdup(s);
                return res->s ? 0 : -ENOMEM;
        }
        if (strcmp(type, "as") == 0) {
                r = sd_bus_message_enter_container(reply, 'v', "as");
                return r < 0 ? r : read_strv(reply, &res->strv);
        }
        return -EINVAL;
}

/* RlimitChanged's arguments; the name is the message's. */
int read_rlimit_changed(sd_bus_message *m, const Request *q, Result *res) {
        return sd_bus_message_read(m, "usttttu", &res->changed.pid, &res->changed.name, &res->changed.old_limit.soft,
                                   &res->changed.old_limit.hard, &res->changed.new_limit.soft,
                                   &res->changed.new_limit.hard, &res->changed.uid);
}

int read_reply(sd_bus_message *reply, const Request *q, Result *res) {
        const Member *member = request_member(q);

        if (q->discard_reply)
                return 0;
        return member->read ? member->read(reply, q, res) : -EINVAL;
}

int unexpected_reply(sd_bus_error *e, int r) {
        if (r == -ENOMEM)
                return sd_bus_error_set_errno(e, r);
        return sd_bus_error_setf(e, SD_BUS_ERROR_INCONSISTENT_MESSAGE,
                                 "the service's reply is not what org.example.Resource1 specifies: %s", strerror(-r));
}
