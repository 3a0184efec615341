"""The host build as fleet tooling uses it: hvfeat --baseline A -f B over the
real-KVM recordings in tests/dumps and copies of them with chosen bits
flipped, --write-policy then --policy, JSON reports in jq's layouts as
baselines and replays, and baselines that cannot be used.

The expected drift is computed here, independently of hvfeat: the raw
registers of the two dumps XORed, each differing bit named from the
upstream headers (Linux kvm_para.h, the Hyper-V TLFS; tests/upstream_bits.py,
the same hand-written lists as tests/unit/test_upstream_bits.c), its key
formed by the README's rule (the identifier without its upstream prefix,
lower-cased when it is an all-capitals macro name) and its outcome by the
README's table (a feature or privilege lost fails, gained warns; a hint
changed warns; bits no upstream list names are raw differences, which
warn). hvfeat's results are read with jq from its -j output.
"""

import json
import random
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from upstream_bits import (  # noqa: E402
    HV_FEATURES_ECX, HV_FEATURES_EDX, HV_NESTED_VIRT_EAX, HV_PRIVILEGES_EAX,
    HV_PRIVILEGES_EBX, HV_RECOMMENDATIONS_EAX, HV_SYNDBG, KVM_FEATURES, KVM_HINTS)
HVFEAT = ROOT / "build" / "hvfeat"
DUMPS = ROOT / "tests" / "dumps"
RECORDINGS = sorted(DUMPS.glob("kvm-real-*-qemu-7.2-*.txt"))

# The README's table: which registers hold features or privileges (a loss
# fails) and which hints (a change warns); (offset, register) -> (names,
# kind, the upstream prefixes a key drops, the group a key takes).
FEATURE, HINT = "feature", "hint"
KVM_REGISTERS = {
    (0x01, "eax"): (KVM_FEATURES, FEATURE),
    (0x01, "edx"): (KVM_HINTS, HINT),
}
HV_REGISTERS = {
    (0x03, "eax"): (HV_PRIVILEGES_EAX, FEATURE),
    (0x03, "ebx"): (HV_PRIVILEGES_EBX, FEATURE),
    (0x03, "ecx"): (HV_FEATURES_ECX, FEATURE),
    (0x03, "edx"): (HV_FEATURES_EDX, FEATURE),
    (0x04, "eax"): (HV_RECOMMENDATIONS_EAX, HINT),
    (0x0a, "eax"): (HV_NESTED_VIRT_EAX, FEATURE),
    (0x82, "eax"): (HV_SYNDBG, FEATURE),
}
# Signatures (EBX, ECX, EDX bytes) -> key, and the key's register lists.
SIGNATURES = {b"KVMKVMKVM\0\0\0": "kvm", b"Microsoft Hv": "hyperv", b"Linux KVM Hv": "kvm_hv"}
REGISTERS = {"kvm": KVM_REGISTERS, "hyperv": HV_REGISTERS, "kvm_hv": HV_REGISTERS}
PREFIXES = {"kvm": [("KVM_FEATURE_", ""), ("KVM_HINTS_", "hints.")],
            "hyperv": [("HV_X64_", ""), ("HV_", "")], "kvm_hv": [("HV_X64_", ""), ("HV_", "")]}
REGS = ("eax", "ebx", "ecx", "edx")


def item_key(key, upstream_id):
    """The README's rule: interface key, group, identifier without its
    prefix, lower-cased when it is an all-capitals macro name."""
    group, rest = "", upstream_id
    for prefix, name in PREFIXES[key]:
        if upstream_id.startswith(prefix):
            group, rest = name, upstream_id[len(prefix):]
            break
    if rest.upper() == rest:
        rest = rest.lower()
    return f"{key}.{group}{rest}"


def parse_dump(text):
    """{(leaf, subleaf): {reg: value}} of a cpuid -r dump, in file order."""
    leaves = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 6 and parts[1].endswith(":"):
            regs = dict(p.split("=") for p in parts[2:])
            leaves[(int(parts[0], 16), int(parts[1][:-1], 16))] = {
                r: int(regs[r], 16) for r in REGS}
    return leaves


def dump_text(leaves):
    return "CPU:\n" + "".join(
        f"   0x{leaf:08x} 0x{sub:02x}: " + " ".join(f"{r}=0x{v[r]:08x}" for r in REGS) + "\n"
        for (leaf, sub), v in leaves.items())


def interfaces(leaves):
    """{key: (base, max leaf)} of the hypervisor blocks a dump holds."""
    found = {}
    for base in range(0x40000000, 0x40010000, 0x100):
        regs = leaves.get((base, 0))
        if regs and (regs["ebx"] | regs["ecx"] | regs["edx"]):
            signature = b"".join(regs[r].to_bytes(4, "little") for r in ("ebx", "ecx", "edx"))
            found[SIGNATURES[signature]] = (base, regs["eax"])
    return found


