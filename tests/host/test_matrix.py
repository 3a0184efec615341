"""qemu/hvfeat_vm.py --matrix: reports made by the host build from the
committed dumps, and two real TCG boots, tabulated; the HTML parsed (Python's
html.parser and xmllint) and its marks checked against expectations the test
derives itself, from the dumps' raw registers and the upstream bit numbers
(Linux's kvm_para.h, the Hyper-V TLFS), never from hvfeat's tables.
"""

import copy
import json
import re
import subprocess
import sys
import tempfile
import unittest
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from upstream_bits import (  # noqa: E402
    HV_FEATURES_EDX, HV_PRIVILEGES_EAX, HV_PRIVILEGES_EBX, HV_RECOMMENDATIONS_EAX,
    KVM_FEATURES, KVM_HINTS)
BUILD = ROOT / "build"
DUMPS = ROOT / "tests" / "dumps"
HVFEAT_VM = ROOT / "qemu" / "hvfeat_vm.py"
KVM_HOST = DUMPS / "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt"
KVM_INTEL = DUMPS / "kvm-guest-intel.txt"
HYPERV_KVM = DUMPS / "hyperv-kvm.txt"
HV_ALL = DUMPS / "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-all.txt"
MARK = "\u2260"

# (offset from the base, register, table) of the flag words, from
# tests/upstream_bits.py
HV_FLAG_WORDS = [(3, "eax", HV_PRIVILEGES_EAX), (3, "ebx", HV_PRIVILEGES_EBX),
                 (3, "edx", HV_FEATURES_EDX), (4, "eax", HV_RECOMMENDATIONS_EAX)]
# TLFS fields: (offset, register, field name, bit mask)
HV_FIELDS = [(2, "eax", "build_number", 0xffffffff),
             (4, "ebx", "spinlock_retries", 0xffffffff),
             (5, "eax", "max_virtual_processors", 0xffffffff),
             (5, "ebx", "max_logical_processors", 0xffffffff),
             (5, "ecx", "max_interrupt_vectors", 0xffffffff)]
KVM_SIGNATURE = b"KVMKVMKVM\0\0\0"
HYPERV_SIGNATURE = b"Microsoft Hv"


def item_key(interface, upstream):
    """The README's rule: the interface key, then the upstream identifier
    without its prefix, lower-cased when it is an all-capitals macro name."""
    if upstream.startswith("KVM_HINTS_"):  # KVM_HINTS_REALTIME is kvm.hints.realtime
        return f"{interface}.hints.{upstream[len('KVM_HINTS_'):].lower()}"
    for prefix in ("KVM_FEATURE_", "HV_X64_", "HV_"):
        if upstream.startswith(prefix):
            upstream = upstream[len(prefix):]
            break
    return f"{interface}.{upstream.lower() if upstream.upper() == upstream else upstream}"


# --- the dumps, read by the test itself ----------------------------------------

LINE = re.compile(r"^\s*0x([0-9a-f]{8}) 0x([0-9a-f]{2}): eax=0x([0-9a-f]{8}) "
                  r"ebx=0x([0-9a-f]{8}) ecx=0x([0-9a-f]{8}) edx=0x([0-9a-f]{8})\s*$")


def raw_leaves(dump):
    leaves = {}
    for line in Path(dump).read_text().splitlines():
        match = LINE.match(line)
        if match:
            leaf, sub, *regs = (int(g, 16) for g in match.groups())
            leaves[(leaf, sub)] = dict(zip(("eax", "ebx", "ecx", "edx"), regs))
    return leaves


def signature(regs):
    return b"".join(regs[r].to_bytes(4, "little") for r in ("ebx", "ecx", "edx"))


def find_base(leaves, wanted):
    for base in range(0x40000000, 0x40010000, 0x100):
        regs = leaves.get((base, 0))
        if regs and signature(regs) == wanted:
            return base
    return None


def register(leaves, leaf, name):
    return leaves.get((leaf, 0), {}).get(name, 0)


def flip(dump, out, leaf, name, mask):
    """dump with one register XORed by mask, written to out."""
    text = Path(dump).read_text()
    pattern = re.compile(rf"(^\s*{leaf:#010x} 0x00: .*{name}=0x)([0-9a-f]{{8}})", re.M)
    match = pattern.search(text)
    assert match, f"{dump}: no leaf {leaf:#x}"
    value = int(match.group(2), 16) ^ mask
    Path(out).write_text(text[:match.start(2)] + f"{value:08x}" + text[match.end(2):])
    return out


