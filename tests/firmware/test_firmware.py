"""hvfeat.efi in real firmware: OVMF under QEMU, an mtools ESP, startup.nsh.

The cases that can share a machine share a boot (see Case.boot_group); the
boots run two at a time (the machines have two cores) before the
assertions, which then read each case's share of the console transcript
and the files left on the ESP images.
"""

import concurrent.futures
import json
import re
import shutil
import subprocess
import sys
import unittest
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "qemu"))
sys.path.insert(0, str(ROOT / "tests"))
import ci_consumers  # noqa: E402
import firmware_vm as vm  # noqa: E402

EFI = ROOT / "build" / "hvfeat.efi"
GUARD_CHECK = ROOT / "build" / "guard_check.efi"
LAUNCHER = ROOT / "build" / "launcher.efi"
SMBIOS_PLANT = ROOT / "build" / "smbios_plant.efi"
SIGNED_EFI = ROOT / "build" / "hvfeat.signed.efi"
HOST_HVFEAT = ROOT / "build" / "hvfeat"
DUMPS = ROOT / "tests" / "dumps"
WORK = ROOT / "build" / "firmware-tests"
# TCG boots take about 4 s here; the limit only has to catch a hang.
BOOT_TIMEOUT = 120
# The exit contract (README): the shell shows statuses without the error bit.
# The EFI_STATUS the shell's %lasterror% shows (README, "Exit statuses").
PASS, USAGE_ERROR, FAILED, NOT_DONE = 0x0, 0x2, 0x3, 0x15
# Exit classes on the isa-debug-exit port, from the README's table: pass,
# usage and failure keep the values of the statuses; work not done is
# "not passed" (0x02) plus "error" (0x10); a waived failure is a warning.
PORT_NOT_DONE, PORT_WARNED = 0x12, 0x04


def requirement_results(report):
    """(outcome, requirement) of each require. result the text report lists."""
    return re.findall(r"^  (PASS|FAIL|WARN)  require\.(\S+):", report, re.MULTILINE)

# Leaf 0x40000000 under TCG, as the reference tables give it.
TCG_RAW_LINE = ("   0x40000000 0x00: eax=0x40000001 ebx=0x54474354 "
                "ecx=0x43544743 edx=0x47435447\n")
STALE_LOG = b"stale line from an older, longer run\r\n" * 4000
AMD_BASIC = ("   0x00000000 0x00: eax=0x00000010 ebx=0x68747541 ecx=0x444d4163 edx=0x69746e65\n"
             "   0x00000001 0x00: eax=0x00a00f11 ebx=0x00020800 ecx=0x80000000 edx=0x00000000\n")


KVM_HOST_DUMP = "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt"
# A baseline as jq lays hvfeat's JSON out (committed: tests/dumps/reports).
BASELINE_JSON = (DUMPS / "reports" / "hyperv-kvm.jq.json").read_bytes()
# An SEV-SNP guest's leaves as QEMU fills them (tests/dumps, README "Tests").
SNP_SPEC_DUMP = "spec-sev-snp-qemu-kvm.txt"
# In the order the README's table gives them: Hyper-V's clocks first.
PROBE_KEYS = ["hyperv.vp_index", "hyperv.time_ref_count", "hyperv.reference_tsc",
              "kvm.clocksource2", "kvm.clocksource", "kvm.clock_cross_vcpu",
              "kvm.steal_time", "kvm.async_pf",
              "kvm.pv_eoi", "kvm.poll_control", "kvm.async_pf_int", "kvm.hypercall",
              "kvm.pv_sched_yield", "kvm.tsc_khz"]


def as_shell_writes(ascii_text):
    """A file as the UEFI shell's '>' redirection writes it: UCS-2 with a BOM."""
    return b"\xff\xfe" + ascii_text.decode("ascii").replace("\n", "\r\n").encode("utf-16-le")


def dump_line(leaf, regs, subleaf=0):
    eax, ebx, ecx, edx = regs
    return (f"   0x{leaf:08x} 0x{subleaf:02x}: eax=0x{eax:08x} ebx=0x{ebx:08x} "
            f"ecx=0x{ecx:08x} edx=0x{edx:08x}\n")


def signature_regs(signature):
    """EBX, ECX, EDX of a 12-byte signature."""
    return [int.from_bytes(signature[i:i + 4], "little") for i in (0, 4, 8)]


def hostile_signature(base_index):
    """12 bytes with control bytes, quotes, backslashes and high bytes."""
    return bytes([base_index, 0x22, 0x5c, 0x1b, 0x00, 0x7f, 0xff, 0x0a,
                  0x41 + base_index % 26, 0x27, 0x09, 0x80 | base_index % 128])


# Every base answers KVM's signature with a max leaf of 0xffffffff.
HOSTILE_MAX = "CPU:\n" + AMD_BASIC + "".join(
    dump_line(0x40000000 + i * 0x100, (0xffffffff, 0x4b4d564b, 0x564b4d56, 0x0000004d))
    for i in range(256))
# A different hostile signature at every one of the 256 bases.
ALL_BASES = "CPU:\n" + AMD_BASIC + "".join(
    dump_line(0x40000000 + i * 0x100, (0x40000000 + i * 0x100, *signature_regs(hostile_signature(i))))
    for i in range(256))
# KVM, Hyper-V, Xen and VMware with every register of every leaf all ones.
ONES = (0xffffffff,) * 4
ALL_ONES = "CPU:\n" + AMD_BASIC + "".join(
    [dump_line(0x40000000, (0x40000010, 0x4b4d564b, 0x564b4d56, 0x0000004d))]
    + [dump_line(0x40000000 + leaf, ONES) for leaf in range(1, 0x11)]
    + [dump_line(0x40000100, (0x4000010c, 0x7263694d, 0x666f736f, 0x76482074)),
       dump_line(0x40000101, (0x31237648, 0xffffffff, 0xffffffff, 0xffffffff))]
    + [dump_line(0x40000100 + leaf, ONES) for leaf in range(2, 0xd)]
    + [dump_line(0x40000200, (0x40000205, 0x566e6558, 0x65584d4d, 0x4d4d566e))]
    + [dump_line(0x40000200 + leaf, ONES, sub) for leaf in range(1, 6)
       for sub in (range(3) if leaf == 3 else [0])]
    + [dump_line(0x40000300, (0x40000310, 0x61774d56, 0x4d566572, 0x65726177)),
       dump_line(0x40000310, ONES)])
HOSTILE_DUMPS = {"hostile-max": HOSTILE_MAX, "all-bases": ALL_BASES, "all-ones": ALL_ONES}
# Load options in ASCII, as efibootmgr -@ FILE stores a file: an odd count
# of bytes, so no reading could take them for UCS-2.
ASCII_LOAD_OPTIONS = b"--require interface.tcg,hypervisor_bit -n"
assert len(ASCII_LOAD_OPTIONS) % 2
POLICY = b"""# What a TCG test guest must show
hypervisor_bit
interface.tcg.base = 0x40000000   # QEMU's own signature, first
interface.kvm = 0
"""


# What QEMU's -smbios options give the tables (hw/smbios/smbios.c builds
# type 0 only when a type=0 field is given, extension byte 2 0x14, | 0x08
# with uefi=on; type 1 with these strings and the UUID; one type 11 with a
# string per value), and the JSON key each field has in hvfeat's report.
SMBIOS_TYPE0 = {"vendor": "hvfeat test firmware", "version": "4.2", "date": "12/31/2024"}
SMBIOS_TYPE1 = {"manufacturer": "Acme, Inc.", "product": "Road Runner #1", "version": "1.0-beta",
                "serial": "SN-0042", "uuid": "6A2B9F1E-3C4D-4E5F-8A9B-0C1D2E3F4A5B",
                "sku": "SKU-7", "family": "Looney Tunes"}
SMBIOS_TYPE11 = ["io.systemd.credential:hvfeat=works", "second, with a comma"]
SMBIOS_JSON_KEYS = {"date": "release_date"}


def qemu_fields(fields):
    """QEMU's option syntax: a comma in a value is written twice."""
    return ",".join(f"{name}={value.replace(',', ',,')}" for name, value in fields)


SMBIOS_OPTIONS = (qemu_fields([("type", "0"), *SMBIOS_TYPE0.items(), ("uefi", "on")]),
                  qemu_fields([("type", "1"), *SMBIOS_TYPE1.items()]),
                  qemu_fields([("type", "11"), *(("value", v) for v in SMBIOS_TYPE11)]))
# Requirements on all of them, in a policy file (quoted values hold the
# comma and the '#'; the UUID as RFC 4122 writes it, lower case).
SMBIOS_POLICY = "\n".join([
    "# the tables as QEMU's -smbios options make them",
    "smbios.present", "smbios.type0.vm = 1", "smbios.type0.uefi = 1",
    *(f'smbios.type0.{SMBIOS_JSON_KEYS.get(k, k)} = "{v}"' for k, v in SMBIOS_TYPE0.items()),
    *(f'smbios.type1.{k} = "{v.lower() if k == "uuid" else v}"' for k, v in SMBIOS_TYPE1.items()),
    f"smbios.type11.count = {len(SMBIOS_TYPE11)}",
    *(f'smbios.type11.{i} = "{v}"' for i, v in enumerate(SMBIOS_TYPE11, 1)), ""]).encode()


@dataclass
class Case:
    name: str
    arguments: str = ""  # or a tuple of argument strings, one hvfeat run each
    cpu: str = None
    smp: int = 1  # QEMU's vCPUs
    esp_readonly: bool = False
    extra_files: dict = field(default_factory=dict)
    # Booted directly from a GPT disk as BOOTX64.EFI, with these options in
    # \hvfeat.cfg, instead of from the shell's startup.nsh.
    direct_boot_options: str = None
    efi: Path = EFI
    secure_boot: bool = False
    devices: tuple = ()
    # QEMU -smbios options; a boot's cases all see every one of them.
    smbios: tuple = ()
    machine: str = "q35"
    fill: bool = False                 # no free byte left on the ESP
    writable_first_disk: bool = False  # an empty writable FAT volume as FS0
    # Started by OVMF from QEMU's -kernel with these load options (-append),
    # as a firmware boot entry with options starts it; the ESP stays empty.
    kernel_append: str = None
    # Installed as \EFI\hvfeat\hvfeat.efi and started with these options by
    # a boot manager, "systemd-boot" or "grub", booted from a GPT disk.
    boot_manager: tuple = None
    # A first boot makes a Boot#### entry with these options (the shell's
    # bcfg), the second boot starts it; the entry holds them in this encoding.
    boot_entry_options: str = None
    boot_entry_encoding: str = "utf-16-le"
    # Ends the boot once the console and stderr so far satisfy it.
    stop_when: object = None
    # Cases of one boot group share a boot, in the order CASES gives them:
    # shell cases run one after another from one startup.nsh (the ESP holds
    # all their files), directly booted ones are each a disk of their own,
    # which the firmware tries in turn. The group's machine must be the same
    # for all of them (their devices are all attached); only the last may
    # end the boot.
    boot_group: str = None
    # filled in by the boot
    boot: "CaseRun" = None
    esp: Path = None
    files_before: list = None

    @property
    def kind(self):
        """How the case's runs start: "shell" (startup.nsh), "kernel" (QEMU's
        -kernel), "boot-entry", "grub" or "systemd-boot", or "direct"."""
        if self.kernel_append is not None:
            return "kernel"
        if self.boot_entry_options is not None:
            return "boot-entry"
        if self.boot_manager is not None:
            return self.boot_manager[0]
        return "shell" if self.direct_boot_options is None else "direct"

    @property
    def from_shell(self):
        return self.kind == "shell"


