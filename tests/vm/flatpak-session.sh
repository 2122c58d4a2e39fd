# Sourced by the flatpak suite's script (test-flatpak.sh) in the VM, as its
# FLATPAK_USER_FUNCS (tests/vm/inside.sh): the app's user runs things in a
# real login session, as a person starting a Flatpak app would. inside.sh
# logged APP_USER in on the tmux pane "fp" (login -f: a logind session of its
# own, its XDG_RUNTIME_DIR /run/user/UID, its system bus the real one) and
# put the session's id in FP_SESSION; each script is typed at that shell's
# prompt.
: "${FP_SESSION:?}"
APP_RUNTIME_DIR=""     # the session's own XDG_RUNTIME_DIR, as Flatpak uses it

fp_type() { tmux send-keys -t fp -l -- "$1" && tmux send-keys -t fp Enter; }

# user_run FILE: FILE typed at the session's prompt, to its end (at most
# 60 s); its output, kept in the user's runtime directory of the test's.
user_run() {
        local out=$work/run/${1##*/}
        rm -f "$out.out" "$out.rc"
        fp_type "bash $1 > $out.out 2>&1; echo \$? > $out.rc"
        local end=$((SECONDS + 60))
        until [ -s "$out.rc" ] || [ $SECONDS -ge $end ]; do sleep 0.2; done
        cat "$out.out" 2>/dev/null
}

# user_start FILE: the same in the background, reading $work/in and writing
# $work/out (the user opens them: they are the user's).
user_start() { fp_type "bash $1 < $work/in > $work/out 2>&1 &"; }

# One check more: the app's shell and its bus proxy are processes of that
# session (its scope in the cgroup tree), as they are under `flatpak run`.
session_checks() {
        check "the app's shell and its bus proxy run in $APP_USER's logind session $FP_SESSION" \
              'grep -q "/session-$FP_SESSION\.scope$" "/proc/$proxy/cgroup" && grep -q "/session-$FP_SESSION\.scope$" "/proc/$shell/cgroup"'
}
