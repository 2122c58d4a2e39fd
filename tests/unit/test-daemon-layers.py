#!/usr/bin/python3
# The daemon's layers point one way (daemon/README.md has the map), read from
# the #include lines of daemon/: every file is in a stage; no two modules (a
# file.c with its file.h, and its file-internal.h) include each other in a
# loop; a stage includes only from itself and the stages below it
# (bus → change → process → policy → the top folder); only bus/, change/ and
# process/ take the Context. A call needs its callee's header (the build's
# -Wmissing-prototypes), so a loop of calls is a loop of includes. The last
# two checks put a loop and an upward include into a copy of daemon/ and see
# them found, so that the check cannot pass by finding nothing. TAP.
#   tests/unit/test-daemon-layers.py [DAEMON-DIR]
import os
import re
import shutil
import sys
import tempfile

STAGES = ['bus', 'change', 'process', 'policy', '.']   # highest first; '.' is daemon/ itself
CONTEXT = 'context.h'   # the one state struct: each stage's part, so it may name any stage's types
TAKES_CONTEXT = {'bus', 'change', 'process'}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_tree(daemon):
    """{name: (stage, [included names])} for every .c and .h file."""
    files = {}
    for root, dirs, names in os.walk(daemon):
        dirs.sort()
        stage = os.path.relpath(root, daemon)
        for name in sorted(names):
            if name.endswith(('.c', '.h')):
                with open(os.path.join(root, name), encoding='utf-8') as f:
                    files.setdefault(name, []).append((stage, INCLUDE.findall(f.read())))
    return files


def module_of(name, files):
    """A file.c, file.h and file-internal.h are one module; a .c file without
    a header of its own belongs to the module whose -internal.h it shares
    (change-report.c: change)."""
    stem = name.rsplit('.', 1)[0]
    if stem.endswith('-internal'):
        return stem[:-len('-internal')]
    if name.endswith('.c') and stem + '.h' not in files:
        for prefix in sorted((n[:-len('-internal.h')] for n in files if n.endswith('-internal.h')), key=len,
                             reverse=True):
            if stem.startswith(prefix + '-'):
                return prefix
    return stem


def find_loops(graph):
    """One loop (a list of modules) in each group of modules that reach each
    other (Tarjan's strongly connected components of more than one)."""
    index, low, stack, on, groups = {}, {}, [], set(), []

    def connect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            connect(v)

    loops = []
    for group in groups:
        start = min(group)
        path, seen = [start], {start}
        while True:   # every module of the group reaches start: walk until it closes
            nxt = sorted(w for w in graph[path[-1]] if w in group)
            back = [w for w in nxt if w in seen]
            if back:
                loops.append(path[path.index(back[0]):] + [back[0]])
                break
            path.append(nxt[0])
            seen.add(nxt[0])
    return loops


def check(daemon):
    """{rule: [problems]} for the tree at daemon."""
    interfaces = os.path.join(daemon, '..', 'interfaces')
    outside = set(os.listdir(interfaces)) if os.path.isdir(interfaces) else set()
    files = read_tree(daemon)
    problems = {'stages': [], 'resolve': [], 'loops': [], 'order': [], 'context': []}
    stage_of = {}
    for name, where in files.items():
        if len(where) > 1:
            problems['resolve'].append('%s is in %s: includes name a header alone, so names must be unique'
                                       % (name, ' and '.join(s for s, _ in where)))
        stage = where[0][0]
        stage_of[name] = stage
        if stage not in STAGES:
            problems['stages'].append('%s/%s is in no stage (%s)' % (stage, name, ', '.join(STAGES)))

    graph = {}
    for name, where in files.items():
        stage, includes = where[0]
        for inc in includes:
            if inc not in files:
                if inc not in outside:
                    problems['resolve'].append('%s/%s includes "%s", which is neither in daemon/ nor in '
                                               'interfaces/' % (stage, name, inc))
                continue
            a, b = module_of(name, files), module_of(inc, files)
            if a != b:
                graph.setdefault(a, set()).add(b)
            to = stage_of[inc]
            if name != CONTEXT and stage in STAGES and to in STAGES and STAGES.index(to) < STAGES.index(stage):
                problems['order'].append('%s/%s includes %s/%s: %s is above %s' % (stage, name, to, inc, to, stage))
            if inc == CONTEXT and stage not in TAKES_CONTEXT:
                problems['context'].append('%s/%s includes %s: only %s take the Context'
                                           % (stage, name, CONTEXT, ', '.join(sorted(TAKES_CONTEXT))))
    for loop in find_loops(graph):
        problems['loops'].append(' → '.join(loop))
    return problems


def copy_with(daemon, name, line):
    """A copy of daemon/ (and interfaces/) with line added to the file name,
    wherever it is."""
    tmp = tempfile.mkdtemp()
    shutil.copytree(daemon, os.path.join(tmp, 'daemon'))
    interfaces = os.path.join(daemon, '..', 'interfaces')
    if os.path.isdir(interfaces):
        shutil.copytree(interfaces, os.path.join(tmp, 'interfaces'))
    for root, _, names in os.walk(os.path.join(tmp, 'daemon')):
        if name in names:
            with open(os.path.join(root, name), 'a', encoding='utf-8') as f:
                f.write(line + '\n')
    return tmp, os.path.join(tmp, 'daemon')


def main():
    daemon = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'daemon')
    problems = check(daemon)
    checks = [
        ('every file of daemon/ is in a stage (bus/, change/, process/, policy/ or the top)', problems['stages']),
        ('every include names a header of daemon/ or interfaces/, by a unique name', problems['resolve']),
        ('no two modules include (so call) each other in a loop', problems['loops']),
        ('each stage includes only from itself and the stages below (bus → change → process → policy → top)',
         problems['order']),
        ('only bus/, change/ and process/ take the Context', problems['context']),
    ]

    # The check at work: a loop (target.h, of the process side, including the
    # change machine's header, which includes rlimits.h, which includes
    # target.h), and an include of the process side from the policy.
    tmp, copy = copy_with(daemon, 'target.h', '#include "change.h"')
    found = check(copy)
    shutil.rmtree(tmp)
    checks.append(('it finds a loop put into a copy (process/target.h including change.h)',
                   [] if found['loops'] and found['order'] else ['not found']))
    tmp, copy = copy_with(daemon, 'decide.c', '#include "usage.h"')
    found = check(copy)
    shutil.rmtree(tmp)
    checks.append(('it finds an upward include put into a copy (policy/decide.c including usage.h)',
                   [] if found['order'] else ['not found']))

    print('1..%d' % len(checks))
    failed = 0
    for n, (what, bad) in enumerate(checks, 1):
        print('%s %d - %s' % ('not ok' if bad else 'ok', n, what))
        for b in bad:
            print('# ' + b)
        failed += bool(bad)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
