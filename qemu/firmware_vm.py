"""Boot OVMF in QEMU with an ESP image, and read the results back.

The library under make run and make image (qemu/hvfeat_vm.py), the nested
bed (qemu/nested_kvm.py), the firmware tests and the benchmark: it makes
bare FAT volumes for the shell's startup.nsh and GPT disks for direct boot,
proves KVM before using it, boots plain or Secure Boot OVMF, and keeps
every console. Nothing here mounts anything: images are made and read with
mtools.
"""

import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
# Secure Boot enforced, with Debian's snakeoil test keys enrolled.
OVMF_SECURE_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd")
OVMF_SNAKEOIL_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd")
ESP_TYPE_GUID = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
BOOT_PATH = "EFI/BOOT/BOOTX64.EFI"
# QEMU's isa-debug-exit device: a guest write of V ends QEMU with (V << 1) | 1.
DEBUG_EXIT_DEVICE = "isa-debug-exit,iobase=0xf4,iosize=0x04"
STARTUP_NSH = ROOT / "startup.nsh"
REPORT_FIRST_LINE = re.compile(r"^hvfeat \S+ - hypervisor interfaces", re.M)
REPORT_END = "end of hvfeat report\n"
COUNTDOWN_PROMPT = b"any other key to continue"
# The shell's page break (its commands' -b, hvfeat's -b).
PAGE_PROMPT = b"Press ENTER to continue"
# GRUB after a command of a menu entry failed (a chainloaded image that
# returned an error): it waits 10 s for a key before going on.
GRUB_ERROR_PROMPT = b"Press any key to continue..."
# Prompts a key answers at once, each time one appears.
KEY_PROMPTS = (PAGE_PROMPT, GRUB_ERROR_PROMPT)
# What a usable firmware boot shows on the console before anything of ours.
SHELL_BANNER = b"UEFI Interactive Shell"
KVM_FAILURES = (b"KVM internal error", b"failed to set MSR", b"Could not access KVM",
                b"failed to initialize kvm", b"failed to initialize KVM")
ESP_SECTORS = 131072  # 64 MiB: roomy, and a sparse file costs nothing

ANSI_ESCAPE = re.compile(rb"\x1b(\[[0-9;?=]*[A-Za-z]|[()][A-Za-z0-9]|[=>])")


def console_text(raw):
    """The console as a person reads it: no terminal escapes, LF line ends."""
    return ANSI_ESCAPE.sub(b"", raw).replace(b"\r", b"").decode("ascii", "replace")


def report_from_console(text):
    """The report hvfeat printed, from its first line to its end marker."""
    start = REPORT_FIRST_LINE.search(text)
    if not start:
        return None
    end = text.find(REPORT_END, start.start())
    if end < 0:
        return None
    return text[start.start():end + len(REPORT_END)]


STATUS_FILE = "/hvfeat.status"
RECORDED_STATUS = re.compile(r"\Ahvfeat exit status (0x[0-9A-Fa-f]+)\r\n\Z")


def recorded_status(image):
    """The status startup.nsh wrote to \\hvfeat.status (its last hvfeat run),
    None when there is no such file; a file of any other shape is an error."""
    data = read_esp_file(image, STATUS_FILE)
    if data is None:
        return None
    match = RECORDED_STATUS.match(data.decode("ascii", "replace"))
    if not match:
        raise ValueError(f"\\hvfeat.status is not one status line: {data[:100]!r}")
    return int(match.group(1), 16)


def exit_statuses_from_console(text):
    """Each %lasterror% that startup.nsh echoed after running hvfeat."""
    return [int(s, 16) for s in re.findall(r"^hvfeat exit status (0x[0-9A-Fa-f]+)", text, re.M)]


def exit_status_from_console(text):
    """The status of the first hvfeat run, or None when none was echoed."""
    statuses = exit_statuses_from_console(text)
    return statuses[0] if statuses else None


