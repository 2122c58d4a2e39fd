/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* What the daemon keeps per account (rate.c's budgets, refusals.c's log
 * windows) lives in a fixed table, bounded however many accounts call: a
 * new account takes a free slot, or the one used longest ago. */
#define ACCOUNT_SLOTS 64

typedef struct AccountSlots {
        uid_t account[ACCOUNT_SLOTS];
        uint64_t used[ACCOUNT_SLOTS];    /* CLOCK_MONOTONIC µs of the last use; 0: free */
} AccountSlots;

/* The slot of account, marked used at now. When the account had none, it
 * gets one afresh and *ret_evicted is the account whose slot it was
 * (UID_INVALID for a free one): the caller then settles what it kept there
 * for that account (a summary owed) and starts the new one's afresh. When
 * the account had its slot, *ret_fresh is false. */
unsigned account_slot(AccountSlots *s, uid_t account, uint64_t now, bool *ret_fresh, uid_t *ret_evicted);
