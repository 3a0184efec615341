"""The arm64 KVM bed: hvfeat under a real arm64 KVM on this x86 machine.

L0 is this machine's qemu-system-aarch64 under TCG, emulating a CPU with
EL2 (-M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on).
L1 is Debian's arm64 kernel, KVM built in, with a busybox initramfs
(qemu/nested_arm64/build_l1.sh): it mounts Debian's arm64 QEMU tree
(qemu/nested_arm64/build_l2_qemu.sh) read-only and a job directory
writable over virtio-9p, and runs the job. The job boots each L2 case:
that QEMU, run through its tree's own dynamic loader, with -accel kvm
-M virt,gic-version=3 -cpu host, AAVMF (converted to qcow2: L1 reads 2.4
MB over 9p instead of 128 MiB of padding) and hvfeat booted directly as
\\EFI\\BOOT\\BOOTAA64.EFI from a GPT ESP in the job directory, its options
in \\hvfeat.cfg. Its status comes back in \\hvfeat.status (the virt machine
has no isa-debug-exit), its log and JSON on the ESP, read with mtools.

L1 runs at EL2 in VHE mode by default, nVHE with kvm-arm.mode=nvhe.
Every layer's failure is loud: an L1 without /dev/kvm, a hung or killed
L2, a missing status raise NestedArm64Error with the consoles. Nothing
is retried.
"""

import concurrent.futures
import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import firmware_vm as vm
from nested_common import l1_console_problems, read_case_results, tail

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "nested-arm64"
L1_DIR = BUILD / "l1"
L2_TREE = BUILD / "l2-qemu" / "root"
AAVMF_CODE = Path("/usr/share/AAVMF/AAVMF_CODE.fd")
AAVMF_VARS = Path("/usr/share/AAVMF/AAVMF_VARS.fd")
BOOT_PATH = "EFI/BOOT/BOOTAA64.EFI"
L0_QEMU = "qemu-system-aarch64"
# The EL2 L1 needs, and pointer authentication TCG emulates cheaply
# (QARMA costs 3x the L1 boot time: notes in the README, "The arm64 bed").
L1_MACHINE = "virt,virtualization=on,gic-version=3"
L1_CPU = "max,pauth-impdef=on"
# The same CPU as a Cortex-A72 r0p3 by its MIDR (Arm: implementer 0x41,
# part 0xd08), which Linux's Spectre-BHB code looks up (proton-pack.c,
# spectre_bhb_loop_affected: the A72 takes the 8-iteration branch-history
# loop). L1's KVM then mitigates Spectre-BHB and offers ARCH_WORKAROUND_3
# to its guests (hypercalls.c: SUCCESS when mitigated). With QEMU's own
# "max" MIDR it answers NOT_SUPPORTED: measured (the committed -cpu host
# recording), not derived, since mainline 6.1 would say UNAFFECTED there
# (spectre_bhb_state starts so); Debian's 6.1.0-57 carries the stable
# backports of the later Spectre-BHB changes, which we take to treat an
# unknown CPU as affected. nVHE only, as on a real A72 (ARMv8.0, no VHE):
# the A72 also matches ARM64_SPECTRE_V3A, for which KVM 6.1's
# kvm_init_vector_slots maps hyp vectors through create_hyp_exec_mappings,
# and that BUG()s in VHE mode (is_kernel_in_hyp_mode).
L1_CPU_A72 = "max,pauth-impdef=on,midr=0x410fd083"
L1_MEMORY_MB = 2048
# L1 boots to its job in 3-4 s uncontended; a busy machine is ~5x slower.
L1_BOOT_BUDGET = 90
# An L2 boot to the verdict takes 16-20 s uncontended.
L2_TIMEOUT = 150
L2_MEMORY_MB = 512
# L1's KVM has no GICv2 emulation ("disabling GICv2 emulation").
L2_MACHINE = "virt,gic-version=3"
L1_TROUBLE = ("Kernel panic", "BUG:", "Oops", "soft lockup")
# L2's ESP: 8 MiB of FAT16 behind a GPT, small enough that L1 copies it to
# its tmpfs before the boot and back after in a fraction of a second; on
# the 9p share, every sector hvfeat writes would be a round trip to this
# machine.
L2_ESP_SECTORS = 14336


