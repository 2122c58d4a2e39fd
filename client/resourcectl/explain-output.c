/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resourcectl explain's output: text for people, labels right-aligned as
 * systemctl status has them, and --json for programs (its keys are
 * resourcectl(1)'s, and the Python package's explain() returns the same). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "explain.h"
#include "resourcectl.h"

/* ---- text ---- */

/* A string a process or a file chose (comm, a limits.conf field): control
 * characters would be the terminal's commands. */
static const char *printable(const char *s, char *buf, size_t size) {
        size_t i = 0;
        for (; s[i] && i < size - 1; i++)
                buf[i] = (unsigned char) s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
        buf[i] = '\0';
        return buf;
}

static const char *pair(const ExplainLimit *l, char buf[static 64]) {
        char a[24], b[24];
        if (!l->known)
                return "?";
        snprintf(buf, 64, "%s:%s", limit_value_format(l->soft, a), limit_value_format(l->hard, b));
        return buf;
}

static void label(const char *l) {
        printf("%11s: ", l);
}

static void cont(void) {
        printf("%13s", "");
}

static const char *proc_name(const ExplainProc *p, char buf[static 96]) {
        char c[64];
        snprintf(buf, 96, "pid %d (%s)", p->pid, printable(p->comm, c, sizeof c));
        return buf;
}

static void text_chain(const Explain *e) {
        const ExplainChain *c = &e->chain;
        char s[24], h[24], n[96], l[64];
        int wpid = 3, wcomm = 4, wsoft = 4, whard = 4;

        for (size_t i = 0; i < c->n + c->hidden_parent; i++) {
                const ExplainProc *p = &c->procs[i];
                int k = snprintf(n, sizeof n, "%d", p->pid);
                wpid = k > wpid ? k : wpid;
                if (!p->visible)
                        continue;
                wcomm = (int) strlen(p->comm) > wcomm ? (int) strlen(p->comm) : wcomm;
                k = (int) strlen(limit_value_format(p->limit.soft, s));
                wsoft = k > wsoft ? k : wsoft;
                k = (int) strlen(limit_value_format(p->limit.hard, h));
                whard = k > whard ? k : whard;
        }

        label("Origin");
        if (c->changed_at >= 0 && (size_t) c->changed_at + 1 < c->n) {
                const ExplainProc *p = &c->procs[c->changed_at], *up = &c->procs[c->changed_at + 1];
                printf("set in %s: by itself, by a prlimit of another process, or at its start\n",
                       proc_name(p, n));
                cont();
                printf("(its parent, %s, has %s)\n", proc_name(up, n), pair(&up->limit, l));
        } else if (c->changed_at >= 0)
                printf("%s's own: every process up to it has the same\n", proc_name(&c->procs[c->changed_at], n));
        else if (c->end == CHAIN_END_HIDDEN)
                printf("unknown: the same up to pid %d, whose parent is not visible to you\n",
                       c->procs[c->n - 1].pid);
        else
                printf("unknown: the same as far as the chain could be read\n");

        label("Ancestors");
        printf("%*s %-*s %*s %*s\n", wpid, "PID", wcomm, "COMM", wsoft, "SOFT", whard, "HARD");
        for (size_t i = 0; i < c->n + c->hidden_parent; i++) {
                const ExplainProc *p = &c->procs[i];
                char cm[64];
                cont();
                if (!p->visible) {
                        printf("%*d (not visible to you)\n", wpid, p->pid);
                        continue;
                }
                printf("%*d %-*s %*s %*s%s\n", wpid, p->pid, wcomm, printable(p->comm, cm, sizeof cm), wsoft,
                       limit_value_format(p->limit.soft, s), whard, limit_value_format(p->limit.hard, h),
                       (int) i == c->changed_at && i + 1 < c->n ? "  (set here)" : "");
        }
        if (c->end == CHAIN_END_EXITED) {
                cont();
                printf("(its parent exited while it was read)\n");
        } else if (c->end == CHAIN_END_TRUNCATED) {
                cont();
                printf("(more ancestors, not shown)\n");
        }
}

