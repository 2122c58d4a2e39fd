/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* The name of a user or group id for a person to read (polkit's message),
 * from the local files only: "path" is /etc/passwd or /etc/group, whose first
 * three fields are alike (name, password, id). Never NSS: a lookup there can
 * wait on a network server, and the id is one the caller chose (its
 * target's), so the daemon's loop would wait at the caller's will. A name
 * found must look like one useradd(8) makes (letters, digits, '.', '_', '-',
 * not '-' first, at most ID_NAME_MAX - 1 bytes), so that nothing in the
 * user database can write other words or polkit's "$(" into the message;
 * else, or when the id is not in the file, "ret" holds the id in decimal.
 * Always fills ret. */
#define ID_NAME_MAX 33

void id_name(const char *path, unsigned id, char ret[static ID_NAME_MAX]);