@dataclass(frozen=True)
class Launch:
    """A run of the test launcher (tests/firmware/launcher.c, beside
    hvfeat.efi as launcher.efi): hvfeat started from memory under a device
    of this kind ("file", "fv" or "none"), with the bytes of the ESP file
    options_file as its load options. Its status is hvfeat's."""
    device: str
    options_file: str = ""

    def command(self):
        return f"launcher.efi {self.device} {self.options_file}".rstrip()


@dataclass(frozen=True)
class ShellCommand:
    """A line startup.nsh runs between hvfeat's runs, with no status kept."""
    line: str


def startup_script(*runs):
    """The committed startup.nsh, running hvfeat once per run: an argument
    string for hvfeat.efi, a Launch, or a ShellCommand.

    The 'hvfeat.efi' line and the lines after it up to ':done' (which record
    its status) are repeated once per run, so one boot can run hvfeat
    several times; a ShellCommand's line stands alone.
    """
    script = STARTUP_NSH.read_text()
    block = re.compile(r"^(\s*)hvfeat\.efi\s*\n((?:(?!:done).*\n)*?)(?=:done)", re.M)
    if len(block.findall(script)) != 1:
        raise RuntimeError(f"{STARTUP_NSH} must have one 'hvfeat.efi' line before ':done'")
    runs = runs or ("",)

    def lines(indent, status_lines, run):
        if isinstance(run, ShellCommand):
            return f"{indent}{run.line}\n"
        command = run.command() if isinstance(run, Launch) else f"hvfeat.efi {run}".rstrip()
        return f"{indent}{command}\n{status_lines}"

    return block.sub(lambda m: "".join(lines(m.group(1), m.group(2), run) for run in runs),
                     script, count=1)


