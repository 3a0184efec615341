"""The host build replaying Arm ID registers (-f a dump with an "Arm ID
registers:" section, or the JSON report of one) as a CI job reads it: the
JSON's "arm_id" through jq, requirements on the arm.* keys with their exit
status, -r and the JSON (in jq's layouts, edited by jq) read back, and
nothing where no registers were read. The dumps are composed here from
field values at the positions Linux's arch/arm64/tools/sysreg (MIDR_EL1's:
asm/cputype.h) gives, never from hvfeat's table."""

import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

HVFEAT = ROOT / "build" / "hvfeat"
DUMPS = ROOT / "tests" / "dumps"
CLASS_FAIL = 0x01  # README, "Exit statuses"

# key: (register, lsb, width), typed from Linux's sysreg.
FIELDS = {
    "arm.midr.implementer": ("MIDR_EL1", 24, 8),
    "arm.midr.variant": ("MIDR_EL1", 20, 4),
    "arm.midr.partnum": ("MIDR_EL1", 4, 12),
    "arm.midr.revision": ("MIDR_EL1", 0, 4),
    "arm.el2": ("ID_AA64PFR0_EL1", 8, 4),
    "arm.gic": ("ID_AA64PFR0_EL1", 24, 4),
    "arm.ras": ("ID_AA64PFR0_EL1", 28, 4),
    "arm.sve": ("ID_AA64PFR0_EL1", 32, 4),
    "arm.amu": ("ID_AA64PFR0_EL1", 44, 4),
    "arm.csv2": ("ID_AA64PFR0_EL1", 56, 4),
    "arm.csv3": ("ID_AA64PFR0_EL1", 60, 4),
    "arm.bt": ("ID_AA64PFR1_EL1", 0, 4),
    "arm.ssbs": ("ID_AA64PFR1_EL1", 4, 4),
    "arm.mte": ("ID_AA64PFR1_EL1", 8, 4),
    "arm.sme": ("ID_AA64PFR1_EL1", 24, 4),
    "arm.debugver": ("ID_AA64DFR0_EL1", 0, 4),
    "arm.pmuver": ("ID_AA64DFR0_EL1", 8, 4),
    "arm.apa": ("ID_AA64ISAR1_EL1", 4, 4),
    "arm.api": ("ID_AA64ISAR1_EL1", 8, 4),
}
REGISTERS = ["MIDR_EL1", "ID_AA64PFR0_EL1", "ID_AA64PFR1_EL1", "ID_AA64DFR0_EL1",
             "ID_AA64ISAR1_EL1"]
# Fields hvfeat does not decode, set so that a field read from its
# neighbour's bits comes out wrong: MIDR_EL1.Architecture, PFR0's EL0, EL1
# and DIT, DFR0's BRPs.
UNDECODED = [("MIDR_EL1", 16, 0xf), ("ID_AA64PFR0_EL1", 0, 2), ("ID_AA64PFR0_EL1", 4, 2),
             ("ID_AA64PFR0_EL1", 48, 1), ("ID_AA64DFR0_EL1", 12, 5)]

# A synthetic host CPU: Neoverse N1 r3p1's MIDR (cputype.h 0x41, 0xd0c) with SVE,
# debug v8.2, PMUv3 for v8.4, SSBS with MSR/MRS, QARMA5 PAuth2.
HOST = {"arm.midr.implementer": 0x41, "arm.midr.variant": 3, "arm.midr.partnum": 0xd0c,
        "arm.midr.revision": 1, "arm.el2": 1, "arm.gic": 1, "arm.ras": 2, "arm.sve": 1,
        "arm.amu": 0, "arm.csv2": 1, "arm.csv3": 1, "arm.bt": 1, "arm.ssbs": 2,
        "arm.mte": 0, "arm.sme": 0, "arm.debugver": 8, "arm.pmuver": 5, "arm.apa": 3,
        "arm.api": 0}
