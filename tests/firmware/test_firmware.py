"""hvfeat.efi in real firmware: OVMF under QEMU, an mtools ESP, startup.nsh.

Every case boots once; the boots run two at a time (the machines have two
cores) before the assertions, which then read the console transcript and the
files left on the ESP image.
"""

import concurrent.futures
import json
import re
import subprocess
import sys
import unittest
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "qemu"))
import hvfeat_vm as vm  # noqa: E402

EFI = ROOT / "build" / "hvfeat.efi"
SIGNED_EFI = ROOT / "build" / "hvfeat.signed.efi"
HOST_HVFEAT = ROOT / "build" / "hvfeat"
DUMPS = ROOT / "tests" / "dumps"
WORK = ROOT / "build" / "firmware-tests"
# TCG boots take about 4 s here; the limit only has to catch a hang.
BOOT_TIMEOUT = 120
# The exit contract (README): the shell shows statuses without the error bit.
PASS, USAGE_ERROR, REQUIREMENT_FAILED, NOT_DONE = 0x0, 0x2, 0x3, 0x15

# Leaf 0x40000000 under TCG, as the reference tables give it.
TCG_RAW_LINE = ("   0x40000000 0x00: eax=0x40000001 ebx=0x54474354 "
                "ecx=0x43544743 edx=0x47435447\n")
STALE_LOG = b"stale line from an older, longer run\r\n" * 4000
POLICY = b"""# What a TCG test guest must show
hypervisor_bit
interface.tcg.base = 0x40000000   # QEMU's own signature, first
interface.kvm = 0
"""


@dataclass
class Case:
    name: str
    arguments: str = ""  # or a tuple of argument strings, one hvfeat run each
    cpu: str = None
    accel: str = "tcg"
    esp_readonly: bool = False
    extra_files: dict = field(default_factory=dict)
    # Booted directly from a GPT disk as BOOTX64.EFI, with these options in
    # \hvfeat.cfg, instead of from the shell's startup.nsh.
    direct_boot_options: str = None
    efi: Path = EFI
    secure_boot: bool = False
    devices: tuple = ()
    # filled in by the boot
    boot: vm.Boot = None
    esp: Path = None
    files_before: list = None


CASES = {c.name: c for c in [
    Case("default"),
    Case("no-hypervisor-bit", cpu="qemu64,-hypervisor"),
    Case("tcg-cpuid-off", cpu="qemu64,tcg-cpuid=off"),
    Case("stale-log", extra_files={"hvfeat.log": STALE_LOG}),
    Case("log-path", arguments=r"-l \logs\vm1.log", extra_files={"logs/keep.txt": b"x"}),
    Case("log-dir-missing", arguments=r"-l \nodir\vm1.log"),
    Case("no-log", arguments="-n"),
    Case("unknown-option", arguments="-x", extra_files={"hvfeat.log": b"old log\n"}),
    Case("readonly-esp", esp_readonly=True, extra_files={"hvfeat.log": b"old log\n"}),
    Case("kvm", accel="kvm"),
    Case("replay", arguments=(
        r"-f \dumps\hyperv-kvm.txt -l \hyperv-kvm.log",
        r"-f \dumps\xen-viridian.txt -l \xen-viridian.log",
        r"-f \dumps\vmware.txt -l \vmware.log -J \vmware.json",
        r"-f \dumps\xen-hvm.txt -j -l \xen-hvm.json",
        r"-f \dumps\malformed.txt -l \malformed.log",
        r"-f \dumps\absent.txt -l \absent.log",
    ), extra_files={f"dumps/{name}": (DUMPS / name).read_bytes() for name in (
        "hyperv-kvm.txt", "xen-viridian.txt", "vmware.txt", "xen-hvm.txt", "malformed.txt")}),
    Case("policy", arguments=(
        r"--require interface.tcg,interface.tcg.base=0x40000000,hypervisor_bit=1 -l \pass.log",
        r"--require kvm.pv_unhalt,hypervisor_bit -l \fail.log",
        r"--policy \policy.txt -l \policy.log",
        r"--require kvm.pv_unhlat -l \typo.log",
        r"--policy \absent.txt -l \absent.log",
        r"-f \dumps\hyperv-kvm.txt --require kvm.pv_unhalt,kvm.hints.realtime=1,"
        r"interface.kvm.base=0x40000100 -j -l \hyperv-kvm.json",
    ), extra_files={"policy.txt": POLICY, "dumps/hyperv-kvm.txt": (DUMPS / "hyperv-kvm.txt").read_bytes()}),
    Case("direct-boot", direct_boot_options="--shutdown"),
    Case("exit-port-pass", direct_boot_options="--require interface.tcg --exit-port --shutdown",
         devices=(vm.DEBUG_EXIT_DEVICE,)),
    Case("exit-port-fail", direct_boot_options="--require kvm.pv_unhalt --exit-port",
         devices=(vm.DEBUG_EXIT_DEVICE,)),
    Case("secure-boot-signed", direct_boot_options="--shutdown", efi=SIGNED_EFI,
         secure_boot=True),
    Case("secure-boot-unsigned", direct_boot_options="--shutdown", secure_boot=True),
    Case("raw-round-trip", arguments=(
        r"-r -l \cpuid.txt",
        "",
        r"-f \cpuid.txt -l \replayed.log",
    )),
]}
KVM = {"usable": False, "reason": "not probed"}


