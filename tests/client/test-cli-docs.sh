#!/bin/bash
# resourcectl's documentation against its behaviour, on the fixture's bus
# (with-bus.sh): every SYNOPSIS form of resourcectl(1) runs; --help shows the
# same forms; --help, the man page and the bash completion name the same
# options; every command of the man page's EXAMPLES is a valid command line;
# and the README's resourcectl examples run, with the exit statuses and the
# lines they show. TAP output. Needs RESOURCECTL, and the source tree
# (SOURCE_ROOT) for README.md, the man page and the completion.
set -u
: "${RESOURCECTL:?}" "${SOURCE_ROOT:?}" "${RESOURCE1_FIXTURE:?}"

. "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
. "$(dirname "${BASH_SOURCE[0]}")/../lib/resourcectl-copy.sh"
T=$RESOURCE1_FIXTURE/docs
resourcectl_copy "$T" 755
export PATH=$T:$PATH
man=$SOURCE_ROOT/client/resourcectl/resourcectl.1
comp=$SOURCE_ROOT/client/resourcectl/resourcectl.bash-completion
section() { # the rendered man page's section $1
        MANWIDTH=200 man -l "$man" 2>/dev/null | col -b |
                awk -v s="$1" '/^[A-Z]/ || /^   [A-Z]/ { h = $0; sub(/^ +/, "", h); p = (h == s); next } p' |
                sed 's/^ *//' | grep -v '^$'
}

# SYNOPSIS: each form, and a command line of it that must succeed
declare -A forms=(
        ["resourcectl [OPTIONS] [limits] [RESOURCE...]"]="resourcectl|resourcectl NOFILE CPU|resourcectl limits|resourcectl --raw limits NOFILE"
        ["resourcectl [OPTIONS] set RESOURCE VALUE [RESOURCE VALUE]..."]="resourcectl set NOFILE 1000:|resourcectl --pid \$\$ set NOFILE 900: CORE 0"
        ["resourcectl [OPTIONS] usage"]="resourcectl usage|resourcectl --who both usage"
        ["resourcectl pagesize"]="resourcectl pagesize"
        ["resourcectl [OPTIONS] run [--limit RESOURCE=VALUE]... [--] COMMAND [ARG...]"]="resourcectl run true|resourcectl run --limit NOFILE=256 --limit CORE=0 -- true|resourcectl run --limit NOFILE=256 sh -c 'ulimit -n'"
        ["resourcectl [OPTIONS] explain [--to VALUE] RESOURCE"]="resourcectl explain NOFILE|resourcectl --json explain --pid \$\$ CORE|resourcectl explain --to 1048576 NOFILE|resourcectl explain --to 4M MEMLOCK"
        ["resourcectl [OPTIONS] --RESOURCE=VALUE... [--RESOURCE]..."]="resourcectl --nofile=800:|resourcectl --nofile=700: --core=0 --stack --cpu"
        ["resourcectl [OPTIONS] --RESOURCE=VALUE... COMMAND [ARG...]"]="resourcectl --nofile=256 true|resourcectl --nofile=256 --core=0 sh -c 'ulimit -n'"
)
section SYNOPSIS > "$T/synopsis"
printf '%s\n' "${!forms[@]}" | sort > "$T/known"
echo "1..9"
check "the man page's SYNOPSIS forms are those this test runs" 'sort "$T/synopsis" | diff -u "$T/known" - >&2'
bad=""
while IFS= read -r form; do
        IFS='|' read -r -a lines <<< "${forms[$form]:-}"
        for l in "${lines[@]}"; do
                bash -c "$l" > "$T/out" 2>&1 || bad+="$l: $(tail -1 "$T/out"); "
        done
done < "$T/synopsis"
check "every SYNOPSIS form runs${bad:+ ($bad)}" '[ -z "$bad" ]'
resourcectl --help | sed -n '/^Usage:/,/^$/p' | sed 's/^Usage: //; s/^ *//; /^$/d' |
        sed -E 's/\[--limit RESOURCE=VALUE\.\.\.\]/[--limit RESOURCE=VALUE].../; s/\[RESOURCE VALUE\.\.\.\]/[RESOURCE VALUE].../;
                s/--RESOURCE=VALUE\.\.\. \[--RESOURCE\.\.\.\]/--RESOURCE=VALUE... [--RESOURCE].../' | sort > "$T/help-forms"
check "--help shows the same forms" 'diff -u "$T/known" "$T/help-forms" >&2'

# options: --help, the man page and the completion name the same ones
resourcectl --help | grep -oE -- '--[a-z][a-z-]*' | grep -vx -- '--RESOURCE' | sort -u > "$T/help-opts"
{ section OPTIONS; section "Resource options"; } | grep -oE -- '--[a-z][a-z-]*' | sort -u > "$T/man-opts"
bash -c 'source "$1"; COMP_WORDS=(resourcectl --); COMP_CWORD=1; _resourcectl; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" |
        sed 's/=$//' | grep -oE -- '^--[a-z][a-z-]*' | sort -u > "$T/comp-opts"
