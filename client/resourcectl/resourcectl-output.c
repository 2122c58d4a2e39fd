/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl's output: the JSON writer (--json), the limits as a table,
 * as --raw or as JSON with prlimit's columns (-o), and standard output's
 * write errors. */
#include <errno.h>
#include <inttypes.h>
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "resourcectl.h"

/* "→" where the character set is UTF-8. */
const char *arrow(void) {
        locale_load_ctype();
        return strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? "→" : "->";
}

static void json_string(const char *s) {
        if (!s) {
                fputs("null", stdout);
                return;
        }
        putchar('"');
        for (; *s; s++)
                if (*s == '"' || *s == '\\')
                        printf("\\%c", *s);
                else if ((unsigned char) *s < 0x20)
                        printf("\\u%04x", *s);
                else
                        putchar(*s);
        putchar('"');
}

/* A JSON writer for --json=short (no whitespace) and --json=pretty. */
static struct { int depth; bool comma, after_key; } J;

static void j_before_value(void) {
        if (J.after_key) {
                J.after_key = false;
                return;
        }
        if (J.comma)
                putchar(',');
        if (arg_json == JSON_PRETTY && J.depth > 0)
                printf("\n%*s", 2 * J.depth, "");
}

void j_open(char c) {
        j_before_value();
        putchar(c);
        J.depth++;
        J.comma = false;
}

void j_close(char c) {
        J.depth--;
        if (arg_json == JSON_PRETTY && J.comma)
                printf("\n%*s", 2 * J.depth, "");
        putchar(c);
        J.comma = true;
        if (J.depth == 0) {
                putchar('\n');
                J.comma = false;
        }
}

void j_key(const char *k) {
        j_before_value();
        json_string(k);
        fputs(arg_json == JSON_PRETTY ? ": " : ":", stdout);
        J.after_key = true;
}

void j_string(const char *s) {
        j_before_value();
        json_string(s);
        J.comma = true;
}

void j_number(const char *fmt, ...) {
        va_list ap;
        j_before_value();
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        J.comma = true;
}

/* A limit: a number, or the string "infinity" (which jq keeps, and set
 * takes back; 18446744073709551615 is beyond a double's exact range). */
void j_limit(uint64_t v) {
        if (v == UINT64_MAX)
                j_string("infinity");
        else
                j_number("%" PRIu64, v);
}

void j_limits_object(const char *key, const struct rlimit *l) {
        j_key(key);
        j_open('{');
        j_key("soft");
        j_limit(l->rlim_cur);
        j_key("hard");
        j_limit(l->rlim_max);
        j_close('}');
}

/* ---- limits: columns as prlimit(1) has them ---- */

enum { COL_RESOURCE, COL_DESCRIPTION, COL_SOFT, COL_HARD, COL_UNITS, COL_MAX };
static const char *const column_names[COL_MAX] = { "RESOURCE", "DESCRIPTION", "SOFT", "HARD", "UNITS" };
static const int default_columns[] = { COL_RESOURCE, COL_DESCRIPTION, COL_SOFT, COL_HARD, COL_UNITS };
static int columns[32];
static size_t n_columns = 0;

/* -o LIST, or -o +LIST for the default columns and LIST after them. */
int columns_parse(const char *spec) {
        n_columns = 0;
        if (!spec || *spec == '+') {
                memcpy(columns, default_columns, sizeof default_columns);
                n_columns = ELEMENTSOF(default_columns);
                if (!spec)
                        return EXIT_OK;
                spec++;
        }
        while (*spec) {
                size_t len = strcspn(spec, ",");
                int c = -1;
                for (int i = 0; i < COL_MAX; i++)
                        if (strlen(column_names[i]) == len && strncasecmp(spec, column_names[i], len) == 0)
                                c = i;
                if (c < 0)
                        return syntax_error("unknown column '%.*s' in --output (RESOURCE, DESCRIPTION, SOFT, HARD, UNITS)",
                                            (int) len, spec);
                if (n_columns >= ELEMENTSOF(columns))
                        return syntax_error("too many columns in --output");
                columns[n_columns++] = c;
                spec += len;
                if (*spec == ',')
                        spec++;
        }
        if (n_columns == 0)
                return syntax_error("--output names no column");
        return EXIT_OK;
}

