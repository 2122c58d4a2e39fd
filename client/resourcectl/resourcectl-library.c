/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libresource1, and libsystemd under it, loaded when resourcectl first
 * needs the service, not at start (as systemd loads its optional libraries
 * with dlopen()): what the kernel lets the caller do itself, resourcectl
 * does with plain system calls (resourcectl-local.c), and then neither
 * library is mapped at all. Loading them (libsystemd pulls in libcap,
 * libgcrypt, libgpg-error, liblz4, liblzma and libzstd) was about a third of
 * "resourcectl limits --pid P NOFILE" as nobody, more than prlimit(1)'s
 * whole run costs beyond exec.
 *
 * Each function resourcectl calls of the two libraries is defined here
 * under its own name (the headers declare them), and calls the library's,
 * looked up once, all together, when the library is loaded: a library that
 * lacks one is not loaded at all. The functions that take a handle can only
 * be reached with one, which only a loaded library makes; those that make
 * one (resource1_new(), sd_bus_new(), sd_bus_open_system()) load it first,
 * and fail with its -errno when it cannot be. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#include "resourcectl.h"

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

/* The soname: the one the package installs, found as the loader finds any
 * library of resourcectl's (its RUNPATH, LD_LIBRARY_PATH, the cache). */
#define LIBRARY "libresource1.so.1"

#define FUNCTIONS(X)                                                                                             \
        X(resource1_new) X(resource1_free) X(resource1_set_allow_interactive) X(resource1_set_polkit_agent)    \
        X(resource1_last_error_name) X(resource1_last_error_message) X(resource1_setrlimits)                    \
        X(resource1_setrlimits_pidfd) X(resource1_can_setrlimits) X(resource1_can_setrlimits_pidfd)             \
        X(resource1_list_rlimits) X(resource1_list_rlimits_pidfd) X(resource1_getrusage)                        \
        X(resource1_getrusage_pidfd) X(resource1_getpagesize) X(resource1_get_can_raise_hard_limits)            \
        X(sd_booted) X(sd_bus_new) X(sd_bus_set_address) X(sd_bus_set_bus_client) X(sd_bus_start)                \
        X(sd_bus_open_system) X(sd_bus_flush_close_unref) X(sd_bus_set_method_call_timeout)                     \
        X(sd_bus_get_property_trivial) X(sd_bus_call) X(sd_bus_message_new_method_call)                         \
        X(sd_bus_message_append_basic) X(sd_bus_message_read_basic) X(sd_bus_message_unref) X(sd_bus_error_free)

static struct {
#define FIELD(name) __typeof__(name) *name;
        FUNCTIONS(FIELD)
#undef FIELD
} sym;
static bool loaded = false;
static char load_error[512];

