/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* Whether a caller talks through a sandbox's bus proxy: Flatpak runs an app's
 * bus connection through xdg-dbus-proxy, started as the user, outside the
 * app's pid namespace, in a bubblewrap of its own that holds the app's
 * /.flatpak-info (as xdg-desktop-portal recognizes Flatpak apps). Then the
 * connection's process is the proxy: pid 0 would name the proxy, and pid
 * numbers from the app are the app's (or the proxy's), never the service's.
 *
 * The file is in a root the caller's side controls (a FUSE root can make any
 * read of it wait), so it is read on a worker (work.c), bounded, a regular
 * file only, never followed through a symbolic link, with a deadline after
 * which the caller counts as sandboxed (the safe answer). */

#define SANDBOX_APP_ID_MAX 256

typedef enum SandboxKind {
        SANDBOX_UNKNOWN = -1,   /* not looked at yet */
        SANDBOX_NONE = 0,       /* the connection's process shares the host's mount namespace, or has no /.flatpak-info */
        SANDBOX_FLATPAK = 1,    /* a regular /.flatpak-info names the app */
        SANDBOX_UNSURE = 2,     /* could not tell (the read failed or overran its deadline): treated as sandboxed */
} SandboxKind;

/* 1 when the process's mount namespace is not pid 1's, so its root may hold
 * a /.flatpak-info; 0 when it is the host's; -ESRCH when it is gone. Constant
 * time: two links of /proc read, nothing of the process's files. */
int sandbox_needs_look(pid_t pid);

/* On a worker: reads pid's /.flatpak-info through its root, with uid (the
 * caller's) as the thread's filesystem uid. Returns the kind, and for
 * SANDBOX_FLATPAK the app id (a D-Bus-name-like id: letters, digits, '.',
 * '_', '-', at least one '.'). */
SandboxKind sandbox_read_flatpak_info(pid_t pid, uid_t uid, char app_id[static SANDBOX_APP_ID_MAX]);

/* Parses a keyfile's [Application] name=; for the unit test. Returns 0 or a
 * negative errno (-EBADMSG: no valid id). */
int sandbox_parse_app_id(const char *text, size_t size, char app_id[static SANDBOX_APP_ID_MAX]);
