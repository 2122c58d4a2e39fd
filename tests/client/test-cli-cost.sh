#!/bin/bash
# What one resourcectl command costs, counted, not timed (a shared 2-core
# machine times nothing twice alike; bench/cli.sh gives the times, and the
# ratio to prlimit(1) there): as nobody, on a process of nobody's,
# "limits --pid P NOFILE" and "set --pid P NOFILE 100:" are what the kernel
# lets nobody do alone, so resourcectl makes them itself, as prlimit(1)
# does: it starts no process, connects to nothing, maps neither
# libresource1 nor libsystemd (whose loading was a third of its run time),
# opens no file but libc (and LC_CTYPE for set's arrow), and maps no more
# libraries and makes no more system calls than prlimit(1) making the same
# change. With --service, what the service's path costs besides the call:
# no process started (no pkttyagent where nothing needs authorization),
# three messages to the bus (authentication, Hello, the call: no
# introspection, no credentials asked), no file of /proc opened (the hard
# limit set keeps is read with prlimit(2)), nor the target's comm, which
# only a message naming the process needs, nor the locale where it comes
# out as C.UTF-8. And what the locale decides is as before: the arrow's
# character set, a translated strerror().
# Run by with-bus.sh; TAP. Needs RESOURCECTL.
set -u
: "${RESOURCECTL:?}" "${RESOURCE1_FIXTURE:?}"

. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/resourcectl-copy.sh"

resourcectl_copy_traced cli-cost
as_nobody() {
        setpriv --reuid=65534 --regid=65534 --clear-groups \
                env -u LC_ALL -u LC_CTYPE -u LC_MESSAGES -u LANGUAGE LANG=C.UTF-8 LD_LIBRARY_PATH="$T" "$@"
}
setpriv --reuid=65534 --regid=65534 --clear-groups sleep 600 & target=$!
started=("$target")
trap kill_started EXIT
sleep 0.1

# Runs resourcectl as nobody under strace -f: its output in $T/out and
# $T/err, its status, and the calls named in $T/trace.
traced() {
        as_nobody strace -f -qq -o "$T/trace" -e trace=%process,open,openat,openat2,sendmsg,sendmmsg,sendto \
                "$R" "$@" >"$T/out" 2>"$T/err"
        status=$?
}
# Processes started: every clone, fork and execve but the one of resourcectl.
spawned() { grep -E '(clone|clone3|fork|vfork|execve|execveat)\(' "$T/trace" | tail -n +2; }
# Files opened, but the loader's: libraries (found or looked for) and its cache.
opened() {
        grep -E '(^|[^a-z_])(open|openat|openat2)\(' "$T/trace" | sed -E 's/^[^"]*"([^"]*)".*/\1/' |
                grep -Ev '(^|/)lib[^/]*\.so(\.[0-9]+)*$|^/etc/ld\.so\.(cache|preload)$'
}
messages() { grep -cE '(sendmsg|sendmmsg|sendto)\(' "$T/trace"; }
# A sanitizer's runtime reads /proc (its maps) itself.
sanitized=false
[ "${SANITIZE:-none}" != none ] && sanitized=true
# A failed check shows what resourcectl printed, started and opened.
shown() { note "$T/err"; spawned | note; opened | note; return 1; }

limit() { grep "^Max open files " "/proc/$target/limits" | awk '{print $4 ":" $5}'; }
# Whether the trace shows a library of that name opened (mapped), found.
mapped() { grep -qE "open(at)?\(.*/$1[^/\"]*\".* = [0-9]+$" "$T/trace"; }
# The libraries found and the system calls made: resourcectl's (in $T/trace)
# against prlimit's making the same call.
libraries() { grep -cE 'open(at)?\(.*\.so(\.[0-9]+)*", .* = [0-9]+$' "$1"; }
calls() { grep -cE '^[0-9]+ +[a-z_0-9]+\(' "$1"; }
prlimit_traced() {
        as_nobody strace -f -qq -o "$T/trace.prlimit" prlimit "$@" >/dev/null 2>&1
}
cheaper() { # what resourcectl mapped and called, against prlimit's trace
        local mine=$(libraries "$T/trace") theirs=$(libraries "$T/trace.prlimit")
        local mine_calls=$(calls "$T/trace") their_calls=$(calls "$T/trace.prlimit")
        echo "# libraries: resourcectl $mine, prlimit $theirs; system calls: resourcectl $mine_calls, prlimit $their_calls"
        [ "$mine" -le "$theirs" ] && [ "$mine_calls" -le "$their_calls" ]
}
# All of its calls, for cheaper(); the checks read what they name.
traced_all() {
        as_nobody strace -f -qq -o "$T/trace" "$R" "$@" >"$T/out" 2>"$T/err"
        status=$?
}