class NestedArm64Error(RuntimeError):
    """The bed itself failed: what and where, with the consoles kept."""


@dataclass
class Arm64Case:
    name: str
    cpu: str = "host"
    options: str = "--shutdown --exit-port"  # \hvfeat.cfg
    machine: str = L2_MACHINE
    extra: dict = None  # more files on the ESP
    efi: bytes = None   # another application instead of hvfeat (a floor)
    # filled in by the run
    esp: str = None
    command: list = None
    exit_code: int = None
    seconds: float = None
    timed_out: bool = False
    console: str = ""
    stderr: str = ""

    def file(self, path):
        data = vm.read_esp_file(self.esp, path)
        return data.decode("ascii", "replace") if data is not None else None

    def log(self, path="/hvfeat.log"):
        return self.file(path)

    @property
    def status(self):
        """hvfeat's EFI status from \\hvfeat.status, or None without one."""
        return vm.recorded_status(self.esp)


@dataclass
class Arm64L1:
    """One L1 guest and the cases it ran, in order."""
    name: str
    cases: list
    nvhe: bool = False
    cpu: str = L1_CPU
    console: str = ""
    outer_stderr: str = ""
    outer_exit: int = None
    timed_out: bool = False
    seconds: float = 0.0
    kernel: str = ""
    kvm_mode: str = ""
    job_start: float = None
    lines: list = field(default_factory=list)

    def summary(self):
        out = [f"arm64-kvm: {self.name}: L1 -cpu {self.cpu}, kernel {self.kernel or '?'}, "
               f"{self.kvm_mode or 'KVM mode not reported'}; job at "
               + (f"{self.job_start:.1f} s" if self.job_start else "never")
               + f", L1 up {self.seconds:.1f} s"]
        for case in self.cases:
            out.append(f"arm64-kvm: {self.name}: L2 {case.name} (-cpu {case.cpu}): "
                       + ("hung, killed" if case.timed_out else f"QEMU exit {case.exit_code}")
                       + (f", boot-to-verdict {case.seconds:.1f} s" if case.seconds else ""))
        return "\n".join(out)


def tcg_command(disk, vars_file, machine="virt", cpu=L1_CPU):
    """AAVMF under plain TCG on this machine: no EL2, so QEMU itself is the
    PSCI conduit and answers every other SMCCC call NOT_SUPPORTED."""
    return [L0_QEMU, "-accel", "tcg", "-machine", machine, "-cpu", cpu, "-m", "512",
            "-smp", "1", "-nodefaults", "-display", "none", "-monitor", "none",
            "-serial", "stdio", "-no-reboot",
            "-drive", f"if=pflash,format=raw,readonly=on,file={AAVMF_CODE}",
            "-drive", f"if=pflash,format=raw,file={vars_file}",
            "-drive", f"file={vm.disk_file(disk)},format=raw,if=none,id=disk0",
            "-device", "virtio-blk-pci,drive=disk0"]