def refused(console, errors):
    """Secure Boot turned the image (and then the built-in shell) away."""
    return b"Access Denied" in console or b"Security Violation" in console


def run_case(case):
    workdir = WORK / case.name
    if case.direct_boot_options is not None:
        files = vm.direct_boot_files(case.efi.read_bytes(), case.direct_boot_options)
        files.update(case.extra_files)
        case.esp = vm.make_disk_image(workdir / "disk.img", files)
    else:
        runs = (case.arguments,) if isinstance(case.arguments, str) else case.arguments
        files = {"hvfeat.efi": case.efi.read_bytes(),
                 "startup.nsh": vm.startup_script(*runs).encode()}
        files.update(case.extra_files)
        case.esp = vm.make_esp(workdir / "esp.img", files)
    case.files_before = vm.list_esp(case.esp)
    case.boot = vm.boot(case.esp, workdir, accel=case.accel, cpu=case.cpu,
                        esp_readonly=case.esp_readonly, timeout=BOOT_TIMEOUT,
                        answer_countdown=case.direct_boot_options is None,
                        secure_boot=case.secure_boot, devices=case.devices,
                        stop_when=refused if case.secure_boot else None)
    return case


def setUpModule():
    for built in (EFI, SIGNED_EFI, HOST_HVFEAT):
        if not built.exists():
            raise RuntimeError(f"{built} is missing: run 'make firmware-test'")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        probe = pool.submit(vm.kvm_usable, WORK / "kvm-probe")
        tcg_boots = [pool.submit(run_case, c) for c in CASES.values() if c.accel == "tcg"]
        KVM["usable"], KVM["reason"] = probe.result()
        if KVM["usable"]:
            tcg_boots.append(pool.submit(run_case, CASES["kvm"]))
        for boot in tcg_boots:
            boot.result()
    print(f"\nfirmware tests: accelerator for the KVM case: "
          f"{'kvm' if KVM['usable'] else 'none (skipped)'}: {KVM['reason']}",
          file=sys.stderr)


