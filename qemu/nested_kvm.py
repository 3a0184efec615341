"""The nested-KVM bed: hvfeat under a real Linux KVM on a machine without one.

L0 is this machine: a patched qemu-system-x86_64 (qemu/nested/build_outer_qemu.sh)
emulating an AMD CPU with SVM and nested paging under TCG. L1 is Debian's
kernel with a busybox initramfs (qemu/nested/build_l1.sh): it loads kvm_amd,
mounts this machine's root read-only and a job directory writable over
virtio-9p, and runs the job chrooted in this machine's root. The job boots
each L2 case: the host's own qemu-system-x86_64 with -accel kvm, OVMF and
hvfeat booted directly from a GPT ESP image in the job directory, its verdict
through isa-debug-exit. The images stay in the job directory, so the host
reads logs back with mtools even when a later step hangs.

Every exit of an L2 crosses two emulated layers, so the bed spares OVMF the
exits it can (measured in the README, "Where an L2 boot's time goes"): each
L2 starts from a variable store that has booted once already, kept on L1's
own tmpfs, and has a TPM 1.2 (swtpm in L1) for OVMF's TPM probe to find.

Every layer's failure is loud: an outer abort or hang, an L1 without
/dev/kvm, a timed-out L2 raise NestedBedError with the consoles. Nothing is
retried.
"""

import concurrent.futures
import platform
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import firmware_vm as vm
from nested_common import l1_console_problems, read_case_results, tail

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "nested"
OUTER_QEMU = BUILD / "outer-qemu" / "qemu-system-x86_64"
L1_DIR = BUILD / "l1"
# What QEMU's TCG can emulate of AMD's virtualization: SVM with nested paging.
L1_CPU = "EPYC,+svm,+npt"
L1_MEMORY_MB = 3072
# From the outer QEMU's start to the job: 7-9 s seen; the budget allows for
# a busy machine.
L1_BOOT_BUDGET = 120
# One L2 boot takes 9-25 s here (3-4 s under plain TCG); a hang must not
# cost much more than the slowest good run.
L2_TIMEOUT = 120
# An l1_step (a host tool run in L1 itself) takes a second or two.
L1_STEP_TIMEOUT = 60
L2_MEMORY_MB = 256
# In L1, on its tmpfs: each L2's variable store and TPM. OVMF programs its
# variables byte by byte, and every byte written to a file on the 9p share
# is a round trip to this machine (0.8-1.2 s per boot).
L1_SCRATCH = "/tmp/hvfeat-l2"
# Each L2 gets a TPM 1.2 from a swtpm run in L1 (see vm.SWTPM): without
# one, OVMF's TPM probe (Tcg2ConfigPei) polls the absent chip's registers
# 50,000 times, each poll an MMIO and two PM-timer exits to L1's user
# space: 10-13 s of a 30 s boot. Version 1.2, because OVMF measures nothing
# into it (a TPM 2.0 costs 4 s more in hashing and commands).
# Stands in a -cpu for the TSC frequency KVM has in L1, known only there:
# without TSC scaling, KVM takes only a tsc-frequency that matches it.
TSC_HZ = "{tsc_hz}"
# The outer QEMU's own failure signatures (see the README, "Real KVM").
OUTER_ABORTS = ("assertion failed", "Aborted", "core dumped")
L1_TROUBLE = ("soft lockup", "Kernel panic", "BUG:", "Oops")


class NestedBedError(RuntimeError):
    """The bed itself failed: what and where, with the consoles kept."""


@dataclass
class L2Case:
    name: str
    cpu: str = "host"
    options: str = "--shutdown --exit-port"  # \hvfeat.cfg
    # The firmware console on L2's serial port; every character written
    # there is a port-I/O exit through two layers, so the matrix reads the
    # log instead.
    serial: bool = True
    memory_mb: int = None
    efi: bytes = None  # another EFI application instead of hvfeat (a floor)
    # Files beside \hvfeat.efi on an ESP the firmware's shell starts from
    # (a startup.nsh), instead of hvfeat booted directly with \hvfeat.cfg.
    files: dict = None
    # More files on the ESP of a directly booted hvfeat (a baseline).
    extra: dict = None
    machine: str = "q35"
    smp: int = 1  # vCPUs: several run on L1's one vCPU in turn
    # filled in by the run
    esp: str = None
    command: list = None
    exit_code: int = None
    seconds: float = None
    timed_out: bool = False
    console: str = ""
    stderr: str = ""

    @property
    def verdict(self):
        return vm.debug_exit_verdict(self.exit_code) if self.exit_code is not None else None

    def log(self, path="/hvfeat.log"):
        data = vm.read_esp_file(self.esp, path)
        return data.decode("ascii", "replace") if data is not None else None