def tcg_boot(efi_bytes, options, workdir, timeout=120, extra=None, machine="virt"):
    """hvfeat booted directly under TCG AAVMF with options in \hvfeat.cfg;
    returns (Boot, ESP image name)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    files = {BOOT_PATH: efi_bytes, "hvfeat.cfg": (options.strip() + "\n").encode(),
             **(extra or {})}
    esp = vm.make_disk_image(workdir / "disk.img", files)
    vars_file = workdir / "AAVMF_VARS.fd"
    vars_file.write_bytes(AAVMF_VARS.read_bytes())
    command = tcg_command(esp, vars_file, machine)
    (workdir / "qemu-command.txt").write_text(shlex.join(command) + "\n")
    started = time.monotonic()
    exit_code, timed_out, raw, errors = vm.run_streaming(command, timeout, lambda *a: False)
    boot = vm.Boot("tcg", exit_code, timed_out, time.monotonic() - started, raw,
                   errors.decode(errors="replace"))
    (workdir / "console.log").write_bytes(raw)
    if timed_out:
        raise NestedArm64Error(f"AAVMF under TCG did not power off in {timeout} s "
                               f"(console in {workdir})")
    return boot, esp


def aavmf_qcow2(directory):
    """AAVMF's code and a fresh variable store as qcow2 (2.4 and 0.2 MB):
    raw, each is a 64 MiB flash image L1 would read over 9p."""
    directory.mkdir(parents=True, exist_ok=True)
    code = directory / "AAVMF_CODE.qcow2"
    vm.run_tool("qemu-img", "convert", "-O", "qcow2", str(AAVMF_CODE), str(code))
    vm.run_tool("qemu-img", "convert", "-O", "qcow2", str(AAVMF_VARS),
                str(directory / "AAVMF_VARS.qcow2"))
    return code


def l2_disk(image, files):
    """A GPT disk whose one partition, an ESP from 1 MiB, holds files; returns
    the mtools name of the partition (image@@1M)."""
    image = vm.new_image_file(image, L2_ESP_SECTORS + 2 * 2048)
    vm.run_tool("sfdisk", "--quiet", str(image), input_bytes=(
        f"label: gpt\nstart=2048, size={L2_ESP_SECTORS}, type={vm.ESP_TYPE_GUID}\n").encode())
    partition = f"{image}@@1M"
    vm.run_tool("mformat", "-i", partition, "-T", str(L2_ESP_SECTORS), "-h", "64", "-s", "32",
                "-v", "HVFEAT", "::")
    for path, content in files.items():
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts)):
            subprocess.run(["mmd", "-i", partition, "::/" + "/".join(parts[:depth])],
                           capture_output=True)
        vm.run_tool("mcopy", "-o", "-i", partition, "-", "::/" + "/".join(parts),
                    input_bytes=content)
    return partition


def l2_command(case, job, scratch):
    """The L2's QEMU command as L1 runs it: paths under /job and /tmp."""
    return ["/l2/usr/bin/qemu-system-aarch64", "-accel", "kvm", "-machine", case.machine,
            "-cpu", case.cpu, "-m", str(L2_MEMORY_MB), "-smp", "1", "-nodefaults",
            "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
            "-drive", f"if=pflash,format=qcow2,readonly=on,file={job}/AAVMF_CODE.qcow2",
            "-drive", f"if=pflash,format=qcow2,file={scratch}/vars.qcow2",
            "-drive", f"file={scratch}/disk.img,format=raw,if=none,id=disk0",
            "-device", "virtio-blk-pci,drive=disk0"]


def job_script(cases):
    """The busybox shell script L1 runs: each case's L2 bounded by
    timeout(1), its variable store and disk copied to L1's tmpfs first, the
    disk and the console copied back to the job directory after (every
    byte written over 9p is a round trip to this machine)."""
    loader = ("/l2/lib/ld-linux-aarch64.so.1 --library-path "
              "/l2/lib/aarch64-linux-gnu:/l2/usr/lib/aarch64-linux-gnu")
    lines = ["#!/bin/sh", "# Written by qemu/nested_arm64.py; runs inside L1.",
             "up() { cut -d' ' -f1 /proc/uptime; }"]
    for case in cases:
        d, scratch = f"/job/{case.name}", f"/tmp/{case.name}"
        command = shlex.join(case.command)
        lines += [f"echo 'hvfeat-l2: {case.name}: starting:' {shlex.quote(command)}",
                  f"mkdir -p {scratch} && cp /job/AAVMF_VARS.qcow2 {scratch}/vars.qcow2 && "
                  f"cp {d}/disk.img {scratch}/disk.img",
                  f"up > {d}/started",
                  f"timeout -s KILL {L2_TIMEOUT} {loader} {command} </dev/null "
                  f">{scratch}/console.log 2>{scratch}/stderr.log",
                  f"echo $? > {d}/exit-code; up > {d}/ended",
                  f"cp {scratch}/console.log {scratch}/stderr.log {scratch}/disk.img {d}/; sync",
                  f"echo \"hvfeat-l2: {case.name}: QEMU exit $(cat {d}/exit-code)\""]
    return "\n".join(lines) + "\n"