def run_tool(*command, input_bytes=None):
    result = subprocess.run(command, input=input_bytes, capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed: "
                           f"{result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def fill_fat(target, files):
    """Formats target (an image, or image@@offset) as FAT32 and adds files."""
    run_tool("mformat", "-i", target, "-F", "-T", str(ESP_SECTORS),
             "-h", "64", "-s", "32", "-v", "HVFEAT", "::")
    for esp_path, content in files.items():
        parts = esp_path.strip("/").split("/")
        for depth in range(1, len(parts)):
            directory = "::/" + "/".join(parts[:depth])
            subprocess.run(["mmd", "-i", target, directory], capture_output=True)
        run_tool("mcopy", "-o", "-i", target, "-", "::/" + "/".join(parts),
                 input_bytes=content)


def new_image_file(image, sectors):
    image = Path(image)
    image.parent.mkdir(parents=True, exist_ok=True)
    image.unlink(missing_ok=True)
    with open(image, "wb") as f:
        f.truncate(sectors * 512)
    return image


def make_esp(image, files):
    """A bare FAT32 volume holding files, a {path on the ESP: bytes} mapping.

    This is what the shell-based runs use; mtools addresses it as a whole."""
    image = new_image_file(image, ESP_SECTORS)
    fill_fat(str(image), files)
    return image


def make_disk_image(image, files):
    """A GPT disk whose one partition, an EFI system partition starting at
    1 MiB, holds files; it boots on any UEFI machine. Returns the mtools
    name of the partition (image@@1M), which read_esp_file and list_esp take."""
    image = new_image_file(image, ESP_SECTORS + 2 * 2048)
    run_tool("sfdisk", "--quiet", str(image), input_bytes=(
        f"label: gpt\nstart=2048, size={ESP_SECTORS}, type={ESP_TYPE_GUID}, "
        f"name=\"EFI system partition\"\n").encode())
    partition = f"{image}@@1M"
    fill_fat(partition, files)
    return partition


def direct_boot_files(efi_bytes, options=""):
    """What a directly booted hvfeat needs: itself as the removable-media boot
    loader, and its options in \\hvfeat.cfg (such an image gets no command line)."""
    files = {BOOT_PATH: efi_bytes}
    if options:
        files["hvfeat.cfg"] = (options.strip() + "\n").encode()
    return files


SYSTEMD_BOOT = Path("/usr/lib/systemd/boot/efi/systemd-bootx64.efi")
INSTALLED_PATH = "EFI/hvfeat/hvfeat.efi"


def systemd_boot_files(efi_bytes, options):
    """An ESP where systemd-boot (Debian's systemd-boot-efi) is the boot
    loader and boots an entry for hvfeat, installed as
    \\EFI\\hvfeat\\hvfeat.efi, at once with options as its load options."""
    return {BOOT_PATH: SYSTEMD_BOOT.read_bytes(), INSTALLED_PATH: efi_bytes,
            "loader/loader.conf": b"default hvfeat.conf\ntimeout 0\neditor no\n",
            "loader/entries/hvfeat.conf": (
                f"title hvfeat\nefi /{INSTALLED_PATH}\noptions {options}\n").encode()}


def grub_files(efi_bytes, runs, workdir):
    """An ESP where a standalone GRUB (Debian's grub-efi-amd64-bin) is the
    boot loader and chainloads hvfeat, installed as
    \\EFI\\hvfeat\\hvfeat.efi, once per run, a (line to echo first,
    arguments) pair, in one menu entry: GRUB goes on to the next command
    when a chainloaded image returns, even with an error."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "grub.cfg"
    commands = "  boot\n".join(f"  echo {line}\n  chainloader /{INSTALLED_PATH} {options}\n"
                               for line, options in runs)
    config.write_text("set timeout=0\n"
                      f"search --no-floppy --file --set=root /{INSTALLED_PATH}\n"
                      f"menuentry hvfeat {{\n{commands}}}\n")
    image = workdir / "grubx64.efi"
    modules = "part_gpt part_msdos fat search search_fs_file chain normal configfile echo"
    run_tool("grub-mkstandalone", "-O", "x86_64-efi", "-o", str(image),
             f"--modules={modules}", f"--install-modules={modules}",
             "--locales=", "--fonts=", "--themes=", f"boot/grub/grub.cfg={config}")
    return {BOOT_PATH: image.read_bytes(), INSTALLED_PATH: efi_bytes}


def boot_entry_setup_files(efi_bytes, entries):
    """A GPT ESP whose startup.nsh makes a firmware boot entry (Boot####)
    per entry, a (description, options, encoding) triple, for hvfeat
    installed as \\EFI\\hvfeat\\hvfeat.efi, with the options as its optional
    data, in BootOrder after the hidden UiApp and in the entries' order,
    then powers off; the next boot starts them. bcfg -opt copies a file's
    bytes as they are: options in UCS-2, or in ASCII as efibootmgr -@ FILE
    stores them."""
    script, files = "fs0:\r\n", {INSTALLED_PATH: efi_bytes}
    for position, (description, options, encoding) in enumerate(entries, start=1):
        script += (f"bcfg boot add {position} fs0:\\EFI\\hvfeat\\hvfeat.efi {description}\r\n"
                   f"bcfg boot -opt {position} \\options{position}.txt\r\n")
        files[f"options{position}.txt"] = options.encode(encoding)
    files["startup.nsh"] = (script + "reset -s\r\n").encode()
    return files


def esp_free_bytes(image):
    """Free space on a FAT image, as mtools counts it."""
    out = run_tool("mdir", "-i", str(image), "::/").decode()
    match = re.search(r"([\d ]+) bytes free", out)
    return int(match.group(1).replace(" ", ""))


def fill_esp(image, name="/filler.bin"):
    """Takes every free byte of the image with one file."""
    free = esp_free_bytes(image)
    run_tool("mcopy", "-i", str(image), "-", "::" + name, input_bytes=b"\0" * free)
    return free


def read_esp_file(image, esp_path):
    """A file's bytes from the ESP image, or None when it is not there."""
    result = subprocess.run(["mcopy", "-n", "-i", str(image), "::" + esp_path, "-"],
                            capture_output=True)
    return result.stdout if result.returncode == 0 else None


def list_esp(image):
    """Every file on the ESP image, as ESP paths."""
    result = subprocess.run(["mdir", "-i", str(image), "-/", "-b", "::/"], capture_output=True)
    if result.returncode != 0 and b"not found" not in result.stderr:  # not found: empty
        raise RuntimeError(f"mdir -i {image} failed: {result.stderr.decode().strip()}")
    return sorted(line.strip().removeprefix("::")
                  for line in result.stdout.decode().splitlines() if line.strip())


@dataclass
class Boot:
    accel: str
    exit_code: int
    timed_out: bool
    seconds: float
    raw_console: bytes
    stderr: str
    countdown_answered: bool = False
    console: str = field(init=False)

    def __post_init__(self):
        self.console = console_text(self.raw_console)


def disk_file(image):
    """The file behind an image name, which may be an mtools image@@offset."""
    return str(image).split("@@")[0]


def qemu_command(disk, vars_file, accel, cpu=None, esp_readonly=False,
                 secure_boot=False, devices=(), first_disks=(), kernel=None, append=None,
                 machine="q35", memory_mb=256, serial=True, tpm_socket=None, smbios=(),
                 smp=1):
    """first_disks, (image, read-only) pairs, are attached before disk, so
    the firmware maps them first (FS0: and on). kernel: an EFI image OVMF
    starts before any boot entry, with append as its load options. Without
    serial the firmware console goes nowhere (the log is read instead).
    smbios: -smbios options (QEMU's SMBIOS fields, "type=1,product=...").
    smp: the vCPUs, which the firmware starts as processors of its own."""
    drives = []
    for number, (image, readonly) in enumerate([*first_disks, (disk, esp_readonly)]):
        drive = f"file={disk_file(image)},format=raw,if=none,id=disk{number}"
        drives += ["-drive", drive + (",readonly=on" if readonly else ""),
                   "-device", f"virtio-blk-pci,drive=disk{number}"]
    machine = f"{machine},accel={accel}" + (",smm=on" if secure_boot else "")
    code = OVMF_SECURE_CODE if secure_boot else OVMF_CODE
    command = ["qemu-system-x86_64", "-machine", machine, "-m", str(memory_mb),
               "-smp", str(smp), "-nodefaults", "-display", "none", "-monitor", "none",
               "-serial", "stdio" if serial else "none", "-no-reboot",
               "-drive", f"if=pflash,format=raw,readonly=on,file={code}",
               "-drive", f"if=pflash,format=raw,file={vars_file}", *drives]
    if secure_boot:
        command += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
    for device in devices:
        command += ["-device", device]
    for fields in smbios:
        command += ["-smbios", fields]
    if cpu:
        command += ["-cpu", cpu]
    if kernel:
        command += ["-kernel", str(kernel)] + (["-append", append] if append else [])
    if tpm_socket:
        command += tpm_arguments(tpm_socket)
    return command


# OVMF's PEI looks for a TPM at 0xfed40000 (Tcg2ConfigPei); with nothing
# there it takes QEMU's unassigned memory for a TPM and waits out its TIS
# timeouts. A TPM 1.2 (swtpm, a fresh state each boot) ends the probe at
# once, and OVMF measures nothing into a TPM 1.2: a direct TCG boot to the
# verdict took 2.9 s instead of 4.0 s here (median of 4, interleaved), an
# L2 boot on the nested bed 9.6 s instead of 17.3 s (README). It adds a
# device and an ACPI table, nothing to CPUID or to the MSRs hvfeat reads.
SWTPM = "swtpm"


def tpm_arguments(socket):
    """QEMU's arguments for a TPM 1.2 behind tpm-tis, served by the swtpm
    listening on socket."""
    return ["-chardev", f"socket,id=swtpm,path={socket}",
            "-tpmdev", "emulator,id=tpm0,chardev=swtpm", "-device", "tpm-tis,tpmdev=tpm0"]


SOCKET_PATH_MAX = 107  # sun_path's 108 bytes, NUL included


def start_tpm(directory, log):
    """A swtpm for one boot, its state and socket in directory, its messages
    in log; it ends with QEMU's connection. Returns (process, socket)."""
    socket = Path(directory) / "swtpm.sock"
    if not shutil.which(SWTPM):
        raise RuntimeError(f"{SWTPM} is missing: make run and make test install it")
    if len(str(socket).encode()) > SOCKET_PATH_MAX:
        raise RuntimeError(f"the TPM's socket path {socket} is longer than "
                           f"{SOCKET_PATH_MAX} bytes: set TMPDIR to a shorter directory")
    with open(log, "wb") as messages:
        process = subprocess.Popen([SWTPM, "socket", "--tpmstate", f"dir={directory}",
                                    "--ctrl", f"type=unixio,path={socket}", "--terminate"],
                                   stdout=messages, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while not socket.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"swtpm did not start: {Path(log).read_text()[-300:]}")
        time.sleep(0.02)
    return process, socket


def run_streaming(command, timeout, on_output):
    """Runs command until it exits or timeout seconds pass (then it is
    killed), reading its stdout and stderr as they come. on_output(process,
    stdout so far, stderr so far, new stdout chunk) may write to its stdin;
    returning True ends the run there. Returns (exit code, timed out,
    stdout bytes, stderr bytes)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    raw, errors = bytearray(), bytearray()
    timed_out = False
    streams = {process.stdout.fileno(): raw, process.stderr.fileno(): errors}
    while streams:
        remaining = timeout - (time.monotonic() - started)
        if remaining <= 0:
            timed_out = True
            break
        ready, _, _ = select.select(list(streams), [], [], min(remaining, 0.5))
        chunk = b""
        for fd in ready:
            data = os.read(fd, 65536)
            if not data:
                del streams[fd]
                continue
            streams[fd].extend(data)
            if fd == process.stdout.fileno():
                chunk += data
        if on_output(process, raw, errors, chunk):
            break
    if process.poll() is None:
        process.kill()
    return process.wait(), timed_out, bytes(raw), bytes(errors)


def boot(disk, workdir, accel="tcg", cpu=None, esp_readonly=False, timeout=90,
         answer_countdown=True, stop_when=None, echo=None, secure_boot=False,
         devices=(), first_disks=(), kernel=None, append=None, vars_from=None, smbios=(),
         machine="q35", smp=1):
    """Boots OVMF with the disk attached until the guest powers off.

    The firmware's variable store is a private copy in workdir (with the
    snakeoil keys enrolled when secure_boot, or the variables an earlier
    boot left in vars_from); its TPM 1.2 is a swtpm of its own (see
    SWTPM). When the startup.nsh countdown
    appears, one key is sent so that it runs at once. On timeout QEMU is
    killed and the console seen so far is kept. stop_when, if given, ends
    the boot as soon as the console and stderr so far satisfy it.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    vars_file = workdir / "OVMF_VARS.fd"
    shutil.copyfile(vars_from or (OVMF_SNAKEOIL_VARS if secure_boot else OVMF_VARS), vars_file)
    with tempfile.TemporaryDirectory(prefix="hvfeat-tpm-") as tpm_state:
        tpm, socket = start_tpm(tpm_state, workdir / "swtpm.log")
        try:
            command = qemu_command(disk, vars_file, accel, cpu, esp_readonly, secure_boot,
                                   devices, first_disks, kernel, append, tpm_socket=socket,
                                   smbios=smbios, machine=machine, smp=smp)
            (workdir / "qemu-command.txt").write_text(" ".join(map(str, command)) + "\n")
            return _boot(command, workdir, accel, timeout, answer_countdown, stop_when, echo)
        finally:
            if tpm.poll() is None:
                tpm.kill()
            tpm.wait()


def _boot(command, workdir, accel, timeout, answer_countdown, stop_when, echo):
    """Runs one boot's QEMU, answering the prompts, and keeps its console."""
    started = time.monotonic()
    answered = False
    prompts_answered = dict.fromkeys(KEY_PROMPTS, 0)

    def on_output(process, raw, errors, chunk):
        nonlocal answered
        if echo and chunk:
            echo(chunk)
        # The prompt is printed once a second; a key sent before it is lost.
        if answer_countdown and not answered and COUNTDOWN_PROMPT in raw:
            process.stdin.write(b"\r")
            process.stdin.flush()
            answered = True
        for prompt, count in prompts_answered.items():
            if raw.count(prompt) > count:
                prompts_answered[prompt] += 1
                process.stdin.write(b"\r")
                process.stdin.flush()
        return bool(stop_when and stop_when(bytes(raw), bytes(errors)))

    exit_code, timed_out, raw, errors = run_streaming(command, timeout, on_output)
    result = Boot(accel, exit_code, timed_out, time.monotonic() - started, raw,
                  errors.decode(errors="replace"), answered)
    (workdir / "console.log").write_bytes(result.raw_console)
    (workdir / "qemu-stderr.log").write_text(result.stderr)
    return result


def kvm_usable(workdir, timeout=30):
    """(usable, reason): KVM counts only once it has booted OVMF to its shell.

    /dev/kvm can exist and still fail on OVMF's first instructions ("KVM
    internal error"), so nothing short of a real firmware boot proves it.
    """
    if not os.path.exists("/dev/kvm"):
        return False, "/dev/kvm does not exist"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False, "/dev/kvm is not readable and writable by this user"
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    esp = make_esp(workdir / "probe-esp.img", {})

    def settled(console, errors):
        return SHELL_BANNER in console or any(f in errors for f in KVM_FAILURES)

    result = boot(esp, workdir, accel="kvm", timeout=timeout, answer_countdown=False,
                  stop_when=settled)
    failure = next((f.decode() for f in KVM_FAILURES if f in result.stderr.encode()), None)
    if failure:
        return False, f"KVM failed to run OVMF ({failure!r} from QEMU)"
    if SHELL_BANNER in result.raw_console:
        return True, f"KVM booted OVMF to its shell in {result.seconds:.1f} s"
    if result.timed_out:
        return False, f"KVM did not reach the OVMF shell within {timeout} s"
    return False, f"QEMU with KVM exited with status {result.exit_code}: " \
                  f"{result.stderr.strip()[:200]}"


def debug_exit_verdict(qemu_exit_code):
    """The value hvfeat wrote to isa-debug-exit, or None when it wrote none
    (QEMU then exits 0 on power-off; a negative code means it was killed)."""
    return qemu_exit_code >> 1 if qemu_exit_code > 0 and qemu_exit_code & 1 else None


# hvfeat's exit classes (README, "Exit statuses"): each bit of the value
# it writes to the port (and of the host build's exit status) says that
# outcomes of a class occurred, as CHIPSEC's exit code does.
EXIT_CLASSES = (
    (0x01, "fail"),        # a result failed (not waived; a warning, with --strict)
    (0x02, "not passed"),  # the run did not pass: usage error, failure or error
    (0x04, "warn"),        # a warning, waived failures included
    (0x08, "skip"),        # a result was skipped
    (0x10, "error"),       # not done: a file, memory or the probes' cleanup
    (0x20, "skip only"),   # what was asked (all but the lints) was only skipped
)


def exit_classes(value):
    """The names of the classes a port value (or host status) holds; a
    value with only "not passed" is a usage error."""
    return [name for bit, name in EXIT_CLASSES if value & bit]


def gate_passed(value):
    """What a CI gate asks of the value: "not passed" (0x02) is clear."""
    return not value & 0x02
