#!/bin/bash
# The flatpak suite: a Flatpak app talking to the service through Flatpak's
# own bus proxy (issue 24), made for real in the fixture (with-bus.sh, with
# the example rule for one app, policy/50-resource1-flatpak-example.rules,
# and the daemon holding only the capabilities its unit leaves it:
# unit-caps-daemon.sh), and in the VM (tests/vm/inside.sh).
# TAP output. Needs RESOURCECTL, RCALL, FLATPAK_APP_LIB, PYTHON3, SOURCE_ROOT,
# BUILD_ROOT and HELPERS (tests/meson.build); in the VM, see APP_USER below.
#
# helpers/flatpak-run.py starts the app as `flatpak run` does, as the user
# (nobody here; a user of a real login session in the VM suite):
# Debian 12's xdg-dbus-proxy (0.1.4) as the user, outside the app's pid
# namespace, in a bubblewrap of its own whose root holds the app's
# /.flatpak-info, with --filter and --talk= for the service's two names; the
# app in another bubblewrap (user and pid namespaces of its own) whose
# system bus is the proxy's socket. The app's shell (helpers/
# flatpak-app-shell.sh) runs what this script sends it: resourcectl and the
# tests' helpers from the build directory and the Python package from the
# source tree, bound in read-only, and /usr/bin/python3 with jeepney.
# Everything is measured from outside, as root: /proc/PID/limits of the
# app's processes, of the proxy and of a process of the user's outside the
# sandbox. Programs that change themselves stop themselves (SIGSTOP) to be
# measured, and are then let go on.
#
#   resourcectl in the app (libresource1 through the proxy, --service):
#   `limits` reads the app's shell; `set` changes it; `run --limit` starts a
#   command with the limit; `set --pid` changes a child of the shell. And
#   `set` without --service, which resourcectl makes itself, in the sandbox.
#   The Python package in the app: getrlimit, getrusage(RUSAGE_SELF) and
#   setrlimit are about the app's own process.
#   A libresource1 program in the app: the same, and prlimit of its child.
#   The proxy's limits stay what they were throughout.
#   A control: GetRusagePidfd of a process of the user's, by the user, outside
#   any sandbox (what the usage checks above need of the daemon, without a proxy).
#   Raw pid numbers from the app (rcall, GDBus): a process of the user's outside
#   the sandbox is refused with OtherPidNamespace, nothing read or changed
#   there; pid 0 (the proxy, to the service) is refused, naming the *Pidfd
#   methods, and the proxy is neither read nor changed.
#   The per-app rule: a NOFILE hard raise to 524288 of an app's own process
#   is granted by polkit for com.valvesoftware.Steam (the kernel then
#   refuses it here, root lacking CAP_SYS_RESOURCE: ServiceLacksCapability;
#   done where the service has it), and refused by polkit for another app
#   (com.example.Game) and for a plain process of the same user.
# ~2 s here.
set -u
: "${RESOURCE1_FIXTURE:?}" "${RESOURCECTL:?}" "${RCALL:?}" "${FLATPAK_APP_LIB:?}" "${PYTHON3:?}" "${HELPERS:?}"
# tap.sh is in lib/ here; in the VM, tests/vm/run.sh installs it beside this script.
tap=$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh
[ -e "$tap" ] || tap=$(dirname "${BASH_SOURCE[0]}")/tap.sh
. "$tap"

fx=$RESOURCE1_FIXTURE
work=$fx/flatpak
STEAM=com.valvesoftware.Steam
TALK=(--talk org.example.Resource1 --talk org.example.Resource1.Pidfd)
EXAMPLE_RULE=50-resource1-flatpak-example.rules
# The app's user, and how it runs things. Here: nobody, through setpriv,
# with a runtime directory of the fixture's; the tree and the build bound
# into the app. The VM suite (tests/vm/inside.sh) sets APP_USER to a user
# of a real login session, and FLATPAK_USER_FUNCS to a file that redefines
# user_run and user_start to run there, with the session's XDG_RUNTIME_DIR;
# its programs are installed under /usr, which the app has anyway.
APP_USER=${APP_USER:-nobody}
APP_UID=$(id -u "$APP_USER")
AS_USER=(setpriv --reuid="$APP_UID" --regid="$(id -g "$APP_USER")" --clear-groups)
APP_RUNTIME_DIR=$work/run
APP_SETUP=()
if [ -n "${SOURCE_ROOT:-}" ]; then
        APP_SETUP=(--ro-bind "$SOURCE_ROOT" --ro-bind "${BUILD_ROOT:?}" --setenv PYTHONPATH "$SOURCE_ROOT/client/python")
