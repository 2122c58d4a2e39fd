/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdlib.h>
#include <syslog.h>

/* Logs to stderr; under systemd (JOURNAL_STREAM set) each line starts with
 * a "<N>" priority prefix, which journald turns into its priority. */
void log_set_max_level(int level);
int log_get_max_level(void);
int log_parse_level(const char *s);

/* Returns -abs(error) (or 0 when error is 0), so "return log_x_errno(r, ...)"
 * logs and fails in one step. */
int log_internal(int level, int error, const char *format, ...) __attribute__((format(printf, 3, 4)));

#define log_full_errno(level, error, ...) \
        (log_get_max_level() >= (level) ? log_internal((level), (error), __VA_ARGS__) : -abs(error))

#define log_debug(...)   (void) log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)    (void) log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)  (void) log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) (void) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)   (void) log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_error_errno(error, ...)   log_full_errno(LOG_ERR, (error), __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, (error), __VA_ARGS__)