class FirmwareCase(unittest.TestCase):
    def case(self, name, qemu_exit=0):
        case = CASES[name]
        boot = case.boot
        self.assertIsNotNone(boot, f"{name} did not boot")
        self.assertFalse(boot.timed_out,
                         f"{name}: QEMU did not power off within {BOOT_TIMEOUT} s; "
                         f"console so far:\n{boot.console[-3000:]}")
        self.assertEqual(boot.exit_code, qemu_exit,
                         f"{name}: QEMU exit {boot.exit_code}: {boot.stderr[-500:]}")
        if case.direct_boot_options is None:
            self.assertTrue(boot.countdown_answered,
                            f"{name}: the startup.nsh countdown never appeared")
        return case

    def exit_status(self, case):
        status = vm.exit_status_from_console(case.boot.console)
        self.assertIsNotNone(status, "startup.nsh did not echo hvfeat's exit status:\n"
                             + case.boot.console[-2000:])
        return status

    def log(self, case, path="/hvfeat.log"):
        data = vm.read_esp_file(case.esp, path)
        self.assertIsNotNone(data, f"{path} is not on the ESP; it holds {vm.list_esp(case.esp)}")
        return data.decode("ascii")

    def console_report(self, case):
        report = vm.report_from_console(case.boot.console)
        self.assertIsNotNone(report, "no complete report on the console:\n"
                             + case.boot.console[-3000:])
        return report

    def assert_log_is_console_report(self, case, path="/hvfeat.log"):
        """The log's report, checked against the console's byte for byte.

        startup.nsh adds hvfeat's exit status to the end of \\hvfeat.log; it
        must be the status the console showed."""
        log, recorded = vm.split_recorded_statuses(self.log(case, path))
        self.assertEqual(log, self.console_report(case),
                         "the log and the console report differ")
        if path == "/hvfeat.log":
            self.assertEqual(recorded, vm.exit_statuses_from_console(case.boot.console))
        return log


class DefaultTcg(FirmwareCase):
    def test_tcg_signature_decoded_and_logged(self):
        case = self.case("default")
        log = self.assert_log_is_console_report(case)
        self.assertEqual(self.exit_status(case), 0)
        self.assertIn("hypervisor bit (CPUID.1:ECX[31]): set\n", log)
        self.assertIn("interfaces: 1 (bases 0x40000000-0x4000ff00 scanned)\n"
                      "  0x40000000  QEMU TCG\n", log)
        self.assertIn('  signature: "TCGTCGTCGTCG"\n  max leaf: 0x40000001\n', log)
        self.assertIn(TCG_RAW_LINE, log)
        self.assertIn("source: CPUID instruction\n", log)

    def test_no_temporary_file_left(self):
        case = self.case("default")
        self.assertEqual(vm.list_esp(case.esp), sorted(case.files_before + ["/hvfeat.log"]))


class OtherCpuModels(FirmwareCase):
    def test_hypervisor_bit_clear(self):
        case = self.case("no-hypervisor-bit")
        log = self.assert_log_is_console_report(case)
        self.assertIn("hypervisor bit (CPUID.1:ECX[31]): clear - no hypervisor advertised\n", log)
        self.assertIn("interfaces: not scanned", log)
        # QEMU TCG keeps answering leaf 0x40000000 without the bit.
        self.assertIn('note: leaf 0x40000000 answers anyway, as "TCGTCGTCGTCG" (QEMU TCG)', log)
        self.assertIn(TCG_RAW_LINE, log)
        self.assertEqual(self.exit_status(case), 0)

    def test_bit_set_without_signature(self):
        case = self.case("tcg-cpuid-off")
        log = self.assert_log_is_console_report(case)
        self.assertIn("hypervisor bit (CPUID.1:ECX[31]): set\n", log)
        self.assertIn("interfaces: 0 (bases", log)
        self.assertNotIn("0x40000000 0x00:", log)
        self.assertEqual(self.exit_status(case), 0)

    def test_kvm(self):
        if not KVM["usable"]:
            self.skipTest(f"KVM unusable here: {KVM['reason']}")
        case = self.case("kvm")
        log = self.assert_log_is_console_report(case)
        self.assertIn("  0x40000000  KVM\n", log)
        self.assertIn('signature: "KVMKVMKVM\\0\\0\\0"', log)
        # QEMU enables kvmclock on its default CPU models.
        self.assertRegex(log, r"\n    yes  3 KVM_FEATURE_CLOCKSOURCE2 ")
        self.assertEqual(self.exit_status(case), 0)