fi
# user_run FILE: runs the bash script FILE as the app's user, to its end,
# its output on standard output. user_start FILE: the same in the
# background, with $work/in as its standard input and $work/out as its
# output.
user_run() { (cd / && "${AS_USER[@]}" /bin/bash "$1" 2>&1); }
user_start() { (cd / && exec "${AS_USER[@]}" /bin/bash "$1") < "$work/in" > "$work/out" 2>&1 & started+=($!); }
[ -z "${FLATPAK_USER_FUNCS:-}" ] || . "$FLATPAK_USER_FUNCS"

for tool in bwrap xdg-dbus-proxy; do
        command -v "$tool" > /dev/null ||
                { echo "1..0 # SKIP $tool is not installed (tests/install-deps.sh installs it)"; exit 0; }
done
# bubblewrap here is not setuid: it needs user namespaces open to the user.
if ! err=$("${AS_USER[@]}" bwrap --unshare-user --unshare-pid --ro-bind / / --proc /proc true 2>&1); then
        echo "1..0 # SKIP bubblewrap cannot make a user namespace as $APP_USER here (${err//$'\n'/ }):" \
             "user namespaces are not open to unprivileged users (kernel.unprivileged_userns_clone," \
             "user.max_user_namespaces or an LSM)"
        exit 0
fi

limit_of() { awk -v r="$2" 'index($0, r) == 1 {print $(NF-2) ":" $(NF-1)}' "/proc/$1/limits" 2>/dev/null; }
nofile_of() { limit_of "$1" "Max open files"; }
field() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status" 2>/dev/null; }
cleanup() {
        [ -n "${app_in:-}" ] && exec {app_in}>&-
        [ -n "${app_out:-}" ] && exec {app_out}<&-
        kill_started
}
trap cleanup EXIT

mkdir -m 755 "$work"
install -d -m 700 -o "$APP_UID" -g "$(id -g "$APP_USER")" "$work/run" "$work/steam" "$work/game"
mkfifo -m 600 "$work/in" "$work/out"
chown "$APP_UID" "$work/in" "$work/out"

# The user's processes start with NOFILE soft:hard (the proxy keeps it); the
# app's shell lowers its soft limit to 5000 at once, so that an answer about
# the proxy is never taken for one about the app.
soft=20000 hard=20000
[ "$(ulimit -Hn)" -ge 20000 ] || { soft=$(ulimit -Hn) hard=$(ulimit -Hn); }
# flatpak_script ID STATE COMMAND...: writes a script (to STATE.sh) that
# starts app ID running COMMAND as `flatpak run` would, and prints its name.
flatpak_script() {
        local id=$1 state=$2
        shift 2
        {
                echo "cd / && ulimit -n $hard && ulimit -Sn $soft || exit 1"
                [ -z "$APP_RUNTIME_DIR" ] || printf 'export XDG_RUNTIME_DIR=%q\n' "$APP_RUNTIME_DIR"
                printf 'exec %q %q --app-id %q --state-dir %q' "$PYTHON3" "$HELPERS/flatpak-run.py" "$id" "$state"
                printf ' %q' "${TALK[@]}" "${APP_SETUP[@]}" --setenv RESOURCECTL "$RESOURCECTL" --setenv RCALL "$RCALL" \
                        --setenv APP_LIB "$FLATPAK_APP_LIB" --setenv HELPERS "$HELPERS" --setenv PYTHON3 "$PYTHON3" \
                        --setenv PYTHONDONTWRITEBYTECODE 1 -- "$@"
                echo
        } > "$state.sh"
        chmod 644 "$state.sh"
        echo "$state.sh"
}

# The app, com.valvesoftware.Steam, with its shell reading commands.
user_start "$(flatpak_script "$STEAM" "$work/steam" /bin/bash "$HELPERS/flatpak-app-shell.sh")"
exec {app_in}> "$work/in" {app_out}< "$work/out"

