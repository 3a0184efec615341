"""make bench: wall time from QEMU start to the verdict, against the floor.

Three ways to boot, measured in one run on this machine, one boot at a time
so they do not compete for the two cores:
  floor   a null EFI app booted directly that powers off at once
  direct  hvfeat booted directly (\\EFI\\BOOT\\BOOTX64.EFI, --shutdown)
  shell   hvfeat from the UEFI shell's startup.nsh (countdown answered)
Prints each median over --runs boots and its ratio to the floor, the size
of hvfeat.efi and how many CPUID instructions one run executes.
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "qemu"))
import hvfeat_vm as vm  # noqa: E402

BUILD = ROOT / "build"
WORK = BUILD / "bench"
TARGETS = {"direct": 1.05, "shell": 1.25}


def disk_for(kind):
    hvfeat = (BUILD / "hvfeat.efi").read_bytes()
    if kind == "floor":
        return vm.make_disk_image(WORK / kind / "disk.img",
                                  vm.direct_boot_files((BUILD / "null_app.efi").read_bytes()))
    if kind == "direct":
        return vm.make_disk_image(WORK / kind / "disk.img",
                                  vm.direct_boot_files(hvfeat, "--shutdown"))
    return vm.make_esp(WORK / kind / "esp.img", {
        "hvfeat.efi": hvfeat, "startup.nsh": vm.startup_script().encode()})


def measure(kind, accel, runs):
    seconds = []
    for run in range(runs):
        disk = disk_for(kind)  # fresh, so every boot starts from the same state
        result = vm.boot(disk, WORK / kind, accel=accel, timeout=120,
                         answer_countdown=kind == "shell")
        if result.timed_out or result.exit_code != 0:
            sys.exit(f"bench: {kind} boot {run + 1} failed (exit {result.exit_code}); "
                     f"console in {WORK / kind / 'console.log'}")
        if kind != "floor" and vm.read_esp_file(disk, "/hvfeat.log") is None:
            sys.exit(f"bench: {kind} boot {run + 1} left no log")
        seconds.append(result.seconds)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()

    usable, reason = vm.kvm_usable(WORK / "kvm-probe")
    accel = "kvm" if usable else "tcg"
    print(f"bench: accelerator {accel} ({reason}); {options.runs} boots each, one at a time")

    results = {kind: measure(kind, accel, options.runs) for kind in ("floor", "direct", "shell")}
    floor = statistics.median(results["floor"])
    print(f"\n{'boot':<8} {'median s':>9} {'min s':>7} {'max s':>7} {'x floor':>8} {'target':>8}")
    for kind, seconds in results.items():
        median = statistics.median(seconds)
        ratio = median / floor
        target = TARGETS.get(kind)
        verdict = "" if target is None else (
            f"<= {target:.2f} " + ("met" if ratio <= target else "MISSED"))
        print(f"{kind:<8} {median:9.2f} {min(seconds):7.2f} {max(seconds):7.2f} "
              f"{ratio:8.3f}  {verdict}")

    size = (BUILD / "hvfeat.efi").stat().st_size
    host = subprocess.run([str(BUILD / "hvfeat"), "-j"], capture_output=True, text=True)
    executions = json.loads(host.stdout)["cpuid_executions"] if host.returncode in (0, 3) else "?"
    print(f"\nhvfeat.efi: {size} bytes")
    print(f"CPUID executions per run (host build, this machine): {executions}")
    print(f"CPUID executions per run, upper bound whatever the hypervisor: "
          f"{3 + 256 + 1024}")


if __name__ == "__main__":
    main()