static void text_systemd(const Explain *e) {
        const SystemdResult *s = &e->systemd;
        char a[64], b[64];

        label("systemd");
        if (!s->running || s->n_units == 0) {
                printf("%s: no Limit%s= applies\n", s->note, e->res->name);
                return;
        }
        for (size_t i = 0; i < s->n_units; i++) {
                const SystemdUnit *u = &s->units[i];
                char who[64];
                if (i > 0)
                        cont();
                if (strcmp(u->manager, "user") == 0)
                        snprintf(who, sizeof who, "the user manager of uid %u", (unsigned) u->uid);
                else
                        snprintf(who, sizeof who, "the system manager");
                if (u->error[0]) {
                        printf("%s (%s): cannot ask: %s\n", u->unit, who, u->error);
                        continue;
                }
                if (u->has_limit)
                        printf("%s (%s): Limit%s=%s, DefaultLimit%s=%s\n", u->unit, who, e->res->name,
                               pair(&u->limit, a), e->res->name, pair(&u->dflt, b));
                else
                        printf("%s (%s): no Limit%s= (a scope's processes keep what they started with); "
                               "DefaultLimit%s=%s\n", u->unit, who, e->res->name, e->res->name, pair(&u->dflt, b));
        }
}

static void text_pam(const Explain *e) {
        const PamResult *pam = &e->pam;
        char a[64], b[160], c[160], v1[24], v2[24];

        label("pam_limits");
        if (!pam->user[0]) {
                printf("uid %u has no user name: no PAM session is its\n", (unsigned) e->chain.procs[0].uid[0]);
                return;
        }
        printf("at a login of %s", printable(pam->user, a, sizeof a));
        if (pam->n_services > 0) {
                printf(" through");
                for (size_t i = 0; i < pam->n_services; i++)
                        printf("%s %s", i ? "," : "", printable(pam->services[i], b, sizeof b));
        } else
                printf(" (no /etc/pam.d service runs pam_limits)");
        printf(":\n");
        for (size_t i = 0; i < pam->n_lines; i++) {
                const PamLine *l = &pam->lines[i];
                cont();
                printf("%s:%u: %s", printable(l->file, b, sizeof b), l->line, printable(l->domain, c, sizeof c));
                printf(" %s", printable(l->type, c, sizeof c));
                printf(" %s", printable(l->item, c, sizeof c));
                printf(" %s", printable(l->value, c, sizeof c));
                if (l->ignored)
                        printf("  (ignored: %s)\n", l->ignored);
                else if (!l->sets_soft && !l->sets_hard)
                        printf("  (overridden)\n");
                else
                        printf("\n");
        }
        if (pam->more_lines) {
                cont();
                printf("(more lines, not shown)\n");
        }
        if (pam->no_limits) {
                const PamLine *l = &pam->no_limits_line;
                cont();
                printf("%s:%u: %s -  (no limits at all for this user)\n", printable(l->file, b, sizeof b), l->line,
                       printable(l->domain, c, sizeof c));
        }
        cont();
        if (pam->error[0]) {
                printf("%s: pam_limits fails the session\n", pam->error);
                return;
        }
        if (pam->no_limits) {
                printf("sets nothing: the session keeps what it was started with\n");
                return;
        }
        printf("sets %s:%s", pam->has_soft ? limit_value_format(pam->soft, v1) : "?",
               pam->has_hard ? limit_value_format(pam->hard, v2) : "?");
        if (!pam->base.known && (!pam->has_soft || !pam->has_hard))
                printf(" (no line sets %s: pid 1's, which is not visible to you)",
                       !pam->has_soft && !pam->has_hard ? "either" : !pam->has_soft ? "the soft one" : "the hard one");
        else if (pam->base.known && (pam->soft_from_base || pam->hard_from_base)) {
                bool both = pam->soft_from_base && pam->hard_from_base;
                printf(" (%s from pid 1's limits%s)", both ? "both" : pam->soft_from_base ? "the soft one" : "the hard one",
                       !pam->soft_from_base || e->res->number != RLIMIT_NOFILE ? "" :
                       both ? ", the soft one at most 1024" : ", at most 1024");
        }
        printf("\n");
        if (!pam->supported) {
                cont();
                printf("(pam_limits has no item for %s: no line can set it)\n", e->res->name);
        }
}

