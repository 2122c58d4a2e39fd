/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* daemon/util.h's doubly linked lists (LIST_PREPEND, LIST_APPEND,
 * LIST_REMOVE): the gates, their closes and forwards, the changes and the
 * credentials waits are kept in them. */
#include <glib.h>

#include "daemon-parts.h"
#include "util.h"

typedef struct Item {
        int n;
        struct Item *prev, *next;
} Item;

/* The list read both ways is the expected order (and its reverse). */
static void assert_list(Item *head, const int *want, size_t n_want) {
        Item *last = NULL;
        size_t i = 0;
        g_assert_true(!head || !head->prev);
        for (Item *it = head; it; last = it, it = it->next) {
                g_assert_cmpuint(i, <, n_want);
                g_assert_cmpint(it->n, ==, want[i++]);
                g_assert_true(it->prev == last);
        }
        g_assert_cmpuint(i, ==, n_want);
        for (Item *it = last; it; it = it->prev)
                g_assert_cmpint(it->n, ==, want[--i]);
        g_assert_cmpuint(i, ==, 0);
}

static void test_list(void) {
        Item a = { .n = 1 }, b = { .n = 2 }, c = { .n = 3 }, d = { .n = 4 }, never = { .n = 5 };
        Item *head = NULL;

        LIST_PREPEND(head, &b);
        LIST_PREPEND(head, &a);
        LIST_APPEND(head, &c);
        assert_list(head, (int[]) { 1, 2, 3 }, 3);

        /* Middle, head, tail. */
        LIST_REMOVE(head, &b);
        assert_list(head, (int[]) { 1, 3 }, 2);
        g_assert_null(b.prev);
        g_assert_null(b.next);
        LIST_REMOVE(head, &a);
        assert_list(head, (int[]) { 3 }, 1);
        LIST_APPEND(head, &d);
        LIST_REMOVE(head, &d);
        assert_list(head, (int[]) { 3 }, 1);

        /* An item never linked leaves the list as it is. */
        LIST_REMOVE(head, &never);
        assert_list(head, (int[]) { 3 }, 1);

        LIST_REMOVE(head, &c);
        g_assert_null(head);
        LIST_APPEND(head, &a);
        assert_list(head, (int[]) { 1 }, 1);
}

void add_list_tests(void) {
        g_test_add_func("/daemon-parts/list", test_list);
}
