#!/bin/bash
# README.md's "Try it" sessions, typed as a person types them: each
# "$ tests/try.sh ..." of its transcript runs on a pseudo-terminal
# (tests/helpers/pty-answer.py) and the commands after the shell's prompts
# are typed at those prompts (a wrong password at "Password:"). The lines
# each printed must be those the README shows: the same first word, and
# resourcectl's own lines whole but for numbers ("..." stands for lines left
# out), as the resourcectl suite checks the README's. The log file named on
# the first line must hold the bus's, polkitd's and resource1d's lines, and
# the terminal none of them. And the help texts: tests/with-bus.sh says that
# a shell outside cannot use the fixture's bus, which holds.
#
#   test-try.sh SOURCE_ROOT BUILD_DIR
#
# TAP output.
set -u
src=$1
export RESOURCE1_BUILD_DIR=$2
here=$src/tests
. "$here/lib/tap.sh"

if [ "$(id -u)" != 0 ]; then
        echo "1..0 # SKIP needs root (tests/try.sh starts the fixture)"
        exit 0
fi
T=$(mktemp -d)
logs=()
trap 'rm -rf "$T" "${logs[@]}"' EXIT

# The README's transcript: per session, its arguments, what to type and the
# lines it shows.
awk '/^## Try it/ { s = 1; next } /^## / { s = 0 } !s { next }
     /^```/ { if (open && bare) exit; bare = !open && $0 == "```"; open = !open; next } open && bare' \
        "$src/README.md" > "$T/readme"
python3 - "$T/readme" "$T" <<'PY'
import json, re, shlex, sys
prompt = re.compile(r"^\(resource1\) ([a-z_][a-z0-9_-]*)[#$] (.*)$")
sessions = []
for l in open(sys.argv[1]).read().splitlines():
    if l.startswith("$ "):
        args = shlex.split(l[2:], comments=True)
        assert args[0] == "tests/try.sh", l
        user = args[args.index("--user") + 1] if "--user" in args else "root"
        sessions.append({"args": args[1:], "user": user, "answers": [], "lines": [l]})
        continue
    s = sessions[-1]
    s["lines"].append(l)
    m = prompt.match(l)
    if m:
        assert m.group(1) == s["user"], l
        s["answers"].append([r"\(resource1\) %s[#$] $" % re.escape(s["user"]), m.group(2)])
    elif l.startswith("Password:"):
        s["answers"].append([r"Password: *$", "not-the-password"])
json.dump(sessions, open(sys.argv[2] + "/sessions.json", "w"))
PY
sessions=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/sessions.json" 2>/dev/null || echo 0)

echo "1..$((sessions * 3 + 4))"
check "README.md's Try it section has sessions of tests/try.sh, as root and as nobody ($sessions)" \
      '[ "$sessions" -ge 2 ] && grep -q "^\$ tests/try.sh\$" "$T/readme" && grep -q "^\$ tests/try.sh --user nobody" "$T/readme"'