/* The meaning of an answer, in a few words (the spec's CanSetRlimits). */
static const char *answer_meaning(int answer) {
        switch (answer) {
        case RESOURCE1_ANSWER_YES:
                return "allowed now, nobody asked";
        case RESOURCE1_ANSWER_CHALLENGE:
                return "allowed once you authenticate";
        case RESOURCE1_ANSWER_NO:
                return "polkit refuses it";
        default:
                return "not available here: the kernel or the service cannot, whoever allows it";
        }
}

/* "soft, up to the hard limit: 1000:2000 → 2000:2000: yes (allowed now, nobody asked)" */
static void text_ask(const Explain *e, const char *side, const char *upto, const ExplainAsk *a) {
        const ExplainLimit *l = &e->chain.procs[0].limit;
        char s[24], h[24], ns[24], nh[24], name[128], why[256];

        printf("%s, %s: %s:%s %s %s:%s: ", side, upto, limit_value_format(l->soft, s), limit_value_format(l->hard, h),
               arrow(), limit_value_format(a->soft, ns), limit_value_format(a->hard, nh));
        if (a->answer < 0 && strcmp(a->error, "unreachable") == 0)
                printf("not known: the service could not be asked\n");
        else if (a->answer < 0)
                printf("not known: the service answered %s: %s\n", printable(a->error, name, sizeof name),
                       printable(a->reason, why, sizeof why));
        else if (a->action[0])
                printf("%s (%s; polkit's %s)\n", answer_word((Resource1Answer) a->answer),
                       answer_meaning(a->answer), a->action);
        else
                printf("%s (%s; no polkit action)\n", answer_word((Resource1Answer) a->answer),
                       answer_meaning(a->answer));
}

static void text_raise(const Explain *e) {
        const ExplainRaise *r = &e->raise;
        const ExplainLimit *l = &e->chain.procs[0].limit;
        char v[24], upto[96];

        label("To raise");
        if (r->soft.asked) {
                if (r->soft.to < l->hard)
                        snprintf(upto, sizeof upto, "up to %s (--to)", limit_value_format(r->soft.to, v));
                else
                        snprintf(upto, sizeof upto, "up to the hard limit");
                text_ask(e, "soft", upto, &r->soft);
        } else if (r->to_given && r->to < l->hard)
                printf("soft: at %s (--to) or above already\n", limit_value_format(r->to, v));
        else
                printf("soft: at the hard limit already\n");

        cont();
        if (r->hard.asked) {
                if (r->to_given)
                        snprintf(upto, sizeof upto, "up to %s (--to)", limit_value_format(r->hard.to, v));
                else if (e->kernel.ceiling == UINT64_MAX)
                        snprintf(upto, sizeof upto, "up to infinity");
                else
                        snprintf(upto, sizeof upto, "up to the kernel's ceiling%s%s%s", e->kernel.sysctl ? " (" : "",
                                 e->kernel.sysctl ?: "", e->kernel.sysctl ? ")" : "");
                text_ask(e, "hard", upto, &r->hard);
        } else if (r->to_given)
                printf("hard: at %s (--to) or above already\n", limit_value_format(r->to, v));
        else
                printf("hard: %s already, no higher\n",
                       e->kernel.ceiling == UINT64_MAX ? "infinity" : "at the kernel's ceiling");
        const ExplainAsk *unreachable = r->soft.asked && strcmp(r->soft.error, "unreachable") == 0 ? &r->soft :
                                        r->hard.asked && strcmp(r->hard.error, "unreachable") == 0 ? &r->hard : NULL;
        if (unreachable) {
                char why[256];
                cont();
                printf("(the service could not be asked, %s; all above is read without it)\n",
                       printable(unreachable->reason, why, sizeof why));
        } else if (r->soft.asked || r->hard.asked) {
                cont();
                printf("(the service's answers to CanSetRlimits, each side asked alone: nothing changed)\n");
        }
}