def outer_command(job_dir, nvhe, cpu=L1_CPU):
    append = "console=ttyAMA0 panic=-1 quiet" + (" kvm-arm.mode=nvhe" if nvhe else "")
    return [L0_QEMU, "-accel", "tcg", "-machine", L1_MACHINE, "-cpu", cpu,
            "-smp", "1", "-m", str(L1_MEMORY_MB), "-nodefaults", "-display", "none",
            "-monitor", "none", "-serial", "stdio", "-no-reboot",
            "-kernel", str(L1_DIR / "vmlinuz"), "-initrd", str(L1_DIR / "initramfs.cpio.gz"),
            "-append", append,
            "-virtfs", f"local,path={L2_TREE},mount_tag=l2tree,security_model=none,readonly=on",
            "-virtfs", f"local,path={job_dir},mount_tag=jobdir,security_model=none"]


def run(l1_groups, efi_bytes, workdir, echo=None):
    """Boots one L1 per group, a (name, nvhe, cases) triple or (name, nvhe,
    cases, L1's -cpu) quadruple, side by side
    (one vCPU each on this two-core machine), each running its cases one
    after another as L2. Returns the Arm64L1s. Raises NestedArm64Error when
    the bed fails; a case whose verdict is not a pass is no bed failure."""
    for built in (L1_DIR / "vmlinuz", L1_DIR / "initramfs.cpio.gz",
                  L2_TREE / "usr/bin/qemu-system-aarch64"):
        if not built.exists():
            raise NestedArm64Error(f"{built} is missing: make nested-arm64-bed builds the bed")
    workdir = Path(workdir).resolve()
    if workdir.exists():
        subprocess.run(["rm", "-rf", str(workdir)], check=True)
    l1s = []
    for name, nvhe, cases, *cpu in l1_groups:
        l1 = Arm64L1(name, cases, nvhe, *cpu)
        job_dir = workdir / name
        aavmf_qcow2(job_dir)
        for case in cases:
            case_dir = job_dir / case.name
            case_dir.mkdir()
            files = {BOOT_PATH: case.efi or efi_bytes}
            if case.options and not case.efi:
                files["hvfeat.cfg"] = (case.options.strip() + "\n").encode()
            files.update(case.extra or {})
            case.esp = l2_disk(case_dir / "disk.img", files)
            case.command = l2_command(case, "/job", f"/tmp/{case.name}")
        (job_dir / "job.sh").write_text(job_script(cases))
        l1s.append(l1)
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(l1s)) as pool:
        for future in [pool.submit(_run_l1, l1, workdir / l1.name, echo) for l1 in l1s]:
            future.result()
    _raise_on_bed_failure(l1s, workdir)
    return l1s


