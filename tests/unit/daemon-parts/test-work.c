/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/work.c: the worker pool's fairness (a uid whose work hangs holds one
 * worker, others are served) and bounds (per uid and in all; what never
 * ran is done as cancelled). */
#include <errno.h>
#include <glib.h>
#include <pthread.h>

#include "daemon-parts.h"
#include "work.h"

typedef struct Item {
        Work work;
        pthread_mutex_t *gate;     /* held by the test: run blocks until released */
        int *done_count;
        bool ran, cancelled;
} Item;

static void item_run(Work *w) {
        Item *it = (Item *) w;
        if (it->gate) {
                pthread_mutex_lock(it->gate);
                pthread_mutex_unlock(it->gate);
        }
        it->ran = true;
}

static void item_done(Work *w) {
        Item *it = (Item *) w;
        it->cancelled = w->cancelled;
        (*it->done_count)++;
}

static void run_until(sd_event *e, int *count, int want) {
        for (int i = 0; i < 500 && *count < want; i++)
                g_assert_cmpint(sd_event_run(e, 10 * 1000), >=, 0);
        g_assert_cmpint(*count, ==, want);
}

/* A uid whose read hangs holds one worker; another uid's reads still run,
 * and the hung uid's next read waits behind its first, not on a worker. */
static void test_pool_one_uid_stuck_others_served(void) {
        sd_event *e = NULL;
        WorkPool *p = NULL;
        pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
        int done = 0;
        Item stuck = { .work = { .uid = 1, .run = item_run, .done = item_done }, .gate = &gate, .done_count = &done };
        Item behind = { .work = { .uid = 1, .run = item_run, .done = item_done }, .done_count = &done };
        Item other[3];

        g_assert_cmpint(sd_event_new(&e), >=, 0);
        g_assert_cmpint(work_pool_new(e, 4, 4, 16, &p), ==, 0);
        pthread_mutex_lock(&gate);
        g_assert_cmpint(work_submit(p, &stuck.work), ==, 0);
        g_assert_cmpint(work_submit(p, &behind.work), ==, 0);
        for (unsigned i = 0; i < 3; i++) {
                other[i] = (Item) { .work = { .uid = 2, .run = item_run, .done = item_done }, .done_count = &done };
                g_assert_cmpint(work_submit(p, &other[i].work), ==, 0);
        }
        run_until(e, &done, 3);
        for (unsigned i = 0; i < 3; i++)
                g_assert_true(other[i].ran);
        g_assert_false(behind.ran);

        pthread_mutex_unlock(&gate);
        run_until(e, &done, 5);
        g_assert_true(stuck.ran && behind.ran);
        work_pool_free(p);
        sd_event_unref(e);
}

/* Bounds per uid and in all; what never ran is done with "cancelled" when
 * the pool is freed. */
static void test_pool_bounds_and_cancel(void) {
        sd_event *e = NULL;
        WorkPool *p = NULL;
        pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
        int done = 0;
        Item items[6];

        g_assert_cmpint(sd_event_new(&e), >=, 0);
        g_assert_cmpint(work_pool_new(e, 1, 2, 3, &p), ==, 0);
        pthread_mutex_lock(&gate);
        for (unsigned i = 0; i < 6; i++)
                items[i] = (Item) { .work = { .uid = i < 3 ? 7 : 8, .run = item_run, .done = item_done },
                                    .gate = &gate, .done_count = &done };
        g_assert_cmpint(work_submit(p, &items[0].work), ==, 0);
        g_assert_cmpint(work_submit(p, &items[1].work), ==, 0);
        g_assert_cmpint(work_submit(p, &items[2].work), ==, -EAGAIN);   /* uid 7's two */
        g_assert_cmpint(work_submit(p, &items[3].work), ==, 0);
        g_assert_cmpint(work_submit(p, &items[4].work), ==, -EAGAIN);   /* three in all */
        pthread_mutex_unlock(&gate);
        work_pool_free(p);
        g_assert_cmpint(done, ==, 3);
        unsigned cancelled = items[0].cancelled + items[1].cancelled + items[3].cancelled;
        unsigned ran = items[0].ran + items[1].ran + items[3].ran;
        g_assert_cmpuint(cancelled + ran, ==, 3);
        sd_event_unref(e);
}

void add_work_tests(void) {
        g_test_add_func("/pool/one-uid-stuck-others-served", test_pool_one_uid_stuck_others_served);
        g_test_add_func("/pool/bounds-and-cancel", test_pool_bounds_and_cancel);
}
