/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* setuid-hold: a program the security suite installs setuid root (mode
 * 04755, owner root) in the fixture's directory. A process of an
 * unprivileged user that execs it keeps its pid and its real uid but gets
 * effective and saved uid 0, which is what attack A needs: a target that was
 * the caller's own when the service decided, and is setuid-root when the
 * service acts. It does nothing but wait until it is killed; it gives itself
 * a bounded life (120 s) so that a test that fails to kill it leaks nothing
 * for long. */
#include <signal.h>
#include <unistd.h>

int main(void) {
        alarm(120);   /* SIGALRM's default action ends the process */
        for (;;)
                pause();
}
