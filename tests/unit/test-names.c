/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shared name table: every spelling the spec accepts, every refusal. */
#include <errno.h>
#include <glib.h>
#include <sys/resource.h>

#include "resource1-names.h"

static void test_every_linux_resource_is_in_number_order(void) {
        g_assert_cmpuint(resource1_rlimits_count, ==, RLIM_NLIMITS);
        for (size_t i = 0; i < resource1_rlimits_count; i++) {
                g_assert_cmpint(resource1_rlimits[i].number, ==, (int) i);
                g_assert_true(resource1_rlimit_from_number((int) i) == &resource1_rlimits[i]);
        }
        g_assert_null(resource1_rlimit_from_number(-1));
        g_assert_null(resource1_rlimit_from_number(RLIM_NLIMITS));
}

static void test_names_with_and_without_prefix_any_case(void) {
        const struct { const char *in; int number; } ok[] = {
                { "NOFILE", RLIMIT_NOFILE }, { "nofile", RLIMIT_NOFILE }, { "RLIMIT_NOFILE", RLIMIT_NOFILE },
                { "rlimit_nofile", RLIMIT_NOFILE }, { "OFILE", RLIMIT_NOFILE }, { "RLIMIT_OFILE", RLIMIT_NOFILE },
                { "ofile", RLIMIT_NOFILE }, { "Core", RLIMIT_CORE }, { "RLIMIT_CPU", RLIMIT_CPU },
                { "fsize", RLIMIT_FSIZE }, { "DATA", RLIMIT_DATA }, { "STACK", RLIMIT_STACK },
                { "RSS", RLIMIT_RSS }, { "NPROC", RLIMIT_NPROC }, { "MEMLOCK", RLIMIT_MEMLOCK },
                { "AS", RLIMIT_AS }, { "LOCKS", RLIMIT_LOCKS }, { "SIGPENDING", RLIMIT_SIGPENDING },
                { "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE }, { "RTPRIO", RLIMIT_RTPRIO },
                { "rttime", RLIMIT_RTTIME },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
                const Resource1Rlimit *r = NULL;
                g_assert_cmpint(resource1_rlimit_from_name(ok[i].in, &r), ==, 0);
                g_assert_cmpint(r->number, ==, ok[i].number);
        }
}

static void test_other_platforms_names_are_not_available(void) {
        const char *names[] = { "VMEM", "RLIMIT_VMEM", "sbsize", "SWAP", "RLIMIT_NPTS" };
        for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
                g_assert_cmpint(resource1_rlimit_from_name(names[i], NULL), ==, -EOPNOTSUPP);
}

static void test_unknown_names_are_invalid(void) {
        const char *names[] = { "", "RLIMIT_", "NOFILES", "FILE", "RLIMIT_RLIMIT_NOFILE", " NOFILE", "7", NULL };
        for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
                g_assert_cmpint(resource1_rlimit_from_name(names[i], NULL), ==, -EINVAL);
}

static void test_who_names(void) {
        const struct { const char *in; Resource1Who who; } ok[] = {
                { "self", RESOURCE1_WHO_SELF }, { "RUSAGE_SELF", RESOURCE1_WHO_SELF },
                { "Children", RESOURCE1_WHO_CHILDREN }, { "rusage_children", RESOURCE1_WHO_CHILDREN },
                { "both", RESOURCE1_WHO_BOTH }, { "RUSAGE_BOTH", RESOURCE1_WHO_BOTH },
                { "THREAD", RESOURCE1_WHO_THREAD }, { "RUSAGE_THREAD", RESOURCE1_WHO_THREAD },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
                Resource1Who w;
                g_assert_cmpint(resource1_who_from_name(ok[i].in, &w), ==, 0);
                g_assert_cmpint(w, ==, ok[i].who);
        }
        const char *bad[] = { "", "all", "RUSAGE_", "selfish", "0", NULL };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
                g_assert_cmpint(resource1_who_from_name(bad[i], NULL), ==, -EINVAL);
}

static void test_rusage_fields_are_pythons_sixteen(void) {
        g_assert_cmpstr(resource1_rusage_fields[0].name, ==, "ru_utime");
        g_assert_cmpstr(resource1_rusage_fields[1].name, ==, "ru_stime");
        g_assert_cmpstr(resource1_rusage_fields[2].name, ==, "ru_maxrss");
        g_assert_cmpstr(resource1_rusage_fields[15].name, ==, "ru_nivcsw");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/names/every-linux-resource-in-number-order", test_every_linux_resource_is_in_number_order);
        g_test_add_func("/names/with-and-without-prefix-any-case", test_names_with_and_without_prefix_any_case);
        g_test_add_func("/names/other-platforms-not-available", test_other_platforms_names_are_not_available);
        g_test_add_func("/names/unknown-invalid", test_unknown_names_are_invalid);
        g_test_add_func("/names/who", test_who_names);
        g_test_add_func("/names/rusage-fields", test_rusage_fields_are_pythons_sixteen);
        return g_test_run();
}
