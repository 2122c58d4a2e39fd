"""CPython's own Lib/test/test_resource.py (Debian: libpython3.11-testsuite),
unchanged, with resource1 put in place of resource:

    run-test-resource.py PKGDIR

Prints one summary line; the exit status is 0 only when every test passed
and the module under test really was resource1."""
import sys
import unittest

sys.path.insert(0, sys.argv.pop(1))
import resource1                                  # noqa: E402  (imports the real resource first)

sys.modules['resource'] = resource1
from test import test_resource                    # noqa: E402

assert test_resource.resource is resource1, test_resource.resource
prog = unittest.main(module=test_resource, argv=['test_resource', '-v'], exit=False)
r = prog.result
print('# CPython test_resource with resource1 as resource: %d run, %d failures, %d errors, %d skipped'
      % (r.testsRun, len(r.failures), len(r.errors), len(r.skipped)))
sys.exit(0 if r.wasSuccessful() and r.testsRun >= 10 else 1)