@dataclass
class L1Run:
    """One L1 guest (one outer QEMU) and the cases it ran, in order."""
    name: str
    cases: list
    console: str = ""
    outer_stderr: str = ""
    outer_exit: int = None
    timed_out: bool = False
    seconds: float = 0.0
    kernel: str = ""
    kvm: str = ""
    job_start: float = None  # seconds after its outer QEMU started
    tsc_khz: int = None  # the L1 kernel's, which KVM gives its guests
    job_dir: Path = None  # where its job and what its steps kept are

    def step(self, name):
        """An l1_step's (status, standard output, error); None if it did
        not run."""
        status = self.job_dir / f"{name}.status"
        if not status.exists():
            return None
        return (int(status.read_text().strip() or -1),
                (self.job_dir / f"{name}.out").read_text(errors="replace"),
                (self.job_dir / f"{name}.err").read_text(errors="replace"))

    def summary(self):
        lines = [f"nested-kvm: {self.name}: L1 kernel {self.kernel or '?'}; "
                 f"{self.kvm or 'kvm_amd not reported'}",
                 f"nested-kvm: {self.name}: L1 boot to job "
                 + (f"{self.job_start:.1f} s" if self.job_start else "not reached")
                 + f", L1 up {self.seconds:.1f} s in all"]
        for case in self.cases:
            lines.append(f"nested-kvm: {self.name}: L2 {case.name} (-cpu {case.cpu}): "
                         + ("hung, killed" if case.timed_out else
                            f"QEMU exit {case.exit_code}, verdict {case.verdict}")
                         + (f", boot-to-verdict {case.seconds:.1f} s" if case.seconds else ""))
        return "\n".join(lines)


@dataclass
class NestedRun:
    l1s: list
    seconds: float = 0.0

    @property
    def kernel(self):
        """The kernel whose KVM ran the cases."""
        return self.l1s[0].kernel

    def tsc_khz(self, case):
        """The TSC frequency KVM gave the case's guests: its L1's."""
        return next(l1.tsc_khz for l1 in self.l1s if case in l1.cases)

    def summary(self):
        return "\n".join([f"nested-kvm: L0 {OUTER_QEMU} (TCG, -cpu {L1_CPU}, "
                          f"{len(self.l1s)} L1 guest(s) side by side), {self.seconds:.1f} s"]
                         + [l1.summary() for l1 in self.l1s])


def l2_disk(case, case_dir, efi_bytes):
    """The case's GPT ESP: the application booted directly with its
    options in \\hvfeat.cfg, or as \\hvfeat.efi beside the case's files."""
    efi = case.efi or efi_bytes
    files = ({"hvfeat.efi": efi, **case.files} if case.files
             else {**vm.direct_boot_files(efi, case.options), **(case.extra or {})})
    case.esp = vm.make_disk_image(case_dir / "disk.img", files)
    return case.esp


def l1_scratch(case):
    return f"{L1_SCRATCH}/{case.name}"


def l2_command(case):
    scratch = l1_scratch(case)
    return vm.qemu_command(case.esp, f"{scratch}/OVMF_VARS.fd", "kvm", case.cpu,
                           devices=(vm.DEBUG_EXIT_DEVICE,), machine=case.machine,
                           memory_mb=case.memory_mb or L2_MEMORY_MB, serial=case.serial,
                           tpm_socket=f"{scratch}/swtpm.sock", smp=case.smp)


def template_key(case):
    """What a variable store after one boot depends on: the machine type,
    memory and console. The template's boot has no TPM and no exit port;
    whatever they add to the store, each L2 writes itself."""
    return case.machine.split(",")[0], case.memory_mb or L2_MEMORY_MB, case.serial