int library_load(void) {
        static int failed = 0;

        if (loaded)
                return 0;
        if (failed < 0)
                return failed;
        /* RTLD_LOCAL: nothing of theirs is seen by anything but this table. */
        void *dl = dlopen(LIBRARY, RTLD_NOW | RTLD_LOCAL);
        if (!dl) {
                snprintf(load_error, sizeof load_error, "%s", dlerror());
                return failed = -ELIBACC;
        }
        /* dlsym() on the handle searches the library and those it needs
         * (libsystemd): one lookup for both. */
#define LOOKUP(name)                                                                                             \
        if (!(sym.name = (__typeof__(name) *) dlsym(dl, #name))) {                                              \
                snprintf(load_error, sizeof load_error, "%s has no %s", LIBRARY, #name);                        \
                dlclose(dl);                                                                                     \
                return failed = -ELIBBAD;                                                                        \
        }
        FUNCTIONS(LOOKUP)
#undef LOOKUP
        loaded = true;
        return 0;
}

const char *library_error(void) {
        return load_error[0] ? load_error : NULL;
}

/* An int-returning function: the library's, or why it is not there. */
#define CALL(name, ...)                                    \
        do {                                               \
                int _r = library_load();                   \
                if (_r < 0)                                \
                        return _r;                         \
                return sym.name(__VA_ARGS__);              \
        } while (0)

/* ---- libresource1 ---- */

int resource1_new(Resource1 **ret) {
        CALL(resource1_new, ret);
}

Resource1 *resource1_free(Resource1 *h) {
        return h ? sym.resource1_free(h) : NULL;
}

void resource1_set_allow_interactive(Resource1 *h, bool allow) {
        if (h)
                sym.resource1_set_allow_interactive(h, allow);
}

void resource1_set_polkit_agent(Resource1 *h, bool enable) {
        if (h)
                sym.resource1_set_polkit_agent(h, enable);
}

/* Without a handle: nothing was asked of the library (its thread's
 * one-shot error is of calls resourcectl never makes). */
const char *resource1_last_error_name(const Resource1 *h) {
        return h ? sym.resource1_last_error_name(h) : NULL;
}

const char *resource1_last_error_message(const Resource1 *h) {
        return h ? sym.resource1_last_error_message(h) : NULL;
}

int resource1_setrlimits(Resource1 *h, pid_t pid, const int resources[], const Resource1Limit limits[], size_t n,
                         Resource1Limit ret_old[]) {
        CALL(resource1_setrlimits, h, pid, resources, limits, n, ret_old);
}

int resource1_setrlimits_pidfd(Resource1 *h, int pidfd, const int resources[], const Resource1Limit limits[],
                               size_t n, Resource1Limit ret_old[]) {
        CALL(resource1_setrlimits_pidfd, h, pidfd, resources, limits, n, ret_old);
}

int resource1_can_setrlimits(Resource1 *h, pid_t pid, const int resources[], const Resource1Limit limits[],
                             size_t n, Resource1LimitAnswer ret[]) {
        CALL(resource1_can_setrlimits, h, pid, resources, limits, n, ret);
}

int resource1_can_setrlimits_pidfd(Resource1 *h, int pidfd, const int resources[], const Resource1Limit limits[],
                                   size_t n, Resource1LimitAnswer ret[]) {
        CALL(resource1_can_setrlimits_pidfd, h, pidfd, resources, limits, n, ret);
}

int resource1_list_rlimits(Resource1 *h, pid_t pid, Resource1LimitEntry ret[], size_t n) {
        CALL(resource1_list_rlimits, h, pid, ret, n);
}

int resource1_list_rlimits_pidfd(Resource1 *h, int pidfd, Resource1LimitEntry ret[], size_t n) {
        CALL(resource1_list_rlimits_pidfd, h, pidfd, ret, n);
}

int resource1_getrusage(Resource1 *h, pid_t pid, int who, Resource1Usage *ret, size_t size) {
        CALL(resource1_getrusage, h, pid, who, ret, size);
}

int resource1_getrusage_pidfd(Resource1 *h, int pidfd, int who, Resource1Usage *ret, size_t size) {
        CALL(resource1_getrusage_pidfd, h, pidfd, who, ret, size);
}

int resource1_getpagesize(Resource1 *h, uint64_t *ret) {
        CALL(resource1_getpagesize, h, ret);
}

int resource1_get_can_raise_hard_limits(Resource1 *h, bool *ret) {
        CALL(resource1_get_can_raise_hard_limits, h, ret);
}

/* ---- libsystemd, for explain's questions to systemd (explain-systemd.c) ---- */

int sd_booted(void) {
        CALL(sd_booted);
}

int sd_bus_new(sd_bus **ret) {
        CALL(sd_bus_new, ret);
}

int sd_bus_open_system(sd_bus **ret) {
        CALL(sd_bus_open_system, ret);
}

int sd_bus_set_address(sd_bus *bus, const char *address) {
        CALL(sd_bus_set_address, bus, address);
}

int sd_bus_set_bus_client(sd_bus *bus, int b) {
        CALL(sd_bus_set_bus_client, bus, b);
}

int sd_bus_start(sd_bus *bus) {
        CALL(sd_bus_start, bus);
}

sd_bus *sd_bus_flush_close_unref(sd_bus *bus) {
        return bus ? sym.sd_bus_flush_close_unref(bus) : NULL;
}

int sd_bus_set_method_call_timeout(sd_bus *bus, uint64_t usec) {
        CALL(sd_bus_set_method_call_timeout, bus, usec);
}

int sd_bus_get_property_trivial(sd_bus *bus, const char *destination, const char *path, const char *interface,
                                const char *member, sd_bus_error *ret_error, char type, void *ret_ptr) {
        CALL(sd_bus_get_property_trivial, bus, destination, path, interface, member, ret_error, type, ret_ptr);
}

int sd_bus_message_new_method_call(sd_bus *bus, sd_bus_message **m, const char *destination, const char *path,
                                   const char *interface, const char *member) {
        CALL(sd_bus_message_new_method_call, bus, m, destination, path, interface, member);
}

int sd_bus_message_append_basic(sd_bus_message *m, char type, const void *p) {
        CALL(sd_bus_message_append_basic, m, type, p);
}

int sd_bus_call(sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *ret_error, sd_bus_message **reply) {
        CALL(sd_bus_call, bus, m, usec, ret_error, reply);
}

int sd_bus_message_read_basic(sd_bus_message *m, char type, void *p) {
        CALL(sd_bus_message_read_basic, m, type, p);
}

sd_bus_message *sd_bus_message_unref(sd_bus_message *m) {
        return m ? sym.sd_bus_message_unref(m) : NULL;
}

void sd_bus_error_free(sd_bus_error *e) {
        /* An error only a loaded library can have filled in. */
        if (loaded)
                sym.sd_bus_error_free(e);
}