void explain_print_text(const Explain *e) {
        const ExplainProc *p = &e->chain.procs[0];
        char n[96], u[64], l[64];

        printf("%s (%s) of %s, ", e->res->name, e->res->description, proc_name(p, n));
        if (e->user[0])
                printf("user %s\n", printable(e->user, u, sizeof u));
        else
                printf("uid %u\n", (unsigned) p->uid[0]);
        label("Limit");
        printf("%s%s%s\n", pair(&p->limit, l), e->res->units ? " " : "", e->res->units ?: "");
        text_chain(e);
        text_systemd(e);
        text_pam(e);
        label("Kernel");
        if (e->kernel.sysctl && e->kernel.ceiling != UINT64_MAX)
                printf("%s = %" PRIu64 ": %s\n", e->kernel.sysctl, e->kernel.ceiling, e->kernel.note);
        else if (e->kernel.ceiling != UINT64_MAX)
                printf("at most %" PRIu64 ": %s\n", e->kernel.ceiling, e->kernel.note);
        else
                printf("%s\n", e->kernel.note);
        text_raise(e);
}

/* ---- JSON ---- */

static void j_limit_or_null(bool known, uint64_t v) {
        if (known)
                j_limit(v);
        else
                j_number("null");
}

static void j_pair(const char *key, const ExplainLimit *l) {
        j_key(key);
        if (!l->known) {
                j_number("null");
                return;
        }
        j_open('{');
        j_key("soft");
        j_limit(l->soft);
        j_key("hard");
        j_limit(l->hard);
        j_close('}');
}

static void j_strings(const char *key, const char *const *v, size_t n) {
        j_key(key);
        j_open('[');
        for (size_t i = 0; i < n; i++)
                j_string(v[i]);
        j_close(']');
}

static void json_chain(const Explain *e) {
        static const char *const ends[] = {
                [CHAIN_END_TOP] = "top", [CHAIN_END_HIDDEN] = "hidden",
                [CHAIN_END_EXITED] = "exited", [CHAIN_END_TRUNCATED] = "truncated",
        };
        const ExplainChain *c = &e->chain;

        j_key("chain");
        j_open('[');
        for (size_t i = 0; i < c->n + c->hidden_parent; i++) {
                const ExplainProc *p = &c->procs[i];
                j_open('{');
                j_key("pid");
                j_number("%d", p->pid);
                j_key("visible");
                j_number(p->visible ? "true" : "false");
                j_key("comm");
                j_string(p->visible ? p->comm : NULL);
                j_key("uid");
                if (p->visible)
                        j_number("%u", (unsigned) p->uid[0]);
                else
                        j_number("null");
                j_key("soft");
                j_limit_or_null(p->visible, p->limit.soft);
                j_key("hard");
                j_limit_or_null(p->visible, p->limit.hard);
                j_close('}');
        }
        j_close(']');
        j_key("chain_end");
        j_string(ends[c->end]);
        j_key("origin");
        j_string(c->changed_at < 0 ? "unknown" : (size_t) c->changed_at + 1 < c->n ? "changed" : "top");
        j_key("changed_at");
        if (c->changed_at < 0)
                j_number("null");
        else {
                j_open('{');
                j_key("pid");
                j_number("%d", c->procs[c->changed_at].pid);
                j_key("comm");
                j_string(c->procs[c->changed_at].comm);
                j_close('}');
        }
}

static void json_systemd(const Explain *e) {
        const SystemdResult *s = &e->systemd;
        j_key("systemd");
        j_open('{');
        j_key("running");
        j_number(s->running ? "true" : "false");
        j_key("note");
        j_string(s->note[0] ? s->note : NULL);
        j_key("cgroup");
        j_string(s->cgroup[0] ? s->cgroup : NULL);
        j_key("units");
        j_open('[');
        for (size_t i = 0; i < s->n_units; i++) {
                const SystemdUnit *u = &s->units[i];
                j_open('{');
                j_key("manager");
                j_string(u->manager);
                j_key("uid");
                if (strcmp(u->manager, "user") == 0)
                        j_number("%u", (unsigned) u->uid);
                else
                        j_number("null");
                j_key("unit");
                j_string(u->unit);
                j_pair("limit", &u->limit);
                j_pair("default", &u->dflt);
                j_key("error");
                j_string(u->error[0] ? u->error : NULL);
                j_close('}');
        }
        j_close(']');
        j_close('}');
}