CASES = {c.name: c for c in [
    # Boot group shell-a: runs that name their own files, then "default",
    # the one whose log is \hvfeat.log and whose status startup.nsh keeps.
    Case("replay", boot_group="shell-a", arguments=(
        r"-f \dumps\hyperv-kvm.txt -l \hyperv-kvm.log",
        r"-f \dumps\xen-viridian.txt -l \xen-viridian.log",
        r"-f \dumps\vmware.txt -l \vmware.log -J \vmware.json",
        r"-f \dumps\xen-hvm.txt -j -l \xen-hvm.json",
        r"-f \dumps\malformed.txt -l \malformed.log",
        r"-f \dumps\absent.txt -l \absent.log",
        r"-f \dumps\kvm-guest-intel.txt -l \kvm-guest-intel.log",
        r"-f \dumps\hyperv-snp.txt -l \hyperv-snp.log",
        rf"-f \dumps\{SNP_SPEC_DUMP} -l \sev-snp.log",
    ), extra_files={f"dumps/{name}": (DUMPS / name).read_bytes() for name in (
        "hyperv-kvm.txt", "xen-viridian.txt", "vmware.txt", "xen-hvm.txt", "malformed.txt",
        "kvm-guest-intel.txt", "hyperv-snp.txt", SNP_SPEC_DUMP)}),
    Case("policy", boot_group="shell-a", arguments=(
        r"--require interface.tcg,interface.tcg.base=0x40000000,hypervisor_bit=1 -l \pass.log",
        r"--require kvm.pv_unhalt,hypervisor_bit -l \fail.log",
        r"--policy \policy.txt -l \policy.log",
        r"--require kvm.pv_unhlat -l \typo.log",
        r"--policy \absent.txt -l \absent-policy.log",
        r"-f \dumps\hyperv-kvm.txt --require kvm.pv_unhalt,kvm.hints.realtime=1,"
        r"interface.kvm.base=0x40000100 -j -l \hyperv-kvm.json",
        r"--policy \policy16.txt -l \policy16.log",
    ), extra_files={"policy.txt": POLICY, "policy16.txt": as_shell_writes(POLICY),
                    "dumps/hyperv-kvm.txt": (DUMPS / "hyperv-kvm.txt").read_bytes()}),
    Case("hostile-replay", boot_group="shell-a", arguments=tuple(
        rf"-f \{name}.txt -l \{name}.log -J \{name}.json" for name in HOSTILE_DUMPS),
        extra_files={f"{name}.txt": text.encode() for name, text in HOSTILE_DUMPS.items()}),
    Case("raw-round-trip", boot_group="shell-a", arguments=(
        r"-r -l \cpuid.txt",
        r"-l \live.log",
        r"-f \cpuid.txt -l \replayed.log",
    )),
    # --probe under TCG: no KVM, nothing probed; a write QEMU's TCG refuses
    # with #GP (wrmsr of MSR_VM_HSAVE_PA with reserved bits set, QEMU 7.2
    # target/i386/tcg/sysemu/misc_helper.c) caught, a broken probe that
    # fails the verdict, and the next run goes on in the same firmware;
    # probes refused for a dump; a bad MSR spec.
    # Its last recorded status is 0x3 (a usage error records none), so
    # \\hvfeat.status shows whether default's own run was recorded.
    Case("probe", boot_group="shell-a", arguments=(
        r"--probe -j -l \probe.json",
        r"--probe-msr 0xc0010117=1 -l \gp.log",
        rf"-f \dumps\{KVM_HOST_DUMP} --require probe.kvm.clocksource2 -l \replay.log",
        r"--probe-msr 0xc0010117= -l \bad.log",
    ), extra_files={f"dumps/{KVM_HOST_DUMP}": (DUMPS / KVM_HOST_DUMP).read_bytes()}),
    # --baseline in firmware: a JSON report (jq's layout) against a real
    # KVM dump, with --write-policy; then baselines that cannot be used.
    Case("baseline", boot_group="shell-a", arguments=(
        r"--baseline \bl\golden.json -f \bl\now.txt -J \bl-diff.json -l \bl-diff.log "
        r"--write-policy \bl.policy",
        r"--baseline \bl\absent.json -l \bl-absent.log",
        r"--baseline \bl\cut.json -l \bl-cut.log",
    ), extra_files={"bl/golden.json": BASELINE_JSON, "bl/now.txt": (DUMPS / KVM_HOST_DUMP).read_bytes(),
                    "bl/cut.json": BASELINE_JSON[:3000]}),
    # A longer log from an earlier run is already there, and what an
    # interrupted run set aside before that.
    Case("default", boot_group="shell-a",
         extra_files={"hvfeat.log": STALE_LOG,
                      "hvfeat.log.old": b"set aside by an interrupted run\n"}),

    # Boot group shell-b: nothing here writes \hvfeat.log; the launcher's
    # last run ends the boot through the exit port.
    # JSON as the report: the log must stay a JSON document.
    Case("json-log", boot_group="shell-b", arguments=r"-j -l \json.log"),
    # SMBIOS as QEMU's -smbios options give it: the report, the JSON and a
    # policy of requirements on every value; then requirements it fails.
    # Then 3.x tables of the test's own (tests/firmware/smbios_plant.c)
    # that end where their memory does: a table without type 127, and an
    # entry point cut short; each taken out again after its run.
    Case("smbios", boot_group="shell-b", smbios=SMBIOS_OPTIONS, arguments=(
        r"-l \smbios.log -J \smbios.json --policy \smbios.policy",
        r"--require smbios.type1.sku=SKU-8,smbios.type0.vm=0,smbios.type11.3=x "
        r"-l \smbios-fail.log",
        vm.ShellCommand(f"{SMBIOS_PLANT.name} table"), r"-l \bound.log -J \bound.json",
        vm.ShellCommand(f"{SMBIOS_PLANT.name} remove"),
        vm.ShellCommand(f"{SMBIOS_PLANT.name} entry"), r"-l \entry.log -J \entry.json",
        vm.ShellCommand(f"{SMBIOS_PLANT.name} remove")),
        extra_files={"smbios.policy": SMBIOS_POLICY}),
    # The CI formats of one run: TAP on the console and as the log, JUnit
    # and JSON beside it; a requirement met, one not, one waived, and the
    # probes, none of which TCG advertises.
    Case("ci-formats", boot_group="shell-b",
         arguments=r"--tap -l \ci.tap --junit \ci.xml -J \ci.json --probe --require "
                   r"interface.tcg,kvm.pv_unhalt,hypervisor_bit=0 --waive require.hypervisor_bit"),
    Case("options", boot_group="shell-b",
         arguments=("-x", "-n", r"-l \nodir\vm1.log", r"-l \logs\vm1.log",
                    "--list-keys", "--version"),
         extra_files={"logs/keep.txt": b"x"}),
    # Options in the load options, as boot entries pass them (UCS-2, ended
    # by a NUL, as OVMF passes QEMU's -append): a failing requirement, the
    # image path first, a typo.
    Case("load-options", boot_group="shell-b", arguments=tuple(
        vm.Launch("file", rf"\lo\{name}.bin") for name in ("fail", "path-first", "typo")),
        extra_files={f"lo/{name}.bin": (options + "\0").encode("utf-16-le") for name, options in (
            ("fail", "--require interface.tcg,kvm.pv_unhalt -n"),
            ("path-first", r"\EFI\hvfeat\hvfeat.efi --require interface.tcg -n"),
            ("typo", "--requier interface.tcg -n"))}),
    # hvfeat started by the test launcher (tests/firmware/launcher.c) from
    # memory: from a firmware volume and from no device (no file system:
    # the defaults, the report, the log's failure), with load options of
    # every kind (ASCII, only the image path beside a hvfeat.cfg, UCS-2 with
    # an escape, binary of an odd length, too long), the watchdog a boot
    # manager armed left off each time; and, last, 70 words asking for the
    # port and the power-off. Before them, from the shell, logs whose
    # leftovers will not go: a PATH that is a directory (its .old stays), a
    # stale .old without PATH, a PATH.tmp that is a directory.
    Case("launcher", boot_group="shell-b", arguments=(
        r"-l \d1\x.log", r"-l \d2\y.log", r"-l \d3\z.log",
        vm.Launch("fv"),
        vm.Launch("none", r"\lo\ascii.txt"),
        vm.Launch("file", r"\lo\path-only.bin"),
        vm.Launch("file", r"\lo\escape.bin"),
        vm.Launch("file", r"\lo\binary.bin"),
        vm.Launch("file", r"\lo\oversize.txt"),
        vm.Launch("file", r"\lo\many-words.bin"),
    ), extra_files={
        "hvfeat.cfg": b"--require interface.tcg -l \\from-cfg.log\n",
        "lo/ascii.txt": ASCII_LOAD_OPTIONS,
        "lo/path-only.bin": "\\hvfeat.efi\0".encode("utf-16-le"),
        "lo/escape.bin": "--require\x1b[2J interface.tcg -n\0".encode("utf-16-le"),
        "lo/binary.bin": b"-n " + bytes(range(0xc0, 0xe2)),
        "lo/oversize.txt": b"-n " * 21846,
        "lo/many-words.bin": ("-n " * 70 + "--exit-port --shutdown\0").encode("utf-16-le"),
        "d1/x.log/keep.txt": b"a directory where the log goes\n",
        "d2/y.log.old": b"set aside by an interrupted run\n",
        "d3/z.log.tmp/keep.txt": b"a directory where the temporary file goes\n"},
        devices=(vm.DEBUG_EXIT_DEVICE,)),

    # Boot group shell-c: page breaks, which a script's 'ls -b' leaves on
    # for every later command, then a typo from the shell with the port
    # asked for, which ends the boot.
    # Messages to the shell's standard error, which 2> redirects; -b pages.
    # Then the page breaks: left off after -b found them off, and left on
    # when a command of the script ("ls -b") turned them on.
    Case("shell-manners", boot_group="shell-c",
         arguments=(r"-x 2>a \errors.txt", r"-b -f \long.txt",
                    r"-n -f \long.txt", vm.ShellCommand("ls -b"),
                    r"-n -f \long.txt"),
         extra_files={"long.txt": (DUMPS / "kvm-real-6.1.0-56-amd64-qemu-7.2-hv-passthrough.txt")
                      .read_bytes()}),
    Case("shell-typo", boot_group="shell-c", arguments="--requier interface.tcg --exit-port",
         devices=(vm.DEBUG_EXIT_DEVICE,)),

    # Machines of their own: another CPU, a read-only or a full volume.
    # With QEMU's SMBIOS 3.0 entry point (smbios-entry-point-type=64),
    # which OVMF then publishes under SMBIOS3_TABLE_GUID.
    Case("no-hypervisor-bit", cpu="qemu64,-hypervisor",
         machine="q35,smbios-entry-point-type=64"),
    Case("tcg-cpuid-off", cpu="qemu64,tcg-cpuid=off"),
    Case("readonly-esp", esp_readonly=True, extra_files={"hvfeat.log": b"old log\n"}),
    # hvfeat and startup.nsh on a read-only disk, mapped after a writable
    # one; then the log named on the writable one by its shell volume name.
    Case("app-on-read-only-volume", arguments=("", r"-l fs0:\elsewhere.log"),
         esp_readonly=True, writable_first_disk=True),
    Case("esp-full", extra_files={"hvfeat.log": b"old log\n"}, fill=True),

    # Booted directly, each a boot of its own: the run ends the machine.
    # Four vCPUs, which OVMF starts through EFI_MP_SERVICES_PROTOCOL.
    Case("direct-boot", direct_boot_options=r"--shutdown -J \vcpus.json "
         r"--require vcpu.count=4,vcpu.consistent,vcpu.differing=0", smp=4),
    Case("exit-port-fail", direct_boot_options="--require kvm.pv_unhalt --exit-port",
         devices=(vm.DEBUG_EXIT_DEVICE,)),
    # \hvfeat.cfg as the shell's '>' writes files: UCS-2 with a byte-order
    # mark; a pass told through the port, then the power-off.
    Case("config-ucs2", direct_boot_options="",
         extra_files={"hvfeat.cfg": as_shell_writes(
             b"--require interface.tcg,hypervisor_bit --exit-port --shutdown\n")},
         devices=(vm.DEBUG_EXIT_DEVICE,)),
    # A typo before the power options: still told through the port, still off.
    Case("config-typo", direct_boot_options="--requier kvm.pv_unhalt --exit-port --shutdown",
         devices=(vm.DEBUG_EXIT_DEVICE,)),
    # The unsigned image on the first disk is refused; the firmware goes on
    # to the signed one on the second (stopped early if that is refused too).
    Case("secure-boot-unsigned", boot_group="secure-boot", direct_boot_options="--shutdown",
         secure_boot=True),
    Case("secure-boot-signed", boot_group="secure-boot", direct_boot_options="--shutdown",
         efi=SIGNED_EFI, secure_boot=True,
         stop_when=lambda console, errors: console.count(b"Access Denied") > 1
         or b"Security Violation" in console),
    # Started by OVMF from QEMU's -kernel, as a firmware boot entry with
    # options starts it; -n, since the image's own volume (QEMU's kernel
    # loader) is read-only. The probes' #GP guard, from a boot entry too.
    Case("load-options-pass", kernel_append="--probe-msr 0xc0010117=1 --require "
         "interface.tcg,hypervisor_bit,probe.kvm.hypercall=0 --waive probe.forced_msr "
         "-n --exit-port",
         devices=(vm.DEBUG_EXIT_DEVICE,)),
    Case("load-options-no-writable-volume", kernel_append="--require interface.tcg --exit-port",
         devices=(vm.DEBUG_EXIT_DEVICE,)),
    # Each boot manager starts hvfeat three times in one boot. systemd-boot
    # (a disk each, which the firmware tries in turn): a typo and a failing
    # requirement, whose errors send the firmware on, then a pass told
    # through the port. GRUB (one menu entry, which goes on after an image
    # returns): a pass, a failing requirement, then a typo that still finds
    # --exit-port and --shutdown. GRUB's runs share a volume: the pass
    # writes the log beside the image, the failing one names its own (GRUB
    # takes backslashes for escapes).
    Case("systemd-boot-typo", boot_group="systemd-boot", devices=(vm.DEBUG_EXIT_DEVICE,),
         boot_manager=("systemd-boot", "--requier interface.tcg")),
    Case("systemd-boot-fail", boot_group="systemd-boot", devices=(vm.DEBUG_EXIT_DEVICE,),
         boot_manager=("systemd-boot", "--require interface.tcg,kvm.pv_unhalt")),
    Case("systemd-boot-pass", boot_group="systemd-boot", devices=(vm.DEBUG_EXIT_DEVICE,),
         boot_manager=("systemd-boot",
                       "--require interface.tcg,hypervisor_bit --exit-port --shutdown")),
    Case("grub-pass", boot_group="grub", devices=(vm.DEBUG_EXIT_DEVICE,),
         boot_manager=("grub", "--require interface.tcg,hypervisor_bit")),
    Case("grub-fail", boot_group="grub", devices=(vm.DEBUG_EXIT_DEVICE,),
         boot_manager=("grub", "--require interface.tcg,kvm.pv_unhalt -l /EFI/hvfeat/fail.log")),
    Case("grub-typo", boot_group="grub", devices=(vm.DEBUG_EXIT_DEVICE,),
         boot_manager=("grub", "--requier interface.tcg --exit-port --shutdown")),
    # Firmware boot entries: the failing one from an ASCII file, as
    # efibootmgr -@ FILE and bcfg -opt FILE store it (8-bit text with the
    # file's line end), whose error sends the firmware on to the next
    # entry, the malformed one with an escape sequence pasted in, so not
    # text: a usage error that still finds --exit-port and --shutdown in
    # its bytes. The pass has a boot (and a setup boot) of its own.
    Case("boot-entry-ascii-fail", boot_group="boot-entries",
         boot_entry_options="--require interface.tcg,kvm.pv_unhalt\n",
         boot_entry_encoding="ascii"),
    Case("boot-entry-not-text", boot_group="boot-entries",
         boot_entry_options="--require interface.tcg\x1b[2J --exit-port --shutdown",
         devices=(vm.DEBUG_EXIT_DEVICE,)),
    Case("boot-entry-pass",
         boot_entry_options="--require interface.tcg,hypervisor_bit --exit-port --shutdown",
         devices=(vm.DEBUG_EXIT_DEVICE,)),
    # The probes' fault guard on its own (tests/firmware/guard_check.c):
    # an unguarded fault ends in the firmware's own exception dump.
    Case("fault-guard", direct_boot_options="", efi=GUARD_CHECK,
         stop_when=lambda console, errors: b"!!!! X64 Exception" in console
         and b"RFLAGS" in console),
]}


