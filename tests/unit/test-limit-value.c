/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every form of VALUE resourcectl accepts, and every refusal with its reason;
 * infinity as it prints it; /proc/PID/limits as it reads it. */
#include <errno.h>
#include <glib.h>
#include <sys/resource.h>

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
                /* -1 is Python's RLIM_INFINITY; for NICE, a nice level */
                { "-1", RESOURCE1_UNIT_COUNT, INF },
                { "-1", RESOURCE1_UNIT_BYTES, INF },
                { "-1", RESOURCE1_UNIT_NICE, 21 },
                /* what systemd's size parser takes: any case, fractions, sums */
                { "10k", RESOURCE1_UNIT_BYTES, 10240 },
                { "10K", RESOURCE1_UNIT_BYTES, 10240 },
                { "4kib", RESOURCE1_UNIT_BYTES, 4096 },
                { "1.5G", RESOURCE1_UNIT_BYTES, 3ULL << 29 },
                { "0.5K", RESOURCE1_UNIT_BYTES, 512 },
                { "1.5 M", RESOURCE1_UNIT_BYTES, 3ULL << 19 },
                { "1G 512M", RESOURCE1_UNIT_BYTES, (1ULL << 30) + (1ULL << 29) },
                { "1.0", RESOURCE1_UNIT_BYTES, 1 },
                { "15.999999999999999999E", RESOURCE1_UNIT_BYTES, 18446744073709551614ULL },   /* fractions floor */
                /* and its time parser: CPU in whole seconds, rounded up */
                { "1m", RESOURCE1_UNIT_SECONDS, 60 },
                { "1min", RESOURCE1_UNIT_SECONDS, 60 },
                { "1d", RESOURCE1_UNIT_SECONDS, 86400 },
                { "2w", RESOURCE1_UNIT_SECONDS, 1209600 },
                { "1M", RESOURCE1_UNIT_SECONDS, 2629800 },
                { "1y", RESOURCE1_UNIT_SECONDS, 31557600 },
                { "1.5h", RESOURCE1_UNIT_SECONDS, 5400 },
                { "1h 30min", RESOURCE1_UNIT_SECONDS, 5400 },
                { "1h30min", RESOURCE1_UNIT_SECONDS, 5400 },
                { "2 minutes", RESOURCE1_UNIT_SECONDS, 120 },
                { "1.5", RESOURCE1_UNIT_SECONDS, 2 },
                { "500ms", RESOURCE1_UNIT_SECONDS, 1 },
                { "1us", RESOURCE1_UNIT_SECONDS, 1 },
                { "1s 1us", RESOURCE1_UNIT_SECONDS, 2 },
                /* RTTIME in microseconds */
                { "1.5s", RESOURCE1_UNIT_MICROSECONDS, 1500000 },
                { "1m", RESOURCE1_UNIT_MICROSECONDS, 60000000 },
                { "1d", RESOURCE1_UNIT_MICROSECONDS, 86400000000ULL },
                { "2.5", RESOURCE1_UNIT_MICROSECONDS, 2 },
                { "5\xc2\xb5s", RESOURCE1_UNIT_MICROSECONDS, 5 },
                { "1msec", RESOURCE1_UNIT_MICROSECONDS, 1000 },
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
                { "abc", RESOURCE1_UNIT_COUNT, -EINVAL, "expected a number or 'infinity'" },
                { "-5", RESOURCE1_UNIT_COUNT, -EINVAL, "expected a number or 'infinity'" },
                { "-2", RESOURCE1_UNIT_BYTES, -EINVAL, "expected a number or 'infinity'" },
                { "4K", RESOURCE1_UNIT_COUNT, -EINVAL, "this resource takes a plain number" },
                { "4k", RESOURCE1_UNIT_COUNT, -EINVAL, "this resource takes a plain number" },
                { "1.5", RESOURCE1_UNIT_COUNT, -EINVAL, "this resource takes a plain number" },
                { "4X", RESOURCE1_UNIT_BYTES, -EINVAL, "unknown size suffix (K, M, G, T, P, E)" },
                { "4 K B", RESOURCE1_UNIT_BYTES, -EINVAL, "unknown size suffix (K, M, G, T, P, E)" },
                { "1.5", RESOURCE1_UNIT_BYTES, -EINVAL, "a fraction needs a unit, as in 1.5G" },
                { "1.5B", RESOURCE1_UNIT_BYTES, -EINVAL, "a fraction needs a unit, as in 1.5G" },
                { "5 1G", RESOURCE1_UNIT_BYTES, -EINVAL, "unknown size suffix (K, M, G, T, P, E)" },
                { "1G-", RESOURCE1_UNIT_BYTES, -EINVAL, "unknown size suffix (K, M, G, T, P, E)" },
                { ".", RESOURCE1_UNIT_BYTES, -EINVAL, "expected a number or 'infinity'" },
                { "16E", RESOURCE1_UNIT_BYTES, -ERANGE, "number too large" },
                { "15E 1E", RESOURCE1_UNIT_BYTES, -ERANGE, "number too large" },
                { "18446744073709551616", RESOURCE1_UNIT_COUNT, -ERANGE, "number too large" },
                { "3x", RESOURCE1_UNIT_SECONDS, -EINVAL, "unknown time unit (us, ms, s, m or min, h, d, w, M, y)" },
                { "1H", RESOURCE1_UNIT_SECONDS, -EINVAL, "unknown time unit (us, ms, s, m or min, h, d, w, M, y)" },
                { "5ns", RESOURCE1_UNIT_MICROSECONDS, -EINVAL, "unknown time unit (us, ms, s, m or min, h, d, w, M, y)" },
                { "600000y", RESOURCE1_UNIT_MICROSECONDS, -ERANGE, "number too large" },
                { "41", RESOURCE1_UNIT_NICE, -ERANGE, "a raw NICE limit is between 0 and 40 (or give a signed nice level)" },
                { "-21", RESOURCE1_UNIT_NICE, -ERANGE, "a nice level is between -20 and +19" },
                { "+20", RESOURCE1_UNIT_NICE, -ERANGE, "a nice level is between -20 and +19" },
                { "+", RESOURCE1_UNIT_NICE, -EINVAL, "expected a nice level such as -5 or +10" },
                { "-5x", RESOURCE1_UNIT_NICE, -EINVAL, "expected a nice level such as -5 or +10" },
                { "- 5", RESOURCE1_UNIT_NICE, -EINVAL, "expected a nice level such as -5 or +10" },
                { "1k", RESOURCE1_UNIT_NICE, -EINVAL, "this resource takes a plain number" },
                { " 5", RESOURCE1_UNIT_COUNT, -EINVAL, "expected a number or 'infinity'" },
                { " 5", RESOURCE1_UNIT_BYTES, -EINVAL, "expected a number or 'infinity'" },
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
                { "-1:-1", TRUE, TRUE, INF, INF },
                { "100:-1", TRUE, TRUE, 100, INF },
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
                { "x:5", "expected a number or 'infinity'" },
                { "5:y", "expected a number or 'infinity'" },
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
        /* The service's word, which set takes back. */
        g_assert_cmpstr(limit_value_format(INF, buf), ==, "infinity");
        g_assert_cmpstr(limit_value_format(0, buf), ==, "0");
        g_assert_cmpstr(limit_value_format(1048576, buf), ==, "1048576");
        guint64 v = 0;
        g_assert_cmpint(limit_value_parse(limit_value_format(INF, buf), RESOURCE1_UNIT_BYTES, (uint64_t *) &v, NULL), ==, 0);
        g_assert_cmpuint(v, ==, INF);
}

