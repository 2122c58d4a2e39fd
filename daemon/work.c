/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "work.h"

#define WORK_THREADS_MAX 8

struct WorkPool {
        pthread_mutex_t lock;
        pthread_cond_t wake;
        Work *queue, **queue_tail;     /* waiting, in order */
        Work *finished;                /* run, for the loop (most recent first) */
        uid_t busy[WORK_THREADS_MAX];  /* the uid each worker runs for, UID_INVALID: idle */
        unsigned n_queued, n_running;
        bool stopping;

        pthread_t threads[WORK_THREADS_MAX];
        struct WorkerSlot {
                WorkPool *pool;
                unsigned index;          /* into busy[] */
        } slots[WORK_THREADS_MAX];
        unsigned n_threads, max_threads, max_per_uid, max_total;

        int efd;                       /* eventfd: the loop's wake-up */
        sd_event_source *efd_source;
};

static bool uid_busy(const WorkPool *p, uid_t uid) {
        for (unsigned i = 0; i < p->n_threads; i++)
                if (p->busy[i] == uid)
                        return true;
        return false;
}

/* The first queued item whose uid no worker is serving. Under the lock. */
static Work *take_next(WorkPool *p) {
        for (Work **w = &p->queue; *w; w = &(*w)->next)
                if (!uid_busy(p, (*w)->uid)) {
                        Work *found = *w;
                        *w = found->next;
                        if (!*w)
                                p->queue_tail = w;
                        found->next = NULL;
                        p->n_queued--;
                        return found;
                }
        return NULL;
}

static void *worker(void *userdata) {
        const struct WorkerSlot *slot = userdata;
        WorkPool *p = slot->pool;
        unsigned self = slot->index;

        pthread_mutex_lock(&p->lock);
        for (;;) {
                Work *w;
                while (!(w = take_next(p)) && !p->stopping)
                        pthread_cond_wait(&p->wake, &p->lock);
                if (!w)
                        break;
                p->busy[self] = w->uid;
                p->n_running++;
                pthread_mutex_unlock(&p->lock);

                w->run(w);

                pthread_mutex_lock(&p->lock);
                p->busy[self] = UID_INVALID;
                p->n_running--;
                w->next = p->finished;
                p->finished = w;
                /* Another worker may now take this uid's next item. */
                pthread_cond_broadcast(&p->wake);
                (void) eventfd_write(p->efd, 1);
        }
        pthread_mutex_unlock(&p->lock);
        return NULL;
}

/* Calls done for the finished items, oldest first. */
static void dispatch_finished(WorkPool *p) {
        pthread_mutex_lock(&p->lock);
        Work *list = p->finished;
        p->finished = NULL;
        pthread_mutex_unlock(&p->lock);

        Work *ordered = NULL;
        while (list) {
                Work *next = list->next;
                list->next = ordered;
                ordered = list;
                list = next;
        }
        while (ordered) {
                Work *next = ordered->next;
                ordered->next = NULL;
                ordered->done(ordered);
                ordered = next;
        }
}

static int on_efd(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        eventfd_t v;
        (void) s, (void) revents;
        (void) eventfd_read(fd, &v);
        dispatch_finished(userdata);
        return 0;
}

int work_pool_new(sd_event *e, unsigned threads, unsigned max_per_uid, unsigned max_total, WorkPool **ret) {
        WorkPool *p = calloc(1, sizeof *p);
        int r;

        if (!p)
                return -ENOMEM;
        pthread_mutex_init(&p->lock, NULL);
        pthread_cond_init(&p->wake, NULL);
        p->queue_tail = &p->queue;
        p->max_threads = threads < WORK_THREADS_MAX ? threads : WORK_THREADS_MAX;
        p->max_per_uid = max_per_uid;
        p->max_total = max_total;
        for (unsigned i = 0; i < WORK_THREADS_MAX; i++)
                p->busy[i] = UID_INVALID;

        p->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (p->efd < 0) {
                r = -errno;
                work_pool_free(p);
                return r;
        }
        r = sd_event_add_io(e, &p->efd_source, p->efd, EPOLLIN, on_efd, p);
        if (r < 0) {
                work_pool_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

static unsigned count_uid(const WorkPool *p, uid_t uid) {
        unsigned n = 0;
        for (const Work *w = p->queue; w; w = w->next)
                n += w->uid == uid;
        return n + uid_busy(p, uid);
}

int work_submit(WorkPool *p, Work *w) {
        int r = 0;

        pthread_mutex_lock(&p->lock);
        if (p->n_queued + p->n_running >= p->max_total || count_uid(p, w->uid) >= p->max_per_uid) {
                r = -EAGAIN;
                goto finish;
        }

        /* Workers start as they are first needed: an idle daemon has none. */
        if (p->n_threads < p->max_threads && p->n_running + p->n_queued >= p->n_threads) {
                unsigned i = p->n_threads;
                p->slots[i] = (struct WorkerSlot) { .pool = p, .index = i };
                r = -pthread_create(&p->threads[i], NULL, worker, &p->slots[i]);
                if (r < 0 && p->n_threads == 0)
                        goto finish;
                if (r == 0)
                        p->n_threads++;
                r = 0;
        }

        w->next = NULL;
        w->cancelled = false;
        *p->queue_tail = w;
        p->queue_tail = &w->next;
        p->n_queued++;
        pthread_cond_signal(&p->wake);
finish:
        pthread_mutex_unlock(&p->lock);
        return r;
}

WorkPool *work_pool_free(WorkPool *p) {
        if (!p)
                return NULL;

        pthread_mutex_lock(&p->lock);
        Work *never = p->queue;
        p->queue = NULL;
        p->queue_tail = &p->queue;
        p->stopping = true;
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);

        for (unsigned i = 0; i < p->n_threads; i++)
                pthread_join(p->threads[i], NULL);
        dispatch_finished(p);
        while (never) {
                Work *next = never->next;
                never->next = NULL;
                never->cancelled = true;
                never->done(never);
                never = next;
        }

        sd_event_source_disable_unref(p->efd_source);
        closep(&p->efd);
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        free(p);
        return NULL;
}