# What the machine of a boot is made of: the cases of a boot group must agree.
MACHINE_FIELDS = ("kind", "cpu", "machine", "smp", "esp_readonly", "writable_first_disk",
                  "fill", "secure_boot")
# startup.nsh (and GRUB) echo this and the case's name before each case's runs.
CASE_MARKER = "hvfeat-test-case:"
# The firmware's boot manager, before each boot option it tries.
BDS_LOADING = re.compile(r'^BdsDxe: loading Boot[0-9A-F]{4} "([^"]*)".*\n', re.M)


@dataclass
class CaseRun:
    """A case's share of a boot: the console from its start (its echoed
    marker, or the firmware loading its boot option) to the next case's;
    the whole console when it had the boot to itself. Everything else
    (exit code, timing, stderr) is the boot's."""
    boot: vm.Boot
    console: str
    started: bool    # its start appeared (or it had the boot to itself)
    finished: bool   # a later case of its boot started after it
    ends_boot: bool  # the last case of its boot: QEMU's exit is its own

    def __getattr__(self, name):
        return getattr(self.boot, name)


def boot_groups():
    """The boots to make: lists of cases, a boot group's in CASES order."""
    groups = {}
    for case in CASES.values():
        groups.setdefault(case.boot_group or case.name, []).append(case)
    for name, cases in groups.items():
        for field_name in MACHINE_FIELDS:
            if len({str(getattr(c, field_name)) for c in cases}) > 1:
                raise RuntimeError(f"boot group {name}: the cases differ in {field_name}")
        if len(cases) > 1 and cases[0].kind == "kernel":
            raise RuntimeError(f"boot group {name}: QEMU's -kernel starts one image")
        if cases[0].kind in ("shell", "grub", "boot-entry") and len({c.efi for c in cases}) > 1:
            raise RuntimeError(f"boot group {name}: one volume holds one hvfeat.efi")
        if any(c.stop_when for c in cases[:-1]):
            raise RuntimeError(f"boot group {name}: only the last case may end the boot")
    return list(groups.values())


def merged_files(cases):
    """The files of several cases on one ESP; a path two cases fill
    differently is a mistake in CASES."""
    files = {}
    for case in cases:
        for path, content in case.extra_files.items():
            if files.setdefault(path, content) != content:
                raise RuntimeError(f"{case.name}: {path} clashes with another case's")
    return files


def marker(case):
    return f"{CASE_MARKER} {case.name}"


def shell_esp(cases, workdir):
    """One ESP whose startup.nsh runs every case's runs in turn, each case's
    after an echoed marker."""
    runs = []
    for case in cases:
        case_runs = (case.arguments,) if isinstance(case.arguments, str) else case.arguments
        if len(cases) > 1:
            runs.append(vm.ShellCommand(f"echo {marker(case)}"))
        runs += case_runs
    files = {"hvfeat.efi": cases[0].efi.read_bytes(),
             "startup.nsh": vm.startup_script(*runs).encode()}
    if any(isinstance(run, vm.Launch) for run in runs):
        files["launcher.efi"] = LAUNCHER.read_bytes()
    if any(isinstance(run, vm.ShellCommand) and run.line.startswith(SMBIOS_PLANT.name)
           for run in runs):
        files[SMBIOS_PLANT.name] = SMBIOS_PLANT.read_bytes()
    files.update(merged_files(cases))
    return vm.make_esp(workdir / "esp.img", files)


SETUP_BOOTS = {}  # boot group: the boot that made its entries


def boot_entries_disk(cases, workdir):
    """One disk with hvfeat and a Boot#### entry per case, which a first
    boot (the shell's bcfg) makes; the cases' boot starts from the variable
    store that boot left."""
    disk = vm.make_disk_image(workdir / "disk.img", vm.boot_entry_setup_files(
        cases[0].efi.read_bytes(),
        [(c.name, c.boot_entry_options, c.boot_entry_encoding) for c in cases]))
    setup = vm.boot(disk, workdir / "setup", timeout=BOOT_TIMEOUT)
    if setup.timed_out or setup.exit_code != 0:
        raise RuntimeError(f"{cases[0].name}: the boot that makes the entries failed:\n"
                           + setup.console[-2000:])
    SETUP_BOOTS[cases[0].boot_group or cases[0].name] = setup
    return disk, workdir / "setup" / "OVMF_VARS.fd"


def own_disk(case, workdir):
    """The disk of a case the firmware starts from a disk of its own."""
    if case.kind == "systemd-boot":
        files = vm.systemd_boot_files(case.efi.read_bytes(), case.boot_manager[1])
    else:
        files = vm.direct_boot_files(case.efi.read_bytes(), case.direct_boot_options)
        files.update(case.extra_files)
    return vm.make_disk_image(workdir / "disk.img", files)


def group_disks(cases, workdir):
    """Makes the boot's disks, setting each case's esp; returns them in the
    order the firmware tries them, and the variable store to boot with."""
    first, vars_from = cases[0], None
    if first.kind in ("shell", "kernel", "grub", "boot-entry"):
        if first.kind == "shell":
            disk = shell_esp(cases, workdir)
        elif first.kind == "kernel":
            disk = vm.make_esp(workdir / "esp.img", {})
        elif first.kind == "grub":
            disk = vm.make_disk_image(workdir / "disk.img", vm.grub_files(
                first.efi.read_bytes(), [(marker(c), c.boot_manager[1]) for c in cases],
                workdir))
        else:
            disk, vars_from = boot_entries_disk(cases, workdir)
        for case in cases:
            case.esp = disk
        return [disk], vars_from
    for case in cases:
        case.esp = own_disk(case, workdir / case.name if len(cases) > 1 else workdir)
    return [case.esp for case in cases], vars_from


def case_runs(cases, boot):
    """Each case's share of the boot: cut at the markers startup.nsh or GRUB
    echoed, or where the firmware loads each case's boot option."""
    if len(cases) == 1:
        return [CaseRun(boot, boot.console, True, False, True)]
    if cases[0].kind in ("shell", "grub"):
        found = {m.group(1): m for m in re.finditer(
            rf"^{re.escape(CASE_MARKER)} (\S+)\n", boot.console, re.M)}
        starts = [found.get(case.name) for case in cases]
    else:
        # Boot entries are described by their case's name; the disks, one a
        # case, as OVMF names removable media in PCI order.
        loading = {m.group(1): m for m in BDS_LOADING.finditer(boot.console)}
        starts = [loading.get(case.name if case.kind == "boot-entry" else
                              "UEFI Misc Device" + (f" {index + 1}" if index else ""))
                  for index, case in enumerate(cases)]
    shares = []
    for index, case in enumerate(cases):
        start = starts[index]
        following = next((m for m in starts[index + 1:] if m), None)
        end = following.start() if following else len(boot.console)
        shares.append(CaseRun(boot, boot.console[start.end():end] if start else "",
                              start is not None, following is not None, case is cases[-1]))
    return shares


def run_boot(cases):
    """Boots the cases' machine once and gives each case its share."""
    first, last = cases[0], cases[-1]
    name = first.boot_group or first.name
    workdir = WORK / name
    disks, vars_from = group_disks(cases, workdir)
    if first.fill:
        vm.fill_esp(first.esp)
    # The firmware tries the disks in order: all but the last go first.
    first_disks = [(vm.disk_file(disk), False) for disk in disks[:-1]]
    if first.writable_first_disk:
        other_disk = vm.make_esp(workdir / "writable.img", {})
        first_disks.append((other_disk, False))
        for case in cases:
            case.other_disk = other_disk
    for case in cases:
        case.files_before = vm.list_esp(case.esp)
    boot = vm.boot(disks[-1], workdir, accel="tcg", cpu=first.cpu, smp=first.smp,
                   esp_readonly=first.esp_readonly, timeout=BOOT_TIMEOUT,
                   answer_countdown=first.from_shell, vars_from=vars_from,
                   kernel=first.efi if first.kind == "kernel" else None,
                   append=first.kernel_append, secure_boot=first.secure_boot,
                   devices=tuple(dict.fromkeys(d for c in cases for d in c.devices)),
                   smbios=tuple(dict.fromkeys(f for c in cases for f in c.smbios)),
                   machine=first.machine,
                   stop_when=last.stop_when, first_disks=first_disks)
    for case, share in zip(cases, case_runs(cases, boot)):
        case.boot = share
    return name, boot


def setUpModule():
    for built in (EFI, SIGNED_EFI, HOST_HVFEAT, LAUNCHER, SMBIOS_PLANT, GUARD_CHECK):
        if not built.exists():
            raise RuntimeError(f"{built} is missing: run 'make firmware-test'")
    # Nothing from an earlier run may stand in for what this one makes.
    shutil.rmtree(WORK, ignore_errors=True)
    # The boots with the most runs first, so the two lanes end together.
    groups = sorted(boot_groups(), key=lambda cases: -sum(
        1 if isinstance(c.arguments, str) else len(c.arguments) for c in cases))
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        boots = [future.result() for future in [pool.submit(run_boot, g) for g in groups]]
    boots += [(f"{name} (setup)", boot) for name, boot in SETUP_BOOTS.items()]
    print(f"\nfirmware tests: {len(CASES)} cases in {len(boots)} boots (s): " + ", ".join(
        f"{name} {boot.seconds:.1f}" for name, boot in boots), file=sys.stderr)
    print("firmware tests: all under TCG; the real-KVM suite is tests/firmware/test_kvm.py "
          "(make test-kvm)", file=sys.stderr)