class LogFile(FirmwareCase):
    def test_longer_old_log_leaves_no_stale_bytes(self):
        case = self.case("stale-log")
        log = self.assert_log_is_console_report(case)
        self.assertNotIn("stale", log)
        self.assertLess(len(log), len(STALE_LOG))

    def test_log_path_option(self):
        case = self.case("log-path")
        self.assert_log_is_console_report(case, "/logs/vm1.log")
        self.assertIsNone(vm.read_esp_file(case.esp, "/hvfeat.log"))
        self.assertEqual(self.exit_status(case), 0)

    def test_no_log_option(self):
        case = self.case("no-log")
        self.console_report(case)
        self.assertEqual(vm.list_esp(case.esp), case.files_before)
        self.assertEqual(self.exit_status(case), 0)

    def test_log_directory_missing(self):
        case = self.case("log-dir-missing")
        self.console_report(case)
        self.assertIn("hvfeat: log \\nodir\\vm1.log not written: creating the "
                      "temporary file failed: Not Found", case.boot.console)
        self.assertEqual(self.exit_status(case), NOT_DONE)
        self.assertEqual(vm.list_esp(case.esp), case.files_before)

    def test_read_only_esp(self):
        case = self.case("readonly-esp")
        self.console_report(case)
        self.assertIn("hvfeat: log \\hvfeat.log not written: creating the "
                      "temporary file failed: Write Protected", case.boot.console)
        self.assertEqual(self.exit_status(case), NOT_DONE)
        self.assertEqual(vm.list_esp(case.esp), case.files_before)
        self.assertEqual(vm.read_esp_file(case.esp, "/hvfeat.log"), b"old log\n")


class Usage(FirmwareCase):
    def test_unknown_option(self):
        case = self.case("unknown-option")
        console = case.boot.console
        self.assertIn("hvfeat: unknown option '-x'\nusage: hvfeat.efi", console)
        self.assertIsNone(vm.report_from_console(console))
        self.assertEqual(self.exit_status(case), USAGE_ERROR)
        self.assertEqual(vm.list_esp(case.esp), case.files_before)
        self.assertEqual(vm.read_esp_file(case.esp, "/hvfeat.log"), b"old log\n")


def without_source_line(report):
    """A report minus its 'source:' line, which names where CPUID came from."""
    return re.sub(r"^source: .*\n", "", report, count=1, flags=re.M)


def host_hvfeat(*arguments):
    result = subprocess.run([str(HOST_HVFEAT), *arguments], capture_output=True, text=True)
    return result.returncode, result.stdout, result.stderr