def vars_template(key, efi_bytes, workdir):
    """OVMF's variable store after one boot of the machine `key` names,
    under TCG on this machine (4 s). Started from it, an L2's OVMF writes
    only what changes from boot to boot (its console paths, a counter):
    a fresh store costs 10-14 s more, in byte-by-byte programming of the
    variables a first boot creates."""
    machine, memory_mb, serial = key
    workdir.mkdir(parents=True)
    disk = vm.make_disk_image(workdir / "disk.img", vm.direct_boot_files(efi_bytes, "--shutdown"))
    vars_file = workdir / "OVMF_VARS.fd"
    vars_file.write_bytes(vm.OVMF_VARS.read_bytes())
    command = vm.qemu_command(disk, vars_file, "tcg", machine=machine, memory_mb=memory_mb,
                              serial=serial)
    try:
        result = subprocess.run(command, capture_output=True, timeout=L2_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise NestedBedError(f"the variable-store boot of {key} under TCG hung ({workdir})")
    if result.returncode != 0:
        raise NestedBedError(f"the variable-store boot of {key} under TCG exited "
                             f"{result.returncode}: {result.stderr.decode(errors='replace')}")
    return vars_file.read_bytes()


# In an l1_steps command: the first L1's job directory, which holds the
# l1_files. A repository under /tmp is hidden in L1 behind its tmpfs; the
# job directory is mounted over it, so what a step runs goes there.
JOB_DIR = "{job}"


def job_script(job_dir, cases, l1_steps=()):
    """The shell script L1 runs chrooted in the host's root: first the
    l1_steps, (name, shell command) pairs run in L1 itself, each one's
    standard output, error and status kept in job_dir as NAME.out, NAME.err
    and NAME.status; then the cases one after another, each L2 bounded by
    timeout(1), its variable store copied to L1's tmpfs and its TPM started
    first (both inside its time)."""
    lines = ["#!/bin/sh", "# Written by qemu/nested_kvm.py; runs inside L1.",
             # {tsc_hz} in a command: L1's own TSC frequency, in Hz
             f"TSC_HZ=$(( $(cat {shlex.quote(str(job_dir / 'l1-tsc-khz'))}) * 1000 ))"]
    for name, command in l1_steps:
        command = command.replace(JOB_DIR, str(job_dir))
        kept = shlex.quote(str(job_dir / name))
        lines += [f"echo 'hvfeat-l1-step: {name}'",
                  f"timeout -s KILL {L1_STEP_TIMEOUT} sh -c {shlex.quote(command)} "
                  f">{kept}.out 2>{kept}.err </dev/null; echo $? > {kept}.status"]
    for case in cases:
        d = shlex.quote(str(job_dir / case.name))
        command = shlex.join(map(str, case.command)).replace(TSC_HZ, "'\"$TSC_HZ\"'")
        scratch = shlex.quote(l1_scratch(case))
        lines += [f"echo 'hvfeat-l2: {case.name}: starting:' {command}",
                  f"date +%s.%N > {d}/started",
                  f"mkdir -p {scratch} && cp {d}/OVMF_VARS.fd {scratch}/ && "
                  f"{vm.SWTPM} socket --tpmstate dir={scratch} "
                  f"--ctrl type=unixio,path={scratch}/swtpm.sock --terminate --daemon "
                  f"|| echo 'hvfeat-l2: {case.name}: FAILED: its TPM or variable store'",
                  f"timeout -s KILL {L2_TIMEOUT} {command} </dev/null "
                  f">{d}/console.log 2>{d}/stderr.log",
                  f"echo $? > {d}/exit-code; date +%s.%N > {d}/ended; sync",
                  f"echo \"hvfeat-l2: {case.name}: QEMU exit $(cat {d}/exit-code)\""]
    return "\n".join(lines) + "\n"


def outer_command(job_dir, smbios=()):
    """smbios: -smbios options for L1's own tables (SeaBIOS installs them)."""
    return [str(OUTER_QEMU), "-accel", "tcg", "-machine", "q35", "-smp", "1",
            "-m", str(L1_MEMORY_MB), "-cpu", L1_CPU, "-nodefaults", "-display", "none",
            "-monitor", "none", "-serial", "stdio", "-no-reboot",
            "-kernel", str(L1_DIR / "vmlinuz"), "-initrd", str(L1_DIR / "initramfs.cpio.gz"),
            "-append", f"console=ttyS0 panic=-1 quiet hvfeat.job={job_dir}",
            "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,"
                       "readonly=on,multidevs=remap",
            "-virtfs", f"local,path={job_dir},mount_tag=jobdir,security_model=none",
            *(option for fields in smbios for option in ("-smbios", fields))]


def run(cases, efi_bytes, workdir, lanes=2, echo=None, l1_steps=(), l1_smbios=(),
        l1_files=()):
    """Boots `lanes` L1 guests side by side, each with one vCPU and its
    share of the cases run one after another as L2; returns a NestedRun.
    The first L1 runs l1_steps (see job_script) before its cases, with
    l1_files copied into its job directory (JOB_DIR); every L1 gets the
    l1_smbios options (see outer_command).

    One vCPU per L1: two nested guests at once on a two-vCPU L1 corrupted
    L1's kernel stacks under TCG's SVM ("corrupted stack end detected inside
    scheduler"), twice in two tries; one vCPU per L1 never did.

    Raises NestedBedError when the bed fails; a case that merely reaches a
    verdict other than pass is no bed failure."""
    for built in (OUTER_QEMU, L1_DIR / "vmlinuz", L1_DIR / "initramfs.cpio.gz"):
        if not built.exists():
            raise NestedBedError(f"{built} is missing: make nested-bed builds the bed")
    if not shutil.which(vm.SWTPM):
        raise NestedBedError(f"{vm.SWTPM} is missing: make test-kvm installs it")
    workdir = Path(workdir).resolve()
    if workdir.exists():
        subprocess.run(["rm", "-rf", str(workdir)], check=True)
    keys = sorted({template_key(case) for case in cases})
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        templates = dict(zip(keys, pool.map(
            lambda key: vars_template(key, efi_bytes, workdir / "vars-templates" /
                                      "-".join(map(str, key))), keys)))
    l1s = [L1Run(f"L1#{i}", cases[i::lanes]) for i in range(min(lanes, len(cases)))]
    for l1 in l1s:
        job_dir = workdir / l1.name.replace("#", "-")
        job_dir.mkdir(parents=True)
        for case in l1.cases:
            case_dir = job_dir / case.name
            case_dir.mkdir()
            l2_disk(case, case_dir, efi_bytes)
            (case_dir / "OVMF_VARS.fd").write_bytes(templates[template_key(case)])
            case.command = l2_command(case)
        l1.job_dir = job_dir
        for path in l1_files if l1 is l1s[0] else ():
            shutil.copy2(path, job_dir / Path(path).name)
        (job_dir / "job.sh").write_text(
            job_script(job_dir, l1.cases, l1_steps if l1 is l1s[0] else ()))
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(l1s)) as pool:
        for future in [pool.submit(_run_l1, l1, l1.job_dir, echo, l1_smbios) for l1 in l1s]:
            future.result()
    result = NestedRun(l1s, time.monotonic() - started)
    _raise_on_bed_failure(result, workdir)
    return result