class FirmwareCase(unittest.TestCase):
    def case(self, name, qemu_exit=0):
        case = CASES[name]
        boot = case.boot
        self.assertIsNotNone(boot, f"{name} did not boot")
        self.assertTrue(boot.started, f"{name} never started: its boot ended before it; "
                        f"console:\n{boot.boot.console[-3000:]}")
        if boot.ends_boot:
            self.assertFalse(boot.timed_out,
                             f"{name}: QEMU did not power off within {BOOT_TIMEOUT} s; "
                             f"console so far:\n{boot.console[-3000:]}")
            self.assertEqual(boot.exit_code, qemu_exit,
                             f"{name}: QEMU exit {boot.exit_code}: {boot.stderr[-500:]}")
        else:
            self.assertEqual(qemu_exit, 0, f"{name} does not end its boot: QEMU's exit "
                             "is not its own")
            self.assertTrue(boot.finished, f"{name}: the boot ended in it (QEMU exit "
                            f"{boot.exit_code}, timed out {boot.timed_out}); its console:\n"
                            f"{boot.console[-3000:]}")
        if case.from_shell:
            self.assertTrue(boot.countdown_answered,
                            f"{name}: the startup.nsh countdown never appeared")
        return case

    def port_verdict(self, name, verdict):
        """A case that ended by writing verdict to the exit port."""
        case = CASES[name]
        self.assertTrue(case.boot.ends_boot, f"{name} is not the last case of its boot")
        self.assertFalse(case.boot.timed_out, case.boot.console[-2000:])
        self.assertEqual(vm.debug_exit_verdict(case.boot.exit_code), verdict,
                         case.boot.console[-2000:])
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
        """The log, checked against the console's report byte for byte: it
        holds the report and nothing else, LF line ends only, ending with
        the end marker. startup.nsh keeps hvfeat's exit status apart, in
        \\hvfeat.status, which must hold the status the console showed last."""
        log = self.log(case, path)
        self.assertEqual(log, self.console_report(case),
                         "the log and the console report differ")
        self.assertTrue(log.endswith(vm.REPORT_END))
        self.assertNotIn("\r", log)
        if path == "/hvfeat.log" and case.from_shell:
            self.assertEqual(vm.recorded_status(case.esp),
                             vm.exit_statuses_from_console(case.boot.console)[-1])
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

    def test_smbios_of_ovmf_and_qemu(self):
        """Without -smbios options: QEMU builds type 1 (pc_q35.c:
        smbios_set_defaults("QEMU", "Standard PC (Q35 + ICH9, 2009)", the
        machine's name), no UUID without -uuid) and no type 0, so OVMF adds
        its own (OvmfPkg/SmbiosPlatformDxe: "EFI Development Kit II / OVMF",
        extension byte 2 0x1C: TCD, UEFI, VM); TCG's CPUID agrees."""
        log = self.log(self.case("default"))
        self.assertRegex(log, r"\nSMBIOS \(firmware tables, DMTF DSP0134\):\n"
                              r"  entry point: _SM3?_, SMBIOS [23]\.\d+")
        self.assertIn('  type 0 (BIOS):\n    vendor: "EFI Development Kit II / OVMF"\n', log)
        self.assertIn("    characteristics extension byte 2 = 0x1c\n", log)
        self.assertIn('  type 1 (system):\n    manufacturer: "QEMU"\n'
                      '    product name: "Standard PC (Q35 + ICH9, 2009)"\n'
                      '    version: "pc-q35-7.2"\n', log)
        # without -uuid all 00h: DSP0134 7.2.1 "not present in the system",
        # dmidecode's "Not Settable" (dmi_system_uuid)
        self.assertIn("    uuid: 00000000-0000-0000-0000-000000000000 (Not Settable)\n"
                      "      all 00h: not present in the system\n", log)
        self.assertIn("  type 11 (OEM strings): none\n", log)
        self.assertNotIn("  problems:", log)
        self.assertEqual(smbios_lints(log), {"hidden-hypervisor": "PASS",
                                             "hypervisor-without-vm-bit": "PASS"})

    def test_json_log_is_json_and_status_apart(self):
        case = self.case("json-log")
        log = self.log(case, "/json.log")
        self.assertEqual(json.loads(log)["interfaces"][0]["product"], "QEMU TCG")
        self.assertIsNone(json.loads(log)["probes"], "probes run only when asked")
        self.assert_not_confidential(log)
        self.assertIn(log, case.boot.console)
        # the whole log parsed as one JSON document: nothing, not the exit
        # status either, was written into it
        self.assertTrue(log.endswith("}\n"))
        self.assertEqual(self.exit_status(case), 0)

    def test_no_temporary_file_left(self):
        case = self.case("default")
        # the old log replaced, nothing set aside left behind (the other
        # cases of its boot name their files otherwise)
        self.assertEqual(files_under(vm.list_esp(case.esp), "/hvfeat."), sorted(
            [f for f in files_under(case.files_before, "/hvfeat.") if f != "/hvfeat.log.old"]
            + [vm.STATUS_FILE]))


    def assert_not_confidential(self, log):
        """Under TCG: no confidential VM, with the evidence. QEMU's qemu64
        (target/i386/cpu.c) is AuthenticAMD with level 0xd and xlevel
        0x8000000a: no 0x21 and no 0x8000001F; SEV_STATUS, read through the
        guard on an AMD processor, is 0 (TCG's rdmsr of an MSR it does not
        know) or #GP caught; OVMF installs no EFI_CC_MEASUREMENT_PROTOCOL
        and publishes no SNP blob outside a TD or an SNP guest."""
        cvm = json.loads(subprocess.run(
            ["jq", "-c", "{cvm, leaves: [.leaves[] | select(.leaf == 33 or .leaf >= 2147483648)],"
                         " results: [.results[] | select(.label | startswith(\"cvm.\")) |"
                         " [.label, .outcome]]}"],
            input=log, capture_output=True, text=True, check=True).stdout)
        self.assertEqual([(leaf["leaf"], leaf["eax"]) for leaf in cvm["leaves"]],
                         [(0x80000000, 0x8000000a)])
        status = cvm["cvm"]["sev_status"]
        print(f"\nTCG: SEV_STATUS {status['state']} {status.get('value', status['fault'])}",
              file=sys.stderr)
        self.assertIn((status["state"], status.get("value", status["fault"])),
                      [("read", "0x0"), ("faulted", "#GP")])
        self.assertEqual((cvm["cvm"]["type"], cvm["cvm"]["confidential"],
                          cvm["cvm"]["private_memory"], cvm["cvm"]["sev_leaf"],
                          cvm["cvm"]["tdx"]["state"], cvm["cvm"]["cc_measurement"]["state"],
                          cvm["cvm"]["snp_cpuid_table"]["state"], cvm["cvm"]["handlers_left"]),
                         ("none", False, False, None, "not_read", "absent", "not_published",
                          None))
        self.assertEqual(cvm["results"], [["cvm.sources-agree", "not-applicable"],
                                          ["cvm.snp-cpuid-table", "not-applicable"]])


class Smbios(FirmwareCase):
    """QEMU's -smbios options, read back from the EFI configuration table:
    every value the command line gave, in the text, in the JSON as jq reads
    it, and as requirement keys."""

    def test_values_in_the_report_and_the_json(self):
        case = self.case("smbios")
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console)[0], PASS)
        log = self.assert_log_is_console_report(case, "/smbios.log")
        for name, value in SMBIOS_TYPE0.items():
            self.assertIn(f'    {"release date" if name == "date" else name}: "{value}"\n', log)
        # QEMU: 0x14 | 0x08 (uefi=on)
        self.assertIn("    characteristics extension byte 2 = 0x1c\n", log)
        self.assertRegex(log, r"\n    yes  3 UefiSpecificationSupported +\S")
        self.assertRegex(log, r"\n    yes  4 VirtualMachineSupported +\S")
        self.assertRegex(log, r"\n    no   0 BiosBootSpecIsSupported +\S")
        for name, label in (("manufacturer", "manufacturer"), ("product", "product name"),
                            ("version", "version"), ("serial", "serial number"),
                            ("sku", "sku number"), ("family", "family")):
            self.assertIn(f'    {label}: "{SMBIOS_TYPE1[name]}"\n', log)
        self.assertIn(f"    uuid: {SMBIOS_TYPE1['uuid'].lower()}\n", log)
        self.assertIn(f"  type 11 (OEM strings): {len(SMBIOS_TYPE11)} in 1 structure\n" + "".join(
            f'    {i}: "{v}"\n' for i, v in enumerate(SMBIOS_TYPE11, 1)), log)
        self.assertEqual(smbios_lints(log), {"hidden-hypervisor": "PASS",
                                             "hypervisor-without-vm-bit": "PASS"})

        read = subprocess.run(
            ["jq", "-c", ".smbios | {state, problem_count, type0: (.type0 | del(.bits)), "
                         "type1, type11: .type11.strings, anchor: .entry_point.anchor}"],
            input=self.log(case, "/smbios.json"), capture_output=True, text=True, check=True)
        smbios = json.loads(read.stdout)
        self.assertEqual(smbios["state"], "read")
        self.assertEqual(smbios["problem_count"], 0)
        self.assertIn(smbios["anchor"], ("_SM3_", "_SM_"))
        self.assertEqual(smbios["type0"], {
            **{SMBIOS_JSON_KEYS.get(k, k): v for k, v in SMBIOS_TYPE0.items()},
            "extension_byte_2": 0x14 | 0x08, "unknown_bits": [], "vm": True, "uefi": True})
        self.assertEqual(smbios["type1"], {**SMBIOS_TYPE1, "uuid": SMBIOS_TYPE1["uuid"].lower(),
                                           "uuid_state": "set"})
        self.assertEqual(smbios["type11"], SMBIOS_TYPE11)

    def test_requirements_on_the_values(self):
        case = self.case("smbios")
        checks = json.loads(subprocess.run(
            ["jq", "-c", "[.checks[] | [.requirement, .result, .found]]"],
            input=self.log(case, "/smbios.json"), capture_output=True, text=True,
            check=True).stdout)
        policy = [line for line in SMBIOS_POLICY.decode().splitlines()
                  if line and not line.startswith("#")]
        self.assertEqual(len(checks), len(policy))
        self.assertEqual([result for _, result, _ in checks], ["pass"] * len(policy), checks)
        self.assertIn(['smbios.type1.product = "Road Runner #1"', "pass", "Road Runner #1"],
                      checks)
        self.assertIn("verdict: PASS\n", self.log(case, "/smbios.log"))
        # the same tables, requirements they fail
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console)[1], FAILED)
        failed = self.log(case, "/smbios-fail.log")
        self.assertEqual(requirement_results(failed), [
            ("FAIL", "smbios.type1.sku"), ("FAIL", "smbios.type0.vm"),
            ("FAIL", "smbios.type11.3")])
        words = " ".join(failed.split())
        self.assertIn('smbios.type1.sku = "SKU-8": found "SKU-7"', words)
        self.assertIn("smbios.type0.vm = 0: found 1", words)
        self.assertIn('smbios.type11.3 = "x": not known: no OEM string of that number', words)


    def test_read_no_further_than_the_memory_map_has_memory(self):
        """tests/firmware/smbios_plant.c lays out 3.x tables in pages of a
        memory type no other code allocates, so that the memory map has a
        descriptor of their own, ending where they do: a table of 32
        structures of 256 bytes filling two pages (2 x 4096 bytes), none of
        them type 127, under an entry point that says up to 512 KiB; then an
        entry point of which only 16 bytes lie before its page ends. Neither
        is read past its memory: the table is walked for its 8192 bytes, the
        entry point refused for its 16, and OVMF's 2.x one read instead."""
        case = self.case("smbios")
        plants = re.findall(r"^smbios-plant: (.*)$", case.boot.console, re.M)
        self.assertEqual(len(plants), 2, case.boot.console[-3000:])
        table_at = re.fullmatch(r"table at (0x[0-9A-F]+), 8192 bytes; entry point at 0x[0-9A-F]+",
                                plants[0])
        self.assertIsNotNone(table_at, plants)
        self.assertRegex(plants[1], r"^entry point at 0x[0-9A-F]+, 16 bytes of it$")

        bound = json.loads(self.log(case, "/bound.json"))["smbios"]
        self.assertEqual(bound["state"], "read")
        self.assertEqual((bound["entry_point"]["anchor"],
                          int(bound["entry_point"]["table_address"], 16),
                          bound["entry_point"]["table_length"]),
                         ("_SM3_", int(table_at.group(1), 16), 0x80000))
        self.assertEqual(bound["table"], {"walked": 8192, "structures": 32,
                                          "end_of_table": False})
        self.assertEqual(bound["problems"], ["table: no end-of-table structure (type 127) in "
                                             "the 8192 bytes given, of up to 524288"])
        self.assertIn("  table: up to 524288 bytes, 8192 walked, 32 structures\n",
                      self.log(case, "/bound.log"))

        entry = json.loads(self.log(case, "/entry.json"))["smbios"]
        self.assertEqual((entry["state"], entry["entry_point"]["anchor"]), ("read", "_SM_"))
        self.assertEqual(entry["problems"], ["_SM3_ entry point: 16 bytes, fewer than its 0x18"])
        self.assertEqual(entry["type1"]["product"], SMBIOS_TYPE1["product"])


