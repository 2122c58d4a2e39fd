/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bound on what the loop reads of one call.
 *
 * sd-bus reads a whole message off the socket before any filter sees it (the
 * kernel's copy into its buffer: about 6 ms for 31 MB) and then checks a
 * string argument's bytes (no NUL, valid UTF-8: about 2 ns a byte) whenever
 * it is read. It has no call that gives a received message's size, or a
 * string argument's length, without that check, so a call cannot be refused
 * for its size before anything of it is read. What can be bounded is what
 * follows: a handler that refused a 31 MB resource name quoted it in its
 * error, which sd-bus checked again and sent back whole (220 ms of the loop
 * for the call, a 31 MB reply), and sd-bus's own Properties calls read and
 * hash their names twice and quote both in their error.
 *
 * So this filter, ahead of the handlers and of the creds prefetch (which
 * would hold the call while the bus is asked who sent it), reads the
 * arguments of a call of the interface once and answers at the first one no
 * valid call has: a string longer than CALL_STRING_MAX (checked once by
 * sd-bus: 70 ms for 31 MB, then not read again) or an array with more entries
 * than there are resources (read no further). A call that passes is small,
 * and its handler's reads cost what they cost for any valid call. A call
 * whose signature is not its method's is let through unread (sd-bus refuses
 * it without reading it), and so is one whose arguments cannot be read (a
 * pidfd index with no descriptor): its handler answers as it always did. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "call-size.h"
#include "log.h"
#include "resource1-bus.h"
#include "util.h"

#define PROPERTIES_INTERFACE "org.freedesktop.DBus.Properties"

/* One more than can be valid is enough to refuse a batch, as the handler
 * does; an array is never read further. */
#define CALL_ARRAY_MAX ((unsigned) RLIM_NLIMITS)

typedef struct Method {
        const char *signature;
        const char *names;           /* one NUL-terminated name per argument, as in a vtable */
} Method;

/* sd-bus's own, served for every object; Set's value is not read (the
 * interface has no writable property: sd-bus refuses it by its names), and
 * Introspect takes nothing. */
static const Method properties_get = { "ss", "interface_name\0property_name\0" };
static const Method properties_get_all = { "s", "interface_name\0" };
static const Method properties_set = { "ssv", "interface_name\0property_name\0value\0" };
static const Method introspect = { "", "" };

/* The error a value too large gives, by its argument's name: the one the
 * handler gives for a bad value of that argument. */
typedef struct ArgErrors {
        const char *name;
        const char *string_error;    /* a string in it (a name) */
        const char *string_what;
        const char *array_error;     /* more entries than there are resources */
} ArgErrors;

static const ArgErrors arg_errors[] = {
        { "resource", RESOURCE1_ERROR_INVALID_RESOURCE, "invalid resource specified", NULL },
        { "who",      RESOURCE1_ERROR_INVALID_WHO,      "invalid who parameter",      NULL },
        { "limits",   RESOURCE1_ERROR_INVALID_RESOURCE, "invalid resource specified",
                      RESOURCE1_ERROR_INVALID_LIMITS },
};

typedef struct CallSize {
        const char *path;
        const char *interface;
        const sd_bus_vtable *vtable;
} CallSize;

static const ArgErrors *arg_errors_find(const char *name) {
        for (size_t i = 0; name && i < sizeof arg_errors / sizeof arg_errors[0]; i++)
                if (strcmp(arg_errors[i].name, name) == 0)
                        return &arg_errors[i];
        return NULL;
}

static int refuse_string(sd_bus_message *m, const char *arg, const char *s) {
        const ArgErrors *e = arg_errors_find(arg);
        size_t len = strlen(s);      /* for the error: a scan like memchr's, a fraction of sd-bus's check */

        log_debug("Refused %s from %s: argument '%s' is a string of %zu bytes", sd_bus_message_get_member(m),
                  sd_bus_message_get_sender(m) ?: "?", arg ?: "?", len);
        if (e && e->string_error)
                return sd_bus_reply_method_errorf(m, e->string_error,
                                                  "%s: a name of %zu bytes (no call of this service takes a "
                                                  "string longer than %u)", e->string_what, len,
                                                  CALL_STRING_MAX);
        return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_INVALID_ARGS,
                                          "argument '%s' is a string of %zu bytes; no call of this service "
                                          "takes one longer than %u", arg ?: "?", len, CALL_STRING_MAX);
}

