/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "identity.h"

/* What /proc shows an unprivileged caller of other processes (proc(5):
 * hidepid= and gid=), so that the service tells a caller no more about a
 * process than /proc would: the daemon reads its /proc's options from mountinfo (the
 * system's /proc: the unit gives the daemon no procfs of its own), and again
 * when a call asks after its mount table changed (a change only marks them
 * stale: visibility.c) or a second after the last read: the unit runs the
 * daemon in a mount namespace of its own, and a remount made in another
 * namespace changes the options the daemon's mountinfo shows without waking
 * its poll. */
#define VISIBILITY_REREAD_USEC 1000000u
typedef enum HidePid {
        HIDEPID_OFF = 0,
        HIDEPID_NOACCESS = 1,     /* listed, but its files unreadable */
        HIDEPID_INVISIBLE = 2,    /* not even listed */
        HIDEPID_PTRACEABLE = 4,   /* only what the caller could ptrace-read, no gid= exemption */
} HidePid;

typedef struct Visibility {
        HidePid hidepid;
        gid_t gid;             /* gid=: its members see every process (the kernel's default 0) */
        int fd;                /* /proc/self/mountinfo, polled for changes */
        uint64_t read_usec;    /* CLOCK_MONOTONIC of the last read */
        bool stale;            /* the mount table changed since */
        sd_event_source *watch;
} Visibility;

int visibility_attach(Visibility *v, sd_event *e);
void visibility_done(Visibility *v);

/* Whether /proc hides anything from unprivileged callers, read again first
 * if the mount table changed since the last read or that is
 * VISIBILITY_REREAD_USEC old. */
bool visibility_restricted(Visibility *v);

/* As the kernel's has_pid_permissions(): 0 when /proc lets the caller see
 * the process's files, -EACCES when it lists the process but keeps its files
 * (hidepid=noaccess), -ESRCH when it does not list it. in_gid: whether the
 * caller is in the gid= group; dumpable: the target's. */
int visibility_check(const Visibility *v, const Caller *caller, const ProcessIds *target, bool dumpable,
                     bool in_gid);
