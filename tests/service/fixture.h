/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fixture the service suites (tests/service/test-*.c) share.
 *
 * The real resource1d on a private system bus with a real polkitd (see
 * with-bus.sh), called by GDBus as root, and by rcall, busctl and gdbus as
 * other users. Test rules (tests/rules/test.rules): polkit says yes to "daemon", no
 * to "bin", asks "sys" to authenticate; "nobody" gets the actions' defaults
 * (auth_admin: a challenge with no agent); "games" gets the shipped example
 * rule (its group named "games" here).
 *
 * Here: the GDBus connection, the test users, a bus monitor that sees what
 * polkitd is asked, the RlimitChanged signals received, the kernel's limits
 * read from /proc, callers (GDBus as root; rcall under setpriv and prlimit(1)
 * as another user) and target processes (sleeps as a user). Each program
 * calls fixture_init() first. */
#pragma once

#include <gio/gio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "resource1-bus.h"
#include "resource1-names.h"

#define NAME RESOURCE1_BUS_NAME
#define PIDFD_NAME RESOURCE1_PIDFD_BUS_NAME   /* the gate's: the *Pidfd methods, which carry a descriptor */
#define PATH RESOURCE1_PATH
#define IFACE RESOURCE1_INTERFACE
#define INF G_MAXUINT64
#define ERR_PREFIX "org.example.Resource1.Error."
#define IAR "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"
#define LACKS_CAP ERR_PREFIX "ServiceLacksCapability"   /* allowed, but the kernel refused the service */

typedef struct User { const char *name; uid_t uid; gid_t gid; } User;
extern const User U_ROOT;
extern const User U_YES;         /* polkit: yes */
extern const User U_NO;          /* polkit: no */
extern const User U_CHALLENGE;   /* polkit: auth_admin */
extern const User U_NOBODY;
extern const User U_GAMES;       /* the example rule */
/* The daemon's own user (with-bus.sh's RESOURCE1D_USER, the unit's User=):
 * its processes are the only ones the daemon's own prlimit(2) may change
 * without CAP_SYS_RESOURCE, which the fixture may lack. */
extern User U_SERVICE;

extern GDBusConnection *bus;
extern gboolean can_raise;       /* the service's CanRaiseHardLimits */
extern pid_t daemon_pid;

/* ---- what polkitd is asked, seen by a bus monitor ---- */

typedef struct Check { char *action; guint32 flags; GHashTable *details; char *subject_kind; char *cancel_id; } Check;

extern GMutex mon_lock;
extern GPtrArray *checks;   /* Check* */
extern GPtrArray *cancels;  /* the cancellation ids of CancelCheckAuthorization calls, char* */

/* Everything the bus routed before this point has reached the monitor, and
 * every signal sent to us before it has been dispatched. */
void sync_bus(void);
/* How many checks polkitd was asked since the last reset; forgets them. */
guint checks_reset(void);
/* The checks polkitd was asked since the last reset, in order, taken. */
GPtrArray *checks_take(void);
/* The one check asked since the last reset, taken (free with check_freep). */
Check *only_check(void);
void check_freep(Check **c);
/* How many checks the monitor has seen so far, without a sync. */
guint checks_seen(void);
/* Waits (up to 10 s) until the monitor has seen n checks. */
void wait_for_checks(guint n);

/* ---- RlimitChanged ---- */

/* One signal: the limits replaced (old_soft, old_hard), those set, who asked. */
typedef struct Changed { guint32 pid; char *resource; guint64 old_soft, old_hard, soft, hard; guint32 uid; } Changed;
extern GArray *changed;   /* Changed, as received since the last reset */

/* How many were received since the last reset (after a sync); forgets them. */
guint changed_reset(void);
/* The i-th received since the last reset is about pid (any pid when 0) and
 * resource, from old_soft:old_hard to soft:hard, asked by uid. */
void assert_changed(guint i, pid_t pid, const char *resource, guint64 old_soft, guint64 old_hard, guint64 soft,
                    guint64 hard, uid_t uid);

/* ---- the kernel's view, read independently of the daemon ---- */

/* pid's limits of resource (RLIMIT_*), from /proc/PID/limits. */
void kernel_limits(pid_t pid, int resource, guint64 *soft, guint64 *hard);
guint64 nofile_hard_of(pid_t pid);

/* ---- callers ---- */

/* The bus name a client sends method to: PIDFD_NAME for a *Pidfd method (the
 * service's own connection takes no descriptors), NAME for every other. */
const char *destination_of(const char *method);
/* A method of the service, called as root on the fixture's connection. */
GVariant *call(const char *method, GVariant *params, GError **error);
/* A property of the service. */
GVariant *get_property(const char *name);
/* error is the service's error name, its message holding fragment. */
void assert_error(GError *error, const char *name, const char *fragment);

typedef struct Result {
        gboolean ok;
        char *reply, *err_name, *err_msg;
        guint64 limit_soft, limit_hard;
        int child_pid;
        guint64 child_soft, child_hard;
        double utime, stime;
        long maxrss, minflt, nvcsw, hwm;
        gboolean has_all;                        /* rcall --all-limits: the caller's own, before and after */
        guint64 before_soft[RLIM_NLIMITS], before_hard[RLIM_NLIMITS];
        guint64 all_soft[RLIM_NLIMITS], all_hard[RLIM_NLIMITS];
} Result;
void result_clear(Result *r);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Result, result_clear)

/* Runs rcall as user (under setpriv, and under prlimit(1) with the options
 * in limits, e.g. "--nofile=400:800", so the caller starts with those). */
void rcall_as_with(const User *u, const char *const *limits, const char *const *opts, const char *method,
                   const char *sig, const char *args, Result *res);
/* Runs rcall as user (under prlimit when nofile is given, so the caller
 * starts with those NOFILE limits). */
void rcall_as(const User *u, const char *nofile, const char *const *opts, const char *method, const char *sig,
              const char *args, Result *res);
void assert_result_error(const Result *r, const char *name, const char *fragment);
/* An rcall left running in the background, its output in a pipe. */
GPid rcall_async(const User *u, const char *nofile, const char *method, const char *sig, const char *args,
                 int *out_fd);

/* ---- target processes ---- */

extern GArray *sleepers;   /* pid_t, killed by sleepers_kill() */

/* A sleep as user, started under prlimit(1) with the options in limits
 * (e.g. "--core=4096:8192") when there are any. */
pid_t sleeper_with(const User *u, const char *const *limits);
pid_t sleeper_as(const User *u);
void sleepers_kill(void);

/* Connects to the fixture's bus, reads the daemon's pid and CanRaiseHardLimits,
 * copies rcall where other users can run it, subscribes to RlimitChanged and
 * starts the bus monitor; g_test_init() with argc and argv first. */
void fixture_init(int *argc, char ***argv);
