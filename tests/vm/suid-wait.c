/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Installed setuid root in the VM image: the race check's target execs it
 * while polkit decides about a change of its limits, and so becomes a process
 * with euid 0 under the same pid. It only waits until it is killed. */
#include <unistd.h>

int main(void) {
        for (;;)
                pause();
}