class Replay(FirmwareCase):
    """Dumps of other hypervisors' layouts, replayed in firmware from the ESP."""

    def test_each_layout_decodes_in_firmware_as_on_the_host(self):
        case = self.case("replay")
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console)[:4], [0, 0, 0, 0])
        for name in ("hyperv-kvm", "xen-viridian", "vmware"):
            with self.subTest(layout=name):
                log = self.log(case, f"/{name}.log")
                self.assertIn(f"source: dump \\dumps\\{name}.txt\n", log)
                code, host_report, _ = host_hvfeat("-f", str(DUMPS / f"{name}.txt"))
                self.assertEqual(code, 0)
                self.assertEqual(without_source_line(log), without_source_line(host_report))

    def test_layouts_in_the_firmware_logs(self):
        case = self.case("replay")
        kvm = self.log(case, "/hyperv-kvm.log")
        self.assertIn("  0x40000000  Microsoft Hyper-V\n  0x40000100  KVM\n", kvm)
        self.assertIn("KVM PV features at 0x40000100", kvm)
        self.assertIn("features: leaf 0x40000101 eax = 0x01007afb", kvm)
        self.assertIn("    no  10 KVM_FEATURE_ASYNC_PF_VMEXIT", kvm)
        self.assertIn("    build_number         14393", kvm)
        xen = self.log(case, "/xen-viridian.log")
        self.assertIn("  0x40000100  Xen\n", xen)
        self.assertIn("    major_version        4  (Xen major version)", xen)
        self.assertIn("    host_tsc_khz         2600000 kHz", xen)
        vmware = self.log(case, "/vmware.log")
        self.assertIn("    apic_bus_khz         1000000 kHz", vmware)
        self.assertIn("    yes  1 CPUID_VMWARE_FEATURES_ECX_VMCALL", vmware)

    def test_json_files_are_valid_and_carry_the_decoding(self):
        case = self.case("replay")
        for path in ("/vmware.json", "/xen-hvm.json"):
            data = vm.read_esp_file(case.esp, path)
            self.assertIsNotNone(data, f"{path} missing")
            jq = subprocess.run(["jq", "-e", ".tool == \"hvfeat\" and .source.kind == \"recording\"",
                                 ], input=data, capture_output=True)
            self.assertEqual(jq.returncode, 0, f"{path}: jq says {jq.stderr.decode()}")
        vmware = json.loads(vm.read_esp_file(case.esp, "/vmware.json"))
        timing = [d for d in vmware["interfaces"][0]["decoded"] if d["register"] == "ebx"][0]
        self.assertEqual(timing["fields"][0], {"id": "apic_bus_khz", "key": "vmware.apic_bus_khz",
                                               "meaning": "local APIC bus frequency",
                                               "value": 1000000, "format": "khz"})
        xen = json.loads(vm.read_esp_file(case.esp, "/xen-hvm.json"))
        self.assertEqual(xen["interfaces"][0]["signature"], "XenVMMXenVMM")
        self.assertEqual(xen["interfaces"][0]["base"], 0x40000000)
        # -J beside the text log: the log stays text
        self.assertTrue(self.log(case, "/vmware.log").startswith("hvfeat "))

    def test_malformed_and_missing_dumps(self):
        case = self.case("replay")
        statuses = vm.exit_statuses_from_console(case.boot.console)
        self.assertEqual(statuses[4:], [NOT_DONE, NOT_DONE])
        console = case.boot.console
        self.assertIn("hvfeat: \\dumps\\malformed.txt:3: not a cpuid -r line\n", console)
        self.assertIn("hvfeat: \\dumps\\malformed.txt:6: leaf and sub-leaf given twice\n", console)
        self.assertIn("hvfeat: dump \\dumps\\absent.txt not read: opening the file failed: "
                      "Not Found", console)
        self.assertIsNone(vm.read_esp_file(case.esp, "/malformed.log"))
        self.assertIsNone(vm.read_esp_file(case.esp, "/absent.log"))


class Policy(FirmwareCase):
    def test_requirements_pass_fail_and_exit_statuses(self):
        case = self.case("policy")
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console),
                         [PASS, REQUIREMENT_FAILED, PASS, USAGE_ERROR, NOT_DONE, PASS])
        passed = self.log(case, "/pass.log")
        self.assertIn("\nchecks: 3 requirements\n"
                      "  PASS  interface.tcg = 1  (found 1)\n"
                      "  PASS  interface.tcg.base = 0x40000000  (found 0x40000000)\n"
                      "  PASS  hypervisor_bit = 1  (found 1)\n"
                      "verdict: PASS, all 3 requirements met\n"
                      "end of hvfeat report\n", passed)
        failed = self.log(case, "/fail.log")
        self.assertIn("  FAIL  kvm.pv_unhalt = 1  (no kvm interface)\n"
                      "  PASS  hypervisor_bit = 1  (found 1)\n"
                      "verdict: FAIL, 1 of 2 requirements not met\n", failed)

    def test_policy_file(self):
        case = self.case("policy")
        log = self.log(case, "/policy.log")
        self.assertIn("  PASS  interface.tcg.base = 0x40000000  (found 0x40000000)\n"
                      "  PASS  interface.kvm = 0  (found 0)\n"
                      "verdict: PASS, all 3 requirements met\n", log)

    def test_bad_requirements_touch_nothing(self):
        case = self.case("policy")
        console = case.boot.console
        self.assertIn("hvfeat: --require: requirement 'kvm.pv_unhlat' names nothing "
                      "hvfeat decodes\n", console)
        self.assertIn("hvfeat: policy \\absent.txt not read: opening the file failed: "
                      "Not Found", console)
        self.assertIsNone(vm.read_esp_file(case.esp, "/typo.log"))
        self.assertIsNone(vm.read_esp_file(case.esp, "/absent.log"))

    def test_verdict_in_json_from_a_replay(self):
        case = self.case("policy")
        report = json.loads(self.log(case, "/hyperv-kvm.json"))
        self.assertEqual(report["verdict"], "pass")
        self.assertEqual([c["requirement"] for c in report["checks"]],
                         ["kvm.pv_unhalt = 1", "kvm.hints.realtime = 1",
                          "interface.kvm.base = 0x40000100"])
        self.assertEqual(report["checks"][2]["found"], 0x40000100)


