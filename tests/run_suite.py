"""The closing of every Python test suite here: run it verbosely, then one
'LABEL: N passed, N failed, N skipped' line that CI reads, and the status."""

import unittest


def run(module, label):
    result = unittest.TextTestRunner(verbosity=2).run(
        unittest.defaultTestLoader.loadTestsFromModule(module))
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    passed = max(result.testsRun - failed - skipped, 0)
    print(f"{label}: {passed} passed, {failed} failed, {skipped} skipped")
    return 0 if result.wasSuccessful() else 1
