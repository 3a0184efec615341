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

Arm runs: the JSON the host build writes of the arm64 recordings, edited
with jq (a KVM function's bit dropped, another UID, an answer changed, an
ID register's field lowered), as baselines and replays; the labels are
formed from Linux include/linux/arm-smccc.h (ARM_SMCCC_KVM_FUNC_* bit
numbers, the ARM_SMCCC_ARCH_* identifiers SMCCC_ARCH_FEATURES is asked
about), the ID registers' field positions of Linux's
arch/arm64/tools/sysreg (test_arm_id.py's table) and the requirement keys,
the outcomes from the README's SMCCC and Arm ID tables.
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
sys.path.insert(0, str(ROOT / "tests" / "host"))
from test_arm_id import FIELDS as ARM_ID_FIELDS  # noqa: E402
HVFEAT = ROOT / "build" / "hvfeat"
DUMPS = ROOT / "tests" / "dumps"
RECORDINGS = sorted(DUMPS.glob("kvm-real-*-qemu-7.2-*.txt"))
ARM64 = sorted((DUMPS / "arm64").glob("*.txt"))
KVM_ARM64 = DUMPS / "arm64" / "kvm-real-6.1.0-57-arm64-qemu-7.2-host.txt"

# Linux include/linux/arm-smccc.h: function identifiers, and what
# SMCCC_ARCH_FEATURES is asked about, by the key --list-keys gives it
# (smccc.arch.KEY: the identifier after ARM_SMCCC_ARCH_, lower case; PV
# time's ARM_SMCCC_HV_PV_TIME_FEATURES is pv_time).
ARCH_FEATURES = 0x80000001
VENDOR_HYP_CALL_UID = 0x8600ff01
KVM_FEATURES_FUNC = 0x86000000
PV_TIME_FEATURES, PV_TIME_ST = 0xc5000020, 0xc5000021
TRNG_VERSION, TRNG_FEATURES, TRNG_RND64 = 0x84000050, 0x84000051, 0xc4000053
ARCH_KEYS = {0x80008000: "workaround_1", 0x80007fff: "workaround_2", 0x80003fff: "workaround_3",
             0x80000004: "workaround_4", 0x80000002: "soc_id", PV_TIME_FEATURES: "pv_time"}
# ARM_SMCCC_KVM_FUNC_* by bit; the key is the name in lower case (smccc.kvm.KEY)
KVM_FUNCTIONS = {0: "FEATURES", 1: "PTP", 2: "HYP_MEMINFO", 3: "MEM_SHARE", 4: "MEM_UNSHARE",
                 7: "MMIO_GUARD", 64: "DISCOVER_IMPL_VER", 65: "DISCOVER_IMPL_CPUS",
                 127: "FEATURES_2"}
# ARM_SMCCC_VENDOR_HYP_UID_KVM as a UUID, and Hyper-V's UID in registers
# (arch/arm64/hyperv/mshyperv.c, UUID_INIT(0x58ba324d, 0x6447, 0x24cd, ...)
# four bytes a register, little-endian)
KVM_UUID = "28b46fb6-2ec5-11e9-a9ca-4b564d003a74"
HYPERV_UID_REGS = (0x4d32ba58, 0xcd244764, 0x8eef6c75, 0x16597024)
NOT_SUPPORTED = (1 << 64) - 1

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


def calls_of(report):
    """{(function, arg): [x0, x1, x2, x3]} of a JSON report's SMCCC calls."""
    return {(c["function"], int(c["arg"], 16)): [int(x, 16) for x in c["x"]]
            for c in json.loads(report)["smccc"]["calls"]}


def status(x0):
    """x0's low 32 bits as SMCCC's signed return code."""
    return (x0 & 0xffffffff) - (1 << 32 if x0 & 0x80000000 else 0)


def uuid_of(regs):
    """Linux smccc_res_to_uuid: the low 32 bits of x0..x3, little-endian."""
    b = b"".join((r & 0xffffffff).to_bytes(4, "little") for r in regs)
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def edit_call(function, arg, x=None):
    """A jq filter: the call's registers replaced by x, or the call dropped
    (a replay then answers it NOT_SUPPORTED)."""
    match = f'.function == {function} and .arg == "{arg:#x}"'
    if x is None:
        return f".smccc.calls |= map(select(({match}) | not))"
    registers = json.dumps([f"{v:#x}" for v in (list(x) + [0, 0, 0])[:4]])
    return f".smccc.calls |= map(if {match} then .x = {registers} else . end)"


def parse_smccc(text):
    """{(function, arg): [x0..x3]} of a dump's SMCCC section, whose call
    lines the recordings hold whole (no trap, no continuation line)."""
    calls = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1].endswith(":") and parts[0].startswith("0x"):
            registers = dict(p.split("=") for p in parts[2:])
            calls[(int(parts[0], 16), int(parts[1][:-1], 16))] = [
                int(registers.get(f"x{i}", "0x0"), 16) for i in range(4)]
    return calls


def expected_smccc_drift(old, new):
    """label -> outcome, by the README's SMCCC table, for two runs whose
    calls differ only in ARCH_FEATURES answers and KVM's features bitmap."""
    expected = {}
    for (function, arg) in old.keys() | new.keys():
        if old.get((function, arg)) == new.get((function, arg)):
            continue
        a, b = old[(function, arg)], new[(function, arg)]
        if function == ARCH_FEATURES:
            was, now = status(a[0]), status(b[0])
            key = f"drift.smccc.arch.{ARCH_KEYS[arg]}"
            expected[key] = "fail" if was >= 0 and now == -1 else "warn"
        elif function == KVM_FEATURES_FUNC:
            for bit in range(128):
                before, after = (a[bit // 32] >> bit % 32) & 1, (b[bit // 32] >> bit % 32) & 1
                if before != after and bit in KVM_FUNCTIONS:
                    expected[f"drift.smccc.kvm.{KVM_FUNCTIONS[bit].lower()}"] = \
                        "fail" if before else "warn"
                elif before != after:
                    expected[f"drift.smccc.kvm.raw.{bit}"] = "warn"
        else:
            raise AssertionError(f"{function:#x} {arg:#x} differs: not modelled here")
    return expected


def parse_arm_id(text):
    """{register: value} of a dump's "Arm ID registers:" section."""
    values, section = {}, False
    for line in text.splitlines():
        if not line.startswith(" "):
            section = line == "Arm ID registers:"
        elif section:
            name, value = line.split()
            values[name] = int(value, 16)
    return values


def arm_id_of(report):
    """{register: value} of a JSON report's "arm_id", {} when null."""
    arm_id = json.loads(report)["arm_id"]
    return {name: int(v, 16) for name, v in arm_id["registers"].items()} if arm_id else {}


def field(values, key):
    register, lsb, width = ARM_ID_FIELDS[key]
    return values[register] >> lsb & ((1 << width) - 1)


def expected_arm_id_drift(old, new):
    """label -> outcome, by the README's Arm ID table: a field of the
    ID_AA64 registers lower fails, higher warns (PMUVer's IMP_DEF, 0xF,
    Linux cpufeature.h's "unimplemented", counting as 0); MIDR_EL1's
    fields changed warn; a register's other bits changed warn; registers
    on one side only: drift.arm."""
    if bool(old) != bool(new):
        return {"drift.arm": "fail" if old else "warn"}
    expected, decoded = {}, dict.fromkeys(old, 0)
    for key, (register, lsb, width) in ARM_ID_FIELDS.items():
        decoded[register] |= ((1 << width) - 1) << lsb
        was, now = field(old, key), field(new, key)
        if was == now:
            continue
        label = f"drift.{key}"
        if register == "MIDR_EL1":
            expected[label] = "warn"
            continue
        if key == "arm.pmuver":
            was, now = (0 if v == 0xf else v for v in (was, now))
        expected[label] = "fail" if now < was else "warn"
    for register, mask in decoded.items():
        if (old[register] ^ new[register]) & ~mask:
            expected[f"drift.arm.raw.{register.lower()}"] = "warn"
    return expected


def offered_by_arm_id(report):
    """The requirements --write-policy pins of a JSON report's ID
    registers: each ID_AA64 field above 0, at least as offered."""
    values = arm_id_of(report)
    return {f"{key}>={field(values, key)}" for key, (register, _, _) in ARM_ID_FIELDS.items()
            if values and register != "MIDR_EL1" and field(values, key)
            and not (key == "arm.pmuver" and field(values, key) == 0xf)}


def offered_by_smccc(report):
    """The requirements --write-policy pins for an Arm report, by the
    README's rules, from its calls: the vendor key (KVM's UUID), each
    KVM function set, each ARCH_FEATURES answer of 0 or more, the
    stolen-time structure, the TRNG."""
    calls, pinned = calls_of(report), set()
    uid = calls.get((VENDOR_HYP_CALL_UID, 0))
    if uid and uuid_of(uid) == KVM_UUID:
        pinned.add("smccc.hypervisor=kvm")
        bitmap = calls.get((KVM_FEATURES_FUNC, 0), [0, 0, 0, 0])
        pinned |= {f"smccc.kvm.{name.lower()}" for bit, name in KVM_FUNCTIONS.items()
                   if bitmap[bit // 32] >> (bit % 32) & 1}
    for function, key in ARCH_KEYS.items():
        answer = calls.get((ARCH_FEATURES, function))
        if answer and status(answer[0]) >= 0:
            pinned.add(f"smccc.arch.{key}!=not_supported")
    st = calls.get((PV_TIME_FEATURES, PV_TIME_ST))
    if st and status(st[0]) == 0:
        pinned.add("smccc.pv_time.st")
    trng = calls.get((TRNG_VERSION, 0))
    if trng and status(trng[0]) >= 0:
        pinned.add("smccc.trng.version!=0")
    return pinned


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
        raw dump (an arm64 recording's ID registers and SMCCC answers), and
        nothing differs."""
        for path in [*RECORDINGS, DUMPS / "xen-viridian.txt", DUMPS / "hyperv-snp.txt", *ARM64]:
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

    def write_json(self, name, text, *jq_args):
        """text through jq (jq . when no arguments), into the scratch
        directory."""
        path = self.tmp / name
        path.write_text(subprocess.run(["jq", *(jq_args or (".",))], input=text,
                                       capture_output=True, text=True, check=True).stdout)
        return path

    def test_arm64_json_replays_as_its_recording(self):
        """-f of an arm64 report's JSON, in jq's three layouts: the SMCCC
        and Arm ID register sections of -r and of the text report, and the
        smccc.* and arm.* requirement results, of -f of the recording
        itself; nothing differs from it."""
        requirements = ("smccc.conduit=hvc,smccc.version>=0x10001,smccc.hypervisor=kvm,"
                        f"smccc.hypervisor.uid={KVM_UUID},smccc.kvm.features,smccc.kvm.ptp,"
                        "smccc.kvm.mmio_guard=0,smccc.arch.workaround_1=unaffected,"
                        "smccc.arch.workaround_2=not_supported,smccc.arch.pv_time=success,"
                        "smccc.pv_time.st,smccc.trng.version=0x10000,"
                        "smccc.trng.uuid=0d21e000-4384-11eb-8070-5244554e5a4c,"
                        "arm.sve=1,arm.pmuver=5,arm.debugver=6,arm.midr.implementer=0,"
                        "arm.id_aa64pfr0_el1=0x1101001121110222")
        required = ('[.results[] | select(.label | startswith("require.")) '
                    '| [.label, .outcome, .detail]]')

        def sections(text):
            return [part for part in text.split("\n\n")
                    if part.startswith(("hypervisor services through SMCCC\n",
                                        "Arm ID registers (the CPU the hypervisor presents"))]

        for path in ARM64:
            report = hvfeat("-f", path, "-j").stdout
            shown = sections(hvfeat("-f", path).stdout)
            has_id_registers = "Arm ID registers:" in path.read_text()
            self.assertEqual(len(shown), 1 + has_id_registers, path.name)
            raw = hvfeat("-f", path, "-r").stdout
            self.assertEqual(raw, path.read_text(), path.name)
            results = jq(required, hvfeat("-f", path, "--require", requirements, "-j").stdout)
            self.assertEqual(len(results), 18, path.name)
            if path == KVM_ARM64:
                self.assertEqual({outcome for _, outcome, _ in results}, {"pass"})
            for layout in ((".",), ("-S", "."), ("-c", ".")):
                again = self.write_json("again.json", report, *layout)
                run = hvfeat("-f", again)
                self.assertEqual(run.returncode & 0x12, 0, run.stderr)
                self.assertEqual(sections(run.stdout), shown, f"{path.name}, {layout}")
                self.assertEqual(hvfeat("-f", again, "-r").stdout, raw,
                                 f"{path.name}, {layout}")
                for baseline, now in ((again, path), (path, again), (again, again)):
                    _, drift = drift_results(baseline, now)
                    self.assertEqual([(r["label"], r["outcome"]) for r in drift],
                                     [("drift.baseline", "pass")], f"{path.name}, {layout}")
                self.assertEqual(
                    jq(required, hvfeat("-f", again, "--require", requirements, "-j").stdout),
                    results, f"{path.name}, {layout}")

    def smccc_drift(self, baseline, now, expected, why):
        """--baseline A -f B -j: exactly these drift results, the
        summary and the exit classes to match."""
        run, results = drift_results(baseline, now)
        self.assertEqual(run.returncode & 0x10, 0, f"{why}: {run.stderr}")
        got = {r["label"]: r["outcome"] for r in results if r["label"] != "drift.baseline"}
        self.assertEqual(len(got), len(results) - 1, f"{why}: a label twice: {results}")
        self.assertEqual(got, expected, why)
        summary = next(r for r in results if r["label"] == "drift.baseline")
        self.assertEqual(summary["outcome"], "info" if expected else "pass", why)
        fails = "fail" in expected.values()
        self.assertEqual(run.returncode & 0x03, 0x03 if fails else 0, why)
        self.assertEqual(bool(run.returncode & 0x04), "warn" in expected.values(), why)
        return results

    def test_arm64_kvm_recordings_against_each_other(self):
        """The real arm64 KVM recordings, dumps and their JSON, each against
        each: the drift the README's rules give their raw answers and ID
        registers (the nVHE L1's Cortex-A72 MIDR_EL1: another model)."""
        recordings = [path for path in ARM64 if path.name.startswith("kvm-real-")]
        self.assertGreaterEqual(len(recordings), 2, recordings)
        reports = {path: self.write_json(f"{path.stem}.json", hvfeat("-f", path, "-j").stdout)
                   for path in recordings}
        for a in recordings:
            for b in recordings:
                expected = expected_smccc_drift(parse_smccc(a.read_text()),
                                                parse_smccc(b.read_text()))
                expected |= expected_arm_id_drift(parse_arm_id(a.read_text()),
                                                  parse_arm_id(b.read_text()))
                if a == b:
                    self.assertEqual(expected, {})
                for baseline, now in ((a, b), (reports[a], reports[b]), (a, reports[b])):
                    self.smccc_drift(baseline, now, expected, f"{baseline.name} -> {now.name}")

    def test_smccc_drift_of_edited_json(self):
        """The JSON of the arm64 KVM recording against copies edited with
        jq, both ways: a service lost fails and gained warns, another or no
        vendor UID fails, a setting changed warns."""
        report = hvfeat("-f", KVM_ARM64, "-j").stdout
        golden = self.write_json("golden.json", report)
        hyperv_uid = edit_call(VENDOR_HYP_CALL_UID, 0, HYPERV_UID_REGS)
        # (what, jq filter, expected now, expected the other way round)
        cases = [
            ("PTP dropped", edit_call(KVM_FEATURES_FUNC, 0, [0x1]),
             {"drift.smccc.kvm.ptp": "fail"}, {"drift.smccc.kvm.ptp": "warn"}),
            ("MMIO_GUARD and DISCOVER_IMPL_VER added, bit 5 (pKVM reserved) set",
             edit_call(KVM_FEATURES_FUNC, 0, [0x3 | 1 << 7 | 1 << 5, 0, 0x1]),
             {"drift.smccc.kvm.mmio_guard": "warn", "drift.smccc.kvm.discover_impl_ver": "warn",
              "drift.smccc.kvm.raw.5": "warn"},
             {"drift.smccc.kvm.mmio_guard": "fail", "drift.smccc.kvm.discover_impl_ver": "fail",
              "drift.smccc.kvm.raw.5": "warn"}),
            # another hypervisor: KVM's features are not asked of it
            ("Hyper-V's UID", hyperv_uid,
             {"drift.smccc.hypervisor": "fail", "drift.smccc.kvm.features": "fail",
              "drift.smccc.kvm.ptp": "fail"},
             {"drift.smccc.hypervisor": "fail", "drift.smccc.kvm.features": "warn",
              "drift.smccc.kvm.ptp": "warn"}),
            ("no UID", edit_call(VENDOR_HYP_CALL_UID, 0, [NOT_SUPPORTED]),
             {"drift.smccc.hypervisor": "fail", "drift.smccc.kvm.features": "fail",
              "drift.smccc.kvm.ptp": "fail"},
             {"drift.smccc.hypervisor": "warn", "drift.smccc.kvm.features": "warn",
              "drift.smccc.kvm.ptp": "warn"}),
            ("WORKAROUND_1 not supported, WORKAROUND_2 offered",
             f"{edit_call(ARCH_FEATURES, 0x80008000, [NOT_SUPPORTED])} | "
             f"{edit_call(ARCH_FEATURES, 0x80007fff, [0])}",
             {"drift.smccc.arch.workaround_1": "fail", "drift.smccc.arch.workaround_2": "warn"},
             {"drift.smccc.arch.workaround_1": "warn", "drift.smccc.arch.workaround_2": "fail"}),
            ("WORKAROUND_1 from unaffected to success",
             edit_call(ARCH_FEATURES, 0x80008000, [0]),
             {"drift.smccc.arch.workaround_1": "warn"}, {"drift.smccc.arch.workaround_1": "warn"}),
            ("conduit smc", '.smccc.conduit = "smc"',
             {"drift.smccc.conduit": "warn"}, {"drift.smccc.conduit": "warn"}),
            ("SMCCC 1.2", edit_call(0x80000000, 0, [0x10002]),
             {"drift.smccc.version": "warn"}, {"drift.smccc.version": "warn"}),
            ("no TRNG", edit_call(TRNG_VERSION, 0, [NOT_SUPPORTED]),
             {"drift.smccc.trng.version": "fail", "drift.smccc.trng.uuid": "warn"},
             {"drift.smccc.trng.version": "warn", "drift.smccc.trng.uuid": "warn"}),
            # a call no key reads, dropped: the replay answers NOT_SUPPORTED
            ("TRNG_RND64 dropped", edit_call(TRNG_FEATURES, TRNG_RND64),
             {f"drift.smccc.call.{TRNG_FEATURES:#010x}.{TRNG_RND64:#x}": "warn"},
             {f"drift.smccc.call.{TRNG_FEATURES:#010x}.{TRNG_RND64:#x}": "warn"}),
        ]
        self.smccc_drift(golden, golden, {}, "the report against itself")
        self.smccc_drift(KVM_ARM64, golden, {}, "the recording against its JSON")
        for what, jq_filter, now, back in cases:
            edited = self.write_json("edited.json", report, jq_filter)
            results = self.smccc_drift(golden, edited, now, what)
            self.smccc_drift(edited, golden, back, f"{what}, the other way round")
            # the text dump of the recording as the baseline, the same
            self.smccc_drift(KVM_ARM64, edited, now, f"{what}, against the dump")
            for r in results:
                for bit, name in KVM_FUNCTIONS.items():
                    if r["label"] == f"drift.smccc.kvm.{name.lower()}":
                        self.assertTrue(r["detail"].startswith(
                            f"ARM_SMCCC_KVM_FUNC_{name} (bit {bit}) "), r)

    def test_each_kvm_function_bit(self):
        """One bit of KVM's features bitmap set against none, both ways:
        a function Linux names is lost (fail) or gained (warn); a bit with
        no name differs (warn)."""
        report = hvfeat("-f", KVM_ARM64, "-j").stdout
        none = self.write_json("none.json", report, edit_call(KVM_FEATURES_FUNC, 0, [0]))
        for bit in (*KVM_FUNCTIONS, 5, 6, 8, 63, 66, 100, 126):
            words = [0, 0, 0, 0]
            words[bit // 32] = 1 << (bit % 32)
            one = self.write_json("one.json", report, edit_call(KVM_FEATURES_FUNC, 0, words))
            if bit in KVM_FUNCTIONS:
                label = f"drift.smccc.kvm.{KVM_FUNCTIONS[bit].lower()}"
                self.smccc_drift(one, none, {label: "fail"}, f"bit {bit} lost")
                self.smccc_drift(none, one, {label: "warn"}, f"bit {bit} gained")
            else:
                label = f"drift.smccc.kvm.raw.{bit}"
                self.smccc_drift(one, none, {label: "warn"}, f"bit {bit} cleared")
                self.smccc_drift(none, one, {label: "warn"}, f"bit {bit} set")

    def test_smccc_against_cpuid(self):
        """An x86 report against an arm64 one: the hypervisor bit, SMCCC
        and the ID registers each give one result, nothing of any
        compared."""
        x86, arm = RECORDINGS[0], self.write_json("arm.json", hvfeat("-f", KVM_ARM64, "-j").stdout)
        self.smccc_drift(x86, arm, {"drift.hypervisor_bit": "fail", "drift.smccc": "warn",
                                    "drift.arm": "warn"}, "x86 baseline")
        self.smccc_drift(arm, x86, {"drift.hypervisor_bit": "warn", "drift.smccc": "fail",
                                    "drift.arm": "fail"}, "arm64 baseline")

    def test_arm_id_drift_of_edited_json(self):
        """The JSON of the arm64 KVM recording against copies whose ID
        registers jq edited, both ways and against the dump: a feature
        field lower fails, higher warns; another CPU model warns; bits no
        field decodes warn; registers gone fail."""
        report = hvfeat("-f", KVM_ARM64, "-j").stdout
        golden = self.write_json("golden.json", report)
        recorded = arm_id_of(report)
        self.assertEqual(recorded, parse_arm_id(KVM_ARM64.read_text()))

        def with_fields(**fields):
            values = dict(recorded)
            for key, value in fields.items():
                register, lsb, width = ARM_ID_FIELDS[f"arm.{key.replace('_', '.')}"]
                values[register] = values[register] & ~(((1 << width) - 1) << lsb) | value << lsb
            return values

        cases = [
            ("sve=off", with_fields(sve=0)),
            ("pmu=off", with_fields(pmuver=0)),
            ("SVE and PMU off, MTE2 offered", with_fields(sve=0, pmuver=0, mte=2)),
            ("SSBS 2 -> 1, CSV2 1 -> 2", with_fields(ssbs=1, csv2=2)),
            ("a Cortex-A72 r0p3", with_fields(midr_implementer=0x41, midr_partnum=0xd08,
                                              midr_revision=3)),
            ("ID_AA64PFR0_EL1.EL0 (3:0) 2 -> 1",
             dict(recorded, ID_AA64PFR0_EL1=recorded["ID_AA64PFR0_EL1"] ^ 0x3)),
            ("PMUVer IMP_DEF", with_fields(pmuver=0xf)),
        ]
        self.smccc_drift(golden, golden, {}, "the report against itself")
        for what, values in cases:
            edited = self.write_json("edited.json", report, ".arm_id.registers = " + json.dumps(
                {name: f"{value:#x}" for name, value in values.items()}))
            now = expected_arm_id_drift(recorded, values)
            back = expected_arm_id_drift(values, recorded)
            self.assertTrue(now, what)
            results = self.smccc_drift(golden, edited, now, what)
            self.smccc_drift(edited, golden, back, f"{what}, the other way round")
            self.smccc_drift(KVM_ARM64, edited, now, f"{what}, against the dump")
            for r in results:
                if r["label"] == "drift.arm.sve":
                    self.assertEqual(r["detail"],
                                     "ID_AA64PFR0_EL1.SVE lost: 1 in the baseline, 0 now")
        self.assertEqual(expected_arm_id_drift(recorded, cases[0][1]), {"drift.arm.sve": "fail"})
        self.assertEqual(expected_arm_id_drift(recorded, cases[1][1]),
                         {"drift.arm.pmuver": "fail"})
        # no ID registers (a report of an older hvfeat, of TCG's firmware)
        none = self.write_json("none.json", report, ".arm_id = null")
        self.smccc_drift(golden, none, {"drift.arm": "fail"}, "registers gone")
        self.smccc_drift(none, golden, {"drift.arm": "warn"}, "registers new")
        gone = self.write_json("gone.json", report, "del(.arm_id)")
        self.smccc_drift(golden, gone, {"drift.arm": "fail"}, "no arm_id member")

    def test_policy_pins_what_was_offered(self):
        """--write-policy of the arm64 recordings and their JSON: what SMCCC
        offered and each ID register feature field at least as offered;
        --policy then fails on exactly the losses."""
        report = hvfeat("-f", KVM_ARM64, "-j").stdout
        golden = self.write_json("golden.json", report)
        for path in (*ARM64, golden):
            policy = self.tmp / "arm.policy"
            run = hvfeat("-f", path, "--write-policy", policy, "-n")
            self.assertEqual(run.returncode & 0x13, 0, run.stderr)
            pinned = {line.split("#")[0].strip() for line in policy.read_text().splitlines()
                      if line.split("#")[0].strip()}
            json_report = hvfeat("-f", path, "-j").stdout
            self.assertEqual(pinned, offered_by_smccc(json_report) | offered_by_arm_id(json_report),
                             path.name)
            run = hvfeat("-f", path, "--policy", policy, "-j")
            self.assertEqual(jq(".verdict", run.stdout), "pass", path.name)
        # 7 of SMCCC, 11 fields: EL2 GIC RAS SVE CSV2 CSV3 BT SSBS DebugVer
        # PMUVer API
        self.assertEqual(len(pinned), 18)
        self.assertIn("arm.sve>=1", pinned)
        # PTP and the TRNG lost, WORKAROUND_2 gained, WORKAROUND_1 changed,
        # SVE gone, MTE gained: the losses fail, nothing else
        registers = arm_id_of(report)
        registers["ID_AA64PFR0_EL1"] &= ~(0xf << 32)
        registers["ID_AA64PFR1_EL1"] |= 2 << 8
        degraded = self.write_json("degraded.json", report, " | ".join((
            edit_call(KVM_FEATURES_FUNC, 0, [0x1]), edit_call(TRNG_VERSION, 0, [NOT_SUPPORTED]),
            edit_call(ARCH_FEATURES, 0x80007fff, [0]), edit_call(ARCH_FEATURES, 0x80008000, [0]),
            ".arm_id.registers = " + json.dumps({n: hex(v) for n, v in registers.items()}))))
        run = hvfeat("-f", degraded, "--policy", policy, "-j")
        failed = jq('[.results[] | select(.outcome == "fail") | .label]', run.stdout)
        self.assertEqual(set(failed), {"require.smccc.kvm.ptp", "require.smccc.trng.version",
                                       "require.arm.sve"})
        self.assertEqual(run.returncode & 0x03, 0x03)

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
