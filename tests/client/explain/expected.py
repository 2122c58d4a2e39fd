"""The pam_limits part of an explain result (resourcectl explain --json, or
resource1.explain()) against expected.json: shared by tests/client/test-explain.sh
and tests/python/test_explain.py, so that the C and the Python reading are
held to the same answers for the same files.

    python3 tests/client/explain/expected.py USER RESULT.json   (exit 1: differs)
"""

import json
import os
import sys

EXPECTED = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'expected.json')


def summary(result):
    """What expected.json says of a user, taken from an explain result."""
    p = result['pam_limits']
    nl = p['no_limits']
    return {'soft': p['soft'], 'hard': p['hard'],
            'no_limits': None if nl is None else [
                os.path.basename(nl['file']), nl['line'], nl['domain']],
            'lines': [[os.path.basename(x['file']), x['line'], x['sets'],
                       x['ignored']] for x in p['lines']]}


def differences(user, result):
    """[] when the result's pam_limits part is what expected.json says."""
    with open(EXPECTED) as f:
        want = json.load(f)[user]
    got = summary(result)
    return ['%s: %r, expected %r' % (k, got[k], want[k])
            for k in want if got[k] != want[k]]


if __name__ == '__main__':
    with open(sys.argv[2]) as f:
        text = f.read()
    try:
        result = json.loads(text)
    except ValueError:
        print('not JSON: %r' % text[:120])
        sys.exit(1)
    diffs = differences(sys.argv[1], result)
    for d in diffs:
        print(d)
    sys.exit(1 if diffs else 0)