def _run_l1(l1, job_dir, echo, smbios):
    command = outer_command(job_dir, smbios)
    (job_dir / "outer-command.txt").write_text(shlex.join(command) + "\n")
    budget = L1_BOOT_BUDGET + L2_TIMEOUT * len(l1.cases) + 30
    started = time.monotonic()
    console, arrivals = [], []  # text, and (offset where a chunk ends, when)
    pending = ""  # an echoed line waits until it is whole

    def on_output(process, raw, errors, chunk):
        nonlocal pending
        if not chunk:
            return False
        text = vm.console_text(chunk)
        console.append(text)
        arrivals.append((sum(map(len, console)), time.monotonic() - started))
        if echo:
            *lines, pending = (pending + text).split("\n")
            echo("".join(f"[{l1.name}] {line}\n" for line in lines if line.strip()))
        return False

    exit_code, timed_out, _, errors = vm.run_streaming(command, budget, on_output)
    l1.seconds = time.monotonic() - started
    l1.console, l1.outer_stderr = "".join(console), errors.decode(errors="replace")
    mark = l1.console.find("job starts at")
    l1.job_start = next((when for end, when in arrivals if end > mark), None) \
        if mark >= 0 else None
    l1.outer_exit, l1.timed_out = exit_code, timed_out
    (job_dir / "l1-console.log").write_text(l1.console)
    (job_dir / "outer-stderr.log").write_text(l1.outer_stderr)
    kernel = re.search(r"hvfeat-l1: kernel (\S+)", l1.console)
    l1.kernel = kernel.group(1).rstrip(",") if kernel else ""
    kvm = re.search(r"hvfeat-l1: (kvm_amd loaded: .*)", l1.console)
    nested = re.findall(r"hvfeat-l1: dmesg: \[[^]]*\] (.*Nested.*)", l1.console)
    l1.kvm = (kvm.group(1) if kvm else "") + "".join(f"; {line}" for line in nested)
    tsc = re.search(r"hvfeat-l1: tsc_khz=(\d+)", l1.console)
    l1.tsc_khz = int(tsc.group(1)) if tsc else None
    read_case_results(job_dir, l1.cases)