# --- the outputs, read back ------------------------------------------------------

class MatrixPage(HTMLParser):
    """The rows of table.matrix: key, row classes, and each cell's classes and
    visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.in_matrix, self.in_row, self.cell = [], False, False, None
        self.external = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if name in attrs:
                self.external.append((tag, name, attrs[name]))
        if tag in ("script", "link", "img", "iframe", "object"):
            self.external.append((tag, "", ""))
        if tag == "table" and "matrix" in attrs.get("class", "").split():
            self.in_matrix = True
        elif self.in_matrix and tag == "tr" and "data-key" in attrs:
            self.rows.append({"key": attrs["data-key"], "classes": attrs["class"].split(),
                              "cells": [], "header": ""})
            self.in_row = True
        elif self.in_row and tag in ("td", "th") and self.cell is None:
            self.cell = {"tag": tag, "classes": attrs.get("class", "").split(),
                         "title": attrs.get("title", ""), "text": ""}

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_matrix = False
        if tag == "tr":
            self.in_row = False
        if tag in ("td", "th") and self.cell is not None:
            cell, self.cell = self.cell, None
            if cell["tag"] == "th":
                self.rows[-1]["header"] = cell["text"]
            else:
                self.rows[-1]["cells"].append(cell)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


def parse_page(path):
    page = MatrixPage()
    page.feed(Path(path).read_text(encoding="utf-8"))
    page.close()
    return page


def host_report(dump, directory, extra=()):
    out = Path(directory) / (Path(dump).stem + ".json")
    result = subprocess.run([str(BUILD / "hvfeat"), "-j", *extra, "-f", str(dump)],
                            capture_output=True)
    assert not result.returncode & 0x02, result.stderr  # the gate: passed
    out.write_bytes(result.stdout)
    return out


def run_matrix(*arguments):
    return subprocess.run([sys.executable, str(HVFEAT_VM), *map(str, arguments)],
                          capture_output=True, text=True, timeout=300)


class Tabulated:
    """One matrix made and read back three ways: JSON, html.parser, xmllint."""

    def __init__(self, test, directory, columns, *extra):
        self.directory = Path(directory)
        self.json_path, self.html_path = self.directory / "m.json", self.directory / "m.html"
        self.result = run_matrix("--matrix", *columns, "--matrix-json", self.json_path,
                                 "--matrix-html", self.html_path, *extra)
        test.assertEqual(self.result.returncode, 0, self.result.stderr + self.result.stdout)
        self.json = json.loads(self.json_path.read_text())
        self.page = parse_page(self.html_path)
        self.rows = {row["key"]: row for row in self.page.rows}
        test.assertEqual(len(self.rows), len(self.page.rows), "a row key given twice")
        self.check_consistency(test)

    def texts(self, key):
        """The visible values of a row, without the marks."""
        return [cell["text"].replace(MARK, "").strip() for cell in self.rows[key]["cells"]]

    def marked(self, key):
        """Per cell, whether the page marks it as differing from column 1."""
        return ["differs" in c["classes"] for c in self.rows[key]["cells"]]

    def marked_rows(self):
        return {key for key, row in self.rows.items() if "differs" in row["classes"]}

    def check_consistency(self, test):
        """Well-formed as XML and as HTML, self-contained, and every mark
        shown without CSS (the visible sign) and in the JSON alike."""
        for mode in ([], ["--html"]):
            lint = subprocess.run(["xmllint", *mode, "--noout", str(self.html_path)],
                                  capture_output=True, text=True)
            test.assertEqual((lint.returncode, lint.stderr), (0, ""), f"xmllint {mode}")
        html_text = self.html_path.read_text(encoding="utf-8")
        test.assertEqual(self.page.external, [])
        test.assertNotIn("url(", html_text)
        test.assertNotIn("@import", html_text)
        count = subprocess.run(
            ["xmllint", "--html", "--xpath",
             'count(//table[@class="matrix"]//tr[@class="differs"])', str(self.html_path)],
            capture_output=True, text=True)
        test.assertEqual(count.returncode, 0, count.stderr)
        test.assertEqual(int(float(count.stdout)), len(self.marked_rows()))
        test.assertEqual([r["key"] for r in self.json["rows"]], [r["key"] for r in self.page.rows])
        test.assertEqual(self.json["differing_rows"], len(self.marked_rows()))
        test.assertEqual(set(self.json["differing_keys"]), self.marked_rows())
        for row in self.json["rows"]:
            page_row = self.rows[row["key"]]
            marks = self.marked(row["key"])
            test.assertEqual(marks, [c["differs"] for c in row["cells"]], row["key"])
            test.assertEqual("differs" in page_row["classes"], any(marks), row["key"])
            test.assertEqual(MARK in page_row["header"], any(marks), row["key"])
            test.assertFalse(marks[0], f"{row['key']}: column 1 marked against itself")
            for cell, page_cell in zip(row["cells"], page_row["cells"]):
                test.assertEqual(MARK in page_cell["text"], cell["differs"], row["key"])
                absent = "absent" in cell
                test.assertEqual("absent" in page_cell["classes"], absent, row["key"])
                if absent:
                    test.assertEqual(page_cell["text"].replace(MARK, "").strip(), "\u2014")
                    test.assertTrue(page_cell["title"].startswith("absent: "))
        test.assertRegex(self.result.stdout, rf"{len(self.marked_rows())} differ from column 1")


class FromDumps(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self):
        self.tmp.cleanup()

    def test_kvm_bits_marked_where_the_raw_registers_differ(self):
        # A third column: the real KVM's dump with PV_UNHALT, STEAL_TIME,
        # MSI_EXT_DEST_ID and an undefined bit (20) flipped, and the hint.
        derived = flip(KVM_HOST, self.dir / "derived.txt", 0x40000001, "eax",
                       1 << 7 | 1 << 5 | 1 << 15 | 1 << 20)
        derived = flip(derived, derived, 0x40000001, "edx", 1)
        dumps = [KVM_HOST, KVM_INTEL, derived]
        reports = [host_report(d, self.dir) for d in dumps]
        m = Tabulated(self, self.dir, [f"report:{r}" for r in reports])

        leaves = [raw_leaves(d) for d in dumps]
        bases = [find_base(lv, KVM_SIGNATURE) for lv in leaves]
        self.assertEqual(bases, [0x40000000] * 3)
        expected = set()
        words = [(lv[(b + 1, 0)]["eax"], lv[(b + 1, 0)]["edx"]) for lv, b in zip(leaves, bases)]
        for table, index in ((KVM_FEATURES, 0), (KVM_HINTS, 1)):
            for bit, name in table.items():
                key = item_key("kvm", name)
                values = [bool(w[index] >> bit & 1) for w in words]
                self.assertEqual(m.texts(key), ["set" if v else "clear" for v in values], key)
                self.assertEqual(m.marked(key), [v != values[0] for v in values], key)
                if len(set(values)) > 1:
                    expected.add(key)
        defined = sum(1 << b for b in KVM_FEATURES)
        undefined = [w[0] & ~defined for w in words]
        if any(u != undefined[0] for u in undefined):
            expected.add("kvm.unknown_bits.base+0x1.eax")  # the README's name
            self.assertEqual(m.texts("kvm.unknown_bits.base+0x1.eax")[2], "20")
        self.assertEqual(expected, {item_key("kvm", n) for n in (
            "KVM_FEATURE_ASYNC_PF_VMEXIT", "KVM_FEATURE_PV_UNHALT", "KVM_FEATURE_STEAL_TIME",
            "KVM_FEATURE_MSI_EXT_DEST_ID", "KVM_HINTS_REALTIME")}
            | {"kvm.unknown_bits.base+0x1.eax"}, "the dumps are not what this test expects")
        self.assertEqual(m.marked_rows(), expected)
        for key, row in m.rows.items():
            if key not in expected:
                self.assertEqual(len(set(m.texts(key))), 1, f"{key} unmarked but unequal")
        self.assertEqual(m.texts("hypervisor_bit"), ["set"] * 3)
        self.assertEqual(m.texts("interface.kvm.base"), ["0x40000000"] * 3)
        self.assertIn(f"{len(expected)} differ from column 1", m.result.stdout)

    def test_lint_and_verdict_rows(self):
        # The real KVM's dump with kvmclock's two bits (0 and 3) cleared and
        # KVM_FEATURE_CLOCKSOURCE_STABLE_BIT (24) left set: Linux's cpuid.rst
        # makes that bit a promise about kvmclock, so the lint warns there.
        derived = flip(KVM_HOST, self.dir / "no-kvmclock.txt", 0x40000001, "eax", 1 << 0 | 1 << 3)
        self.assertEqual(register(raw_leaves(derived), 0x40000001, "eax") & (1 << 24 | 9), 1 << 24)
        reports = [host_report(d, self.dir) for d in (KVM_HOST, derived)]
        m = Tabulated(self, self.dir, [f"report:{r}" for r in reports])
        lint = "lint.kvm.stable-bit-without-kvmclock"
        self.assertEqual(m.texts(lint), ["pass", "warn"])
        self.assertEqual(m.marked(lint), [False, True])
        self.assertEqual(m.texts("verdict"), ["pass", "pass"])  # warnings do not fail

    def test_interfaces_moved_added_and_missing(self):
        dumps = [HYPERV_KVM, HV_ALL, KVM_HOST]
        reports = [host_report(d, self.dir) for d in dumps]
        m = Tabulated(self, self.dir, [f"report:{r}" for r in reports])
        leaves = [raw_leaves(d) for d in dumps]
        kvm = [find_base(lv, KVM_SIGNATURE) for lv in leaves]
        hyperv = [find_base(lv, HYPERV_SIGNATURE) for lv in leaves]
        self.assertEqual((kvm, hyperv), ([0x40000100, 0x40000100, 0x40000000],
                                         [0x40000000, 0x40000000, None]))
        self.assertEqual(m.texts("interface.kvm.base"), [f"{b:#010x}" for b in kvm])
        self.assertEqual(m.marked("interface.kvm.base"), [False, False, True])
        self.assertEqual(m.texts("interface.kvm"), ["yes"] * 3)
        self.assertEqual(m.texts("interface.hyperv"), ["yes", "yes", "no"])
        self.assertEqual(m.marked("interface.hyperv"), [False, False, True])

        # KVM's bits, wherever its block sits
        kvm_differs = set()
        for name, table in (("eax", KVM_FEATURES), ("edx", KVM_HINTS)):
            for bit, upstream in table.items():
                values = [bool(register(lv, b + 1, name) >> bit & 1)
                          for lv, b in zip(leaves, kvm)]
                key = item_key("kvm", upstream)
                self.assertEqual(m.texts(key), ["set" if v else "clear" for v in values], key)
                self.assertEqual(m.marked(key), [v != values[0] for v in values], key)
                if values[1] != values[0]:
                    kvm_differs.add(key)
        self.assertEqual(kvm_differs, {"kvm.hints.realtime"})

        # Hyper-V's rows: column 3 has none (each absent, so marked: column 1
        # has them); column 2 marked exactly where the raw words differ.
        hyperv_rows = [k for k in m.rows if k.startswith("hyperv.")]
        self.assertGreater(len(hyperv_rows), 50)
        for key in hyperv_rows:
            cell = m.rows[key]["cells"][2]
            self.assertIn("absent", cell["classes"], key)
            self.assertEqual(cell["title"], "absent: no hyperv interface", key)
            self.assertTrue(m.marked(key)[2], key)
        expected, seen = set(), set()
        for offset, name, table in HV_FLAG_WORDS:
            words = [register(lv, 0x40000000 + offset, name) for lv in leaves[:2]]
            self.assertEqual((words[0] ^ words[1]) & ~sum(1 << b for b in table), 0,
                             f"a differing bit of base+{offset} {name} not in the test's table")
            for bit, upstream in table.items():
                key = item_key("hyperv", upstream)
                values = [bool(w >> bit & 1) for w in words]
                self.assertEqual(m.texts(key)[:2], ["set" if v else "clear" for v in values], key)
                seen.add(key)
                if values[0] != values[1]:
                    expected.add(key)
        for offset, name, field, mask in HV_FIELDS:
            key = f"hyperv.{field}"
            values = [register(lv, 0x40000000 + offset, name) & mask for lv in leaves[:2]]
            self.assertEqual([int(t, 0) for t in m.texts(key)[:2]], values, key)
            seen.add(key)
            if values[0] != values[1]:
                expected.add(key)
        self.assertEqual(expected, {item_key("hyperv", n) for n in (
            "AccessSynicRegs", "AccessSyntheticTimerRegs", "AccessVpIndex",
            "AccessFrequencyRegs", "PostMessages", "SignalEvents",
            "CpuDynamicPartitioningAvailable")}
            | {"hyperv.spinlock_retries", "hyperv.max_virtual_processors",
               "hyperv.max_logical_processors"}, "the dumps are not what this test expects")
        marked_in_2 = {k for k in m.rows if (k.startswith("hyperv.") or
                                             k.startswith("interface.hyperv"))
                       and m.marked(k)[1]}
        self.assertEqual(marked_in_2, expected)
        for key in seen - expected:
            self.assertEqual(m.texts(key)[0], m.texts(key)[1], key)
        # every row of column 2 marked is one the raw registers explain
        self.assertEqual({k for k in m.rows if m.marked(k)[1]}, expected | kvm_differs)

    def test_probe_rows(self):
        # Reports with probes, as hvfeat.efi --probe writes them (here edited
        # from the host build's report, which cannot probe).
        base = json.loads(host_report(KVM_HOST, self.dir).read_text())
        reports = []
        for n, states in enumerate([{"kvm.clocksource2": "works", "kvm.steal_time": "works"},
                                    {"kvm.clocksource2": "broken", "kvm.steal_time": "works",
                                     "kvm.pv_eoi": "not advertised"},
                                    None]):
            report = copy.deepcopy(base)
            report["probes"] = None if states is None else {
                "ran": True, "not_run_reason": None, "results": [
                    {"key": k, "title": k, "state": s, "detail": "", "values": {}}
                    for k, s in states.items()]}
            path = self.dir / f"probes-{n}.json"
            path.write_text(json.dumps(report))
            reports.append(path)
        m = Tabulated(self, self.dir, [f"report:{r}" for r in reports])
        probe_rows = [k for k in m.rows if k.startswith("probe.")]
        self.assertEqual(probe_rows, ["probe.kvm.clocksource2", "probe.kvm.steal_time",
                                      "probe.kvm.pv_eoi"])
        self.assertEqual(m.texts("probe.kvm.clocksource2"), ["works", "broken", "\u2014"])
        self.assertEqual(m.marked("probe.kvm.clocksource2"), [False, True, True])
        self.assertEqual(m.texts("probe.kvm.steal_time"), ["works", "works", "\u2014"])
        self.assertEqual(m.marked("probe.kvm.steal_time"), [False, False, True])
        self.assertEqual(m.texts("probe.kvm.pv_eoi"), ["\u2014", "not advertised", "\u2014"])
        self.assertEqual(m.marked("probe.kvm.pv_eoi"), [False, True, False])
        self.assertEqual(m.rows["probe.kvm.pv_eoi"]["cells"][2]["title"],
                         "absent: probes not run (no --probe)")
        self.assertEqual(m.marked_rows(), set(probe_rows))

    def test_interface_keys_as_the_core_names_them(self):
        sys.path.insert(0, str(ROOT / "qemu"))
        import matrix
        source = (ROOT / "core" / "hv_catalog.c").read_text()
        source = source[source.index("hv_vendors[] = {"):]
        source = source[:source.index("};")]
        entries = re.findall(r'\{ "((?:[^"\\]|\\.)*)", "(\w+)",', source)
        table = {bytes(s, "ascii").decode("unicode_escape"): key for s, key in entries}
        self.assertGreater(len(table), 20)
        self.assertEqual(matrix.INTERFACE_KEYS, table)


class Errors(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)
        self.good = host_report(KVM_HOST, self.dir)
        self.out = self.dir / "out.json"
        self.out.write_text("earlier\n")
        self.page = self.dir / "out.html"
        self.page.write_text("earlier\n")

    def tearDown(self):
        self.tmp.cleanup()

    def fails(self, column, message, *extra):
        result = run_matrix("--matrix", f"report:{self.good}", column,
                            "--matrix-json", self.out, "--matrix-html", self.page, *extra)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(f"column 2 ({column})", result.stderr)
        self.assertRegex(result.stderr, message)
        self.assertIn("nothing written", result.stderr)
        self.assertEqual((self.out.read_text(), self.page.read_text()), ("earlier\n",) * 2)
        self.assertEqual(sorted(p.name for p in self.dir.iterdir()),
                         sorted([self.good.name, "out.json", "out.html"]
                                + [p.name for p in self.dir.glob("*.bad")]
                                + [p.name for p in self.dir.glob("work")]))
        return result

    def test_malformed_report(self):
        bad = self.dir / "cut.bad"
        bad.write_bytes(self.good.read_bytes()[:200])
        self.fails(f"report:{bad}", r"not JSON")

    def test_json_that_is_not_a_report(self):
        bad = self.dir / "other.bad"
        bad.write_text('{"tool": "cpuid", "interfaces": []}')
        self.fails(f"report:{bad}", r"not an hvfeat JSON report: \"tool\"")
        report = json.loads(self.good.read_text())
        report["interfaces"][0]["decoded"][0]["bits"][0]["set"] = "yes"
        bad.write_text(json.dumps(report))
        self.fails(f"report:{bad}", r"a bit without set true/false")

    def test_missing_report(self):
        self.fails(f"report:{self.dir / 'none.json'}", r"cannot read .*none\.json")

    def test_boot_without_a_log(self):
        # QEMU refuses the CPU model: no firmware, no log.
        result = self.fails("tcg:no-such-model", r"the boot gave no \\hvfeat\.log",
                            "--efi", BUILD / "hvfeat.efi", "--workdir", self.dir / "work")
        self.assertIn("no-such-model", result.stderr)  # QEMU's own words


class RealBoots(unittest.TestCase):
    def test_tcg_with_and_without_the_hypervisor_bit(self):
        """Two TCG boots side by side, hvfeat with -j --probe: QEMU's TCG
        answers leaf 0x40000000 with its signature even when -hypervisor
        clears the bit, and hvfeat, which does not scan then, notes it."""
        with tempfile.TemporaryDirectory() as directory:
            m = Tabulated(self, directory, ["tcg:qemu64", "tcg:qemu64,-hypervisor"],
                          "--efi", BUILD / "hvfeat.efi", "--workdir", Path(directory) / "w",
                          "--args=--probe")
            self.assertEqual(m.texts("hypervisor_bit"), ["set", "clear"])
            self.assertEqual(m.texts("interface.tcg"), ["yes", "no"])
            self.assertEqual(m.texts("interface.tcg.base"), ["0x40000000", "\u2014"])
            self.assertEqual(m.texts("unadvertised_signature"), ["none", '"TCGTCGTCGTCG"'])
            # The bit set with TCG's signature, then clear with it still
            # answering: the discovery lints judge one each.
            self.assertEqual(m.texts("lint.hypervisor.bit-without-signature"),
                             ["pass", "not-applicable"])
            self.assertEqual(m.texts("lint.hypervisor.signature-without-bit"),
                             ["not-applicable", "warn"])
            # OVMF's own SMBIOS type 0 says virtual machine (OvmfPkg/
            # SmbiosPlatformDxe, extension byte 2 0x1C): CPUID agrees with
            # it, then hides the hypervisor.
            self.assertEqual(m.texts("lint.smbios.hidden-hypervisor"), ["pass", "warn"])
            self.assertEqual(m.texts("lint.smbios.hypervisor-without-vm-bit"),
                             ["pass", "not-applicable"])
            self.assertEqual(m.marked_rows(), {"hypervisor_bit", "unadvertised_signature",
                                               "interface.tcg", "interface.tcg.base",
                                               "interface.tcg.max_leaf",
                                               "lint.hypervisor.bit-without-signature",
                                               "lint.hypervisor.signature-without-bit",
                                               "lint.smbios.hidden-hypervisor",
                                               "lint.smbios.hypervisor-without-vm-bit"})
            probes = [k for k in m.rows if k.startswith("probe.")]
            self.assertIn("probe.kvm.clocksource2", probes)
            for key in probes:  # no KVM, no Hyper-V under TCG
                self.assertEqual(m.texts(key), ["not advertised"] * 2, key)
            self.assertEqual([c["kind"] for c in m.json["columns"]], ["boot", "boot"])
            for column in m.json["columns"]:  # reached the exit port, and passed
                self.assertIsInstance(column["exit_port"], int)
                self.assertEqual(column["exit_port"] & 2, 0, column)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    import run_suite
    sys.exit(run_suite.run(sys.modules[__name__], "matrix"))