# The app's output goes to $work/app.log. app_until ERE reads it until a
# line matches (0, the line in $app_line) or the command ends ("__DONE__
# STATUS": 1, the status in $app_rc; "timeout" after 20 s without a line);
# the command's lines gather in $out. app CMD runs CMD to its end; app_start
# CMD only sends it.
app_start() { out="" app_rc="" app_line=""; echo ">>> $1" >> "$work/app.log"; printf '%s\n' "$1" >&"$app_in"; }
app_until() {
        local line
        while IFS= read -r -t 20 -u "$app_out" line; do
                echo "$line" >> "$work/app.log"
                if [[ $line == "__DONE__ "* ]]; then app_rc=${line#__DONE__ }; return 1; fi
                out+="$line"$'\n'
                if [[ $line =~ $1 ]]; then app_line=$line; return 0; fi
        done
        app_rc=timeout
        return 1
}
app_finish() { [ -n "$app_rc" ] || app_until $'\n'; }
app() { app_start "$1"; app_finish; }
show() { note <<< "$1"; }

app_until '^SHELL ' || true
shell_inner=${app_line#SHELL }
app_ns=""
child_pid=$(sed -n 's/^ *"child-pid": *\([0-9]*\).*/\1/p' "$work/steam/bwrapinfo.json" 2>/dev/null)
[ -z "$child_pid" ] || app_ns=$(readlink "/proc/$child_pid/ns/pid" 2>/dev/null)
# The host's pid of the app's process INNER (its pid in the app's namespace).
outer_of() {
        local p
        for p in /proc/[0-9]*; do
                [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$app_ns" ] || continue
                [ "$(awk '$1 == "NSpid:" {print $NF}' "$p/status" 2>/dev/null)" = "$1" ] && { echo "${p#/proc/}"; return 0; }
        done
        return 1
}
shell=$(outer_of "$shell_inner")
proxy_bwrap=$(cat "$work/steam/proxy-bwrap.pid" 2>/dev/null)
proxy=""
for p in /proc/[0-9]*; do
        [ "$(field "${p#/proc/}" PPid)" = "$proxy_bwrap" ] && [ "$(cat "$p/comm" 2>/dev/null)" = xdg-dbus-proxy ] &&
                proxy=${p#/proc/}
done
proxy_limits=$(cat "/proc/$proxy/limits" 2>/dev/null)
proxy_untouched() { [ -n "$proxy" ] && [ "$(cat "/proc/$proxy/limits" 2>/dev/null)" = "$proxy_limits" ]; }
echo "# app shell: pid $shell_inner in the app, $shell here; proxy: pid $proxy (NOFILE $(nofile_of "$proxy")," \
     "cgroup $(cut -d: -f3 "/proc/$proxy/cgroup" 2>/dev/null | tr '\n' ' '))"
note "$work/app.log"

if [ -z "$shell" ] || [ -z "$proxy" ]; then
        echo "1..1"
        check "the app and its bus proxy start (flatpak-run.py)" false
        note "$work/app.log"
        exit 1
fi
# The plan comes last: the VM's session adds checks of its own (session_checks).
declare -F session_checks > /dev/null && session_checks

check "the proxy runs as Flatpak runs it: xdg-dbus-proxy --fd= --args=, as $APP_USER, in this pid namespace, its root holding the app's /.flatpak-info" \
      '[ "$(field "$proxy" Uid)" = "$APP_UID $APP_UID $APP_UID $APP_UID" ] &&
       [ "$(readlink /proc/$proxy/ns/pid)" = "$(readlink /proc/self/ns/pid)" ] &&
       tr "\0" " " < /proc/$proxy/cmdline | grep -Eq "^/usr/bin/xdg-dbus-proxy --fd=[0-9]+ --args=[0-9]+ $" &&
       grep -qx "name=$STEAM" "/proc/$proxy/root/.flatpak-info"'
app 'echo "$(readlink /proc/self/ns/pid) $DBUS_SYSTEM_BUS_ADDRESS"; ls /run/dbus; "$RCALL" PageSize "()" "()"'
show "$out"
check "the app runs in a pid namespace of its own (its shell is pid $shell_inner there), its system bus the proxy's socket; GDBus reaches the service through the proxy" \
      '[ "$(readlink /proc/$shell/ns/pid)" = "$app_ns" ] && [ "$app_ns" != "$(readlink /proc/self/ns/pid)" ] &&
       grep -q "unix:path=/run/dbus/system_bus_socket$" <<< "$out" && grep -q "^OK (uint64 $(getconf PAGESIZE),)" <<< "$out"'
app 'ulimit -Sn 5000'
echo "# app shell NOFILE $(nofile_of "$shell"), proxy NOFILE $(nofile_of "$proxy")"

# resourcectl (libresource1, sd-bus) through the proxy: --service, as what
# the kernel lets the app do alone resourcectl otherwise does itself.
app '"$RESOURCECTL" --service limits NOFILE 2>&1'
show "$out"
check "resourcectl limits NOFILE in the app: the app's shell's 5000:$hard, read through the service" \
      '[ "$app_rc" = 0 ] && grep -Eq "^NOFILE .* 5000 +$hard files$" <<< "$out" && ! grep -q "instead" <<< "$out"'
app '"$RESOURCECTL" --service set NOFILE 4000: 2>&1'
show "$out"
check "resourcectl set NOFILE 4000: in the app sets its shell's NOFILE to 4000:$hard (measured here)" \
      '[ "$app_rc" = 0 ] && [ "$(nofile_of "$shell")" = "4000:$hard" ]'
check "... and the proxy's limits are untouched" proxy_untouched
app_start '"$RESOURCECTL" --service run --limit NOFILE=3000:3500 sh -c '\''echo STOP $$; kill -STOP $$; ulimit -Sn; ulimit -Hn'\'' 2>&1'
run_nofile=""
if app_until '^STOP '; then
        run_cmd=$(outer_of "${app_line#STOP }")
        wait_for 5 '[ "$(field "$run_cmd" State | cut -c1)" = T ]'
        run_nofile=$(nofile_of "$run_cmd")
        kill -CONT "$run_cmd"
fi
app_finish
show "$out"
check "resourcectl run --limit NOFILE=3000:3500 in the app: the command runs with NOFILE 3000:3500 (measured here: ${run_nofile:-none})" \
      '[ "$run_nofile" = 3000:3500 ] && [ "$app_rc" = 0 ]'
check "... and the proxy's limits are untouched" proxy_untouched
app 'sleep 300 & echo "CHILD $!"; "$RESOURCECTL" --service set --pid $! NOFILE 2500: 2>&1'
show "$out"
child=$(outer_of "$(sed -n 's/^CHILD //p' <<< "$out")")
check "resourcectl set --pid CHILD NOFILE 2500: in the app sets the shell's child's NOFILE to 2500:$hard (measured here)" \
      '[ "$app_rc" = 0 ] && [ -n "$child" ] && [ "$(nofile_of "$child")" = "2500:$hard" ]'
app 'kill $!; wait $!'
# Without --service: within the sandbox, as the app sees it.
app '"$RESOURCECTL" set NOFILE 3900: 2>&1'
show "$out"
check "resourcectl set NOFILE 3900: in the app, made by resourcectl itself, sets its shell's NOFILE (measured here)" \
      '[ "$app_rc" = 0 ] && [ "$(nofile_of "$shell")" = "3900:$hard" ]'
check "... and the proxy's limits are untouched" proxy_untouched

# The Python package (jeepney) in the app, about itself.
proxy_nofile=$(nofile_of "$proxy")
app_start '"$PYTHON3" "$HELPERS/flatpak-app.py" 90 2>&1'
py_nofile=""
if app_until '^STOP '; then
        py=$(outer_of "${app_line#STOP }")
        wait_for 5 '[ "$(field "$py" State | cut -c1)" = T ]'
        py_nofile=$(nofile_of "$py")
        kill -CONT "$py"
fi
app_finish
show "$out"
read -r _ own_soft own_hard <<< "$(grep '^OWN ' <<< "$out")"
read -r _ py_soft py_hard _ <<< "$(grep '^GETRLIMIT ' <<< "$out")"
check "resource1.getrlimit(RLIMIT_NOFILE) in the app answers the app's own (${own_soft:-?}, ${own_hard:-?}): ${py_soft:-error}, ${py_hard:-error} (the proxy's is $proxy_nofile)" \
      '[ -n "${py_soft:-}" ] && [ "$py_soft:$py_hard" = "$own_soft:$own_hard" ]'
read -r _ py_rss own_rss <<< "$(grep '^RUSAGE ' <<< "$out")"
check "resource1.getrusage(RUSAGE_SELF) in the app answers the app's own: ru_maxrss ${py_rss:-error} KiB, its own ${own_rss:-?} KiB" \
      '[[ ${py_rss:-} =~ ^[0-9]+$ ]] && [ "$py_rss" -ge $(( own_rss * 9 / 10 )) ] && [ "$py_rss" -le $(( own_rss + 8192 )) ]'
check "resource1.setrlimit(RLIMIT_NOFILE, (90, hard)) in the app sets the app's own NOFILE to 90:$hard (measured here: ${py_nofile:-none})" \
      '[ "$py_nofile" = "90:$hard" ]'
check "... and the proxy's limits are untouched" proxy_untouched

# A libresource1 program in the app, about itself and its child.
app_start '"$APP_LIB" 80 70 2>&1'
lib_nofile="" lib_child_nofile=""
if app_until '^STOP '; then
        lib=$(outer_of "${app_line#STOP }")
        wait_for 5 '[ "$(field "$lib" State | cut -c1)" = T ]'
        lib_nofile=$(nofile_of "$lib")
        kill -CONT "$lib"
        if app_until '^STOP '; then
                wait_for 5 '[ "$(field "$lib" State | cut -c1)" = T ]'
                lib_child=$(outer_of "$(sed -n 's/^PRLIMIT -\{0,1\}[0-9]* //p' <<< "$out")")
                lib_child_nofile=$(nofile_of "${lib_child:-0}")
                kill -CONT "$lib"
        fi
fi
app_finish
show "$out"
read -r _ r lib_soft lib_hard own_soft own_hard <<< "$(grep '^GETRLIMIT ' <<< "$out")"
read -r _ r2 lib_rss own_rss <<< "$(grep '^RUSAGE ' <<< "$out")"
check "libresource1 in the app: resource1_getrlimit(RLIMIT_NOFILE) answers the program's own (${own_soft:-?}:${own_hard:-?}): ${lib_soft:-?}:${lib_hard:-?}" \
      '[ "${r:-}" = 0 ] && [ "$lib_soft:$lib_hard" = "$own_soft:$own_hard" ]'
check "libresource1 in the app: resource1_getrusage(0, RUSAGE_SELF) answers the program's own: ru_maxrss ${lib_rss:-?} KiB, its own ${own_rss:-?} KiB" \
      '[ "${r2:-}" = 0 ] && [ "$lib_rss" -ge $(( own_rss * 9 / 10 )) ] && [ "$lib_rss" -le $(( own_rss + 8192 )) ]'
check "libresource1 in the app: resource1_setrlimit(RLIMIT_NOFILE, 80:hard) sets the program's own NOFILE (measured here: ${lib_nofile:-none})" \
      '[ "$lib_nofile" = "80:$hard" ]'
check "libresource1 in the app: resource1_prlimit of its child sets the child's NOFILE to 70:hard (measured here: ${lib_child_nofile:-none})" \
      '[ "$lib_child_nofile" = "70:$hard" ]'
check "the proxy's limits, after every call of the app, are what they were at its start" proxy_untouched

# Raw pid numbers from the app (GDBus: rcall). A process of the user's outside
# the sandbox, NOFILE 20000:20000 (as the user's processes start), is named
# by its number here, as an app would guess it.
victim_limits() { cat "/proc/$victim/limits" 2>/dev/null; }
( ulimit -n "$hard"; exec "${AS_USER[@]}" sleep 600 ) &
victim=$!
started+=("$victim")
wait_for 2 '[ "$(field "$victim" Uid)" = "$APP_UID $APP_UID $APP_UID $APP_UID" ]'
victim_before=$(victim_limits)
echo "# outside the sandbox: $APP_USER's sleep, pid $victim, NOFILE $(nofile_of "$victim")"
# The control for the usage checks above: the same read, of a process of the
# user's own, by the user outside any sandbox, where the daemon's usual path
# (no proxy) serves it.
printf '%q --pidfd-of %d GetRusagePidfd %s %s\n' "$RCALL" "$victim" "'(hs)'" "\"(handle 0, 'self')\"" > "$work/usage.sh"
usage=$(user_run "$work/usage.sh")
show "$usage"
check "control, no sandbox: GetRusagePidfd of a process of $APP_USER's own, asked by $APP_USER, is answered" \
      'grep -q "^OK ({.ru_utime." <<< "$usage"'
app "\"\$RCALL\" Prlimit '(usbtt)' \"($victim, 'NOFILE', true, 33, 33)\"; \"\$RCALL\" SetRlimits '(ua(stt))' \"($victim, [('CORE', 0, 0)])\""
show "$out"
check "Prlimit and SetRlimits of pid $victim (outside the sandbox) from the app: OtherPidNamespace, its limits untouched" \
      '[ "$(grep -c "^ERR org.example.Resource1.Error.OtherPidNamespace" <<< "$out")" = 2 ] && [ "$(victim_limits)" = "$victim_before" ]'
app "\"\$RCALL\" GetRusage '(us)' \"($victim, 'self')\"; \"\$RCALL\" ListRlimits '(u)' \"($victim,)\"; \"\$RCALL\" Prlimit '(usbtt)' \"($victim, 'NOFILE', false, 0, 0)\""
show "$out"
check "GetRusage, ListRlimits and a Prlimit read of pid $victim from the app: OtherPidNamespace, nothing read" \
      '[ "$(grep -c "^ERR org.example.Resource1.Error.OtherPidNamespace" <<< "$out")" = 3 ] && ! grep -q "^OK" <<< "$out"'

# Pid 0 is the connection's process, which is the proxy here.
app "\"\$RCALL\" SetRlimit '(stt)' \"('NOFILE', 77, $hard)\"; \"\$RCALL\" Prlimit '(usbtt)' \"(0, 'NOFILE', true, 66, $hard)\"; \"\$RCALL\" SetRlimits '(ua(stt))' \"(0, [('NOFILE', 55, $hard)])\""
show "$out"
check "SetRlimit, Prlimit and SetRlimits of pid 0 from the app are refused, naming the *Pidfd methods; the proxy's limits untouched" \
      '[ "$(grep -c "^ERR .*Pidfd" <<< "$out")" = 3 ] && proxy_untouched'
app "\"\$RCALL\" GetRlimit '(s)' \"('NOFILE',)\"; \"\$RCALL\" GetRusage '(us)' \"(0, 'self')\"; \"\$RCALL\" ListRlimits '(u)' '(0,)'"
show "$out"
check "GetRlimit, GetRusage and ListRlimits of pid 0 from the app are refused, naming the *Pidfd methods (the proxy is not read)" \
      '[ "$(grep -c "^ERR .*Pidfd" <<< "$out")" = 3 ]'

# The per-app rule. A child whose hard NOFILE is lowered to 4096, raised to
# 524288 by pidfd: granted is the kernel's refusal (or, where the service has
# CAP_SYS_RESOURCE, done); refused is polkit's.
RAISE='( ulimit -n 4096; exec sleep 60 ) & "$RCALL" --pidfd-of $! PrlimitPidfd "(hsbtt)" "(handle 0, '\''NOFILE'\'', true, 4096, 524288)"; kill $!'
granted() { grep -Eq '^(OK|ERR org.example.Resource1.Error.ServiceLacksCapability )' <<< "$1"; }
refused_by_polkit() {
        grep -Eq '^ERR (org.example.Resource1.Error.PermissionDenied .*polkit|org.freedesktop.DBus.Error.InteractiveAuthorizationRequired )' <<< "$1"
}
rule_installed() {
        [ -e "/etc/polkit-1/rules.d/$EXAMPLE_RULE" ] ||
                { echo "# policy/$EXAMPLE_RULE is not among polkit's rules (not in this tree)"; return 1; }
}
app "$RAISE"
show "$out"
check "the per-app rule: a NOFILE hard raise to 524288 from $STEAM is granted by polkit (done, or ServiceLacksCapability where the service lacks CAP_SYS_RESOURCE)" \
      'rule_installed && granted "$out"'
game=$(user_run "$(flatpak_script com.example.Game "$work/game" /bin/bash -c "$RAISE")")
show "$game"
check "the per-app rule: the same raise from com.example.Game is refused by polkit" 'refused_by_polkit "$game"'
printf 'export RCALL=%q\n%s\n' "$RCALL" "$RAISE" > "$work/plain.sh"
plain=$(user_run "$work/plain.sh")
show "$plain"
check "the per-app rule: the same raise from a plain process of $APP_USER's (no sandbox) is refused by polkit" \
      'refused_by_polkit "$plain"'

[ ! -f "$fx/resource1d.log" ] || note "$fx/resource1d.log" | tail -n 20
echo "1..$n"
tap_done
