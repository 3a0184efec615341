"""hvfeat's decoding against an independent decoder: Debian's `cpuid` tool.

For every layout dump (tests/dumps, including real KVM recordings), every
flag word `cpuid -f` decodes in the hypervisor leaves and in AMD's
memory-encryption leaf 0x8000001F is compared, bit for bit, with the JSON
of the host build of hvfeat for the same dump. Which bit each of `cpuid`'s flags
stands for is learnt from `cpuid` itself: one dump of 128 "CPUs", each with
a single bit set in one register of the leaf, decoded in one run. Nothing
here comes from hvfeat's tables.

Every CPU of this machine: `cpuid -r` dumps each one; hvfeat's vCPU
section, replaying that dump and reading the CPUs itself, must count the
CPUs this process may run on (os.sched_getaffinity), number them as
`cpuid` does and give each the local APIC ID `cpuid -f` decodes for it.
"""

import json
import os
import re
import subprocess
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HVFEAT = ROOT / "build" / "hvfeat"
DUMPS = ROOT / "tests" / "dumps"
WORK = ROOT / "build" / "oracle"
REGISTERS = ("eax", "ebx", "ecx", "edx")
LINE = re.compile(r"^\s*0x([0-9a-f]{8}) 0x([0-9a-f]{2}): eax=0x([0-9a-f]{8}) "
                  r"ebx=0x([0-9a-f]{8}) ecx=0x([0-9a-f]{8}) edx=0x([0-9a-f]{8})\s*$", re.M)
# The hypervisor leaves, and AMD's memory-encryption leaf (the
# confidential-computing status decodes it: README "Confidential computing").
SECTION = re.compile(
    r"^   (\S.*\((0x4[0-9a-f]{7}|0x8000001f)(?:/(eax|ebx|ecx|edx|[0-9a-f]{2}))?\)):?\s*$")
FLAG = re.compile(r"^      (\S.*?)\s+= (true|false)\s*$")


def read_dump(path):
    """{(leaf, subleaf): [eax, ebx, ecx, edx]} of the first CPU."""
    text = Path(path).read_text()
    first = re.split(r"^CPU \d+:\s*$", text, flags=re.M)
    body = first[1] if len(first) > 1 else text
    return {(int(m[1], 16), int(m[2], 16)): [int(m[i], 16) for i in range(3, 7)]
            for m in LINE.finditer(body)}


def dump_text(leaves, cpu=None):
    head = "CPU:\n" if cpu is None else f"CPU {cpu}:\n"
    return head + "".join(
        f"   0x{leaf:08x} 0x{sub:02x}: eax=0x{r[0]:08x} ebx=0x{r[1]:08x} "
        f"ecx=0x{r[2]:08x} edx=0x{r[3]:08x}\n" for (leaf, sub), r in sorted(leaves.items()))


def cpuid_sections(path):
    """Per CPU, {section header: {flag name: bool}} of `cpuid -f`'s output,
    for sections about hypervisor leaves that hold true/false flags."""
    out = subprocess.run(["cpuid", "-f", str(path)], capture_output=True, text=True)
    if out.returncode != 0 or "unexpected input" in out.stderr:
        raise RuntimeError(f"cpuid -f {path}: {out.stderr.strip()[:300]}")
    cpus, section = [], None
    for line in out.stdout.splitlines():
        if line.startswith("CPU"):
            cpus.append({})
            section = None
            continue
        header = SECTION.match(line)
        if header:
            section = header.group(1)
            continue
        flag = FLAG.match(line)
        if flag and section and cpus:
            cpus[-1].setdefault(section, {})[flag.group(1)] = flag.group(2) == "true"
        elif not line.startswith("      "):
            section = None
    return cpus


def section_leaf(header):
    match = SECTION.match("   " + header)
    leaf, qualifier = int(match.group(2), 16), match.group(3)
    subleaf = int(qualifier, 16) if qualifier and qualifier not in REGISTERS else 0
    registers = [qualifier] if qualifier in REGISTERS else list(REGISTERS)
    return leaf, subleaf, registers


