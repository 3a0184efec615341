"""make install DESTDIR=... PREFIX=...: the tree the README documents, and
what is installed works: the Linux build runs, the man page renders, the
UEFI application is the one built."""

import os
import re
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


class Documented(unittest.TestCase):
    """What the program says it has, the README and the man page must name:
    every option of its usage text and every result label (the issue's
    "every label and exit value is in the README and the man page")."""

    @classmethod
    def setUpClass(cls):
        cls.readme = (ROOT / "README.md").read_text()
        page = subprocess.run(["man", "-l", str(ROOT / "man/hvfeat.1")], capture_output=True,
                              text=True, env={**os.environ, "MANWIDTH": "200"})
        assert page.returncode == 0, page.stderr
        cls.man = page.stdout

    def hvfeat(self, *arguments):
        result = subprocess.run([str(BUILD / "hvfeat"), *arguments], capture_output=True,
                                text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def test_every_option(self):
        efi_only = ["--shutdown", "--exit-port", "-b"]  # the firmware's usage adds these
        usage = self.hvfeat("-h")
        options = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", usage)) | set(efi_only)
        self.assertGreater(len(options), 20)
        for option in sorted(options):
            with self.subTest(option=option):
                self.assertRegex(self.readme, rf"`{re.escape(option)}[ `=]|  {re.escape(option)} ")
                self.assertRegex(self.man, rf"(?<![\w-]){re.escape(option)}(?![\w-])")

    def test_every_label(self):
        labels = re.findall(r"^  ((?:probe|lint|drift|require|cvm|vcpu)\.\S+)",
                            self.hvfeat("--list-labels"), re.MULTILINE)
        self.assertGreater(len(labels), 30)
        for label in labels:
            prefix, rest = label.split(".", 1)
            with self.subTest(label=label):
                # the README's tables give a probe's key or a lint's name
                # after their prefix, in backticks
                self.assertTrue(label in self.readme or f"`{rest}`" in self.readme, label)
                if not rest.isupper() and "KEY" not in rest and "NN" not in rest:
                    self.assertIn(label, self.man)


class Layers(unittest.TestCase):
    """The core's modules call each other without a cycle (scan, decode,
    probe, judge, render, sink read top to bottom): read from the symbols
    each object file of the host build defines and needs."""

    def test_no_module_calls_back_into_its_callers(self):
        objects = sorted((BUILD / "host-obj" / "core").glob("*.o"))
        self.assertGreater(len(objects), 20, "make unit builds build/host-obj first")
        defined, needed = {}, {}
        for path in objects:
            symbols = subprocess.run(["nm", str(path)], capture_output=True, text=True,
                                     check=True).stdout.split("\n")
            for line in symbols:
                parts = line.split()
                if len(parts) == 3 and parts[1] in "TDRB":
                    defined[parts[2]] = path.stem
                elif len(parts) == 2 and parts[0] == "U":
                    needed.setdefault(path.stem, set()).add(parts[1])
        calls = {module: {defined[s] for s in symbols if defined.get(s, module) != module}
                 for module, symbols in needed.items()}

        def reaches(start, goal):
            seen, todo = set(), [start]
            while todo:
                for callee in calls.get(todo.pop(), ()):
                    if callee == goal:
                        return True
                    if callee not in seen:
                        seen.add(callee)
                        todo.append(callee)
            return False

        cycles = sorted((a, b) for a in calls for b in calls[a] if reaches(b, a))
        self.assertEqual(cycles, [], "modules that call back into their callers")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    import run_suite
    sys.exit(run_suite.run(sys.modules[__name__], "install"))