class CiFormats(FirmwareCase):
    def test_tap_and_junit_read_by_prove_and_junitparser(self):
        case = self.case("ci-formats")
        self.assertEqual(self.exit_status(case), FAILED)
        tap = self.log(case, "/ci.tap")
        shown = re.search(r"^TAP version 13\n.*?^# verdict: [^\n]*\n", case.boot.console,
                          re.M | re.S)
        self.assertIsNotNone(shown, "no TAP on the console:\n" + case.boot.console[-3000:])
        self.assertEqual(shown.group(0), tap, "the console and the log differ")
        tap_path, junit_path = host_file("ci-formats", "ci.tap"), host_file("ci-formats", "ci.xml")
        tap_path.write_text(tap)
        junit = vm.read_esp_file(case.esp, "/ci.xml")
        self.assertIsNotNone(junit, f"/ci.xml is not on the ESP: {vm.list_esp(case.esp)}")
        junit_path.write_bytes(junit)
        # The same run's JSON, as jq reads it.
        model = json.loads(subprocess.run(
            ["jq", "-c", "{summary, labels: [.results[].label], judged: [.results[] | "
                         "select(.label | startswith(\"lint.\") | not) | [.label, .outcome]]}"],
            input=self.log(case, "/ci.json"), capture_output=True, text=True, check=True).stdout)
        n = model["summary"]
        # By hand: interface.tcg met, kvm.pv_unhalt not, hypervisor_bit=0 not
        # but waived; no confidential VM, so nothing to compare; every probe
        # not advertised under TCG, the cleanup done. (The lints, none
        # failing, are the JSON's to say.)
        self.assertEqual(model["judged"], [
            ["require.interface.tcg", "pass"], ["require.kvm.pv_unhalt", "fail"],
            ["require.hypervisor_bit", "warn"],
            ["cvm.sources-agree", "not-applicable"], ["cvm.snp-cpuid-table", "not-applicable"],
            *[[f"probe.{key}", "not-applicable"] for key in PROBE_KEYS],
            ["probe.cleanup", "pass"]])
        self.assertEqual((n["fail"], n["waived"], n["skip"]), (1, 1, 0))
        tests = len(model["labels"])

        proved = ci_consumers.prove(tap_path)
        # prove's verdict on the firmware's TAP, after the TAP it echoed
        closing = proved["output"].rsplit("# verdict: ", 1)[-1].split("\n", 1)[-1]
        print(f"\nci-formats: prove on the firmware's TAP:\n{closing}", file=sys.stderr)
        self.assertEqual((proved["returncode"] != 0, proved["result"], proved["tests"],
                          proved["failed"]), (True, "FAIL", tests, 1), proved["output"])
        parsed = ci_consumers.tap_parser(tap_path)
        self.assertEqual(parsed["parse_errors"], [])
        self.assertEqual((parsed["version"], parsed["tests_run"], parsed["good_plan"]),
                         (13, tests, True))
        self.assertEqual(parsed["failed"], [model["labels"].index("require.kvm.pv_unhalt") + 1])
        self.assertEqual(parsed["todo"], [model["labels"].index("require.hypervisor_bit") + 1])
        self.assertEqual(len(parsed["skipped"]), n["skip"] + n["not-applicable"])
        self.assertEqual([p["description"] for p in parsed["points"]],
                         [f"- {label}" for label in model["labels"]])

        self.assertEqual(ci_consumers.xmllint(junit_path), "")
        read = ci_consumers.junitparser(junit_path)
        print(f"ci-formats: junitparser on the firmware's JUnit: {read['root']}", file=sys.stderr)
        counts = {"tests": tests, "failures": n["fail"], "errors": 0,
                  "skipped": n["skip"] + n["not-applicable"] + n["waived"]}
        self.assertEqual(read["root"], counts)
        self.assertEqual(read["suites"][0]["written"], counts)
        self.assertEqual(read["suites"][0]["counted"], counts)
        self.assertEqual([f"{c['classname']}.{c['name']}" for c in read["suites"][0]["cases"]],
                         model["labels"])
        self.assertEqual(read["suites"][0]["properties"]["source"], "CPUID instruction")
        self.assertEqual(files_under(vm.list_esp(case.esp), "/ci."),
                         ["/ci.json", "/ci.tap", "/ci.xml"])


class OtherCpuModels(FirmwareCase):
    def test_hypervisor_bit_clear(self):
        case = self.case("no-hypervisor-bit")
        log = self.assert_log_is_console_report(case)
        self.assertIn("\nconfidential computing: not a confidential VM\n", log)
        self.assertIn("  EFI_CC_MEASUREMENT_PROTOCOL: absent\n", log)
        self.assertIn("hypervisor bit (CPUID.1:ECX[31]): clear - no hypervisor advertised\n", log)
        self.assertIn("interfaces: not scanned", log)
        # QEMU TCG keeps answering leaf 0x40000000 without the bit.
        self.assertIn('note: leaf 0x40000000 answers anyway: QEMU TCG\n'
                      '      signature "TCGTCGTCGTCG"\n', log)
        self.assertIn(TCG_RAW_LINE, log)
        self.assertEqual(self.exit_status(case), 0)

    def test_smbios3_tells_the_hidden_hypervisor(self):
        """QEMU's smbios-entry-point-type=64 gives the 3.0 entry point
        (hw/smbios/smbios.c: "_SM3_", version 3.0); OVMF's own type 0 (no
        type=0 option) says virtual machine, which -hypervisor hides from
        CPUID: a warning, which fails nothing."""
        log = self.log(self.case("no-hypervisor-bit"))
        self.assertIn("\n  entry point: _SM3_, SMBIOS 3.0.0, table at 0x", log)
        self.assertIn("    yes  4 VirtualMachineSupported ", log)
        self.assertIn("  WARN  lint.smbios.hidden-hypervisor: SMBIOS type 0 says virtual "
                      "machine;\n        CPUID.1:ECX[31] is clear (QEMU TCG answers unasked): "
                      "the hypervisor\n        hides from the OS\n", log)
        self.assertIn("  N/A   lint.smbios.hypervisor-without-vm-bit: hypervisor bit clear\n", log)
        self.assertIn("  warnings: lint.hypervisor.signature-without-bit (low),\n"
                      "    lint.smbios.hidden-hypervisor (medium)\n", log)

    def test_bit_set_without_signature(self):
        case = self.case("tcg-cpuid-off")
        log = self.assert_log_is_console_report(case)
        self.assertIn("hypervisor bit (CPUID.1:ECX[31]): set\n", log)
        self.assertIn("interfaces: 0 (bases", log)
        self.assertNotIn("0x40000000 0x00:", log)
        self.assertEqual(self.exit_status(case), 0)


class LogFile(FirmwareCase):
    def test_leftovers_that_will_not_go(self):
        case = self.case("launcher", qemu_exit=(USAGE_ERROR << 1) | 1)
        console, files = case.boot.console, vm.list_esp(case.esp)
        # PATH was a directory, set aside as PATH.old, which cannot be
        # deleted: the log is written all the same, with a warning.
        self.assertIn("hvfeat: log \\d1\\x.log written: deleting the .old file failed: "
                      "Access Denied\n", console)
        self.assertEqual(self.log(case, "/d1/x.log"),
                         vm.report_from_console(run_outputs(console)[0]))
        self.assertIn("/d1/x.log.old/keep.txt", files)
        # An interrupted run's PATH.old, without PATH: deleted.
        self.assertTrue(self.log(case, "/d2/y.log").endswith(vm.REPORT_END))
        self.assertNotIn("/d2/y.log.old", files)
        # A PATH.tmp that will not be deleted is never written into.
        self.assertIn("hvfeat: log \\d3\\z.log not written: deleting a stale temporary "
                      "file failed: Access Denied\n", console)
        self.assertNotIn("/d3/z.log", files)
        self.assertIn("/d3/z.log.tmp/keep.txt", files)

    def test_longer_old_log_leaves_no_stale_bytes(self):
        case = self.case("default")
        log = self.assert_log_is_console_report(case)
        self.assertNotIn("stale", log)
        self.assertLess(len(log), len(STALE_LOG))

    def test_read_only_esp(self):
        case = self.case("readonly-esp")
        self.console_report(case)
        self.assertIn("hvfeat: log \\hvfeat.log not written: creating the "
                      "temporary file failed: Write Protected", case.boot.console)
        self.assertEqual(self.exit_status(case), NOT_DONE)
        self.assertEqual(vm.list_esp(case.esp), case.files_before)
        self.assertEqual(vm.read_esp_file(case.esp, "/hvfeat.log"), b"old log\n")


class Options(FirmwareCase):
    """One boot runs hvfeat with -x, -n, -l into a missing directory, -l,
    --list-keys and --version."""

    def test_exit_statuses(self):
        case = self.case("options")
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console),
                         [USAGE_ERROR, PASS, NOT_DONE, PASS, PASS, PASS])

    def test_version(self):
        console = self.case("options").boot.console
        self.assertRegex(console, r"\nhvfeat\.efi \d+\.\d+\nhvfeat exit status 0x0\n")

    def test_list_keys(self):
        console = self.case("options").boot.console
        self.assertIn("  kvm.pv_unhalt                      paravirtual spinlock unhalt\n", console)
        self.assertIn("hyperv.* (Microsoft Hyper-V; kvm_hv.* too):\n", console)

    def test_unknown_option_prints_usage_and_no_report(self):
        console = self.case("options").boot.console
        usage_error = console[:console.index("hvfeat exit status")]
        self.assertIn("hvfeat: unknown option '-x'\nusage: hvfeat.efi", usage_error)
        self.assertIsNone(vm.report_from_console(usage_error))

    def test_log_path_and_missing_directory(self):
        case = self.case("options")
        self.assertIn("hvfeat: log \\nodir\\vm1.log not written: creating the "
                      "temporary file failed: Not Found", case.boot.console)
        self.assert_log_is_console_report(case, "/logs/vm1.log")

    def test_only_the_log_asked_for_was_written(self):
        # not by -x (usage error), -n, nor the failed -l: no \hvfeat.log, no .tmp
        # (the other cases of its boot name other files)
        case = self.case("options")
        mine = ("/hvfeat.", "/nodir", "/logs/")
        self.assertEqual(files_under(vm.list_esp(case.esp), *mine),
                         sorted(files_under(case.files_before, *mine) + ["/logs/vm1.log"]))


PAGE_PROMPT = vm.PAGE_PROMPT.decode()


def files_under(listing, *prefixes):
    """The ESP paths of a listing that start with one of prefixes."""
    return [f for f in listing if f.startswith(prefixes)]


def run_outputs(console):
    """What each run of a startup.nsh boot printed: the console cut after
    each 'hvfeat exit status' line, so item N ends with the Nth run's
    output (the first holds the boot before it, the last what followed the
    last status)."""
    return re.split(r"^hvfeat exit status 0x[0-9A-Fa-f]+\n", console, flags=re.M)


def without_source_line(report):
    """A report minus its 'source:' line, which names where CPUID came from."""
    return re.sub(r"^source: .*\n(?: {11}.*\n)*", "", report, count=1, flags=re.M)


def without_firmware_tables(report):
    """A report minus its ACPI FADT section, which a live run reads from the
    firmware's tables and a dump does not hold."""
    return re.sub(r"^\nACPI FADT: .*\n(?:  .*\n)*", "", report, count=1, flags=re.M)


def without_vcpus(report):
    """A report minus its vCPU section, which a replay of its raw dump
    cannot give the same (the dump holds the boot vCPU's leaves alone, so
    its replay reads no other vCPU)."""
    return re.sub(r"^vCPUs: .*\n(?:  .*\n)*\n", "", report, count=1, flags=re.M)


CVM_SECTION = re.compile(r"^confidential computing: .*?\n\n", re.M | re.S)


def without_machine_reads(report):
    """A report minus its source line and its confidential-computing
    section, whose MSR and firmware readings only a live run has."""
    return CVM_SECTION.sub("", without_source_line(report), count=1)


def cpuid_evidence(report):
    """The confidential-computing evidence that comes from CPUID alone."""
    section = CVM_SECTION.search(report).group(0)
    return [line for line in section.splitlines()
            if line.startswith(("  CPUID 0x8000001F:", "  CPUID 0x21:", "  Hyper-V isolation:"))]


SMBIOS_SECTION = re.compile(r"^SMBIOS \(firmware tables, DMTF DSP0134\):.*?\n\n", re.M | re.S)
SMBIOS_LINT = re.compile(r"^  \S+ +lint\.smbios\.\S+:.*\n(?: {8}\S.*\n)*", re.M)
RESULT_COUNTS = re.compile(r"^results: \d+\n|^summary: .*\n {9}.*\n", re.M)


def without_smbios(report):
    """A report without what this machine's SMBIOS tables gave it, which a
    replay of its CPUID does not read: the SMBIOS section, the SMBIOS
    lints and the counts of results they are part of."""
    for part in (SMBIOS_SECTION, SMBIOS_LINT, RESULT_COUNTS):
        report = part.sub("", report)
    return report


def smbios_lints(report):
    """{lint name: its text tag} of a text report's SMBIOS lints."""
    return dict((name, tag) for tag, name in re.findall(
        r"^  (\S+) +lint\.smbios\.(\S+):", report, re.M))


def host_file(case_name, file_name):
    """Where a test puts a file for the host's tools, by case (its boot's
    directory may be a group's)."""
    directory = WORK / "host-files" / case_name
    directory.mkdir(parents=True, exist_ok=True)
    return directory / file_name


def host_hvfeat(*arguments):
    result = subprocess.run([str(HOST_HVFEAT), *arguments], capture_output=True, text=True)
    return result.returncode, result.stdout, result.stderr


