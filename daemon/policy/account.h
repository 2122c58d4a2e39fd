/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

/* Budgets (changes in progress, usage reads, the rate of changes, refusal
 * lines) are kept per account, not per uid: a user with a subordinate uid
 * range (newuidmap, rootless containers) can call from thousands of uids, and
 * each would otherwise get a budget of its own. A caller in the daemon's own
 * user namespace is its uid's account; one in another user namespace is
 * charged to the owner of the outermost namespace below the daemon's, the
 * user who made it (one that root made is an account of its own). A caller
 * whose process cannot be looked at (it exited, or is no longer of the
 * caller's uid: its number was reused) has no account: it may read, sharing
 * the budget of usage reads with every other such caller, but changes are
 * refused, since their budget would be nobody's. Root (uid 0 on the bus) is
 * account 0, which no budget limits. */
#define ACCOUNT_UNKNOWN ((uid_t) -2)

/* Accounts of user namespaces root made are their inode numbers, which the
 * kernel gives out from 0xF0000000 up, far above users' uids. */
#define ACCOUNT_NAMESPACE_MIN ((uid_t) 0xF0000000u)
static inline bool account_is_namespace(uid_t a) {
        return a >= ACCOUNT_NAMESPACE_MIN && a < ACCOUNT_UNKNOWN - 1;
}

/* The account of the caller with bus-reported uid and pid. */
uid_t account_of(uid_t uid, pid_t pid);
