/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every form of VALUE resourcectl accepts, and every refusal with its reason. */
#include <errno.h>
#include <glib.h>

#include "limit-value.h"

#define INF G_MAXUINT64

static void test_one_side_every_unit(void) {
        const struct { const char *in; Resource1Unit unit; guint64 out; } ok[] = {
                { "0", RESOURCE1_UNIT_COUNT, 0 },
                { "1024", RESOURCE1_UNIT_COUNT, 1024 },
                { "unlimited", RESOURCE1_UNIT_COUNT, INF },
                { "infinity", RESOURCE1_UNIT_BYTES, INF },
                { "UNLIMITED", RESOURCE1_UNIT_SECONDS, INF },
                { "18446744073709551615", RESOURCE1_UNIT_COUNT, INF },
                { "4K", RESOURCE1_UNIT_BYTES, 4096 },
                { "4KiB", RESOURCE1_UNIT_BYTES, 4096 },
                { "4KB", RESOURCE1_UNIT_BYTES, 4096 },
                { "8M", RESOURCE1_UNIT_BYTES, 8ULL << 20 },
                { "2G", RESOURCE1_UNIT_BYTES, 2ULL << 30 },
                { "1T", RESOURCE1_UNIT_BYTES, 1ULL << 40 },
                { "1P", RESOURCE1_UNIT_BYTES, 1ULL << 50 },
                { "15E", RESOURCE1_UNIT_BYTES, 15ULL << 60 },
                { "512B", RESOURCE1_UNIT_BYTES, 512 },
                { "90", RESOURCE1_UNIT_SECONDS, 90 },
                { "90s", RESOURCE1_UNIT_SECONDS, 90 },
                { "2min", RESOURCE1_UNIT_SECONDS, 120 },
                { "1h", RESOURCE1_UNIT_SECONDS, 3600 },
                { "500", RESOURCE1_UNIT_MICROSECONDS, 500 },
                { "500us", RESOURCE1_UNIT_MICROSECONDS, 500 },
                { "20ms", RESOURCE1_UNIT_MICROSECONDS, 20000 },
                { "2s", RESOURCE1_UNIT_MICROSECONDS, 2000000 },
                { "0", RESOURCE1_UNIT_NICE, 0 },
                { "40", RESOURCE1_UNIT_NICE, 40 },
                { "-20", RESOURCE1_UNIT_NICE, 40 },
                { "+19", RESOURCE1_UNIT_NICE, 1 },
                { "-0", RESOURCE1_UNIT_NICE, 20 },
                { "99", RESOURCE1_UNIT_PRIORITY, 99 },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
                guint64 v = 7;
                const char *why = NULL;
                g_test_message("%s", ok[i].in);
                g_assert_cmpint(limit_value_parse(ok[i].in, ok[i].unit, (uint64_t *) &v, &why), ==, 0);
                g_assert_cmpuint(v, ==, ok[i].out);
        }
}