class Replay(FirmwareCase):
    """Dumps of other hypervisors' layouts, replayed in firmware from the ESP."""

    def test_each_layout_decodes_in_firmware_as_on_the_host(self):
        case = self.case("replay")
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console)[:4], [0, 0, 0, 0])
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console)[6:9], [0, 0, 0])
        for name, dump in (("hyperv-kvm", "hyperv-kvm"), ("xen-viridian", "xen-viridian"),
                           ("vmware", "vmware"), ("kvm-guest-intel", "kvm-guest-intel"),
                           ("hyperv-snp", "hyperv-snp"), ("sev-snp", SNP_SPEC_DUMP[:-4])):
            with self.subTest(layout=name):
                log = self.log(case, f"/{name}.log")
                self.assertIn(f"source: dump \\dumps\\{dump}.txt\n", log)
                code, host_report, _ = host_hvfeat("-f", str(DUMPS / f"{dump}.txt"))
                # hyperv-snp.txt's lint warns (README, "Consistency lints"):
                # the warning class, a passing verdict; a replayed
                # confidential guest has one source of its status, so
                # cvm.sources-agree is skipped (the skip class)
                self.assertEqual(code, {"hyperv-snp": 0x0c, "sev-snp": 0x08}.get(name, 0))
                self.assertEqual(without_source_line(log), without_source_line(host_report))

    def test_confidential_guests_replayed(self):
        """A replay reads no MSR of this machine, and no firmware table: the
        Hyper-V SNP isolation leaves decide, and an SEV guest's leaf alone
        decides nothing (SEV_STATUS says which SEV is active)."""
        case = self.case("replay")
        hyperv = self.log(case, "/hyperv-snp.log")
        self.assertIn("\nconfidential computing: hyperv-snp\n", hyperv)
        self.assertIn("  Hyper-V isolation: isolation type 2 (SNP), a paravisor, shared GPA "
                      "boundary\n      at bit 47\n", hyperv)
        snp = self.log(case, "/sev-snp.log")
        self.assertIn("\nconfidential computing: undecided\n", snp)
        self.assertIn("  SEV_STATUS (MSR 0xc0010131): not read: CPUID came from a recording, "
                      "not this\n      machine\n", snp)
        self.assertIn("  EFI_CC_MEASUREMENT_PROTOCOL: not looked for: CPUID came from a "
                      "recording, not\n      this machine\n", snp)

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
        self.assertEqual(statuses[4:6], [NOT_DONE, NOT_DONE])
        console = case.boot.console
        self.assertIn("hvfeat: \\dumps\\malformed.txt:3: not a cpuid -r line\n", console)
        self.assertIn("hvfeat: \\dumps\\malformed.txt:6: leaf and sub-leaf given twice\n", console)
        self.assertIn("hvfeat: dump \\dumps\\absent.txt not read: opening the file failed: "
                      "Not Found", console)
        self.assertIsNone(vm.read_esp_file(case.esp, "/malformed.log"))
        self.assertIsNone(vm.read_esp_file(case.esp, "/absent.log"))


class StorageFaults(FirmwareCase):
    """Whatever state the volume is in: a whole console report, a clear
    error, status 0x15, and no half-written or lost file."""

    def test_full_esp(self):
        case = self.case("esp-full")
        self.console_report(case)
        self.assertIn("hvfeat: log \\hvfeat.log not written: writing the temporary "
                      "file failed: Volume Full", case.boot.console)
        self.assertEqual(self.exit_status(case), NOT_DONE)
        self.assertEqual(vm.list_esp(case.esp), case.files_before)  # no .tmp left
        self.assertEqual(vm.read_esp_file(case.esp, "/hvfeat.log"), b"old log\n")

    def test_app_started_from_a_read_only_volume(self):
        case = self.case("app-on-read-only-volume")
        self.console_report(case)
        # Two volumes are mapped and hvfeat is only on the second: startup.nsh
        # found it without assuming fs0:.
        self.assertRegex(case.boot.console, r"FS0: Alias[\s\S]*FS1: Alias")
        self.assertIn("hvfeat: log \\hvfeat.log not written: creating the temporary "
                      "file failed: Write Protected", case.boot.console)
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console), [NOT_DONE, PASS])
        self.assertEqual(vm.list_esp(case.esp), case.files_before)
        # Only the log named by volume went to the writable disk.
        self.assertEqual(vm.list_esp(case.other_disk), ["/elsewhere.log"])
        log = vm.read_esp_file(case.other_disk, "/elsewhere.log").decode("ascii")
        self.assertTrue(log.endswith(vm.REPORT_END))
        self.assertIn(log, case.boot.console)


class ShellManners(FirmwareCase):
    def test_messages_go_to_standard_error(self):
        case = self.case("shell-manners")
        errors = vm.read_esp_file(case.esp, "/errors.txt")
        self.assertIsNotNone(errors, "2> made no file")
        self.assertIn(b"hvfeat: unknown option '-x'", errors)
        self.assertIn(b"usage: hvfeat.efi", errors)
        self.assertNotIn("unknown option", case.boot.console)
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console)[0], USAGE_ERROR)

    def test_b_pages_the_report(self):
        case = self.case("shell-manners")
        paged = run_outputs(case.boot.console)[1]
        self.assertGreaterEqual(paged.count(PAGE_PROMPT), 2, case.boot.console[-2000:])
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console)[1], PASS)
        log = self.log(case)
        self.assertTrue(log.endswith(vm.REPORT_END))
        for line in (log.splitlines()[0], log.splitlines()[-1]):
            self.assertIn(line, paged)

    def test_page_breaks_left_as_they_were_found(self):
        # As the shell's own commands take -b: turned on for the output and
        # put back as found, never forced off.
        case = self.case("shell-manners")
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console)[2:], [PASS, PASS])
        reports = [vm.report_from_console(output) for output in run_outputs(case.boot.console)]
        self.assertNotIn(PAGE_PROMPT, reports[2], "off before -b, so off after it")
        self.assertGreaterEqual(reports[3].count(PAGE_PROMPT), 1,
                                "'ls -b' turned them on, and hvfeat left them on")


class LaunchPaths(FirmwareCase):
    """hvfeat started by the test launcher from memory, as a boot manager
    (and, without a file system, a network boot or a firmware volume)
    starts it: see the "launcher" case."""

    def test_statuses_and_too_many_words_still_power_off(self):
        # 70 words, --exit-port and --shutdown among them: a usage error
        # told through the port, and the machine off.
        case = self.case("launcher", qemu_exit=(USAGE_ERROR << 1) | 1)
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console),
                         [PASS, PASS, NOT_DONE, NOT_DONE, PASS, PASS,
                          USAGE_ERROR, USAGE_ERROR, USAGE_ERROR])
        last = run_outputs(case.boot.console)[9]
        self.assertIn("hvfeat: load options: 72 arguments, more than 63\n", last)
        self.assertIsNone(vm.report_from_console(last))

    def test_watchdog_left_off_for_the_launcher(self):
        # The launcher armed it for 300 s before each start, as edk2's boot
        # manager does; GRUB's menu, say, would be reset by one left armed.
        case = CASES["launcher"]
        self.assertEqual(re.findall(r"^launcher: .*$", case.boot.console, re.M),
                         [f"launcher: hvfeat returned {status:#x}; watchdog period 0 x 100 ns"
                          for status in (NOT_DONE, PASS, PASS, USAGE_ERROR, USAGE_ERROR,
                                         USAGE_ERROR)])

    def test_no_file_system_defaults_report_and_the_log_failure(self):
        # From a firmware volume, no options: no hvfeat.cfg can be read
        # there (the one on the launcher's volume is not hvfeat's), so the
        # defaults; the whole report; the log's failure said.
        output = run_outputs(CASES["launcher"].boot.console)[3]
        report = vm.report_from_console(output)
        self.assertIsNotNone(report, output[-2000:])
        self.assertEqual(requirement_results(report), [])
        self.assertIn("hvfeat: log \\hvfeat.log not written: finding a file system on the "
                      "boot device failed: Unsupported\n", output)

    def test_ascii_load_options_from_no_device(self):
        output = run_outputs(CASES["launcher"].boot.console)[4]
        report = vm.report_from_console(output)
        self.assertIsNotNone(report, output[-2000:])
        self.assertEqual(requirement_results(report),
                         [("PASS", "interface.tcg"), ("PASS", "hypervisor_bit")])
        self.assertIn("verdict: PASS\n", report)
        self.assertNotIn("hvfeat: log", output)  # -n

    def test_only_the_image_path_reads_the_cfg_beside_it(self):
        case = CASES["launcher"]
        output = run_outputs(case.boot.console)[5]
        log = self.log(case, "/from-cfg.log")
        self.assertEqual(log, vm.report_from_console(output))
        self.assertIn("  PASS  require.interface.tcg: interface.tcg = 1: found 1\n", log)

    def test_load_options_that_are_not_text_say_why(self):
        outputs = run_outputs(CASES["launcher"].boot.console)
        for index, message in (
                (6, "62 bytes that are neither UCS-2 nor ASCII text "
                    "(UCS-2 code unit 0x001b at offset 18)"),
                (7, "37 bytes that are neither UCS-2 nor ASCII text (0xc0 at offset 3)"),
                (8, "65538 characters of text, more than 65536")):
            with self.subTest(message=message):
                self.assertIn(f"hvfeat: load options: {message}\nusage: hvfeat.efi",
                              outputs[index])
                self.assertIsNone(vm.report_from_console(outputs[index]))


class HostileHypervisors(FirmwareCase):
    """Dumps no real hypervisor would give, replayed in firmware: bounded,
    console-sized, valid JSON, and the same report as on the host."""

    def test_reports_are_bounded_and_match_the_host(self):
        case = self.case("hostile-replay")
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console), [PASS] * 3)
        for name, text in HOSTILE_DUMPS.items():
            with self.subTest(dump=name):
                log = self.log(case, f"/{name}.log")
                self.assertLess(len(log), 256 * 1024)
                self.assertTrue(log.endswith("end of hvfeat report\n"))
                for line in log.splitlines():
                    self.assertLessEqual(len(line), 79, line)
                    self.assertTrue(line.isascii() and line.isprintable(), repr(line))
                dump_file = host_file("hostile-replay", f"{name}.txt")
                dump_file.write_text(text)
                code, host_report, errors = host_hvfeat("-f", str(dump_file))
                # hostile-max's KVM blocks promise, by their max leaf, a
                # timing leaf (0x40000010) that reads all zero: the lint
                # hypervisor.max-leaf-promises-empty-leaf warns.
                self.assertEqual(code, PORT_WARNED if name == "hostile-max" else 0, errors)
                self.assertEqual(without_source_line(log), without_source_line(host_report))

    def test_max_leaf_everywhere_is_clamped_and_budgeted(self):
        case = self.case("hostile-replay")
        log = self.log(case, "/hostile-max.log")
        self.assertIn("interfaces: 256 (bases 0x40000000-0x4000ff00 scanned)\n", log)
        self.assertIn("  max leaf: 0xffffffff (past the block: read to 0x400000ff)\n", log)
        self.assertIn("[0x4000ff00] KVM\n", log)
        self.assertIn("  leaves not all read: the 1024-leaf budget is spent\n", log)
        report = json.loads(self.log(case, "/hostile-max.json"))
        # leaves 0, 1, the highest basic, 0x21, 0x80000000 and 0x8000001F;
        # 256 bases; the budget
        self.assertLessEqual(report["cpuid_executions"], 6 + 256 + 1024)
        # leaves 0, 1 and 0x10 (the highest basic, below 0x21), 256 bases,
        # the budget, and 0x80000000, whose zero reaches no 0x8000001F
        self.assertEqual(len(report["leaves"]), 3 + 256 + 1024 + 1)

    def test_every_signature_escaped_in_text_and_exact_in_json(self):
        case = self.case("hostile-replay")
        report = json.loads(self.log(case, "/all-bases.json"))
        self.assertEqual(len(report["interfaces"]), 256)
        for i, iface in enumerate(report["interfaces"]):
            self.assertEqual(iface["signature"].encode("latin-1"), hostile_signature(i))
            self.assertIsNone(iface["product"])
        log = self.log(case, "/all-bases.log")
        self.assertIn('  signature: "\\x05\\"\\\\\\x1b\\0\\x7f\\xff\\x0aF\'\\x09\\x85"\n', log)

    def test_all_ones_words_list_every_unknown_bit(self):
        case = self.case("hostile-replay")
        log = self.log(case, "/all-ones.log")
        features = log[log.index("  features: leaf 0x40000001 eax = 0xffffffff"):]
        features = features[:features.index("  hints:")]
        unknown = [int(m) for m in re.findall(r"\n    yes +(\d+) \(unknown\)", features)]
        self.assertEqual(unknown, [8, 18, 19, 20, 21, 22, 23, 25, 26, 27, 28, 29, 30, 31])
        report = json.loads(self.log(case, "/all-ones.json"))
        kvm = report["interfaces"][0]
        self.assertTrue(all(bit["set"] for d in kvm["decoded"] for bit in d.get("bits", [])))
        self.assertEqual([i["product"] for i in report["interfaces"]],
                         ["KVM", "Microsoft Hyper-V", "Xen", "VMware"])