def learn_bits(leaves, header):
    """{flag name: (register, bit)} of one of `cpuid`'s sections, by probing:
    CPU n of the probe has only bit n % 32 of register n // 32 set."""
    leaf, subleaf, registers = section_leaf(header)
    probe = ""
    for n, (reg, bit) in enumerate((r, b) for r in registers for b in range(32)):
        varied = dict(leaves)
        regs = [0, 0, 0, 0]
        regs[REGISTERS.index(reg)] = 1 << bit
        varied[(leaf, subleaf)] = regs
        probe += dump_text(varied, n)
    names = {}
    WORK.mkdir(parents=True, exist_ok=True)
    probe_file = WORK / "probe.txt"
    probe_file.write_text(probe)
    for n, cpu in enumerate(cpuid_sections(probe_file)):
        reg, bit = registers[n // 32], n % 32
        for name, value in cpu.get(header, {}).items():
            if value:
                names.setdefault(name, (reg, bit))
    return names


def hvfeat_json(path):
    out = subprocess.run([str(HVFEAT), "-j", "-n", "-f", str(path)], capture_output=True,
                         text=True)
    # The exit classes' "not passed" bit (0x02); warnings of the lints on
    # some dumps set others.
    if out.returncode & 0x02:
        raise RuntimeError(f"hvfeat -f {path}: status {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)


class CpuidToolAgreement(unittest.TestCase):
    def test_every_flag_word_agrees_bit_for_bit(self):
        dumps = sorted(p for p in DUMPS.glob("*.txt") if p.name != "malformed.txt")
        compared, problems = 0, []
        for path in dumps:
            leaves = read_dump(path)
            report = hvfeat_json(path)
            decoded = {}
            for iface in report["interfaces"]:
                for d in iface["decoded"]:
                    if d["state"] == "decoded":
                        decoded[(d["leaf"], d["subleaf"], d["register"])] = d
            for d in (report["cvm"]["sev_leaf"] or {"decoded": []})["decoded"]:
                decoded[(0x8000001f, 0, d["register"])] = d
            for header, flags in cpuid_sections(path)[0].items():
                leaf, subleaf, _ = section_leaf(header)
                for name, (reg, bit) in learn_bits(leaves, header).items():
                    if name not in flags:
                        continue
                    raw = leaves.get((leaf, subleaf), [0, 0, 0, 0])[REGISTERS.index(reg)]
                    where = f"{path.name}: cpuid's '{name}' ({header}, {reg} bit {bit})"
                    self.assertEqual(flags[name], bool(raw >> bit & 1), where)
                    d = decoded.get((leaf, subleaf, reg))
                    if d is None:
                        problems.append(f"{where}: hvfeat does not decode that register")
                        continue
                    entries = [b for b in d["bits"] if b["bit"] == bit]
                    if len(entries) != 1:
                        problems.append(f"{where}: hvfeat defines no flag there")
                    elif entries[0]["set"] != flags[name]:
                        problems.append(f"{where}: hvfeat says {entries[0]['set']}")
                    compared += 1
        print(f"\ncpuid tool: {compared} flags compared bit for bit over {len(dumps)} dumps",
              file=sys.stderr)
        self.assertEqual(problems, [], "\n".join(problems))
        self.assertGreater(compared, 100)


def jq(expression, document):
    """What jq makes of a JSON document, as Python values (one per output)."""
    out = subprocess.run(["jq", "-c", expression], input=document, capture_output=True,
                         text=True, check=True)
    return [json.loads(line) for line in out.stdout.splitlines()]


class EveryCpu(unittest.TestCase):
    """hvfeat's vCPU section on this machine's own CPUs, against `cpuid -r`
    and `cpuid -f` of the same CPUs and the kernel's affinity mask."""

    @classmethod
    def setUpClass(cls):
        WORK.mkdir(parents=True, exist_ok=True)
        cls.dump = WORK / "cpuid-every-cpu.txt"
        cls.dump.write_text(subprocess.run(["cpuid", "-r"], capture_output=True, text=True,
                                           check=True).stdout)
        cls.cpus = sorted(os.sched_getaffinity(0))
        # cpuid's own decoding of leaf 1 EBX[31:24], CPU by CPU
        decoded = subprocess.run(["cpuid", "-f", str(cls.dump)], capture_output=True,
                                 text=True, check=True).stdout
        cls.apic_ids = [int(m, 16) for m in re.findall(
            r"local APIC physical ID\s*= 0x([0-9a-f]+)", decoded)]
        cls.sections = [int(n) for n in re.findall(r"^CPU (\d+):", cls.dump.read_text(),
                                                   flags=re.M)]

    def vcpu_section(self, *arguments):
        out = subprocess.run([str(HVFEAT), "-j", *arguments], capture_output=True, text=True)
        self.assertEqual(out.returncode & 0x02, 0, out.stderr)
        return jq(".vcpus | {present, enabled, consistent, numbers: [.list[].number], "
                  "apic_ids: [.list[].apic_id], states: [.list[].state]}", out.stdout)[0]

    def test_the_dump_and_the_live_run_count_and_number_the_cpus(self):
        self.assertEqual(self.sections, self.cpus, "cpuid -r dumps every CPU allowed")
        self.assertEqual(len(self.apic_ids), len(self.cpus))
        expected = {"present": len(self.cpus), "enabled": len(self.cpus),
                    "numbers": self.cpus, "apic_ids": self.apic_ids,
                    "states": ["boot"] + ["compared"] * (len(self.cpus) - 1)}
        for name, arguments in (("replay", ("-f", str(self.dump))), ("live", ())):
            with self.subTest(name):
                section = self.vcpu_section(*arguments)
                consistent = section.pop("consistent")
                self.assertEqual(section, expected)
                if len(self.cpus) > 1:
                    self.assertTrue(consistent, "the CPUs of one machine agree")
        print(f"\ncpuid tool: {len(self.cpus)} CPUs, APIC IDs {self.apic_ids}, "
              "as hvfeat replays and reads them", file=sys.stderr)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    import run_suite
    sys.exit(run_suite.run(sys.modules[__name__], "cpuid-tool"))