# What the local path must not do (resourcectl's trace in $T/trace), and,
# outside a sanitizer build, the check named $1 of what it opened ($2), and
# that it costs no more than prlimit with the option $3.
local_path_checks() {
        check "... starts no process" '[ -z "$(spawned)" ] || shown'
        check "... connects to nothing, writes to no socket" \
              '! grep -qE "(connect|sendmsg|sendmmsg|sendto)\(" "$T/trace" || shown'
        check "... maps neither libresource1 nor libsystemd" '! mapped libresource1.so && ! mapped libsystemd.so || shown'
        if $sanitized; then
                echo "ok $((n += 1)) # SKIP a sanitizer build reads /proc itself (SANITIZE=$SANITIZE)"
                echo "ok $((n += 1)) # SKIP a sanitizer's runtime makes system calls of its own (SANITIZE=$SANITIZE)"
                return
        fi
        check "$1" "$2"
        prlimit_traced --pid "$target" "$3"
        check "... maps no more libraries and makes no more system calls than prlimit --pid P $3" 'cheaper || shown'
}

traced_all limits --pid "$target" NOFILE
check "limits --pid P NOFILE: the kernel's NOFILE" \
      '[ $status = 0 ] && [ "$(awk "/^NOFILE/ {print \$(NF-2) \":\" \$(NF-1)}" "$T/out")" = "$(limit)" ] || shown'
local_path_checks "... opens no file but the libraries (no /proc: prlimit(2); no locale under C.UTF-8)" \
                  '[ -z "$(opened)" ] || shown' --nofile

hard=$(limit | cut -d: -f2)
traced_all set --pid "$target" NOFILE 100:
check "set --pid P NOFILE 100: (nobody's own process, nothing to authorize): set, hard kept, the arrow of UTF-8" \
      '[ $status = 0 ] && [ "$(limit)" = "100:$hard" ] && grep -Eq "^NOFILE: .* → 100:$hard$" "$T/out" || shown'
# The arrow's character set is LC_CTYPE's: loaded for it, and only it.
local_path_checks "... opens no file of /proc, of the locale only LC_CTYPE (the arrow)" \
                  '! opened | grep -q ^/proc/ && ! opened | grep -q LC_MESSAGES || shown' --nofile=100:

# The service's path, asked for: what it costs besides the call.
traced --service limits --pid "$target" NOFILE
check "--service limits --pid P NOFILE: the kernel's NOFILE" \
      '[ $status = 0 ] && [ "$(awk "/^NOFILE/ {print \$(NF-2) \":\" \$(NF-1)}" "$T/out")" = "$(limit)" ] || shown'
check "... starts no process" '[ -z "$(spawned)" ] || shown'
check "... writes 3 messages to the bus (authentication, Hello, the call)" '[ "$(messages)" -le 3 ] || shown'
if $sanitized; then
        echo "ok $((n += 1)) # SKIP a sanitizer build reads /proc itself (SANITIZE=$SANITIZE)"
else
        check "... opens no file but the libraries (no /proc, no locale under C.UTF-8)" '[ -z "$(opened)" ] || shown'
fi
traced --service set --pid "$target" NOFILE 90:
check "--service set --pid P NOFILE 90:: set, hard kept" '[ $status = 0 ] && [ "$(limit)" = "90:$hard" ] || shown'
check "... starts no process (no polkit agent)" '[ -z "$(spawned)" ] || shown'
check "... writes 3 messages to the bus" '[ "$(messages)" -le 3 ] || shown'
if $sanitized; then
        echo "ok $((n += 1)) # SKIP a sanitizer build reads /proc itself (SANITIZE=$SANITIZE)"
else
        check "... opens no file of /proc (the hard limit kept read by prlimit(2)), of the locale only LC_CTYPE" \
              '! opened | grep -q ^/proc/ && ! opened | grep -q LC_MESSAGES || shown'
fi

# What the locale decides, where resourcectl may now load none at start.
as_nobody env LANG=C "$R" set --pid "$target" NOFILE 85: >"$T/out" 2>"$T/err"
check "LANG=C: the arrow is ->" 'grep -Eq "^NOFILE: 90:$hard -> 85:$hard$" "$T/out" || shown'
as_nobody env LC_CTYPE=C "$R" set --pid "$target" NOFILE 80: >"$T/out" 2>"$T/err"
check "LANG=C.UTF-8 LC_CTYPE=C: the arrow is ->" 'grep -Eq "^NOFILE: 85:$hard -> 80:$hard$" "$T/out" || shown'
# strerror() as a program that loads the locale words it (in German where
# libc's German messages are installed, in English otherwise).
enoent=$(as_nobody env LANGUAGE=de python3 -c 'import locale, os; locale.setlocale(locale.LC_ALL, ""); print(os.strerror(2))')
as_nobody env LANGUAGE=de DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent "$R" --service limits --pid "$target" NOFILE \
        >"$T/out" 2>"$T/err"
check "LANG=C.UTF-8 LANGUAGE=de: strerror() in LANGUAGE's words ('$enoent')" \
      'grep -qF "cannot connect to the system bus: $enoent)" "$T/err" || shown'

echo "1..$n"
tap_done