def run_native(cases, efi_bytes, workdir):
    """The same cases on this machine's own KVM, one after another, for a
    machine whose /dev/kvm boots OVMF (vm.kvm_usable)."""
    workdir = Path(workdir).resolve()
    started = time.monotonic()
    for case in cases:
        case_dir = workdir / case.name
        # This KVM's TSC frequency is the host's own: no need to give it.
        cpu = case.cpu.replace(f",tsc-frequency={TSC_HZ}", "")
        boot = vm.boot(l2_disk(case, case_dir, efi_bytes), case_dir, accel="kvm", cpu=cpu,
                       timeout=L2_TIMEOUT,
                       answer_countdown=False, devices=(vm.DEBUG_EXIT_DEVICE,))
        case.command = (case_dir / "qemu-command.txt").read_text().split()
        case.exit_code = boot.exit_code if not boot.timed_out else None
        case.timed_out, case.seconds = boot.timed_out, boot.seconds
        case.console, case.stderr = boot.console, boot.stderr
        if boot.timed_out:
            raise NestedBedError(f"native KVM: {case.name} hung; console in {case_dir}")
    return NativeRun(cases, time.monotonic() - started)


@dataclass
class NativeRun:
    cases: list
    seconds: float

    @property
    def kernel(self):
        return platform.release()

    def tsc_khz(self, case):
        return None  # not known here

    def summary(self):
        return "\n".join([f"native KVM: {len(self.cases)} boots, {self.seconds:.1f} s"] + [
            f"native KVM: {c.name} (-cpu {c.cpu}): QEMU exit {c.exit_code}, verdict "
            f"{c.verdict}, {c.seconds:.1f} s" for c in self.cases])


def l1_problems(l1):
    """What went wrong in this L1 and its L2s, in words; empty when nothing."""
    problems = []
    if l1.timed_out:
        problems.append("the outer QEMU did not finish in time (hang)")
    if any(sign in l1.outer_stderr for sign in OUTER_ABORTS) or (l1.outer_exit or 0) < 0:
        problems.append(f"the outer QEMU aborted (exit {l1.outer_exit})")
    elif l1.outer_exit not in (0, None) and not l1.timed_out:
        problems.append(f"the outer QEMU exited with status {l1.outer_exit}")
    problems += l1_console_problems(l1, L1_TROUBLE)
    job = re.search(r"hvfeat-l1: job exited with status (\d+)", l1.console)
    if job and job.group(1) != "0":
        problems.append(f"L1's job failed (status {job.group(1)}, console below)")
    for name in re.findall(r"hvfeat-l2: (\S+): FAILED: its TPM or variable store", l1.console):
        problems.append(f"L2 {name}: its TPM or variable store could not be set up in L1")
    for case in l1.cases:
        if case.timed_out:
            problems.append(f"L2 {case.name} hung: killed after {L2_TIMEOUT} s")
        elif case.exit_code is None:
            problems.append(f"L2 {case.name} never finished")
    return problems


def _raise_on_bed_failure(result, workdir):
    report = []
    for l1 in result.l1s:
        problems = l1_problems(l1)
        if not problems:
            continue
        stderr = "\n".join(line for line in l1.outer_stderr.splitlines()
                           if "TCG doesn't support requested feature" not in line)
        report.append(f"{l1.name}: " + "; ".join(problems)
                      + f"\n--- {l1.name} outer QEMU stderr ---\n{tail(stderr)}"
                      + f"\n--- {l1.name} console ---\n{tail(l1.console)}"
                      + "".join(f"\n--- L2 {c.name} console (end) ---\n{tail(c.console, 1500)}"
                                f"\n--- L2 {c.name} stderr ---\n{tail(c.stderr, 800)}"
                                for c in l1.cases if c.timed_out or c.exit_code is None))
    if report:
        raise NestedBedError("nested-kvm bed failed: " + "\n".join(report)
                             + f"\n(everything is kept in {workdir})\n" + result.summary())