class Policy(FirmwareCase):
    def test_requirements_pass_fail_and_exit_statuses(self):
        case = self.case("policy")
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console),
                         [PASS, FAILED, PASS, USAGE_ERROR, NOT_DONE, PASS, PASS])
        passed = self.log(case, "/pass.log")
        self.assertIn("\nresults: 17\n"  # 3 requirements, 2 cvm results, the 12 lints
                      "  PASS  require.interface.tcg: interface.tcg = 1: found 1\n"
                      "  PASS  require.interface.tcg.base: interface.tcg.base = 0x40000000: found\n"
                      "        0x40000000\n"
                      "  PASS  require.hypervisor_bit: hypervisor_bit = 1: found 1\n", passed)
        self.assertTrue(passed.endswith("verdict: PASS\nend of hvfeat report\n"), passed)
        failed = self.log(case, "/fail.log")
        self.assertIn("  FAIL  require.kvm.pv_unhalt: kvm.pv_unhalt = 1: no kvm interface\n"
                      "  PASS  require.hypervisor_bit: hypervisor_bit = 1: found 1\n", failed)
        self.assertIn("  failed: require.kvm.pv_unhalt (high)\n"
                      "verdict: FAIL, 1 result failed\n", failed)

    def test_policy_file(self):
        case = self.case("policy")
        log = self.log(case, "/policy.log")
        self.assertEqual(requirement_results(log),
                         [("PASS", "hypervisor_bit"), ("PASS", "interface.tcg.base"),
                          ("PASS", "interface.kvm")])
        self.assertIn("verdict: PASS\n", log)

    def test_policy_file_the_shell_wrote(self):
        case = self.case("policy")
        checks = re.compile(r"\nresults:[\s\S]*verdict: .*\n")
        self.assertEqual(checks.search(self.log(case, "/policy16.log")).group(0),
                         checks.search(self.log(case, "/policy.log")).group(0))

    def test_host_build_reads_policy_files_as_the_firmware_does(self):
        # The firmware's own CPUID (the raw-round-trip dump) and the policy as
        # the shell writes it (UCS-2 with a mark) and as UTF-8 with a mark:
        # the host build checks exactly what the firmware checked.
        firmware = self.case("policy")
        dump = self.case("raw-round-trip")
        checks = re.compile(r"\nresults:[\s\S]*verdict: .*\n")
        expected = checks.search(self.log(firmware, "/policy16.log")).group(0)
        dump_file = host_file("raw-round-trip", "for-host-policy.txt")
        dump_file.write_bytes(vm.read_esp_file(dump.esp, "/cpuid.txt"))
        for name, data in (("ucs2", as_shell_writes(POLICY)),
                           ("utf8-mark", b"\xef\xbb\xbf" + POLICY)):
            with self.subTest(encoding=name):
                policy = host_file("policy", f"host-{name}.txt")
                policy.write_bytes(data)
                code, report, errors = host_hvfeat("-f", str(dump_file), "--policy", str(policy))
                self.assertEqual(code, 0, errors)
                # but for the SMBIOS the replay does not read
                self.assertEqual(without_smbios(checks.search(report).group(0)),
                                 without_smbios(expected))

    def test_bad_requirements_touch_nothing(self):
        case = self.case("policy")
        console = case.boot.console
        self.assertIn("hvfeat: --require: requirement 'kvm.pv_unhlat' names nothing "
                      "hvfeat decodes\n", console)
        self.assertIn("hvfeat: policy \\absent.txt not read: opening the file failed: "
                      "Not Found", console)
        self.assertIsNone(vm.read_esp_file(case.esp, "/typo.log"))
        self.assertIsNone(vm.read_esp_file(case.esp, "/absent-policy.log"))

    def test_verdict_in_json_from_a_replay(self):
        case = self.case("policy")
        report = json.loads(self.log(case, "/hyperv-kvm.json"))
        self.assertEqual(report["verdict"], "pass")
        self.assertEqual([c["requirement"] for c in report["checks"]],
                         ["kvm.pv_unhalt = 1", "kvm.hints.realtime = 1",
                          "interface.kvm.base = 0x40000100"])
        self.assertEqual(report["checks"][2]["found"], 0x40000100)


class Baseline(FirmwareCase):
    """--baseline and --write-policy in firmware, as the host build does them."""

    def test_statuses(self):
        case = self.case("baseline")
        # Hyper-V removed (fail); a baseline absent or cut: not done
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console),
                         [FAILED, NOT_DONE, NOT_DONE])

    def test_drift_and_policy_as_the_host_build_gives_them(self):
        case = self.case("baseline")
        golden, now = host_file("baseline", "golden.json"), host_file("baseline", "now.txt")
        golden.write_bytes(BASELINE_JSON)
        now.write_bytes((DUMPS / KVM_HOST_DUMP).read_bytes())
        policy = host_file("baseline", "host.policy")
        code, report, errors = host_hvfeat("--baseline", str(golden), "-f", str(now), "-j",
                                           "--write-policy", str(policy))
        self.assertEqual(code & 0x13, 0x03, errors)

        def drift(text, golden_path):
            return [(r["label"], r["outcome"], r["detail"].replace(golden_path, "GOLDEN"))
                    for r in json.loads(text)["results"] if r["label"].startswith("drift.")]

        firmware = drift(self.log(case, "/bl-diff.json"), "\\bl\\golden.json")
        self.assertEqual(firmware, drift(report, str(golden)))
        self.assertIn(("drift.interface.hyperv", "fail",
                       "Microsoft Hyper-V at 0x40000000 removed, and the 5 features and "
                       "privileges it offered"), firmware)
        self.assertIn(("drift.baseline", "info",
                       "3 differences from the baseline (JSON report GOLDEN)"), firmware)
        from_line = re.compile(r"^# from: .*\n", re.M)
        self.assertEqual(from_line.sub("", self.log(case, "/bl.policy")),
                         from_line.sub("", policy.read_text()))
        self.assertIn("\ninterface.kvm\nkvm.clocksource  ", self.log(case, "/bl.policy"))

    def test_a_baseline_that_cannot_be_used_costs_only_the_comparison(self):
        case = self.case("baseline")
        console = case.boot.console
        self.assertIn("hvfeat: baseline \\bl\\absent.json not read: opening the file failed: "
                      "Not Found", console)
        self.assertRegex(console, r"hvfeat: \\bl\\cut\.json:\d+: JSON: ")
        for path in ("/bl-absent.log", "/bl-cut.log"):
            log = self.log(case, path)
            self.assertTrue(log.endswith(vm.REPORT_END), path)
            self.assertIn("  SKIP  drift.baseline:", log)
        self.assertIn("  SKIP  drift.baseline: baseline \\bl\\absent.json not read: opening the file\n"
                      "        failed: Not Found\n", self.log(case, "/bl-absent.log"))
        # the verdict is the results' (a skip fails nothing); the status
        # says the work was not all done
        self.assertIn("verdict: PASS\n", self.log(case, "/bl-absent.log"))


class DirectBoot(FirmwareCase):
    """hvfeat as \\EFI\\BOOT\\BOOTX64.EFI on a GPT disk: no shell, options from
    \\hvfeat.cfg, and the verdict reaches the host by itself."""

    def test_boots_to_the_verdict_and_powers_off(self):
        case = self.case("direct-boot")
        self.assertNotIn("UEFI Interactive Shell", case.boot.console)
        self.assert_log_is_console_report(case)
        self.assertIn("hypervisor bit (CPUID.1:ECX[31]): set\n", self.log(case))

    def test_every_vcpu_of_an_smp_guest(self):
        """QEMU's -smp 4 (its command line says how many; QEMU numbers a
        plain topology's APIC IDs 0-3, one a socket): four vCPUs, each
        answering CPUID as the boot vCPU, their APIC IDs told by the
        firmware; the JSON read with jq."""
        case = self.case("direct-boot")
        command = (WORK / "direct-boot" / "qemu-command.txt").read_text().split()
        smp = int(command[command.index("-smp") + 1])
        self.assertEqual(smp, 4)
        log = self.log(case)
        leaves = len(re.findall(r"^   0x[0-9a-f]{8} 0x[0-9a-f]{2}: eax=", log, re.M))
        self.assertIn(f"vCPUs: {smp} present, {smp} enabled (EFI_MP_SERVICES_PROTOCOL)\n"
                      f"  CPUID of the {leaves} leaves below on each, against the boot vCPU's:\n"
                      "  consistent: every vCPU read, none differs\n", log)
        self.assertIn("  PASS  vcpu.cpuid: 4 vCPUs read", log)
        self.assertEqual(requirement_results(log), [
            ("PASS", "vcpu.count"), ("PASS", "vcpu.consistent"), ("PASS", "vcpu.differing")])
        document = vm.read_esp_file(case.esp, "/vcpus.json")
        self.assertIsNotNone(document, "-J \\vcpus.json not written")
        path = host_file("direct-boot", "vcpus.json")
        path.write_bytes(document)
        vcpus = json.loads(subprocess.run(
            ["jq", "-c", "{present: .vcpus.present, enabled: .vcpus.enabled, "
             "consistent: .vcpus.consistent, apic_ids: [.vcpus.list[].apic_id], "
             "from_firmware: [.vcpus.list[].apic_id_from_cpuid | not] | all, "
             "states: [.vcpus.list[].state], "
             "results: [.results[] | select(.label | startswith(\"vcpu.\")) "
             "| [.label, .outcome]]}", str(path)],
            capture_output=True, text=True, check=True).stdout)
        self.assertEqual(vcpus, {
            "present": smp, "enabled": smp, "consistent": True, "apic_ids": list(range(smp)),
            "from_firmware": True, "states": ["boot"] + ["compared"] * (smp - 1),
            "results": [["vcpu.cpuid", "pass"], ["vcpu.startup", "pass"]]})

    def test_exit_port_carries_a_pass(self):
        case = self.case("config-ucs2", qemu_exit=(PASS << 1) | 1)
        self.assertEqual(vm.debug_exit_verdict(case.boot.exit_code), PASS)
        self.assertIn("verdict: PASS", self.log(case))

    def test_exit_port_carries_a_failure_without_shutdown(self):
        case = self.case("exit-port-fail", qemu_exit=(FAILED << 1) | 1)
        self.assertEqual(vm.debug_exit_verdict(case.boot.exit_code), FAILED)
        self.assertIn("  FAIL  require.kvm.pv_unhalt: kvm.pv_unhalt = 1: no kvm interface\n",
                      self.log(case))

    def test_config_the_shell_wrote(self):
        case = self.case("config-ucs2", qemu_exit=(PASS << 1) | 1)
        self.assertEqual(requirement_results(self.log(case)),
                         [("PASS", "interface.tcg"), ("PASS", "hypervisor_bit")])
        self.assertIn("verdict: PASS\n", self.log(case))

    def test_usage_error_in_the_config_still_reaches_the_port(self):
        case = self.case("config-typo", qemu_exit=(USAGE_ERROR << 1) | 1)
        self.assertIn("hvfeat: unknown option '--requier'", case.boot.console)
        self.assertIsNone(vm.read_esp_file(case.esp, "/hvfeat.log"))


class LoadOptions(FirmwareCase):
    """Options from EFI_LOADED_IMAGE.LoadOptions when no shell started
    hvfeat: the verdict reaches the exit port; a typo is a usage error."""

    def test_pass_fail_and_image_path_first(self):
        # the pass from QEMU's -kernel, through the port
        case = self.port_verdict("load-options-pass", PORT_WARNED)
        self.assertIn("verdict: PASS", self.console_report(case))
        # the others as the launcher passes them, through %lasterror%
        case = self.case("load-options")
        outputs = run_outputs(case.boot.console)
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console)[:2],
                         [FAILED, PASS])
        for index, verdict in ((0, "FAIL"), (1, "PASS")):
            with self.subTest(run=index):
                report = vm.report_from_console(outputs[index])
                self.assertIsNotNone(report, outputs[index][-2000:])
                self.assertIn(f"verdict: {verdict}", report)

    def test_full_report_when_the_log_cannot_be_written(self):
        case = CASES["load-options-no-writable-volume"]
        self.assertEqual(vm.debug_exit_verdict(case.boot.exit_code), PORT_NOT_DONE)
        self.assertEqual(vm.exit_classes(PORT_NOT_DONE), ["not passed", "error"])
        report = self.console_report(case)
        self.assertEqual(requirement_results(report), [("PASS", "interface.tcg")])
        self.assertIn("verdict: PASS\n", report)
        self.assertIn("hvfeat: log \\hvfeat.log not written:", case.boot.console)

    def test_malformed_options_are_a_usage_error(self):
        case = self.case("load-options")
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console)[2], USAGE_ERROR)
        typo = run_outputs(case.boot.console)[2]
        self.assertIn("hvfeat: unknown option '--requier'", typo)
        self.assertIsNone(vm.report_from_console(typo))