static int refuse_array(sd_bus_message *m, const char *arg) {
        const ArgErrors *e = arg_errors_find(arg);

        log_debug("Refused %s from %s: argument '%s' has more than %u entries", sd_bus_message_get_member(m),
                  sd_bus_message_get_sender(m) ?: "?", arg ?: "?", CALL_ARRAY_MAX);
        if (e && e->array_error)
                /* The handler's own words for the same batch. */
                return sd_bus_reply_method_errorf(m, e->array_error,
                                                  "at least %u limits given; there are %u resources",
                                                  CALL_ARRAY_MAX + 1, CALL_ARRAY_MAX);
        return sd_bus_reply_method_errorf(m, SD_BUS_ERROR_INVALID_ARGS,
                                          "argument '%s' has more than %u entries; no call of this service "
                                          "takes more", arg ?: "?", CALL_ARRAY_MAX);
}

/* Reads one value of the given type: 0 when it is within the bounds, 1
 * when the call was answered, negative when it cannot be read. */
static int walk_value(sd_bus_message *m, char type, const char *contents, const char *arg) {
        int r;

        switch (type) {
        case SD_BUS_TYPE_STRING:
        case SD_BUS_TYPE_OBJECT_PATH:
        case SD_BUS_TYPE_SIGNATURE: {
                const char *s;
                r = sd_bus_message_read_basic(m, type, &s);
                if (r < 0)
                        return r;
                return strnlen(s, CALL_STRING_MAX + 1) > CALL_STRING_MAX ? (refuse_string(m, arg, s), 1) : 0;
        }
        case SD_BUS_TYPE_ARRAY:
        case SD_BUS_TYPE_STRUCT:
        case SD_BUS_TYPE_DICT_ENTRY:
        case SD_BUS_TYPE_VARIANT: {
                r = sd_bus_message_enter_container(m, type, contents);
                if (r < 0)
                        return r;
                for (unsigned n = 0;; n++) {
                        char t;
                        const char *c;
                        r = sd_bus_message_peek_type(m, &t, &c);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                break;
                        if (type == SD_BUS_TYPE_ARRAY && n == CALL_ARRAY_MAX)
                                return refuse_array(m, arg), 1;
                        r = walk_value(m, t, c, arg);
                        if (r != 0)
                                return r;
                }
                return sd_bus_message_exit_container(m) < 0 ? -EBADMSG : 0;
        }
        default:
                return sd_bus_message_read_basic(m, type, NULL) < 0 ? -EBADMSG : 0;
        }
}

/* The length of the complete type signature s starts with ("a(stt)u": 6),
 * or 0. s is a vtable's, which sd-bus has checked the call's against. */
static size_t type_length(const char *s) {
        size_t i = 1, l;

        switch (*s) {
        case SD_BUS_TYPE_ARRAY:
                l = type_length(s + 1);
                return l ? l + 1 : 0;
        case SD_BUS_TYPE_STRUCT_BEGIN:
        case SD_BUS_TYPE_DICT_ENTRY_BEGIN: {
                char end = *s == SD_BUS_TYPE_STRUCT_BEGIN ? SD_BUS_TYPE_STRUCT_END : SD_BUS_TYPE_DICT_ENTRY_END;
                while (s[i] && s[i] != end) {
                        l = type_length(s + i);
                        if (l == 0)
                                return 0;
                        i += l;
                }
                return s[i] ? i + 1 : 0;
        }
        case 0:
                return 0;
        default:
                return 1;
        }
}

/* The arguments in order, each with its name, up to the last one a caller
 * can make large: the fixed-size ones after it are not read, nor a variant
 * (Properties.Set's value). */
static int walk_arguments(sd_bus_message *m, const char *signature, const char *names) {
        const char *end = signature;

        for (const char *t = signature; *t && *t != SD_BUS_TYPE_VARIANT; ) {
                size_t l = type_length(t);
                if (l == 0)
                        return 0;
                t += l;
                if (strcspn(t - l, "sogav") < l)
                        end = t;
        }
        for (const char *t = signature; t < end; ) {
                const char *arg = names && *names ? names : NULL;
                const char *contents = NULL;
                char type = *t;
                int r = 0;

                /* A container's contents as sd-bus names them; a basic
                 * type is read as it is. */
                if (type == SD_BUS_TYPE_ARRAY || type == SD_BUS_TYPE_STRUCT_BEGIN)
                        r = sd_bus_message_peek_type(m, &type, &contents);
                if (r >= 0)
                        r = walk_value(m, type, contents, arg);
                if (r != 0)
                        return r;
                t += type_length(t);
                if (arg)
                        names += strlen(names) + 1;
        }
        return 0;
}