static void test_one_side_refusals(void) {
        const struct { const char *in; Resource1Unit unit; int r; const char *why; } bad[] = {
                { "", RESOURCE1_UNIT_COUNT, -EINVAL, "empty value" },
                { "abc", RESOURCE1_UNIT_COUNT, -EINVAL, "expected a number or 'unlimited'" },
                { "-5", RESOURCE1_UNIT_COUNT, -EINVAL, "expected a number or 'unlimited'" },
                { "4K", RESOURCE1_UNIT_COUNT, -EINVAL, "this resource takes a plain number" },
                { "4X", RESOURCE1_UNIT_BYTES, -EINVAL, "unknown size suffix (K, M, G, T, P, E)" },
                { "4k", RESOURCE1_UNIT_BYTES, -EINVAL, "unknown size suffix (K, M, G, T, P, E)" },
                { "16E", RESOURCE1_UNIT_BYTES, -ERANGE, "number too large" },
                { "18446744073709551616", RESOURCE1_UNIT_COUNT, -ERANGE, "number too large" },
                { "3d", RESOURCE1_UNIT_SECONDS, -EINVAL, "unknown time suffix (s, min, h)" },
                { "1m", RESOURCE1_UNIT_SECONDS, -EINVAL, "unknown time suffix (s, min, h)" },
                { "5ns", RESOURCE1_UNIT_MICROSECONDS, -EINVAL, "unknown time suffix (us, ms, s)" },
                { "41", RESOURCE1_UNIT_NICE, -ERANGE, "a raw NICE limit is between 0 and 40 (or give a signed nice level)" },
                { "-21", RESOURCE1_UNIT_NICE, -ERANGE, "a nice level is between -20 and +19" },
                { "+20", RESOURCE1_UNIT_NICE, -ERANGE, "a nice level is between -20 and +19" },
                { "+", RESOURCE1_UNIT_NICE, -EINVAL, "expected a nice level such as -5 or +10" },
                { "-5x", RESOURCE1_UNIT_NICE, -EINVAL, "expected a nice level such as -5 or +10" },
                { " 5", RESOURCE1_UNIT_COUNT, -EINVAL, "expected a number or 'unlimited'" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                guint64 v = 7;
                const char *why = NULL;
                g_test_message("%s", bad[i].in);
                g_assert_cmpint(limit_value_parse(bad[i].in, bad[i].unit, (uint64_t *) &v, &why), ==, bad[i].r);
                g_assert_cmpstr(why, ==, bad[i].why);
                g_assert_cmpuint(v, ==, 7);   /* untouched on failure */
        }
}

static void test_specs(void) {
        const struct { const char *in; gboolean hs, hh; guint64 s, h; } ok[] = {
                { "1024:4096", TRUE, TRUE, 1024, 4096 },
                { "2048", TRUE, TRUE, 2048, 2048 },
                { "512:", TRUE, FALSE, 512, 0 },
                { ":8192", FALSE, TRUE, 0, 8192 },
                { "unlimited", TRUE, TRUE, INF, INF },
                { "1024:unlimited", TRUE, TRUE, 1024, INF },
                { "infinity:", TRUE, FALSE, INF, 0 },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
                LimitSpec s;
                const char *why = NULL;
                g_assert_cmpint(limit_spec_parse(ok[i].in, RESOURCE1_UNIT_COUNT, &s, &why), ==, 0);
                g_assert_cmpint(s.has_soft, ==, ok[i].hs);
                g_assert_cmpint(s.has_hard, ==, ok[i].hh);
                if (s.has_soft)
                        g_assert_cmpuint(s.soft, ==, ok[i].s);
                if (s.has_hard)
                        g_assert_cmpuint(s.hard, ==, ok[i].h);
        }

        LimitSpec s;
        const char *why = NULL;
        g_assert_cmpint(limit_spec_parse("8M:1G", RESOURCE1_UNIT_BYTES, &s, &why), ==, 0);
        g_assert_cmpuint(s.soft, ==, 8ULL << 20);
        g_assert_cmpuint(s.hard, ==, 1ULL << 30);

        const struct { const char *in; const char *why; } bad[] = {
                { "", "empty value" },
                { ":", "give at least one of soft and hard" },
                { "1:2:3", "expected soft:hard" },
                { "4096:1024", "the soft limit exceeds the hard limit" },
                { "unlimited:5", "the soft limit exceeds the hard limit" },
                { "x:5", "expected a number or 'unlimited'" },
                { "5:y", "expected a number or 'unlimited'" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                why = NULL;
                g_assert_cmpint(limit_spec_parse(bad[i].in, RESOURCE1_UNIT_COUNT, &s, &why), ==, -EINVAL);
                g_assert_cmpstr(why, ==, bad[i].why);
        }
}

static void test_apply_keeps_the_other_side(void) {
        LimitSpec s;
        uint64_t soft, hard;
        g_assert_cmpint(limit_spec_parse("512:", RESOURCE1_UNIT_COUNT, &s, NULL), ==, 0);
        limit_spec_apply(&s, 1024, 4096, &soft, &hard);
        g_assert_cmpuint(soft, ==, 512);
        g_assert_cmpuint(hard, ==, 4096);
        g_assert_cmpint(limit_spec_parse(":2048", RESOURCE1_UNIT_COUNT, &s, NULL), ==, 0);
        limit_spec_apply(&s, 1024, 4096, &soft, &hard);
        g_assert_cmpuint(soft, ==, 1024);
        g_assert_cmpuint(hard, ==, 2048);
}

static void test_format(void) {
        char buf[24];
        g_assert_cmpstr(limit_value_format(INF, FALSE, buf), ==, "unlimited");
        g_assert_cmpstr(limit_value_format(INF, TRUE, buf), ==, "18446744073709551615");
        g_assert_cmpstr(limit_value_format(0, FALSE, buf), ==, "0");
        g_assert_cmpstr(limit_value_format(1048576, FALSE, buf), ==, "1048576");
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/limit-value/one-side-every-unit", test_one_side_every_unit);
        g_test_add_func("/limit-value/one-side-refusals", test_one_side_refusals);
        g_test_add_func("/limit-value/specs", test_specs);
        g_test_add_func("/limit-value/apply-keeps-the-other-side", test_apply_keeps_the_other_side);
        g_test_add_func("/limit-value/format", test_format);
        return g_test_run();
}
