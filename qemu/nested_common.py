"""What the x86 and arm64 KVM beds (qemu/nested_kvm.py, qemu/nested_arm64.py)
do alike once an L1 has run its job: read back each L2 case's result files
and tell what L1's console says went wrong."""

import re

import firmware_vm as vm


def read_case_results(job_dir, cases):
    """Fills each case's console, stderr, exit_code, timed_out and seconds
    from the files its L1 job wrote in job_dir/<case name>/; a file the job
    never wrote leaves its field as it was."""
    for case in cases:
        case_dir = job_dir / case.name

        def read(name):
            path = case_dir / name
            return path.read_text(errors="replace") if path.exists() else None

        code, begun, ended = read("exit-code"), read("started"), read("ended")
        case.console = vm.console_text((read("console.log") or "").encode())
        case.stderr = read("stderr.log") or ""
        if code and code.strip():
            case.exit_code = int(code)
            case.timed_out = case.exit_code == 128 + 9  # timeout -s KILL
        if begun and ended:
            case.seconds = float(ended) - float(begun)


def l1_console_problems(l1, trouble_signs):
    """What L1's console says went wrong, in words: its init's FAILED line,
    any of trouble_signs from its kernel, a job never reached."""
    problems = []
    failed = re.search(r"hvfeat-l1: FAILED: (.*)", l1.console)
    if failed:
        problems.append(f"L1 failed: {failed.group(1)}")
    trouble = [t for t in trouble_signs if t in l1.console]
    if trouble:
        problems.append(f"L1's kernel reported {', '.join(trouble)}")
    if l1.job_start is None and not failed:
        problems.append("L1 never reached its job")
    return problems


def tail(text, n=3000):
    """The end of a console or log for a failure report."""
    return text[-n:] if text else "(empty)"
