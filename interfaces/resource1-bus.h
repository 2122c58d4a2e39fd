/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The names of the bus contract, each defined once, as the specification
 * (org.example.Resource1.xml, beside this file) gives them: where the service
 * is, and the errors it answers with (their errno values are in
 * resource1-errors.c). resource1d, libresource1, resourcectl and the tests
 * use these; tests/unit/test-contract.c checks them against the XML. Header only:
 * string literals, so that they can be pasted into other literals (a match
 * rule, "IFACE.Method"). */

#define RESOURCE1_BUS_NAME  "org.example.Resource1"
/* Where the *Pidfd methods are served (same path and interface): the only
 * name that takes descriptors (the spec's "Descriptors" section). */
#define RESOURCE1_PIDFD_BUS_NAME "org.example.Resource1.Pidfd"
#define RESOURCE1_PATH      "/org/example/Resource1"
#define RESOURCE1_INTERFACE "org.example.Resource1"

/* The service's own errors (the XML's ERRORS section; it answers with two of
 * the bus's too: org.freedesktop.DBus.Error.InteractiveAuthorizationRequired
 * and InvalidArgs, SD_BUS_ERROR_* in sd-bus.h). */
#define RESOURCE1_ERROR_PREFIX              RESOURCE1_INTERFACE ".Error."
#define RESOURCE1_ERROR_INVALID_RESOURCE    RESOURCE1_ERROR_PREFIX "InvalidResource"
#define RESOURCE1_ERROR_INVALID_LIMITS      RESOURCE1_ERROR_PREFIX "InvalidLimits"
#define RESOURCE1_ERROR_INVALID_WHO         RESOURCE1_ERROR_PREFIX "InvalidWho"
#define RESOURCE1_ERROR_NO_SUCH_PROCESS     RESOURCE1_ERROR_PREFIX "NoSuchProcess"
#define RESOURCE1_ERROR_PERMISSION_DENIED   RESOURCE1_ERROR_PREFIX "PermissionDenied"
#define RESOURCE1_ERROR_FAILED              RESOURCE1_ERROR_PREFIX "Failed"
#define RESOURCE1_ERROR_LIMITS_EXCEEDED     RESOURCE1_ERROR_PREFIX "LimitsExceeded"
#define RESOURCE1_ERROR_OTHER_PID_NAMESPACE RESOURCE1_ERROR_PREFIX "OtherPidNamespace"
#define RESOURCE1_ERROR_SERVICE_LACKS_CAPABILITY RESOURCE1_ERROR_PREFIX "ServiceLacksCapability"