# What Linux 6.1's KVM (sys_regs.c, read_id_reg) gives a guest of QEMU's
# -cpu host,sve=off,pmu=off on QEMU's TCG -cpu max (MIDR implementer 0,
# part 'Q': target/arm/cpu64.c): SVE 0, PMUVer 0, DebugVer 6.
SVE_PMU_OFF = dict(HOST, **{"arm.midr.implementer": 0, "arm.midr.variant": 0,
                            "arm.midr.partnum": ord("Q"), "arm.midr.revision": 0,
                            "arm.el2": 0, "arm.sve": 0, "arm.debugver": 6,
                            "arm.pmuver": 0})


def registers(fields):
    values = dict.fromkeys(REGISTERS, 0)
    for register, lsb, value in UNDECODED:
        values[register] |= value << lsb
    for key, value in fields.items():
        register, lsb, width = FIELDS[key]
        assert value < 1 << width
        values[register] |= value << lsb
    return values


def dump_text(values):
    return "Arm ID registers:\n" + "".join(f"   {name} {values[name]:#x}\n"
                                           for name in REGISTERS)


def jq(document, program):
    run = subprocess.run(["jq", "-c", program], input=document, capture_output=True,
                         text=True, check=True)
    return json.loads(run.stdout)


class ArmIdReplay(unittest.TestCase):
    def setUp(self):
        self.work = Path(tempfile.mkdtemp(prefix="hvfeat-arm-id-"))
        self.addCleanup(subprocess.run, ["rm", "-rf", str(self.work)])

    def write(self, name, text):
        path = self.work / name
        path.write_text(text)
        return path

    def hvfeat(self, *arguments):
        return subprocess.run([str(HVFEAT), *map(str, arguments)], capture_output=True,
                              text=True)

    def test_json_holds_the_registers_and_every_field(self):
        for fields in (HOST, SVE_PMU_OFF):
            values = registers(fields)
            run = self.hvfeat("-f", self.write("cpu.txt", dump_text(values)), "-j")
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertEqual(jq(run.stdout, ".arm_id.registers"),
                             {name: hex(values[name]) for name in REGISTERS})
            self.assertEqual(jq(run.stdout, "[.arm_id.fields[] | {(.key): .value}] | add"),
                             fields)
            self.assertEqual(
                jq(run.stdout, '.arm_id.fields[] | select(.key == "arm.sve") '
                               '| [.id, .register, .shift, .width]'),
                ["ID_AA64PFR0_EL1.SVE", "ID_AA64PFR0_EL1", 32, 4])
        self.assertEqual(jq(run.stdout, '.arm_id.fields[] '
                                        '| select(.key == "arm.midr.implementer") | .name'),
                         "reserved for software use")

    def test_requirements_of_sve_and_pmu_off(self):
        """The bed's sve=off,pmu=off case: met by its registers, failed by
        the host's, each check's found value what the dump holds."""
        require = "arm.sve=0,arm.pmuver=0,arm.debugver=6,arm.midr.implementer=0"
        off = self.write("off.txt", dump_text(registers(SVE_PMU_OFF)))
        run = self.hvfeat("-f", off, "--require", require, "-j")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(jq(run.stdout, ".verdict"), "pass")

        host = self.write("host.txt", dump_text(registers(HOST)))
        run = self.hvfeat("-f", host, "--require", require, "-j")
        self.assertEqual(run.returncode & CLASS_FAIL, CLASS_FAIL)
        self.assertEqual(jq(run.stdout, "[.checks[] | [.requirement, .found, .result]]"),
                         [["arm.sve = 0", 1, "fail"], ["arm.pmuver = 0", 5, "fail"],
                          ["arm.debugver = 6", 8, "fail"],
                          ["arm.midr.implementer = 0", 0x41, "fail"]])
        pfr0 = registers(HOST)["ID_AA64PFR0_EL1"]
        run = self.hvfeat("-f", host, "--require", f"arm.id_aa64pfr0_el1={pfr0:#x}", "-j")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(jq(run.stdout, ".checks[0].found"), hex(pfr0))

    def test_raw_dump_reads_back(self):
        first = self.hvfeat("-f", self.write("cpu.txt", dump_text(registers(HOST))), "-r")
        again = self.hvfeat("-f", self.write("again.txt", first.stdout), "-r")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout, first.stdout)
        self.assertIn("   ID_AA64PFR0_EL1  0x%016x\n" % registers(HOST)["ID_AA64PFR0_EL1"],
                      first.stdout)

    def test_json_replays_as_the_dump(self):
        """-f of the JSON of a replay, in jq's three layouts: the same -r,
        "arm_id" and arm.* requirement results as -f of the dump; a
        register jq edits is read as a dump's line would be, a malformed
        one refused with its line."""
        require = "arm.sve=0,arm.pmuver=0,arm.debugver=6,arm.midr.implementer=0"
        checks = "[.checks[] | [.requirement, .found, .result]]"
        for fields in (HOST, SVE_PMU_OFF):
            dump = self.write("cpu.txt", dump_text(registers(fields)))
            raw = self.hvfeat("-f", dump, "-r").stdout
            report = self.hvfeat("-f", dump, "-j").stdout
            found = jq(self.hvfeat("-f", dump, "--require", require, "-j").stdout, checks)
            for layout in (["."], ["-S", "."], ["-c", "."]):
                text = subprocess.run(["jq", *layout], input=report, capture_output=True,
                                      text=True, check=True).stdout
                again = self.write("again.json", text)
                run = self.hvfeat("-f", again, "-r")
                self.assertEqual(run.returncode, 0, run.stderr)
                self.assertEqual(run.stdout, raw, layout)
                run = self.hvfeat("-f", again, "--require", require, "-j")
                self.assertEqual(jq(run.stdout, ".arm_id"), jq(report, ".arm_id"), layout)
                self.assertEqual(jq(run.stdout, checks), found, layout)
        # jq sets SVE (bits 35:32) in the off case's ID_AA64PFR0_EL1
        pfr0 = registers(SVE_PMU_OFF)["ID_AA64PFR0_EL1"] | 1 << 32
        edited = self.write("sve.json", subprocess.run(
            ["jq", f'.arm_id.registers.ID_AA64PFR0_EL1 = "{pfr0:#x}"'], input=report,
            capture_output=True, text=True, check=True).stdout)
        run = self.hvfeat("-f", edited, "--require", "arm.sve=1", "-j")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(jq(run.stdout, '.arm_id.fields[] | select(.key == "arm.sve") | .value'),
                         1)
        # a value that is not a 64-bit hex string: refused, with its line
        lines = subprocess.run(["jq", '.arm_id.registers.MIDR_EL1 = "0x1g"'], input=report,
                               capture_output=True, text=True, check=True).stdout
        bad = self.write("bad.json", lines)
        line = next(n for n, text in enumerate(lines.splitlines(), 1) if '"0x1g"' in text)
        run = self.hvfeat("-f", bad)
        self.assertEqual(run.returncode & 0x12, 0x12, run.stderr)
        self.assertIn(f"hvfeat: {bad}:{line}: an Arm ID register's value is not a hex string "
                      "of 64 bits\n", run.stderr)

    def test_nothing_where_nothing_was_read(self):
        """x86 (CPUID) and TCG's arm64 recording, which has no ID registers:
        "arm_id" null, requirements not known."""
        for dump, why in [(DUMPS / "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt",
                           "CPUID is this machine's interface"),
                          (DUMPS / "arm64" / "tcg-aavmf-qemu-7.2.txt",
                           "the recording has none")]:
            run = self.hvfeat("-f", dump, "--require", "arm.sve=0", "-j")
            self.assertEqual(jq(run.stdout, ".arm_id"), None)
            self.assertEqual(jq(run.stdout, ".checks[0].note"),
                             f"not known: no Arm ID registers: {why}")
            self.assertEqual(run.returncode & CLASS_FAIL, CLASS_FAIL)


if __name__ == "__main__":
    import run_suite
    sys.exit(run_suite.run(sys.modules[__name__], "arm-id-host"))
