/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "act.h"
#include "util.h"

typedef struct Job {
        const Act *act;
        struct rlimit old;
        int r;
} Job;

static int caps_get(struct __user_cap_data_struct data[2]) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        return syscall(SYS_capget, &h, data) < 0 ? -errno : 0;
}

bool have_cap_sys_resource(void) {
        struct __user_cap_data_struct data[2];
        if (caps_get(data) < 0)
                return false;
        return data[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective & CAP_TO_MASK(CAP_SYS_RESOURCE);
}

/* capset(2) with pid 0 changes the calling thread only, so only this job's
 * thread loses the capability. */
static int drop_cap_sys_resource(void) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
        struct __user_cap_data_struct data[2];

        int r = caps_get(data);
        if (r < 0)
                return r;
        data[CAP_TO_INDEX(CAP_SYS_RESOURCE)].effective &= ~CAP_TO_MASK(CAP_SYS_RESOURCE);
        return syscall(SYS_capset, &h, data) < 0 ? -errno : 0;
}

static void *job_run(void *userdata) {
        Job *j = userdata;
        const Act *a = j->act;

        /* Raw system calls, not glibc's wrappers: those would change every
         * thread of the daemon. Only the real ids change; the effective ones
         * stay, so the thread keeps the capabilities it is meant to keep. */
        if (a->uid != UID_INVALID) {
                if (syscall(SYS_setresgid, a->gid, (gid_t) -1, (gid_t) -1) < 0 ||
                    syscall(SYS_setresuid, a->uid, (uid_t) -1, (uid_t) -1) < 0) {
                        j->r = -errno;
                        return NULL;
                }
        }

        if (!a->privileged) {
                j->r = drop_cap_sys_resource();
                if (j->r < 0)
                        return NULL;
        }

        j->r = prlimit(a->pid, a->resource, &a->new, &j->old) < 0 ? -errno : 0;
        return NULL;
}

int act_prlimit(const Act *act, struct rlimit *ret_old) {
        Job j = { .act = act };
        pthread_t t;

        int r = -pthread_create(&t, NULL, job_run, &j);
        if (r < 0)
                return r;
        r = -pthread_join(t, NULL);
        if (r < 0)
                return r;
        if (j.r < 0)
                return j.r;

        *ret_old = j.old;
        return 0;
}
