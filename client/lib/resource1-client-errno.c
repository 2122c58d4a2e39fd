/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "resource1-client-errno.h"
#include "resource1-errors.h"

static bool has_prefix(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int local_errno(int r) {
        switch (-r) {
        case ECONNRESET:
        case ENOTCONN:
        case EPIPE:
        case ESHUTDOWN:
                return -ECONNRESET;
        /* What the service's names stand for means the service said so. */
        case EINVAL:
        case ESRCH:
        case EPERM:
        case EIO:
        case EAGAIN:
        case EXDEV:
        case EACCES:
        case ENOKEY:
                return -EPROTO;
        }
        return r < 0 ? r : -EPROTO;
}

int resource1_client_errno(const sd_bus_error *error, int r, bool timed_out) {
        const char *name = error ? error->name : NULL;

        if (!name || has_prefix(name, "System.Error."))
                return local_errno(r);

        for (const sd_bus_error_map *m = resource1_error_map; m->name; m++)
                if (strcmp(name, m->name) == 0)
                        return -m->code;

        if (sd_bus_error_has_names(error, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER,
                                   SD_BUS_ERROR_NO_SERVER) ||
            has_prefix(name, "org.freedesktop.DBus.Error.Spawn."))
                return -ECONNREFUSED;
        if (sd_bus_error_has_name(error, SD_BUS_ERROR_NO_REPLY))
                return timed_out ? -ETIMEDOUT : -ECONNRESET;
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_TIMEOUT, "org.freedesktop.DBus.Error.TimedOut"))
                return -ETIMEDOUT;
        if (sd_bus_error_has_name(error, SD_BUS_ERROR_DISCONNECTED))
                return -ECONNRESET;
        if (sd_bus_error_has_names(error, SD_BUS_ERROR_UNKNOWN_METHOD, SD_BUS_ERROR_UNKNOWN_INTERFACE,
                                   SD_BUS_ERROR_UNKNOWN_OBJECT, SD_BUS_ERROR_UNKNOWN_PROPERTY))
                return -EOPNOTSUPP;
        if (sd_bus_error_has_name(error, SD_BUS_ERROR_NO_MEMORY))
                return -ENOMEM;
        /* The bus's own bound (a connection's pending replies): as the
         * service's LimitsExceeded, nothing was done and it passes. */
        if (sd_bus_error_has_name(error, SD_BUS_ERROR_LIMITS_EXCEEDED))
                return -EAGAIN;
        if (sd_bus_error_has_name(error, SD_BUS_ERROR_INCONSISTENT_MESSAGE))
                return -EBADMSG;
        return -EPROTO;
}
