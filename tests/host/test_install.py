"""make install DESTDIR=... PREFIX=...: the tree the README documents, and
what is installed works: the Linux build runs, the man page renders, the
UEFI application is the one built."""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"


class Install(unittest.TestCase):
    def test_tree_and_what_it_holds(self):
        with tempfile.TemporaryDirectory() as destdir:
            signed = (BUILD / "hvfeat.signed.efi").exists()
            subprocess.run(["make", "-s", "-C", str(ROOT), "install", f"DESTDIR={destdir}",
                            "PREFIX=/opt/hv"], check=True, capture_output=True)
            root = Path(destdir)
            files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
            expected = ["opt/hv/bin/hvfeat", "opt/hv/lib/hvfeat/hvfeat.efi",
                        "opt/hv/share/man/man1/hvfeat.1"]
            if signed:
                expected.append("opt/hv/lib/hvfeat/hvfeat.signed.efi")
            self.assertEqual(files, sorted(expected))
            self.assertTrue(os.access(root / "opt/hv/bin/hvfeat", os.X_OK))
            self.assertEqual((root / "opt/hv/lib/hvfeat/hvfeat.efi").read_bytes(),
                             (BUILD / "hvfeat.efi").read_bytes())
            version = subprocess.run([str(root / "opt/hv/bin/hvfeat"), "--version"],
                                     capture_output=True, text=True)
            self.assertEqual(version.returncode, 0)
            self.assertRegex(version.stdout, r"^hvfeat \d+\.\d+\n$")
            page = subprocess.run(["man", "-l", str(root / "opt/hv/share/man/man1/hvfeat.1")],
                                  capture_output=True, text=True,
                                  env={**os.environ, "MANWIDTH": "79", "MAN_KEEP_STDERR": "1"})
            self.assertEqual(page.returncode, 0, page.stderr)
            for section in ("SYNOPSIS", "OPTIONS", "EXIT STATUS", "FILES", "EXAMPLES"):
                self.assertIn(section, page.stdout)
            self.assertIn("--exit-port", page.stdout)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    import run_suite
    sys.exit(run_suite.run(sys.modules[__name__], "install"))