def expected_drift(old, new):
    """label -> outcome for every difference between two dumps."""
    was, now, expected = interfaces(old), interfaces(new), {}
    for key in was.keys() - now.keys():
        expected[f"drift.interface.{key}"] = "fail"
    for key in now.keys() - was.keys():
        expected[f"drift.interface.{key}"] = "warn"
    for key in was.keys() & now.keys():
        (old_base, old_max), (new_base, new_max) = was[key], now[key]
        if old_base != new_base:
            expected[f"drift.interface.{key}.base"] = "warn"
        if old_max - old_base != new_max - new_base:
            expected[f"drift.interface.{key}.max_leaf"] = "warn"
        for offset in range(1, 0x100):
            a = old.get((old_base + offset, 0)) if old_base + offset <= old_max else None
            b = new.get((new_base + offset, 0)) if new_base + offset <= new_max else None
            for reg in REGS:
                x = (a or {}).get(reg, 0) ^ (b or {}).get(reg, 0)
                names, kind = REGISTERS[key].get((offset, reg), ({}, None))
                for bit in range(32):
                    if not x >> bit & 1:
                        continue
                    if bit not in names:
                        # no upstream list names the bit (or the register)
                        assert kind is not None, f"{key} {offset:#x} {reg} differs"
                        expected[f"drift.{key}.raw.0x{offset:02x}.{reg}"] = "warn"
                        continue
                    lost = (a or {}).get(reg, 0) >> bit & 1
                    expected[f"drift.{item_key(key, names[bit])}"] = \
                        "fail" if kind == FEATURE and lost else "warn"
    return expected


def hvfeat(*args, check_json=True):
    return subprocess.run([str(HVFEAT), *map(str, args)], capture_output=True, text=True)


def jq(filter_, text):
    run = subprocess.run(["jq", "-c", filter_], input=text, capture_output=True, text=True,
                         check=True)
    return json.loads(run.stdout)


def drift_results(baseline, now):
    run = hvfeat("--baseline", baseline, "-f", now, "-j")
    return run, jq('[.results[] | select(.label | startswith("drift.")) '
                   '| {"label": .label, outcome, detail}]', run.stdout)


