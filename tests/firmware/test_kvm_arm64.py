"""hvfeat.efi for AArch64: under AAVMF with plain TCG, and under a real
arm64 KVM on the bed of qemu/nested_arm64.py.

The expectations come from QEMU's and KVM's sources, written here by hand,
never from hvfeat's tables:
- QEMU 7.2 target/arm/psci.c: under TCG without EL2, QEMU is the PSCI
  conduit (HVC) and answers every other function NOT_SUPPORTED (-1).
- QEMU 7.2 hw/arm/virt-acpi-build.c: the FADT's ARM boot flags are
  PSCI_COMPLIANT | PSCI_USE_HVC (3) when PSCI goes through HVC (KVM, and
  TCG without EL2); hw/acpi/aml-build.c build_fadt writes revision 6 and
  "QEMU" as the hypervisor vendor identity.
- Linux 6.1 arch/arm64/kvm/hypercalls.c: SMCCC_VERSION is 1.1
  (ARM_SMCCC_VERSION_1_1 = 0x10001); the vendor UID is KVM's
  (ARM_SMCCC_VENDOR_HYP_UID_KVM_REG_0..3); the features bitmap is
  vendor_hyp_bmap, FEATURES | PTP (bits 0 and 1) by default
  (kvm_arm_init_hypercalls), which QEMU 7.2 never changes;
  PV_TIME_FEATURES(PV_TIME_ST) succeeds only when the VMM gave a
  stolen-time address (kvm_hypercall_pv_features), which QEMU does unless
  -cpu ...,kvm-steal-time=off (target/arm/kvm64.c).
- Linux 6.1 arch/arm64/kvm/trng.c: TRNG 1.0 (0x10000), UUID
  0d21e000-4384-11eb-8070-5244554e5a4c.
- L1's KVM runs VHE by default and nVHE with kvm-arm.mode=nvhe
  (Documentation/admin-guide/kernel-parameters.txt); the answers above do
  not depend on it.
- The workarounds (Linux 6.1 hypercalls.c, SMCCC_ARCH_FEATURES, from the
  host's states in arch/arm64/kernel/proton-pack.c): WORKAROUND_1 is
  UNAFFECTED (1), since QEMU's max CPU has ID_AA64PFR0_EL1.CSV2
  (spectre_v2_get_cpu_hw_mitigation_state); WORKAROUND_2 is NOT_SUPPORTED,
  since max has SSBS (the MITIGATED case with ARM64_SSBS breaks out before
  NOT_REQUIRED); WORKAROUND_3 is SUCCESS on the nVHE L1, whose MIDR is a
  Cortex-A72's (qemu/nested_arm64.py L1_CPU_A72: the branch-history loop,
  spectre_bhb_loop_affected), and NOT_SUPPORTED with max's own MIDR, which
  is measured, not derived (mainline 6.1 would answer UNAFFECTED; Debian's
  6.1.0-57 carries later stable Spectre-BHB backports). KVM
  answers the WORKAROUND_1 and _3 calls on its fast path with x0 = 0
  (hyp/hyp-entry.S, wa_epilogue). Arm DEN 0028 7.5-7.7: 0 or more
  (SUCCESS, UNAFFECTED) says the call is implemented, -2 not to call it:
  hvfeat calls WORKAROUND_1 on both L1s and WORKAROUND_3 on the nVHE one,
  never WORKAROUND_2.
- The ID registers KVM 6.1 shows (arch/arm64/kvm/sys_regs.c, read_id_reg):
  ID_AA64PFR0_EL1.SVE cleared unless the vCPU has SVE, which QEMU 7.2
  gives it unless -cpu ...,sve=off (target/arm/kvm64.c) and L1's max CPU
  has; ID_AA64DFR0_EL1.DebugVer always 6 (debug limited to ARMv8.0);
  PMUVer 0 without a vCPU PMU (-cpu ...,pmu=off), else capped at PMUv3
  for ARMv8.4 (5), below max's own.
"""

import json
import subprocess
import sys
import time
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "qemu"))
import firmware_vm as vm  # noqa: E402
import nested_arm64 as bed  # noqa: E402

EFI = ROOT / "build" / "aarch64" / "hvfeat.efi"
GUARD_CHECK = ROOT / "build" / "aarch64" / "guard_check.efi"
HOST_HVFEAT = ROOT / "build" / "hvfeat"
WORK = ROOT / "build" / "kvm-arm64-tests"
JSON_PATH = "/hvfeat.json"
OPTIONS = r"--shutdown --exit-port -J \hvfeat.json"
# The EFI statuses of the README's "Exit statuses", as \hvfeat.status has them.
PASS, FAILED = 0x0, 0x8000000000000003