static const char *cell(const Resource1Rlimit *res, const struct rlimit all[], int col, char buf[static 24]) {
        switch (col) {
        case COL_RESOURCE:    return res->name;
        case COL_DESCRIPTION: return res->description;
        case COL_SOFT:        return limit_value_format(all[res->number].rlim_cur, buf);
        case COL_HARD:        return limit_value_format(all[res->number].rlim_max, buf);
        default:              return res->units ?: "";
        }
}

/* --raw: util-linux's raw form (fields separated by one space, a space
 * within one written \x20, as prlimit --raw does), "-" for an empty one, so
 * that every line has every column. */
static void raw_cell(const char *s) {
        if (!*s) {
                putchar('-');
                return;
        }
        for (; *s; s++)
                if (*s == ' ' || *s == '\\' || (unsigned char) *s < 0x20)
                        printf("\\x%02x", (unsigned char) *s);
                else
                        putchar(*s);
}

void print_limits(const Resource1Rlimit *const wanted[], size_t n, const struct rlimit all[]) {
        char buf[24];

        if (arg_json != JSON_OFF) {
                j_open('[');
                for (size_t i = 0; i < n; i++) {
                        j_open('{');
                        for (size_t c = 0; c < n_columns; c++) {
                                j_key(lowercase(column_names[columns[c]], (char[16]) {}));
                                switch (columns[c]) {
                                case COL_SOFT:  j_limit(all[wanted[i]->number].rlim_cur); break;
                                case COL_HARD:  j_limit(all[wanted[i]->number].rlim_max); break;
                                case COL_UNITS: j_string(wanted[i]->units); break;
                                default:        j_string(cell(wanted[i], all, columns[c], buf)); break;
                                }
                        }
                        j_close('}');
                }
                j_close(']');
                return;
        }

        if (arg_raw) {
                for (size_t i = arg_no_headings ? 1 : 0; i <= n; i++) {
                        for (size_t c = 0; c < n_columns; c++) {
                                if (c)
                                        putchar(' ');
                                raw_cell(i == 0 ? column_names[columns[c]] : cell(wanted[i - 1], all, columns[c], buf));
                        }
                        putchar('\n');
                }
                return;
        }

        /* A table: each column as wide as its widest cell, numbers to the
         * right, no space after the last. */
        int width[32] = {};
        for (size_t c = 0; c < n_columns; c++) {
                if (!arg_no_headings)
                        width[c] = (int) strlen(column_names[columns[c]]);
                for (size_t i = 0; i < n; i++) {
                        int w = (int) strlen(cell(wanted[i], all, columns[c], buf));
                        if (w > width[c])
                                width[c] = w;
                }
        }
        for (size_t i = arg_no_headings ? 1 : 0; i <= n; i++) {
                char line[1024];
                size_t k = 0;
                for (size_t c = 0; c < n_columns && k < sizeof line; c++) {
                        const char *s = i == 0 ? column_names[columns[c]] : cell(wanted[i - 1], all, columns[c], buf);
                        bool right = columns[c] == COL_SOFT || columns[c] == COL_HARD;
                        k += (size_t) snprintf(line + k, sizeof line - k, "%s%*s", c ? " " : "",
                                               right ? width[c] : -width[c], s);
                }
                while (k > 0 && line[k - 1] == ' ')
                        k--;
                line[k] = '\0';
                puts(line);
        }
}

/* Standard output is written in full, or the command fails (prlimit's
 * "write error"): a full disk or a closed pipe is not success. */
int finish(int r) {
        int e = fflush(stdout) != 0 ? errno : 0;
        if (e != 0 || ferror(stdout)) {
                fprintf(stderr, "resourcectl: write error%s%s\n", e ? ": " : "", e ? strerror(e) : "");
                return r == EXIT_OK ? EXIT_ERROR : r;
        }
        return r;
}