class Drift(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.tmp = Path(self.dir.name)

    def tearDown(self):
        self.dir.cleanup()

    def assert_drift(self, baseline, now, old, new, why):
        run, results = drift_results(baseline, now)
        got = {r["label"]: r["outcome"] for r in results if r["label"] != "drift.baseline"}
        self.assertEqual(len(got), len(results) - 1, f"{why}: a label twice: {results}")
        expected = expected_drift(old, new)
        self.assertEqual(got, expected, why)
        summary = next(r for r in results if r["label"] == "drift.baseline")
        self.assertEqual(summary["outcome"], "info" if expected else "pass", why)
        for r in results:
            label = r["label"]
            for key, registers in REGISTERS.items():
                for names, _ in registers.values():
                    for name in names.values():
                        if label == f"drift.{item_key(key, name)}":
                            self.assertTrue(r["detail"].startswith(name + " "),
                                            f"{why}: {r}")
        # the exit status carries the classes: fail 0x01|0x02, warn 0x04
        fails = "fail" in expected.values()
        self.assertEqual(run.returncode & 0x03, 0x03 if fails else 0, why)
        if "warn" in expected.values():
            self.assertTrue(run.returncode & 0x04, why)
        return expected

    def test_recordings_against_each_other(self):
        self.assertEqual(len(RECORDINGS), 3, RECORDINGS)
        for a in RECORDINGS:
            for b in RECORDINGS:
                old, new = parse_dump(a.read_text()), parse_dump(b.read_text())
                expected = self.assert_drift(a, b, old, new, f"{a.name} -> {b.name}")
                if a == b:
                    self.assertEqual(expected, {})
        # what the three hold: KVM moves behind Hyper-V, the two Hyper-V
        # signatures are different interfaces
        host, passthrough = RECORDINGS[0], RECORDINGS[2]
        self.assertIn("host", host.name)
        self.assertEqual(expected_drift(parse_dump(host.read_text()),
                                        parse_dump(passthrough.read_text())),
                         {"drift.interface.kvm.base": "warn", "drift.interface.kvm_hv": "warn"})

    def test_flipped_bits_are_exactly_the_drift(self):
        """Copies of each recording with seeded random bits flipped in the
        KVM feature and hint words and Hyper-V's privileges, features and
        recommendations: lost, gained, changed and unnamed bits alike."""
        flippable = {"kvm": [(1, "eax"), (1, "edx")],
                     "kvm_hv": [(3, "eax"), (3, "ebx"), (3, "edx"), (4, "eax")],
                     "hyperv": [(3, "eax"), (3, "ebx"), (3, "edx"), (4, "eax")]}
        cases = 0
        for path in RECORDINGS:
            old = parse_dump(path.read_text())
            for seed in range(8):
                rng = random.Random(f"{path.name}-{seed}")
                new = {k: dict(v) for k, v in old.items()}
                for key, (base, _) in interfaces(old).items():
                    for offset, reg in flippable[key]:
                        mask = 0
                        for _ in range(rng.randrange(0, 6)):
                            mask |= 1 << rng.randrange(32)
                        # some copies only lose, some only gain
                        value = new[(base + offset, 0)][reg]
                        if seed % 3 == 1:
                            mask &= value
                        elif seed % 3 == 2:
                            mask &= ~value
                        new[(base + offset, 0)][reg] = value ^ mask
                copy = self.tmp / f"{path.stem}-{seed}.txt"
                copy.write_text(dump_text(new))
                self.assert_drift(path, copy, old, new, f"{copy.name}")
                cases += 1
        self.assertEqual(cases, 24)

    def test_written_policy_passes_then_names_exactly_the_lost(self):
        for path in RECORDINGS:
            old = parse_dump(path.read_text())
            policy = self.tmp / f"{path.stem}.policy"
            run = hvfeat("-f", path, "--write-policy", policy, "-n")
            self.assertEqual(run.returncode & 0x13, 0, run.stderr)
            pinned = {line.split("#")[0].strip() for line in policy.read_text().splitlines()
                      if line.split("#")[0].strip()}
            # every feature bit set, each interface, the hypervisor bit
            offered = {"hypervisor_bit"}
            for key, (base, max_leaf) in interfaces(old).items():
                offered.add(f"interface.{key}")
                for (offset, reg), (names, kind) in REGISTERS[key].items():
                    value = old.get((base + offset, 0), {}).get(reg, 0)
                    if kind == FEATURE and base + offset <= max_leaf:
                        offered |= {item_key(key, names[bit]) for bit in names
                                    if value >> bit & 1}
            self.assertEqual(pinned, offered, path.name)

            run = hvfeat("-f", path, "--policy", policy, "-j")
            self.assertEqual(jq(".verdict", run.stdout), "pass", path.name)
            self.assertEqual(jq('[.results[] | select(.outcome == "fail")]', run.stdout), [])

            # lose some, gain others and change a hint: only the losses fail
            rng = random.Random(path.name)
            new = {k: dict(v) for k, v in old.items()}
            lost = set()
            for key, (base, _) in interfaces(old).items():
                for (offset, reg), (names, kind) in REGISTERS[key].items():
                    leaf = (base + offset, 0)
                    if leaf not in new:
                        continue
                    for bit in range(32):
                        set_ = new[leaf][reg] >> bit & 1
                        if kind == FEATURE and set_ and bit in names and rng.random() < 0.3:
                            new[leaf][reg] &= ~(1 << bit)
                            lost.add(f"require.{item_key(key, names[bit])}")
                        elif not set_ and rng.random() < 0.1:
                            new[leaf][reg] |= 1 << bit
            self.assertTrue(lost)
            degraded = self.tmp / f"{path.stem}-degraded.txt"
            degraded.write_text(dump_text(new))
            run = hvfeat("-f", degraded, "--policy", policy, "-j")
            failed = jq('[.results[] | select(.outcome == "fail") | .label]', run.stdout)
            self.assertEqual(set(failed), lost, path.name)
            self.assertEqual(jq(".verdict", run.stdout), "fail")
            self.assertEqual(run.returncode & 0x03, 0x03)

    def test_json_reports_in_jq_layouts(self):
        """-f and --baseline take hvfeat's JSON as jq lays it out: the same
        raw dump, and nothing differs."""
        for path in [*RECORDINGS, DUMPS / "xen-viridian.txt", DUMPS / "hyperv-snp.txt"]:
            raw = hvfeat("-f", path, "-r").stdout
            report = hvfeat("-f", path, "-j").stdout
            for layout in (".", "-S .", "-c ."):
                text = subprocess.run(["jq", *layout.split()], input=report,
                                      capture_output=True, text=True, check=True).stdout
                json_path = self.tmp / "report.json"
                json_path.write_text(text)
                again = hvfeat("-f", json_path, "-r")
                self.assertEqual(again.returncode & 0x12, 0, again.stderr)
                self.assertEqual(again.stdout, raw, f"{path.name}, jq {layout}")
                for baseline, now in ((json_path, path), (path, json_path),
                                      (json_path, json_path)):
                    _, results = drift_results(baseline, now)
                    self.assertEqual([(r["label"], r["outcome"]) for r in results],
                                     [("drift.baseline", "pass")])
                described = jq(".source.description",
                               hvfeat("-f", json_path, "-j").stdout)
                self.assertEqual(described, f"JSON report {json_path}")

    def test_largest_report_in_jq_layout_reads_back(self):
        """Hyper-V at every base, every leaf all ones: hvfeat's largest JSON,
        indented by jq, stays under the 2 MiB a report may have."""
        leaves = {(0, 0): dict(zip(REGS, (1, 0x68747541, 0x444d4163, 0x69746e65))),
                  (1, 0): dict(zip(REGS, (0, 0, 0x80000000, 0)))}
        hv = dict(zip(("ebx", "ecx", "edx"), (0x7263694d, 0x666f736f, 0x76482074)))
        for base in range(0x40000000, 0x40010000, 0x100):
            leaves[(base, 0)] = {"eax": base + 0xc, **hv}
            leaves[(base + 1, 0)] = dict(zip(REGS, (0x31237648, ~0 & 0xffffffff,
                                                    0xffffffff, 0xffffffff)))
            for offset in range(2, 0xd):
                leaves[(base + offset, 0)] = dict.fromkeys(REGS, 0xffffffff)
        dump = self.tmp / "worst.txt"
        dump.write_text(dump_text(leaves))
        report = hvfeat("-f", dump, "-j").stdout
        indented = subprocess.run(["jq", "."], input=report, capture_output=True, text=True,
                                  check=True).stdout
        self.assertLess(len(report), 512 * 1024)
        self.assertLess(len(indented), 2 * 1024 * 1024)
        json_path = self.tmp / "worst.json"
        json_path.write_text(indented)
        self.assertEqual(hvfeat("-f", json_path, "-r").stdout, hvfeat("-f", dump, "-r").stdout)

    def test_baselines_that_cannot_be_used(self):
        """A clear message, the report still made, the status not done
        (0x10 with 0x02), drift.baseline skipped with why."""
        good = self.tmp / "good.json"
        good.write_text(hvfeat("-f", RECORDINGS[0], "-j").stdout)
        truncated = self.tmp / "truncated.json"
        truncated.write_text(good.read_text()[:5000])
        huge = self.tmp / "huge.json"
        huge.write_text("{" + " " * (2 * 1024 * 1024) + "}")
        bad_dump = self.tmp / "bad.txt"
        bad_dump.write_text("CPU:\n   0x00000000 0x00: eax=0x1\n")
        other = self.tmp / "other.json"
        other.write_text('{"tool": "something else", "leaves": []}')
        cases = {
            self.tmp / "absent.json": "hvfeat: baseline {} not read: No such file or directory",
            truncated: "hvfeat: {}:",
            huge: "hvfeat: baseline {} is larger than 2097152 bytes",
            bad_dump: "hvfeat: {}:2: not a cpuid -r line",
            other: "hvfeat: {}: not an hvfeat JSON report: no \"tool\": \"hvfeat\"",
        }
        log = self.tmp / "x.log"
        for path, message in cases.items():
            run = hvfeat("--baseline", path, "-f", RECORDINGS[0], "-l", log)
            self.assertIn(message.format(path), run.stderr, path.name)
            self.assertEqual(run.returncode & 0x12, 0x12, f"{path.name}: {run.returncode:#x}")
            self.assertTrue(run.stdout.endswith("end of hvfeat report\n"), path.name)
            self.assertEqual(log.read_text(), run.stdout, path.name)
            self.assertIn("  SKIP  drift.baseline:", run.stdout, path.name)
            skipped = jq('[.results[] | select(.label == "drift.baseline")]',
                         hvfeat("--baseline", path, "-f", RECORDINGS[0], "-j").stdout)
            self.assertEqual(skipped[0]["outcome"], "skip")
            self.assertTrue(skipped[0]["detail"], path.name)
        truncated_line = hvfeat("--baseline", truncated, "-f", RECORDINGS[0]).stderr
        self.assertRegex(truncated_line, rf"hvfeat: {truncated}:\d+: JSON: ")

    def test_waiving_drift_and_unknown_labels(self):
        host, passthrough = RECORDINGS[0], RECORDINGS[2]
        run = hvfeat("--baseline", passthrough, "-f", host, "-j",
                     "--waive", "drift.interface.kvm_hv")
        self.assertEqual(jq(".verdict", run.stdout), "pass")
        waived = jq('[.results[] | select(.waived) | .label]', run.stdout)
        self.assertEqual(waived, ["drift.interface.kvm_hv"])
        run = hvfeat("--baseline", passthrough, "-f", host, "--waive", "drift.kvm.steal")
        self.assertEqual(run.returncode, 0x02)
        self.assertIn("drift.kvm.steal' names no result hvfeat gives", run.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    import run_suite
    sys.exit(run_suite.run(sys.modules[__name__], "drift"))
