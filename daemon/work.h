/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

/* Work off the event loop, for what grows with something a caller controls
 * (a target's threads): a few worker threads, which hold no caller's ids,
 * take queued items in order, but never two of one uid at once, so that a
 * flood by one uid occupies one worker and delays only that uid. Items are
 * bounded per uid and in all. */

typedef struct Work Work;
struct Work {
        uid_t uid;
        void (*run)(Work *w);        /* on a worker thread: touches only w's own data */
        void (*done)(Work *w);       /* on the loop, after run (or instead, with cancelled set) */
        bool cancelled;              /* the pool was freed before it ran */
        Work *next;                  /* the pool's */
};

typedef struct WorkPool WorkPool;

int work_pool_new(sd_event *e, unsigned threads, unsigned max_per_uid, unsigned max_total, WorkPool **ret);
/* -EAGAIN when the uid (or the pool) has its maximum queued or running;
 * then nothing was taken over. */
int work_submit(WorkPool *p, Work *w);
/* Waits for the items running, then calls done for every item, the ones never
 * run with cancelled set. */
WorkPool *work_pool_free(WorkPool *p);
