/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/change/change-report.c: the kernel's EPERM as the caller hears it, of
 * the daemon's own act and of the acting process. */
#include <errno.h>
#include <glib.h>

#include "change-internal.h"
#include "context.h"
#include "daemon-parts.h"
#include "resource1-bus.h"
#include "refusals.h"

/* The kernel's EPERM as the caller hears it: of the daemon's own act, for
 * want of CAP_SYS_RESOURCE, ServiceLacksCapability (what was asked was
 * allowed); of the acting process, which has the caller's ids, the caller's
 * own PermissionDenied. */
static void test_kernel_eperm_names(void) {
        Context c = { .refusals = {} };
        g_assert_cmpint(sd_event_default(&c.refusals.event), >=, 0);
        const Resource1Rlimit *nofile = NULL;
        g_assert_cmpint(resource1_rlimit_from_name("NOFILE", &nofile), ==, 0);
        Change ch = { .context = &c, .n = 1, .resources = { nofile }, .new = { { 400, 900 } },
                      .caller = { .uid = 1, .account = 1 }, .target = { .pid = 42 } };
        const bool cap = have_cap_sys_resource();

        sd_bus_error e = SD_BUS_ERROR_NULL;
        g_assert_cmpint(change_refuse_errno(&ch, &e, -EPERM, true, "", ""), <, 0);
        g_test_message("privileged: %s: %s", e.name, e.message);
        g_assert_cmpstr(e.name, ==, cap ? RESOURCE1_ERROR_PERMISSION_DENIED : RESOURCE1_ERROR_SERVICE_LACKS_CAPABILITY);
        g_assert_cmpstr(e.message, ==, cap ? "setting NOFILE of pid 42 to 400:900: the kernel refused "
                                             "(operation not permitted)" :
                                             "setting NOFILE of pid 42 to 400:900: the kernel refused "
                                             "(the service lacks CAP_SYS_RESOURCE)");
        sd_bus_error_free(&e);

        g_assert_cmpint(change_refuse_errno(&ch, &e, -EPERM, false, " NOFILE", "; nothing was set"), <, 0);
        g_test_message("as the caller: %s: %s", e.name, e.message);
        g_assert_cmpstr(e.name, ==, RESOURCE1_ERROR_PERMISSION_DENIED);
        g_assert_cmpstr(e.message, ==, "setting NOFILE of pid 42 to 400:900: the kernel refused NOFILE "
                                       "(operation not permitted to the caller); nothing was set");
        sd_bus_error_free(&e);
        if (cap)
                g_test_message("this process holds CAP_SYS_RESOURCE: ServiceLacksCapability not reachable here");
        refusals_done(&c.refusals);
        c.refusals.event = sd_event_unref(c.refusals.event);
}

void add_change_report_tests(void) {
        g_test_add_func("/change/kernel-eperm-of-the-service-or-of-the-caller", test_kernel_eperm_names);
}