#define PROC_HEAD "Limit                     Soft Limit           Hard Limit           Units     \n"
static const char proc_limits[] =
        PROC_HEAD
        "Max cpu time              unlimited            unlimited            seconds   \n"
        "Max file size             unlimited            unlimited            bytes     \n"
        "Max data size             unlimited            unlimited            bytes     \n"
        "Max stack size            8388608              unlimited            bytes     \n"
        "Max core file size        0                    unlimited            bytes     \n"
        "Max resident set          unlimited            unlimited            bytes     \n"
        "Max processes             96365                96365                processes \n"
        "Max open files            1024                 524288               files     \n"
        "Max locked memory         8388608              8388608              bytes     \n"
        "Max address space         unlimited            unlimited            bytes     \n"
        "Max file locks            unlimited            unlimited            locks     \n"
        "Max pending signals       96365                96365                signals   \n"
        "Max msgqueue size         819200               819200               bytes     \n"
        "Max nice priority         0                    0                    \n"
        "Max realtime priority     0                    0                    \n"
        "Max realtime timeout      unlimited            unlimited            us        \n";

static void test_proc_limits(void) {
        struct rlimit l[RLIM_NLIMITS];
        g_assert_cmpint(limit_proc_parse(proc_limits, l), ==, 0);
        g_assert_cmpuint(l[RLIMIT_CPU].rlim_cur, ==, RLIM_INFINITY);
        g_assert_cmpuint(l[RLIMIT_STACK].rlim_cur, ==, 8388608);
        g_assert_cmpuint(l[RLIMIT_STACK].rlim_max, ==, RLIM_INFINITY);
        g_assert_cmpuint(l[RLIMIT_NOFILE].rlim_cur, ==, 1024);
        g_assert_cmpuint(l[RLIMIT_NOFILE].rlim_max, ==, 524288);
        g_assert_cmpuint(l[RLIMIT_NICE].rlim_max, ==, 0);
        g_assert_cmpuint(l[RLIMIT_RTTIME].rlim_max, ==, RLIM_INFINITY);

        /* This very process's, as the kernel writes it. */
        gchar *text = NULL;
        g_assert_true(g_file_get_contents("/proc/self/limits", &text, NULL, NULL));
        g_assert_cmpint(limit_proc_parse(text, l), ==, 0);
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                struct rlimit mine;
                g_assert_cmpint(getrlimit(i, &mine), ==, 0);
                g_assert_cmpuint(l[i].rlim_cur, ==, mine.rlim_cur);
                g_assert_cmpuint(l[i].rlim_max, ==, mine.rlim_max);
        }
        g_free(text);

        /* Anything else is refused, not half read. */
        const char *bad[] = {
                "",
                "Limit\n",
                PROC_HEAD "Max cpu time              unlimited            unlimited            seconds   \n",
                PROC_HEAD "Max cpu time              12x                  unlimited            seconds   \n",
                PROC_HEAD "Max cpu time              99999999999999999999 unlimited            seconds   \n",
                PROC_HEAD "Max cpu                   \n",
        };
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
                l[0].rlim_cur = 7;
                g_assert_cmpint(limit_proc_parse(bad[i], l), ==, -EINVAL);
                g_assert_cmpuint(l[0].rlim_cur, ==, 7);
        }
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/limit-value/one-side-every-unit", test_one_side_every_unit);
        g_test_add_func("/limit-value/one-side-refusals", test_one_side_refusals);
        g_test_add_func("/limit-value/specs", test_specs);
        g_test_add_func("/limit-value/apply-keeps-the-other-side", test_apply_keeps_the_other_side);
        g_test_add_func("/limit-value/format", test_format);
        g_test_add_func("/limit-value/proc-limits", test_proc_limits);
        return g_test_run();
}
