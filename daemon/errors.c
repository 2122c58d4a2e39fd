/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

int error_from_errno(sd_bus_error *error, int r, const char *what) {
        r = -abs(r);
        switch (-r) {
        case ESRCH:
                return sd_bus_error_setf(error, RESOURCE1_ERROR_NO_SUCH_PROCESS,
                                         "%s: no such process", what);
        case EPERM:
        case EACCES:
                return sd_bus_error_setf(error, RESOURCE1_ERROR_PERMISSION_DENIED,
                                         "%s: the kernel refused: %s", what, strerror(-r));
        default:
                return sd_bus_error_setf(error, RESOURCE1_ERROR_FAILED, "%s: %s", what, strerror(-r));
        }
}

void reply_finish(sd_bus_message *request, int r, const sd_bus_error *error) {
        if (r >= 0)
                return;
        if (sd_bus_error_is_set(error))
                r = sd_bus_reply_method_error(request, error);
        if (r < 0)
                (void) sd_bus_reply_method_errno(request, r, NULL);
}
