/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdbool.h>

#include "account-slots.h"
#include "util.h"

unsigned account_slot(AccountSlots *s, uid_t account, uint64_t now, bool *ret_fresh, uid_t *ret_evicted) {
        unsigned oldest = 0;

        for (unsigned i = 0; i < ACCOUNT_SLOTS; i++) {
                if (s->used[i] != 0 && s->account[i] == account) {
                        s->used[i] = now ?: 1;
                        *ret_fresh = false;
                        return i;
                }
                if (s->used[i] < s->used[oldest])
                        oldest = i;
        }
        *ret_evicted = s->used[oldest] != 0 ? s->account[oldest] : UID_INVALID;
        *ret_fresh = true;
        s->account[oldest] = account;
        s->used[oldest] = now ?: 1;
        return oldest;
}