KVM_UID = "28b46fb6-2ec5-11e9-a9ca-4b564d003a74"
KVM_TRNG_UUID = "0d21e000-4384-11eb-8070-5244554e5a4c"
# What every KVM case requires: each must pass.
KVM_REQUIREMENTS = ("smccc.hypervisor=kvm,smccc.version=0x10001,smccc.kvm.features=1,"
                    "smccc.kvm.ptp=1,smccc.trng.version=0x10000,"
                    f"smccc.trng.uuid={KVM_TRNG_UUID},smccc.hypervisor.uid={KVM_UID},"
                    "acpi.fadt.hypervisor_vendor=QEMU,smccc.conduit=hvc,"
                    "probe.smccc.kvm.ptp")

# L1 name: (nVHE, its -cpu, SMCCC_ARCH_FEATURES(WORKAROUND_3)'s word)
L1S = {
    "vhe": (False, bed.L1_CPU, "not_supported"),
    "nvhe": (True, bed.L1_CPU_A72, "success"),
}
CASES = {
    # name: (L1, -cpu, PV time's stolen-time structure offered)
    "vhe-host": ("vhe", "host", True),
    "vhe-no-steal-time": ("vhe", "host,kvm-steal-time=off", False),
    "vhe-no-sve": ("vhe", "host,sve=off", True),
    "nvhe-host": ("nvhe", "host", True),
    # CPU features that are no SMCCC service: the answers stay the same,
    # the ID registers change.
    "nvhe-no-pmu-no-adjvtime": ("nvhe", "host,pmu=off,kvm-no-adjvtime=on", True),
}


RECORDINGS = ROOT / "tests" / "dumps" / "arm64"
VHE_RECORDING = "kvm-real-6.1.0-57-arm64-qemu-7.2-host.txt"
NVHE_RECORDING = "kvm-real-6.1.0-57-arm64-qemu-7.2-host-a72-nvhe.txt"
# The firmware's --baseline, given the committed recording of -cpu host
# on the VHE L1: the same on that L1, and on the nVHE one different in
# WORKAROUND_3 (NOT_SUPPORTED to SUCCESS, gained: warn) and in MIDR_EL1,
# 0x000f0510 to 0x410fd083 (Arm ARM D19.2: Implementer [31:24] 0x00 to
# 0x41, PartNum [15:4] 0x051 to 0xd08, Revision [3:0] 0 to 3; Variant and
# Architecture unchanged): another CPU model warns.
BASELINES = {"vhe-host": VHE_RECORDING, "nvhe-host": VHE_RECORDING}


def id_fields(cpu):
    """The ID register fields KVM shows an L2 with this -cpu (see above)."""
    return {"arm.sve": 0 if "sve=off" in cpu else 1,
            "arm.pmuver": 0 if "pmu=off" in cpu else 5,
            "arm.debugver": 6}


def jq(expression, data):
    """jq's -c output for expression over the JSON text data."""
    out = subprocess.run(["jq", "-c", expression], input=data, capture_output=True, text=True)
    if out.returncode:
        raise AssertionError(f"jq {expression}: {out.stderr}")
    return json.loads(out.stdout)


def guard_check_console():
    """The console of tests/firmware/guard_check_aarch64.c booted under TCG,
    until the firmware reports the unguarded SMC (it then stops there)."""
    work = WORK / "guard-check"
    work.mkdir(parents=True, exist_ok=True)
    esp = bed.l2_disk(work / "disk.img", {bed.BOOT_PATH: GUARD_CHECK.read_bytes()})
    vars_file = work / "AAVMF_VARS.fd"
    vars_file.write_bytes(bed.AAVMF_VARS.read_bytes())
    reported = b"Synchronous Exception at"

    def stop(process, raw, errors, chunk):
        return reported in raw[raw.find(b"an unguarded smc"):] if b"an unguarded" in raw else False

    _, timed_out, raw, _ = vm.run_streaming(bed.tcg_command(esp, vars_file), 90, stop)
    console = vm.console_text(raw)
    (work / "console.log").write_text(console)
    if timed_out:
        raise RuntimeError(f"guard-check did not reach the unguarded SMC: {console[-1500:]}")
    return console