def _run_l1(l1, job_dir, echo):
    command = outer_command(job_dir, l1.nvhe, l1.cpu)
    (job_dir / "outer-command.txt").write_text(shlex.join(command) + "\n")
    budget = L1_BOOT_BUDGET + L2_TIMEOUT * len(l1.cases) + 30
    started = time.monotonic()
    arrivals, pending = [], ""

    def on_output(process, raw, errors, chunk):
        nonlocal pending
        if chunk:
            text = vm.console_text(chunk)
            arrivals.append((len(vm.console_text(bytes(raw))), time.monotonic() - started))
            if echo:
                *lines, pending = (pending + text).split("\n")
                echo("".join(f"[{l1.name}] {line}\n" for line in lines if line.strip()))
        return False

    exit_code, timed_out, raw, errors = vm.run_streaming(command, budget, on_output)
    l1.seconds = time.monotonic() - started
    l1.console, l1.outer_stderr = vm.console_text(raw), errors.decode(errors="replace")
    l1.outer_exit, l1.timed_out = exit_code, timed_out
    (job_dir / "l1-console.log").write_text(l1.console)
    (job_dir / "outer-stderr.log").write_text(l1.outer_stderr)
    mark = l1.console.find("job starts at")
    l1.job_start = next((when for end, when in arrivals if end > mark), None) \
        if mark >= 0 else None
    kernel = re.search(r"hvfeat-l1: kernel (\S+),", l1.console)
    l1.kernel = kernel.group(1) if kernel else ""
    mode = re.search(r"kvm \[\d+\]: ((?:VHE|Hyp) mode initialized successfully)", l1.console)
    l1.kvm_mode = mode.group(1) if mode else ""
    read_case_results(job_dir, l1.cases)


def l1_problems(l1):
    problems = []
    if l1.timed_out:
        problems.append("the outer QEMU did not finish in time (hang)")
    elif l1.outer_exit not in (0, None):
        problems.append(f"the outer QEMU exited with status {l1.outer_exit}")
    problems += l1_console_problems(l1, L1_TROUBLE)
    expected = "Hyp mode initialized" if l1.nvhe else "VHE mode initialized"
    if l1.job_start is not None and expected not in l1.kvm_mode:
        problems.append(f"L1's KVM did not say {expected!r} (it said {l1.kvm_mode!r})")
    for case in l1.cases:
        if case.timed_out:
            problems.append(f"L2 {case.name} hung: killed after {L2_TIMEOUT} s")
        elif case.exit_code is None:
            problems.append(f"L2 {case.name} never finished")
        elif case.exit_code != 0:
            problems.append(f"L2 {case.name}: its QEMU exited {case.exit_code}: "
                            f"{case.stderr.strip()[-300:]}")
    return problems


def _raise_on_bed_failure(l1s, workdir):
    report = []
    for l1 in l1s:
        problems = l1_problems(l1)
        if problems:
            report.append(f"{l1.name}: " + "; ".join(problems)
                          + f"\n--- {l1.name} outer QEMU stderr ---\n{tail(l1.outer_stderr)}"
                          + f"\n--- {l1.name} console ---\n{tail(l1.console)}"
                          + "".join(f"\n--- L2 {c.name} console (end) ---\n{tail(c.console, 1500)}"
                                    for c in l1.cases if c.exit_code != 0))
    if report:
        raise NestedArm64Error("arm64 KVM bed failed: " + "\n".join(report)
                               + f"\n(everything is kept in {workdir})\n"
                               + "\n".join(l1.summary() for l1 in l1s))


def main():
    """make run ARCH=aarch64 [KVM=nested]: one boot, the report on stdout."""
    import argparse
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--efi", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--kvm", action="store_true", help="on the arm64 KVM bed")
    parser.add_argument("--args", default="", help="hvfeat's arguments")
    options = parser.parse_args()
    efi = Path(options.efi).read_bytes()
    hvfeat_options = f"--shutdown --exit-port {options.args}"
    try:
        if options.kvm:
            case = Arm64Case("run", options=hvfeat_options)
            l1s = run([("L1", False, [case])], efi, options.workdir)
            print(l1s[0].summary())
            esp, console = case.esp, case.console
        else:
            boot, esp = tcg_boot(efi, hvfeat_options, options.workdir)
            console = boot.console
    except NestedArm64Error as error:
        raise SystemExit(str(error))
    report = vm.report_from_console(console)
    print(report if report else console[-3000:])
    status = vm.recorded_status(esp)
    print(f"hvfeat exit status: {status:#x}" if status is not None
          else "hvfeat wrote no \\hvfeat.status")
    return 0 if status == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