static void json_pam(const Explain *e) {
        const PamResult *pam = &e->pam;
        j_key("pam_limits");
        j_open('{');
        j_key("user");
        j_string(pam->user[0] ? pam->user : NULL);
        j_key("supported");
        j_number(pam->supported ? "true" : "false");
        j_key("services");
        j_open('[');
        for (size_t i = 0; i < pam->n_services; i++)
                j_string(pam->services[i]);
        j_close(']');
        j_key("files");
        j_open('[');
        for (size_t i = 0; i < pam->n_files; i++)
                j_string(pam->files[i]);
        j_close(']');
        j_key("error");
        j_string(pam->error[0] ? pam->error : NULL);
        j_key("lines");
        j_open('[');
        for (size_t i = 0; i < pam->n_lines; i++) {
                const PamLine *l = &pam->lines[i];
                const char *sets[2];
                size_t n = 0;
                if (l->sets_soft)
                        sets[n++] = "soft";
                if (l->sets_hard)
                        sets[n++] = "hard";
                j_open('{');
                j_key("file");
                j_string(l->file);
                j_key("line");
                j_number("%u", l->line);
                j_key("domain");
                j_string(l->domain);
                j_key("type");
                j_string(l->type);
                j_key("item");
                j_string(l->item);
                j_key("value");
                j_string(l->value);
                j_strings("sets", sets, n);
                j_key("ignored");
                j_string(l->ignored);
                j_close('}');
        }
        j_close(']');
        j_key("more_lines");
        j_number(pam->more_lines ? "true" : "false");
        j_key("no_limits");
        if (!pam->no_limits)
                j_number("null");
        else {
                const PamLine *l = &pam->no_limits_line;
                j_open('{');
                j_key("file");
                j_string(l->file);
                j_key("line");
                j_number("%u", l->line);
                j_key("domain");
                j_string(l->domain);
                j_close('}');
        }
        j_key("base");
        j_open('{');
        j_key("from");
        j_string(pam->base_from);
        j_key("soft");
        j_limit_or_null(pam->base.known, pam->base.soft);
        j_key("hard");
        j_limit_or_null(pam->base.known, pam->base.hard);
        j_close('}');
        j_key("soft");
        j_limit_or_null(pam->has_soft, pam->soft);
        j_key("hard");
        j_limit_or_null(pam->has_hard, pam->hard);
        j_close('}');
}

static void json_ask(const char *key, const ExplainAsk *a) {
        j_key(key);
        if (!a->asked) {
                j_number("null");
                return;
        }
        j_open('{');
        j_key("to");
        j_limit(a->to);
        j_key("request");
        j_open('{');
        j_key("soft");
        j_limit(a->soft);
        j_key("hard");
        j_limit(a->hard);
        j_close('}');
        j_key("answer");
        j_string(a->answer < 0 ? NULL : answer_word((Resource1Answer) a->answer));
        j_key("action");
        j_string(a->answer < 0 ? NULL : a->action);
        j_key("error");
        j_string(a->answer < 0 ? a->error : NULL);
        j_close('}');
}

static void json_raise(const Explain *e) {
        const ExplainRaise *r = &e->raise;
        j_key("raise");
        j_open('{');
        j_key("caller_uid");
        j_number("%u", (unsigned) r->caller_uid);
        j_key("to");
        j_limit_or_null(r->to_given, r->to);
        json_ask("soft", &r->soft);
        json_ask("hard", &r->hard);
        j_close('}');
}

void explain_print_json(const Explain *e) {
        const ExplainProc *p = &e->chain.procs[0];
        j_open('{');
        j_key("resource");
        j_string(e->res->name);
        j_key("description");
        j_string(e->res->description);
        j_key("units");
        j_string(e->res->units);
        j_key("pid");
        j_number("%d", e->pid);
        j_key("comm");
        j_string(p->comm);
        j_key("uid");
        j_number("%u", (unsigned) p->uid[0]);
        j_key("user");
        j_string(e->user[0] ? e->user : NULL);
        j_key("soft");
        j_limit(p->limit.soft);
        j_key("hard");
        j_limit(p->limit.hard);
        json_chain(e);
        json_systemd(e);
        json_pam(e);
        j_key("kernel");
        j_open('{');
        j_key("ceiling");
        j_limit(e->kernel.ceiling);
        j_key("sysctl");
        j_string(e->kernel.sysctl);
        j_key("note");
        j_string(e->kernel.note);
        j_close('}');
        json_raise(e);
        j_close('}');
}