class DirectBoot(FirmwareCase):
    """hvfeat as \\EFI\\BOOT\\BOOTX64.EFI on a GPT disk: no shell, options from
    \\hvfeat.cfg, and the verdict reaches the host by itself."""

    def test_boots_to_the_verdict_and_powers_off(self):
        case = self.case("direct-boot")
        self.assertNotIn("UEFI Interactive Shell", case.boot.console)
        self.assert_log_is_console_report(case)
        self.assertIn("hypervisor bit (CPUID.1:ECX[31]): set\n", self.log(case))

    def test_exit_port_carries_a_pass(self):
        case = self.case("exit-port-pass", qemu_exit=(PASS << 1) | 1)
        self.assertEqual(vm.debug_exit_verdict(case.boot.exit_code), PASS)
        self.assertIn("verdict: PASS", self.log(case))

    def test_exit_port_carries_a_failure_without_shutdown(self):
        case = self.case("exit-port-fail", qemu_exit=(REQUIREMENT_FAILED << 1) | 1)
        self.assertEqual(vm.debug_exit_verdict(case.boot.exit_code), REQUIREMENT_FAILED)
        self.assertIn("  FAIL  kvm.pv_unhalt = 1  (no kvm interface)\n", self.log(case))


class SecureBoot(FirmwareCase):
    """OVMF with Secure Boot enforced and the snakeoil keys enrolled."""

    def test_signed_image_boots_and_logs(self):
        case = self.case("secure-boot-signed")
        self.assert_log_is_console_report(case)

    def test_unsigned_image_is_refused(self):
        case = CASES["secure-boot-unsigned"]
        self.assertFalse(case.boot.timed_out, case.boot.console[-2000:])
        self.assertIn('failed to load Boot0001 "UEFI Misc Device" from '
                      'PciRoot(0x0)/Pci(0x1,0x0): Access Denied', case.boot.console)
        self.assertIsNone(vm.report_from_console(case.boot.console))
        self.assertEqual(vm.list_esp(case.esp), case.files_before)


class RawRoundTrip(FirmwareCase):
    """A dump taken in firmware decodes to the firmware's own report."""

    def test_firmware_dump_replayed_in_firmware_and_on_the_host(self):
        case = self.case("raw-round-trip")
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console), [0, 0, 0])
        dump = self.log(case, "/cpuid.txt")
        self.assertTrue(dump.startswith("CPU:\n"))
        self.assertIn(TCG_RAW_LINE, dump)
        for line in dump.splitlines()[1:]:
            self.assertRegex(line, r"^   0x[0-9a-f]{8} 0x[0-9a-f]{2}: eax=0x[0-9a-f]{8} "
                                   r"ebx=0x[0-9a-f]{8} ecx=0x[0-9a-f]{8} edx=0x[0-9a-f]{8}$")
        report, recorded = vm.split_recorded_statuses(self.log(case))
        self.assertEqual(recorded, [0, 0])
        replayed = self.log(case, "/replayed.log")
        self.assertIn("source: dump \\cpuid.txt\n", replayed)
        self.assertEqual(without_source_line(replayed), without_source_line(report))

        dump_file = WORK / "raw-round-trip" / "cpuid.txt"
        dump_file.write_text(dump)
        code, host_report, errors = host_hvfeat("-f", str(dump_file))
        self.assertEqual(code, 0, errors)
        self.assertEqual(without_source_line(host_report), without_source_line(report))


if __name__ == "__main__":
    runner = unittest.TextTestRunner(verbosity=2)
    result = runner.run(unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]))
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    passed = max(result.testsRun - failed - skipped, 0)
    print(f"firmware: {passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(0 if result.wasSuccessful() else 1)