class Arm64Suite(unittest.TestCase):
    tcg = kvm = None

    @classmethod
    def setUpClass(cls):
        if not EFI.exists():
            raise RuntimeError(f"{EFI} is missing: make ARCH=aarch64 builds it")
        efi = EFI.read_bytes()
        started = time.monotonic()
        boot, esp = bed.tcg_boot(efi, OPTIONS + " --require smccc.conduit=hvc", WORK / "tcg")
        cls.tcg = (boot, esp)
        print(f"\narm64: AAVMF under TCG: {boot.seconds:.1f} s", file=sys.stderr)
        cls.guard_console = guard_check_console()
        # Without ACPI, AAVMF hands over QEMU's device tree instead.
        cls.tcg_dt = bed.tcg_boot(efi, OPTIONS, WORK / "tcg-device-tree", machine="virt,acpi=off")
        groups = {}
        cls.cases = {}
        for name, (l1, cpu, steal_time) in CASES.items():
            steal = f",probe.smccc.pv_time.st={int(steal_time)}"
            workarounds = (",smccc.arch.workaround_1=unaffected,"
                           "smccc.arch.workaround_2=not_supported,"
                           f"smccc.arch.workaround_3={L1S[l1][2]}")
            ids = ",".join(f"{key}={value}" for key, value in id_fields(cpu).items())
            baseline = BASELINES.get(name)
            case = bed.Arm64Case(name, cpu=cpu, options=f"{OPTIONS} --require "
                                 f"{KVM_REQUIREMENTS}{steal}{workarounds},{ids}"
                                 + (r" --baseline \baseline.txt" if baseline else ""),
                                 extra={"baseline.txt": (RECORDINGS / baseline).read_bytes()}
                                 if baseline else None)
            groups.setdefault(l1, []).append(case)
            cls.cases[name] = case
        cls.l1s = bed.run([(l1, L1S[l1][0], cases, L1S[l1][1])
                           for l1, cases in groups.items()], efi, WORK / "kvm", echo=None)
        cls.seconds = time.monotonic() - started
        print("\n".join(l1.summary() for l1 in cls.l1s), file=sys.stderr)
        print(f"arm64: suite boots {cls.seconds:.1f} s", file=sys.stderr)

    def json_of(self, esp):
        data = vm.read_esp_file(esp, JSON_PATH)
        self.assertIsNotNone(data, f"no {JSON_PATH} on {esp}")
        return data.decode()

    # --- AAVMF under plain TCG -------------------------------------------

    def test_tcg_no_hypervisor_services_is_not_an_error(self):
        boot, esp = self.tcg
        self.assertEqual(vm.recorded_status(esp), PASS)
        data = self.json_of(esp)
        self.assertEqual(jq(".smccc.summary", data),
                         "no hypervisor services: every call returned NOT_SUPPORTED")
        self.assertEqual(jq("[.smccc.calls[] | .x[0]] | unique", data), ["0xffffffffffffffff"])
        self.assertEqual(jq(".smccc.version", data), 0x10000)
        self.assertEqual(jq(".smccc.conduit_origin", data), "ACPI FADT ARM boot flags 0x0003")
        self.assertEqual(jq(".verdict", data), "pass")
        self.assertEqual(jq(".leaves", data), [])
        report = vm.report_from_console(boot.console)
        self.assertIsNotNone(report, boot.console[-2000:])
        self.assertIn("summary: no hypervisor services: every call returned NOT_SUPPORTED\n",
                      report)
        self.assertEqual(report, vm.read_esp_file(esp, "/hvfeat.log").decode())

    def test_guard_catches_a_trap_and_unregisters(self):
        """Without EL3 an SMC is UNDEFINED (Arm ARM D1.13.2; QEMU's virt
        machine has no EL3 without secure=on): the guarded one comes back
        trapped with ESR EC 0 (unknown reason) and IL set, twice, since
        closing unregistered the handler; the unguarded one reaches the
        firmware's own handler."""
        console = self.guard_console
        for round in (1, 2):
            self.assertIn(f"guard-check: guarded smc {round}: trapped, ESR 0x02000000\n", console)
        self.assertEqual(console.count("guard-check: close: the handler unregistered\n"), 2)
        after = console[console.index("an unguarded smc next"):]
        self.assertIn("Synchronous Exception at", after)
        self.assertNotIn("came back from the smc", after)

    def test_tcg_conduit_from_the_device_tree(self):
        """QEMU's virt machine with acpi=off: no FADT, and its device tree's
        /psci node says method "hvc" (hw/arm/virt.c, fdt_add_psci_node,
        the conduit of TCG without EL2)."""
        boot, esp = self.tcg_dt
        self.assertEqual(vm.recorded_status(esp), PASS)
        data = self.json_of(esp)
        self.assertEqual(jq("[.smccc.conduit, .smccc.conduit_origin, .acpi_fadt.found]", data),
                         ["hvc", 'device tree /psci method "hvc"', False])
        self.assertEqual(jq(".smccc.summary", data),
                         "no hypervisor services: every call returned NOT_SUPPORTED")

    def test_tcg_fadt_names_qemu(self):
        data = self.json_of(self.tcg[1])
        self.assertEqual(jq(".acpi_fadt | [.revision, .arm_boot_flags, .hypervisor_product]",
                            data), [6, 3, "QEMU"])

    def test_tcg_log_replays_on_the_host(self):
        """The raw SMCCC answers in the log are a recording the host build
        replays to the same SMCCC section."""
        log = vm.read_esp_file(self.tcg[1], "/hvfeat.log").decode()
        raw = log[log.index("SMCCC:\n"):log.index("\nresults:")]
        recording = WORK / "tcg" / "smccc.txt"
        recording.write_text(raw)
        out = subprocess.run([str(HOST_HVFEAT), "-n", "-j", "-f", str(recording)],
                             capture_output=True, text=True)
        self.assertEqual(jq(".smccc.calls", out.stdout), jq(".smccc.calls", self.json_of(
            self.tcg[1])))

    # --- a real arm64 KVM ------------------------------------------------

    def test_l1_kvm_modes(self):
        modes = {l1.name: l1.kvm_mode for l1 in self.l1s}
        self.assertEqual(modes, {"vhe": "VHE mode initialized successfully",
                                 "nvhe": "Hyp mode initialized successfully"})

    def test_every_case_passes_its_requirements(self):
        for name, case in self.cases.items():
            with self.subTest(case=name):
                self.assertEqual(case.status, PASS, case.log())
                data = self.json_of(case.esp)
                self.assertEqual(jq("[.results[] | select(.label | startswith(\"require.\")) "
                                    "| .outcome] | unique", data), ["pass"])
                self.assertEqual(jq(".smccc.vendor", data), "KVM")

    def test_kvm_functions_bitmap(self):
        for name, case in self.cases.items():
            with self.subTest(case=name):
                data = self.json_of(case.esp)
                offered = jq("[.smccc.kvm_functions[] | select(.offered) | .bit]", data)
                self.assertEqual(offered, [0, 1])

    def test_steal_time_follows_kvm_steal_time(self):
        for name, case in self.cases.items():
            with self.subTest(case=name):
                data = self.json_of(case.esp)
                st = jq("[.smccc.calls[] | select(.function == 3305111584 and "
                        ".arg == \"0xc5000021\") | .x[0]]", data)
                expected = "0x0" if CASES[name][2] else "0xffffffffffffffff"
                self.assertEqual(st, [expected])

    def test_probes(self):
        """PTP works everywhere (KVM offers it by default); stolen time works
        where QEMU gave its address, is not advertised where it did not,
        and is said to stay registered, its memory outside the map."""
        for name, case in self.cases.items():
            with self.subTest(case=name):
                data = self.json_of(case.esp)
                states = jq("[.probes.results[] | {(.key): .state}] | add", data)
                steal = "works" if CASES[name][2] else "not advertised"
                wa3 = "works" if L1S[CASES[name][0]][2] == "success" else "not advertised"
                self.assertEqual(states, {"smccc.kvm.ptp": "works", "smccc.pv_time.st": steal,
                                          "smccc.arch.workaround_1": "works",
                                          "smccc.arch.workaround_2": "not advertised",
                                          "smccc.arch.workaround_3": wa3})
                ppm = jq(".probes.results[0].values.wall_vs_counter_ppm", data)
                self.assertLessEqual(abs(ppm), 1000)
                self.assertEqual(jq(".probes.handlers_left", data), None)
                if CASES[name][2]:
                    self.assertIn("its memory outside the firmware's memory map",
                                  jq(".probes.results[1].detail", data))
                    self.assertIn("memory: PV stolen time stays registered", case.log())
                    self.assertEqual(jq(".probes.kept_registered", data),
                                     "PV stolen time stays registered (DEN 0057 has no "
                                     "call to undo it)")

    def test_workarounds_called_once_where_implemented(self):
        """KVM answers WORKAROUND_1 UNAFFECTED on both L1s and WORKAROUND_3
        SUCCESS on the nVHE one (an A72 by its MIDR), and takes both calls
        on its fast path: x0 = 0."""
        unaffected = " (UNAFFECTED: implemented, not needed on this vCPU)"
        for name, case in self.cases.items():
            data = self.json_of(case.esp)
            expected = {"smccc.arch.workaround_1": ["works", "0x0", "called once; it leaves "
                                                    "no state" + unaffected]}
            if L1S[CASES[name][0]][2] == "success":
                expected["smccc.arch.workaround_3"] = ["works", "0x0",
                                                       "called once; it leaves no state"]
            for key, (state, x0, detail) in expected.items():
                with self.subTest(case=name, probe=key):
                    probe = jq(f'.probes.results[] | select(.key == "{key}")', data)
                    self.assertEqual([probe["state"], probe["values"]["x0"], probe["detail"]],
                                     [state, x0, detail])

    def test_firmware_baseline_compares_smccc_and_id_registers(self):
        drift = {}
        for name in BASELINES:
            data = self.json_of(self.cases[name].esp)
            drift[name] = jq('[.results[] | select(.label | startswith("drift.")) '
                             '| {(.label): .outcome}] | add', data)
        self.assertEqual(drift["vhe-host"], {"drift.baseline": "pass"})
        self.assertEqual(drift["nvhe-host"], {
            "drift.baseline": "info", "drift.smccc.arch.workaround_3": "warn",
            "drift.arm.midr.implementer": "warn", "drift.arm.midr.partnum": "warn",
            "drift.arm.midr.revision": "warn"})

    def test_id_registers_follow_the_cpu_properties(self):
        for name, case in self.cases.items():
            with self.subTest(case=name):
                data = self.json_of(case.esp)
                fields = jq("[.arm_id.fields[] | {(.key): .value}] | add", data)
                expected = id_fields(CASES[name][1])
                self.assertEqual({key: fields[key] for key in expected}, expected)

    def test_same_answers_whatever_the_cpu_features_and_mode(self):
        """SVE, the PMU, the adjusted virtual time and VHE or nVHE are no
        SMCCC service: an L1's cases answer exactly as its -cpu host, and the two
        L1s differ in WORKAROUND_3's answer alone (the MIDR)."""
        def calls(name):
            return jq(".smccc.calls", self.json_of(self.cases[name].esp))
        self.assertEqual(calls("nvhe-no-pmu-no-adjvtime"), calls("nvhe-host"))
        self.assertEqual(calls("vhe-no-sve"), calls("vhe-host"))
        differing = [(a, b) for a, b in zip(calls("vhe-host"), calls("nvhe-host")) if a != b]
        self.assertEqual(differing, [(
            {"function": 0x80000001, "arg": "0x80003fff", "x": ["0xffffffffffffffff", "0x0",
                                                                 "0x0", "0x0"],
             "trapped": False, "syndrome": 0},
            {"function": 0x80000001, "arg": "0x80003fff", "x": ["0x0", "0x0", "0x0", "0x0"],
             "trapped": False, "syndrome": 0})])

    def test_recordings_match_the_committed_ones(self):
        """The committed recordings are this bed's, register for register and
        call for call: the log's raw ID registers, then its SMCCC answers."""
        kernels = {l1.kernel for l1 in self.l1s}
        self.assertEqual(kernels, {"6.1.0-57-arm64"},
                         "the bed's L1 kernel is not the one the recordings were made on "
                         "(Debian's linux-image-arm64 moved on): record them again with "
                         "hvfeat -r and rename them for the new kernel")
        for name, recording in (("vhe-host", VHE_RECORDING), ("nvhe-host", NVHE_RECORDING)):
            with self.subTest(case=name):
                log = self.cases[name].log()
                raw = (log[log.index("Arm ID registers:\n"):log.index("\nraw SMCCC answers")]
                       + log[log.index("SMCCC:\n"):log.index("\nresults:")])
                committed = (RECORDINGS / recording).read_text()
                self.assertEqual(raw, committed)

    def test_boot_times(self):
        for l1 in self.l1s:
            for case in l1.cases:
                print(f"arm64: {case.name}: L2 boot-to-verdict {case.seconds:.1f} s",
                      file=sys.stderr)
                self.assertLess(case.seconds, bed.L2_TIMEOUT)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    import run_suite
    sys.exit(run_suite.run(sys.modules[__name__], "arm64"))
