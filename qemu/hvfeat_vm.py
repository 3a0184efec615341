"""make run and make image: hvfeat booted under OVMF in QEMU (TCG, native KVM
or the nested bed), its console shown and its log read back and compared;
or a GPT disk image that boots straight to the verdict; or, with --matrix,
one table of several configurations and reports (qemu/matrix.py). The
machinery is qemu/firmware_vm.py; the nested bed is qemu/nested_kvm.py.
"""

import sys
from pathlib import Path

import matrix
import nested_kvm
from firmware_vm import (BOOT_PATH, boot, console_text, direct_boot_files, disk_file,
                         exit_classes, exit_status_from_console, gate_passed, kvm_usable,
                         make_disk_image, make_esp, read_esp_file, recorded_status,
                         startup_script)


def image_command(options):
    """make image: a GPT disk image that boots straight to the verdict."""
    partition = make_disk_image(options.output, direct_boot_files(
        Path(options.efi).read_bytes(), options.options))
    print(f"hvfeat-vm: {disk_file(partition)}: GPT disk, EFI system partition at 1 MiB "
          f"with \\{BOOT_PATH.replace('/', chr(92))} and \\hvfeat.cfg ({options.options!r})")
    return 0


def main():
    import argparse
    parser = argparse.ArgumentParser(description="Boot hvfeat.efi under OVMF in QEMU, "
                                     "make a bootable disk image of it, or tabulate "
                                     "configurations and reports side by side (--matrix).")
    parser.add_argument("--efi", help="the hvfeat.efi to use (needed unless every "
                        "--matrix column is a report)")
    parser.add_argument("--workdir", help="run: where images and logs go")
    parser.add_argument("--cpu", help="run: QEMU -cpu model and flags")
    parser.add_argument("--accel", choices=["auto", "kvm", "tcg", "nested-kvm"], default="auto",
                        help="auto: KVM when it boots OVMF, else TCG; nested-kvm: a real "
                        "Linux KVM inside a TCG guest (make nested-bed first)")
    parser.add_argument("--args", default="", help="run: arguments for hvfeat.efi")
    parser.add_argument("--smp", type=int, default=1, help="run: vCPUs (QEMU -smp)")
    parser.add_argument("--image", dest="output", help="make this disk image instead of "
                        "running hvfeat")
    parser.add_argument("--options", default="--shutdown",
                        help="with --image: the options written to \\hvfeat.cfg")
    parser.add_argument("--matrix", nargs="+", metavar="COLUMN",
                        help="one table of these columns, each compared with the first: "
                        "report:PATH (a JSON report hvfeat wrote) or [ACCEL:]CPU[@MACHINE] "
                        "(a boot: ACCEL tcg, kvm, nested-kvm or auto, default --accel; "
                        "CPU the -cpu string; MACHINE default q35), booted with -j and "
                        "--args, two at a time")
    parser.add_argument("--matrix-json", metavar="PATH",
                        help="with --matrix: write the table as JSON (a directory: "
                        "matrix.json in it)")
    parser.add_argument("--matrix-html", metavar="PATH",
                        help="with --matrix: write the table as a self-contained HTML page "
                        "(a directory: matrix.html in it)")
    options = parser.parse_args()
    if options.matrix:
        return matrix.run_matrix(options.matrix, options.accel, options.efi, options.workdir,
                                 options.args, options.matrix_json, options.matrix_html)
    if options.matrix_json or options.matrix_html:
        parser.error("--matrix-json and --matrix-html go with --matrix")
    if not options.efi:
        parser.error("--efi is needed")
    if options.output:
        return image_command(options)
    if not options.workdir:
        parser.error("--workdir is needed to run hvfeat")

    workdir = Path(options.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if options.accel == "nested-kvm":
        return run_nested(options, workdir)
    if options.accel == "auto":
        usable, reason = kvm_usable(workdir / "kvm-probe")
        accel = "kvm" if usable else "tcg"
        print(f"hvfeat-vm: accelerator {accel}: {reason}", flush=True)
        if not usable:
            print("hvfeat-vm: for a report from a real KVM on this machine: "
                  "make run KVM=nested", flush=True)
    else:
        accel = options.accel
        print(f"hvfeat-vm: accelerator {accel}: chosen with --accel", flush=True)

    esp = make_esp(workdir / "esp.img", {
        "hvfeat.efi": Path(options.efi).read_bytes(),
        "startup.nsh": startup_script(options.args).encode(),
    })
    print(f"hvfeat-vm: booting OVMF with {esp}; firmware console follows", flush=True)
    print("-" * 79, flush=True)

    pending = bytearray()

    def show(chunk):
        # An escape sequence can straddle two reads: hold back a tail that
        # starts one, until the rest arrives.
        pending.extend(chunk)
        cut = pending.rfind(b"\x1b")
        if cut < 0 or len(pending) - cut > 16:
            cut = len(pending)
        sys.stdout.write(console_text(bytes(pending[:cut])))
        sys.stdout.flush()
        del pending[:cut]

    result = boot(esp, workdir, accel=accel, cpu=options.cpu, echo=show, smp=options.smp)
    print("\n" + "-" * 79)
    if result.timed_out:
        print(f"hvfeat-vm: QEMU did not power off within the time limit; "
              f"console kept in {workdir / 'console.log'}", file=sys.stderr)
        return 1
    print(f"hvfeat-vm: guest powered off after {result.seconds:.1f} s "
          f"(QEMU exit status {result.exit_code})")
    status = exit_status_from_console(result.console)
    print(f"hvfeat-vm: hvfeat.efi returned {status:#x}" if status is not None
          else "hvfeat-vm: startup.nsh did not report hvfeat's exit status")
    log = read_esp_file(esp, "/hvfeat.log")
    if log is None:
        print("hvfeat-vm: no \\hvfeat.log on the ESP", file=sys.stderr)
        return 1
    print("hvfeat-vm: \\hvfeat.log read back from the ESP image:")
    print("-" * 79)
    sys.stdout.write(log.decode("ascii", "replace").replace("\r\n", "\n"))
    print("-" * 79)
    # Whatever the format (-r, -j), the log's bytes stand whole on the console.
    report = log.decode("ascii", "replace")
    same = bool(report) and report in result.console
    recorded = recorded_status(esp)
    print("hvfeat-vm: console report and log are " + ("identical" if same else "DIFFERENT")
          + "; \\hvfeat.status: " + (hex(recorded) if recorded is not None else "none"))
    return 0 if same and status == 0 and recorded == status else 1


def run_nested(options, workdir):
    """make run KVM=nested: hvfeat booted directly under a real Linux KVM
    on the nested bed, its console shown, its log read back and compared."""
    case = nested_kvm.L2Case("run", cpu=options.cpu or "host", smp=options.smp,
                             options=f"{options.args} --shutdown --exit-port".strip())
    print(f"hvfeat-vm: accelerator nested-kvm: L2 -cpu {case.cpu}, \\hvfeat.cfg "
          f"{case.options!r}; L1 console follows", flush=True)
    try:
        run = nested_kvm.run([case], Path(options.efi).read_bytes(), workdir / "nested",
                             lanes=1, echo=lambda text: print(text, end="", flush=True))
    except nested_kvm.NestedBedError as error:
        print(f"hvfeat-vm: {error}", file=sys.stderr)
        return 1
    print(run.summary())
    print(f"hvfeat-vm: L2 command: {' '.join(map(str, case.command))}")
    print("hvfeat-vm: L2 firmware console:")
    print("-" * 79)
    sys.stdout.write(case.console)
    print("\n" + "-" * 79)
    log = case.log()
    if log is None:
        print("hvfeat-vm: no \\hvfeat.log on the L2 ESP", file=sys.stderr)
        return 1
    print("hvfeat-vm: \\hvfeat.log read back from the L2 ESP image:")
    print("-" * 79)
    sys.stdout.write(log)
    print("-" * 79)
    same = log in case.console
    print(f"hvfeat-vm: console report and log are {'identical' if same else 'DIFFERENT'}; "
          f"exit classes through the exit port: {case.verdict:#x} "
          f"({', '.join(exit_classes(case.verdict)) or 'clean pass'})"
          if case.verdict is not None else "hvfeat-vm: no verdict reached the exit port")
    return 0 if same and case.verdict is not None and gate_passed(case.verdict) else 1

if __name__ == "__main__":
    sys.exit(main())