static bool method_find(const CallSize *cs, sd_bus_message *m, Method *ret) {
        const char *interface = sd_bus_message_get_interface(m), *member = sd_bus_message_get_member(m);

        if (!interface || !member)
                return false;
        if (strcmp(interface, PROPERTIES_INTERFACE) == 0) {
                *ret = strcmp(member, "Get") == 0 ? properties_get :
                       strcmp(member, "GetAll") == 0 ? properties_get_all :
                       strcmp(member, "Set") == 0 ? properties_set : (Method) {};
                return ret->signature;
        }
        if (strcmp(interface, "org.freedesktop.DBus.Introspectable") == 0 && strcmp(member, "Introspect") == 0) {
                *ret = introspect;
                return true;
        }
        if (strcmp(interface, cs->interface) != 0)
                return false;
        for (const sd_bus_vtable *v = cs->vtable; v->type != _SD_BUS_VTABLE_END; v++)
                if (v->type == _SD_BUS_VTABLE_METHOD && strcmp(v->x.method.member, member) == 0) {
                        *ret = (Method) { v->x.method.signature ?: "", v->x.method.names };
                        return true;
                }
        return false;
}

/* other_signatures: whether a call whose signature is not its method's is
 * answered here too (InvalidArgs, in sd-bus's words) or let through (sd-bus
 * refuses it without reading it, but only where it dispatches the call). */
static int check(const CallSize *cs, sd_bus_message *m, bool other_signatures) {
        const char *path = sd_bus_message_get_path(m), *signature;
        uint8_t type = 0;
        Method method;

        /* Only what sd-bus would hand to a reader of the arguments: a call
         * on the object of a method it has. The rest sd-bus answers without
         * reading its arguments. */
        if (sd_bus_message_get_type(m, &type) < 0 || type != SD_BUS_MESSAGE_METHOD_CALL || !path ||
            strcmp(path, cs->path) != 0 || !method_find(cs, m, &method))
                return 0;
        signature = sd_bus_message_get_signature(m, true);
        if (!signature)
                return 0;
        if (strcmp(signature, method.signature) != 0) {
                if (!other_signatures)
                        return 0;
                (void) sd_bus_reply_method_errorf(m, SD_BUS_ERROR_INVALID_ARGS,
                                                  "Invalid arguments '%s' to call %s.%s(), expecting '%s'.",
                                                  signature, sd_bus_message_get_interface(m),
                                                  sd_bus_message_get_member(m), method.signature);
                return 1;
        }

        /* From the first argument, whatever was read of it before. */
        int r = sd_bus_message_rewind(m, true);
        if (r >= 0)
                r = walk_arguments(m, method.signature, method.names);
        if (r > 0)
                return 1;
        /* Within the bounds, or not readable (its handler says why): read
         * again from the start by whoever comes next. */
        (void) sd_bus_message_rewind(m, true);
        return 0;
}

int call_size_check(sd_bus_message *m, const char *path, const char *interface, const sd_bus_vtable *vtable) {
        const CallSize cs = { path, interface, vtable };
        return check(&cs, m, true);
}

static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        (void) error;
        return check(userdata, m, false);
}

int call_size_attach(sd_bus *bus, const char *path, const char *interface, const sd_bus_vtable *vtable) {
        _cleanup_free_ CallSize *cs = malloc(sizeof *cs);
        sd_bus_slot *slot = NULL;
        int r;

        if (!cs)
                return -ENOMEM;
        *cs = (CallSize) { path, interface, vtable };
        r = sd_bus_add_filter(bus, &slot, on_call, cs);
        if (r < 0)
                return r;
        /* The bus's, for as long as the bus, and cs freed with it. */
        r = sd_bus_slot_set_floating(slot, true);
        if (r < 0) {
                sd_bus_slot_unref(slot);
                return r;
        }
        (void) sd_bus_slot_set_destroy_callback(slot, free);
        TAKE_PTR(cs);
        sd_bus_slot_unref(slot);
        return 0;
}