class Probes(FirmwareCase):
    """--probe under TCG, where nothing is advertised, and the #GP guard."""

    def test_nothing_advertised_nothing_touched(self):
        case = self.case("probe")
        probes = json.loads(self.log(case, "/probe.json"))["probes"]
        self.assertTrue(probes["ran"])
        self.assertEqual([(r["key"], r["state"]) for r in probes["results"]],
                         [(key, "not advertised") for key in PROBE_KEYS])
        self.assertEqual(probes["restored"], [])
        self.assertTrue(probes["pages_released"])

    def test_a_faulting_msr_write_is_caught_and_fails_the_verdict(self):
        case = self.case("probe")
        self.assertEqual(vm.exit_statuses_from_console(case.boot.console)[:2], [PASS, FAILED])
        log = self.assert_log_is_console_report(case, "/gp.log")
        self.assertIn("  forced_msr: broken: #GP on MSR 0xc0010117 (write 0x1)\n", log)
        self.assertIn("  FAIL  probe.forced_msr: broken: #GP on MSR 0xc0010117 (write 0x1)\n",
                      log)
        self.assertIn("  PASS  probe.cleanup: 1 of 1 MSRs read back as found; pages released; fault\n"
                      "        handlers unregistered\n", log)
        self.assertIn("  failed: probe.forced_msr (high)\nverdict: FAIL, 1 result failed\n", log)
        self.assertIn("  restored MSR 0xc0010117 to 0x0: read back equal\n", log)
        self.assertIn("  memory: every registration undone, the pages released\n", log)

    def test_no_probes_on_a_dump_and_bad_specs(self):
        case = self.case("probe")
        statuses = vm.exit_statuses_from_console(case.boot.console)
        self.assertEqual(statuses[2:], [FAILED, USAGE_ERROR])
        log = self.log(case, "/replay.log")
        self.assertIn("probes (--probe): not run: CPUID came from a recording, not this "
                      "machine\n", log)
        self.assertIn("  FAIL  require.probe.kvm.clocksource2: probe.kvm.clocksource2 = 1: probes not\n"
                      "        run\n", log)
        self.assertIn("  SKIP  probe.run: not run: CPUID came from a recording, not this "
                      "machine\n", log)
        self.assertIn("hvfeat: --probe-msr '0xc0010117=' is not MSR or MSR=VALUE",
                      case.boot.console)
        self.assertIsNone(vm.read_esp_file(case.esp, "/bad.log"))

    def test_from_a_boot_entry_a_waived_failure_warns(self):
        case = self.port_verdict("load-options-pass", PORT_WARNED)
        report = self.console_report(case)
        self.assertIn("  forced_msr: broken: #GP on MSR 0xc0010117 (write 0x1)\n", report)
        self.assertIn("  PASS  require.probe.kvm.hypercall: probe.kvm.hypercall = 0: not "
                      "advertised\n", report)
        self.assertIn("  WARN  probe.forced_msr: waived: broken: #GP on MSR 0xc0010117 "
                      "(write 0x1)\n", report)
        self.assertIn("  warnings: probe.forced_msr (waived)\nverdict: PASS, with 1 warning\n",
                      report)


class FaultGuard(FirmwareCase):
    """efi/probe_machine.c in OVMF: guarded faults (a write, TDCALL outside
    a TD) caught, handlers unregistered on close, any other fault back to
    the firmware."""

    def test_guarded_faults_caught_and_handlers_given_back(self):
        console = CASES["fault-guard"].boot.console
        # TDCALL (66 0f 01 cc) is no instruction outside a TD: #UD, 6
        self.assertIn("guard-check: guarded write 1: caught, vector 13\n"
                      "guard-check: guarded TDCALL 1: caught, vector 6\n"
                      "guard-check: close: every handler unregistered\n"
                      "guard-check: guarded write 2: caught, vector 13\n"
                      "guard-check: guarded TDCALL 2: caught, vector 6\n", console)

    def test_an_unguarded_fault_reaches_the_firmware(self):
        boot = CASES["fault-guard"].boot
        self.assertFalse(boot.timed_out, "no exception dump from the firmware: "
                         + boot.console[-1500:])
        # OVMF's CpuExceptionHandlerLib, on the serial console
        self.assertIn("!!!! X64 Exception Type - 06(#UD - Invalid Opcode)", boot.console)
        self.assertNotIn("came back from ud2", boot.console)


class BootManagers(FirmwareCase):
    """hvfeat installed as \\EFI\\hvfeat\\hvfeat.efi with a systemd-boot loader
    entry or a GRUB menu entry: the same verdicts as from the shell, the
    status back to the manager, the log beside the image."""

    # What GRUB prints for an image that returned any error, whatever it was.
    GRUB_SAYS_ERROR = "error: unknown error.\n"

    def systemd_boot_says(self, status):
        return f"Failed to execute hvfeat (\\EFI\\hvfeat\\hvfeat.efi): {status}\n"

    def test_same_verdicts_and_log_beside_the_image(self):
        for manager, ends_boot in (("systemd-boot", True), ("grub", False)):
            with self.subTest(manager=manager, name="pass"):
                case = self.case(f"{manager}-pass", qemu_exit=(PASS << 1) | 1 if ends_boot else 0)
                log = self.log(case, "/EFI/hvfeat/hvfeat.log")
                self.assertEqual(log, self.console_report(case))
                self.assertEqual(requirement_results(log),
                                 [("PASS", "interface.tcg"), ("PASS", "hypervisor_bit")])
                self.assertIn("verdict: PASS\n", log)
                self.assertIsNone(vm.read_esp_file(case.esp, "/hvfeat.log"))
                self.assertNotIn(self.GRUB_SAYS_ERROR, case.boot.console)
        with self.subTest(manager="systemd-boot", name="fail"):
            case = self.case("systemd-boot-fail")
            log = self.log(case, "/EFI/hvfeat/hvfeat.log")
            self.assertEqual(log, self.console_report(case))
            self.assertIn("verdict: FAIL, 1 result failed\n", log)
            self.assertIn(self.systemd_boot_says("Unsupported"), case.boot.console)
            self.assertIsNone(vm.read_esp_file(case.esp, "/hvfeat.log"))
        with self.subTest(manager="grub", name="fail"):
            case = self.case("grub-fail")
            log = self.log(case, "/EFI/hvfeat/fail.log")
            self.assertEqual(log, self.console_report(case))
            self.assertIn("verdict: FAIL, 1 result failed\n", log)
            self.assertIn(self.GRUB_SAYS_ERROR, case.boot.console)

    def test_malformed_options_are_a_usage_error(self):
        with self.subTest(manager="systemd-boot"):
            case = self.case("systemd-boot-typo")
            self.assertIn("hvfeat: unknown option '--requier'", case.boot.console)
            self.assertIsNone(vm.report_from_console(case.boot.console))
            self.assertIn(self.systemd_boot_says("Invalid Parameter"), case.boot.console)
        with self.subTest(manager="grub"):
            # a usage error that still finds the port and power options
            case = self.port_verdict("grub-typo", USAGE_ERROR)
            self.assertIn("hvfeat: unknown option '--requier'", case.boot.console)
            self.assertIsNone(vm.report_from_console(case.boot.console))


class FirmwareBootEntry(FirmwareCase):
    """Boot#### entries the shell's bcfg made in a first boot, their options
    in the entries' optional data: the same verdicts, the status back to
    the firmware, the log beside the image."""

    def test_same_verdicts_and_log_beside_the_image(self):
        case = self.case("boot-entry-pass", qemu_exit=(PASS << 1) | 1)
        log = vm.read_esp_file(case.esp, "/EFI/hvfeat/hvfeat.log").decode("ascii")
        self.assertEqual(log, self.console_report(case))
        failed = self.case("boot-entry-ascii-fail")
        log = vm.read_esp_file(failed.esp, "/EFI/hvfeat/hvfeat.log").decode("ascii")
        self.assertEqual(log, self.console_report(failed), "the usage error after it wrote no log")
        self.assertIn("verdict: FAIL, 1 result failed\n", log)
        self.assertRegex(failed.boot.console, r'failed to start Boot[0-9A-F]{4} '
                         r'"boot-entry-ascii-fail" from .*: Unsupported\n')
        self.port_verdict("boot-entry-not-text", USAGE_ERROR)

    def test_options_that_are_not_text_say_why(self):
        case = self.port_verdict("boot-entry-not-text", USAGE_ERROR)
        self.assertIn("hvfeat: load options: 100 bytes that are neither UCS-2 nor ASCII "
                      "text (UCS-2 code unit 0x001b at offset 46)\n", case.boot.console)
        self.assertIsNone(vm.report_from_console(case.boot.console))

    def test_shell_typo_reaches_the_port(self):
        case = self.case("shell-typo", qemu_exit=(USAGE_ERROR << 1) | 1)
        self.assertIn("hvfeat: unknown option '--requier'", case.boot.console)


class SecureBoot(FirmwareCase):
    """OVMF with Secure Boot enforced and the snakeoil keys enrolled."""

    def test_signed_image_boots_and_logs(self):
        case = self.case("secure-boot-signed")
        self.assert_log_is_console_report(case)

    def test_unsigned_image_is_refused(self):
        case = CASES["secure-boot-unsigned"]
        self.assertFalse(case.boot.timed_out, case.boot.console[-2000:])
        refused = ('failed to load Boot0001 "UEFI Misc Device" from '
                   'PciRoot(0x0)/Pci(0x1,0x0): Access Denied')
        # its share of the console ends where the firmware goes on to the
        # signed image's disk: nothing of hvfeat in it
        self.assertIn(refused, case.boot.console)
        self.assertTrue(case.boot.finished, case.boot.console[-2000:])
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
        report = self.log(case, "/live.log")
        replayed = self.log(case, "/replayed.log")
        self.assertIn("source: dump \\cpuid.txt\n", replayed)
        # The live run read OVMF's SMBIOS, the replays do not (not this
        # machine's tables), nor the MSR or the firmware's CC tables (the
        # confidential-computing section says so), nor the other vCPUs:
        # all else the same.
        self.assertEqual(smbios_lints(report), {"hidden-hypervisor": "PASS",
                                                "hypervisor-without-vm-bit": "PASS"})
        self.assertIn("\nSMBIOS (firmware tables, DMTF DSP0134): not read: CPUID came from a "
                      "recording,\n      not this machine\n", replayed)
        self.assertEqual(smbios_lints(replayed), {"hidden-hypervisor": "N/A",
                                                  "hypervisor-without-vm-bit": "N/A"})
        self.assertIn("  SEV_STATUS (MSR 0xc0010131): not read: CPUID came from a recording",
                      replayed)
        self.assertEqual(cpuid_evidence(replayed), cpuid_evidence(report))
        self.assertIn("vCPUs: 1 present, 1 enabled (EFI_MP_SERVICES_PROTOCOL)\n", report)
        self.assertIn("vCPUs: not read: the dump holds one CPU", replayed)
        self.assertEqual(
            without_vcpus(without_smbios(without_machine_reads(replayed))),
            without_vcpus(without_firmware_tables(without_smbios(without_machine_reads(report)))))

        dump_file = host_file("raw-round-trip", "cpuid.txt")
        dump_file.write_text(dump)
        code, host_report, errors = host_hvfeat("-f", str(dump_file))
        self.assertEqual(code, 0, errors)
        self.assertEqual(without_source_line(host_report), without_source_line(replayed))

    def test_live_run_reads_the_fadt(self):
        """QEMU 7.2's q35 FADT is revision 3 (hw/i386/acpi-build.c,
        init_common_fadt_data: .rev = 3), 244 bytes (hw/acpi/aml-build.c,
        build_fadt stops there for revision 3): older than the Hypervisor
        Vendor Identity of ACPI 6.0, so none; a replay reads no FADT."""
        case = self.case("raw-round-trip")
        report = self.log(case, "/live.log")
        self.assertIn("\nACPI FADT: revision 3.0, 244 bytes\n"
                      "  hypervisor vendor identity: none (a field of ACPI 6.0 on)\n", report)
        self.assertNotIn("ACPI FADT", self.log(case, "/replayed.log"))

    def test_firmware_dump_decodes_with_the_cpuid_tool(self):
        case = self.case("raw-round-trip")
        dump_file = host_file("raw-round-trip", "for-cpuid.txt")
        dump_file.write_bytes(vm.read_esp_file(case.esp, "/cpuid.txt"))
        cpuid = subprocess.run(["cpuid", "-f", str(dump_file)], capture_output=True, text=True)
        self.assertEqual(cpuid.returncode, 0, cpuid.stderr)
        self.assertNotIn("unexpected input", cpuid.stderr)
        self.assertIn('hypervisor_id (0x40000000) = "TCGTCGTCGTCG"', cpuid.stdout)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    import run_suite
    sys.exit(run_suite.run(sys.modules[__name__], "firmware"))