# What a terminal shows, as text: no colours, no bracketed-paste switches, LF.
plain() { sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r//g' "$1"; }
for i in $(seq 0 $((sessions - 1))); do
        mapfile -t args < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))[int(sys.argv[2])]["args"]))' "$T/sessions.json" "$i" | sed '/^$/d')
        mapfile -d '' -t answers < <(python3 -c '
import json, sys
for p, t in json.load(open(sys.argv[1]))[int(sys.argv[2])]["answers"]:
    sys.stdout.write("--answer\0%s\0%s\0" % (p, t))' "$T/sessions.json" "$i")
        (cd "$src" && timeout 90 python3 "$here/helpers/pty-answer.py" --timeout 60 "${answers[@]}" -- \
                tests/try.sh "${args[@]}") > "$T/raw.$i" 2>&1
        status=$?
        name="tests/try.sh${args[*]:+ ${args[*]}}"
        plain "$T/raw.$i" > "$T/got.$i"
        log=$(sed -n 's/^with-bus.sh: the log of the bus, polkitd and resource1d: //p' "$T/got.$i" | head -1)
        [ -z "$log" ] || logs+=("$log")
        python3 - "$T/sessions.json" "$i" "$T/got.$i" > "$T/diff.$i" <<'PY'
import json, re, sys
s = json.load(open(sys.argv[1]))[int(sys.argv[2])]
got = open(sys.argv[3]).read().splitlines()
prompt = re.compile(r"^\(resource1\) [a-z_][a-z0-9_-]*[#$] ")
# Cut both at the prompts: what a command printed is up to the next prompt
# (the first part: what came before the first).
def parts(lines):
    out = [[]]
    for l in lines:
        if prompt.match(l):
            out.append([l])
        else:
            out[-1].append(l)
    return out
want, have = parts(s["lines"][1:]), parts(got)
first = lambda l: l.split()[0] if l.split() else ""
said = lambda l: l.startswith(("resourcectl: ", "Set limits of "))
digits = lambda l: re.sub(r"[0-9]+", "N", l)
bad = 0
if len(want) != len(have):
    print(f"{len(want) - 1} commands in the README, {len(have) - 1} prompts answered")
    bad += 1
for w, h in zip(want, have):
    if "..." in w:
        k = w.index("...")
        head, tail = w[:k], w[k + 1:]
        pairs = list(zip(head, h)) + list(zip(tail, h[len(h) - len(tail):]))
        ok = len(h) >= len(head) + len(tail)
    else:
        pairs, ok = list(zip(w, h)), len(w) == len(h)
    # The command line itself: typed as the README has it.
    if w and prompt.match(w[0]) and h[0].rstrip() != w[0].rstrip():
        ok = False
    if not ok or any(first(a) != first(b) or (said(a) and digits(a) != digits(b)) for a, b in pairs):
        print(f"{w[0] if w else '(start)'}: printed {h}, the README shows {w}")
        bad += 1
print(f"{len(want) - 1} commands, {bad} differ")
sys.exit(1 if bad else 0)
PY
        # (The status is the shell's: its last command's.)
        check "README: \$ $name: the lines shown ($(tail -1 "$T/diff.$i")), the session ended (status $status)" \
              '[ "$status" != 124 ] && grep -q " 0 differ$" "$T/diff.$i" || { note "$T/diff.$i"; note "$T/got.$i"; false; }'
        # The service's lines, by their first words: dbus-daemon's fd limit
        # (it lacks the privilege), dbus-test-runner's task lines, the daemon's
        # name taken, and each of the daemon's lines about a call (a change
        # made, a refusal).
        service_lines='Failed to set fd limit|Started with PID|Serving org\.example\.Resource1|^uid [0-9]+ \(pid|^Refused for uid'
        check "README: \$ $name: the log file ($log) has the bus's, polkitd's and resource1d's lines" \
              '[ -n "$log" ] && [ -f "$log" ] && grep -q "Failed to set fd limit" "$log" && grep -q "^polkitd *: Started with PID" "$log" &&
               grep -q "^Serving org\.example\.Resource1" "$log" && grep -Eq "^(uid [0-9]+ \(pid|Refused for uid)" "$log" ||
               { [ -z "$log" ] || note "$log"; false; }'
        check "README: \$ $name: the terminal showed none of them" \
              '! grep -E "$service_lines" "$T/got.$i" | note | grep -q .'
done

check "tests/try.sh --help and tests/with-bus.sh --help: the options, and why a shell outside cannot use the bus" \
      'help=$("$here/try.sh" --help | tr -s " \n" "  ") && [[ $help == *"--user NAME"* ]] && [[ $help == *"--rules FILE"* ]] &&
       [[ $help == *"the bus did not tell who the caller is"* ]] &&
       help=$("$here/with-bus.sh" --help | tr -s " \n" "  ") && [[ $help == *"--terminal"* ]] && [[ $help == *"--user NAME"* ]] &&
       [[ $help == *"DBUS_SYSTEM_BUS_ADDRESS"* ]] && [[ $help == *"tests/try.sh"* ]] &&
       [[ $help == *"the bus did not tell who the caller is"* ]]'

# What the help texts say of a shell outside, for real: the fixture's socket
# from outside its pid namespace, and the error they quote.
RESOURCE1D=$RESOURCE1_BUILD_DIR/daemon/resource1d "$here/with-bus.sh" --terminal --log "$T/outside.log" -- \
        sh -c 'echo "$DBUS_SYSTEM_BUS_ADDRESS" > "$0"; until [ -e "$0.done" ]; do sleep 0.1; done' "$T/address" \
        < /dev/null > /dev/null 2>&1 &
fixture=$!
wait_for 30 '[ -s "$T/address" ]'
DBUS_SYSTEM_BUS_ADDRESS=$(cat "$T/address" 2>/dev/null) timeout 20 \
        busctl call org.example.Resource1 /org/example/Resource1 org.example.Resource1 GetRlimit s NOFILE > "$T/outside" 2>&1
outside=$?
touch "$T/address.done"
wait "$fixture"
check "a call from outside, DBUS_SYSTEM_BUS_ADDRESS at the fixture's socket, fails as the help says ($(head -c 100 "$T/outside"))" \
      '[ "$outside" != 0 ] && grep -q "the bus did not tell who the caller is" "$T/outside"'
check "and the same call from inside (with-bus.sh --terminal) succeeds" \
      'RESOURCE1D=$RESOURCE1_BUILD_DIR/daemon/resource1d "$here/with-bus.sh" --terminal --log "$T/inside.log" -- \
              busctl call org.example.Resource1 /org/example/Resource1 org.example.Resource1 GetRlimit s NOFILE < /dev/null 2>/dev/null |
              grep -q "^tt [0-9]"'
tap_done
