/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/policy/sandbox.c: the app id in /.flatpak-info as Flatpak writes it, and
 * what a hostile one may hold. */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "daemon-parts.h"
#include "sandbox.h"

/* /.flatpak-info as Flatpak writes it, and what a hostile one may hold. */
static void test_sandbox_app_id(void) {
        char id[SANDBOX_APP_ID_MAX];
        static const char good[] = "[Application]\nname=com.valvesoftware.Steam\nruntime=runtime/x\n\n"
                                   "[Instance]\ninstance-id=1\n";
        g_assert_cmpint(sandbox_parse_app_id(good, strlen(good), id), ==, 0);
        g_assert_cmpstr(id, ==, "com.valvesoftware.Steam");

        static const char crlf[] = "[Instance]\r\nname=not.this\r\n[Application]\r\nname=org.example.App\r\n";
        g_assert_cmpint(sandbox_parse_app_id(crlf, strlen(crlf), id), ==, 0);
        g_assert_cmpstr(id, ==, "org.example.App");

        static const char *const bad[] = {
                "[Instance]\nname=org.example.App\n",          /* not in [Application] */
                "[Application]\nname=noDot\n",
                "[Application]\nname=org.example.App;rm -rf\n",
                "[Application]\nname=.org.example\n",
                "[Application]\nname=\n",
                "",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                g_assert_cmpint(sandbox_parse_app_id(bad[i], strlen(bad[i]), id), ==, -EBADMSG);

        /* Not NUL-terminated where it ends: only size bytes are read. */
        g_assert_cmpint(sandbox_parse_app_id("[Application]\nname=org.example.AppXYZ", 34, id), ==, 0);
        g_assert_cmpstr(id, ==, "org.example.App");
}

void add_sandbox_tests(void) {
        g_test_add_func("/sandbox/flatpak-info-app-id", test_sandbox_app_id);
}