check "--help and the man page's OPTIONS name the same options" 'diff -u "$T/help-opts" "$T/man-opts" >&2'
check "the bash completion offers those options" 'diff -u "$T/help-opts" "$T/comp-opts" >&2'

# the man page's EXAMPLES: valid command lines (exit status other than 2)
bad=""
while IFS= read -r l; do
        (cd "$T" && timeout 20 bash -c "${l#\$ }" > "$T/out" 2>&1 < /dev/null)
        [ $? = 2 ] && bad+="${l#\$ }: $(tail -1 "$T/out"); "
done < <(section EXAMPLES | grep '^\$ ')
check "every command of the man page's EXAMPLES is a valid command line${bad:+ ($bad)}" '[ -z "$bad" ]'

# README.md: the first code block of its resourcectl section, run in one
# shell as a person would type it. A command's status is 0 unless an
# "echo $?" after it shows another; the first word of every line it printed
# is the one the README shows ("..." stands for lines left out); resourcectl's
# own notes and errors ("resourcectl: ...", "Set limits of ...") are the whole
# line shown, but for numbers (pids, limits).
awk '/^## resourcectl/ { s = 1 } s && /^```/ { if (b) exit; b = 1; next } b' "$SOURCE_ROOT/README.md" > "$T/readme"
script=$T/readme.sh
{
        echo 'exec 2>&1'
        i=0
        while IFS= read -r l; do
                case $l in '$ '*) i=$((i+1)); printf '%s\n__st=$?; echo "@@@ %d $__st"; (exit $__st)\n' "${l#\$ }" "$i" ;; esac
        done < "$T/readme"
} > "$script"
(cd "$T" && timeout 120 bash "$script" > "$T/readme.out" 2>&1)
python3 - "$T/readme" "$T/readme.out" > "$T/readme.diff" <<'PY'
import re, sys
want, got = [], {}
for l in open(sys.argv[1]).read().splitlines():
    if l.startswith("$ "):
        want.append([l[2:], []])
    elif want:
        want[-1][1].append(l)
cur, lines = 0, []
for l in open(sys.argv[2]).read().splitlines():
    m = re.match(r"^@@@ (\d+) (\d+)$", l)
    if m:
        got[int(m.group(1))] = (int(m.group(2)), lines)
        lines = []
    else:
        lines.append(l)
bad = 0
first = lambda l: l.split()[0] if l.split() else ""
for i, (cmd, out) in enumerate(want, 1):
    if i not in got:
        print(f"{cmd}: did not run"); bad += 1; continue
    status, lines = got[i]
    nxt = want[i][0] if i < len(want) else ""
    expect = int(want[i][1][0]) if nxt == "echo $?" else 0
    if cmd == "echo $?":
        expect = 0
    if status != expect:
        print(f"{cmd}: exit status {status}, the README shows {expect}: {lines}"); bad += 1
    if "..." in out:
        k = out.index("...")
        head, tail = out[:k], out[k + 1:]
        pairs = list(zip(head, lines[:len(head)])) + list(zip(tail, lines[len(lines) - len(tail):]))
        ok = len(lines) >= len(head) + len(tail)
    else:
        pairs = list(zip(out, lines))
        ok = len(lines) == len(out)
    said = lambda l: l.startswith(("resourcectl: ", "Set limits of "))
    digits = lambda l: re.sub(r"[0-9]+", "N", l)
    if not ok or any(first(a) != first(b) or (said(a) and digits(a) != digits(b)) for a, b in pairs):
        print(f"{cmd}: printed {lines}, the README shows {out}"); bad += 1
print(f"{len(want)} commands, {bad} differ")
sys.exit(1 if bad else 0)
PY
check "the README's resourcectl examples run, with the statuses and lines shown ($(tail -1 "$T/readme.diff"))" \
      'grep -q " 0 differ$" "$T/readme.diff" || { sed "s/^/# /" "$T/readme.diff"; false; }'

# The arrow of set's lines: the man page shows what resourcectl prints, in a
# UTF-8 locale (→) and in one that is not (->).
sleep 600 & sleeper=$!
arrows() { # locale → "man-page-arrow resourcectl-arrow"
        local m o
        m=$(LC_ALL=$1 MANWIDTH=200 man -l "$man" 2>/dev/null | col -b | grep -m1 -o "^ *NOFILE: 1024:524288 [^ ]* " | awk '{print $3}')
        o=$(LC_ALL=$1 resourcectl set --pid "$sleeper" NOFILE 100: | awk '{print $3}')
        echo "$m $o"
}
check "in a UTF-8 locale, the man page's EXAMPLES and set print the same arrow, → ($(arrows C.UTF-8))" '[ "$(arrows C.UTF-8)" = "→ →" ]'
check "in the C locale, both -> ($(arrows C))" '[ "$(arrows C)" = "-> ->" ]'
kill "$sleeper"
tap_done
