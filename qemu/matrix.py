"""The matrix mode of qemu/hvfeat_vm.py: hvfeat's JSON reports side by side.

Columns are configurations booted here (hvfeat run with -j, its JSON read
back from the ESP's log) or JSON reports made elsewhere (hvfeat -j in
firmware, or the host build's hvfeat -j -f DUMP). Rows are what the
reports decode, named as requirements name them (hypervisor_bit,
interface.KEY, interface.KEY.base, KEY.ITEM, probe.KEY), so a row's name
can go straight into --require. Every cell is compared with the first
column's; the table is written as JSON and as a self-contained HTML page.

Column syntax (README, "A matrix of configurations"):
  report:PATH               a JSON report hvfeat wrote
  [ACCEL:]CPU[@MACHINE]     a boot: ACCEL tcg, kvm, nested-kvm or auto
                            (default: --accel), CPU the -cpu string (empty:
                            QEMU's default; host under nested-kvm),
                            MACHINE the -machine type (default q35)
"""

import concurrent.futures
import html
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import firmware_vm as vm
import nested_kvm

ACCELERATORS = ("tcg", "kvm", "nested-kvm", "auto")
DEFAULT_MACHINE = "q35"
BOOT_TIMEOUT = 90
PARALLEL_BOOTS = 2
MARK = "\u2260"  # the visible marker of a cell that differs from column 1

# Interface keys by signature, as core/hv_catalog.c gives them (the JSON
# names no interface key; tests/host/test_matrix.py checks this copy
# against the C table).
INTERFACE_KEYS = {
    "KVMKVMKVM\0\0\0": "kvm", "Microsoft Hv": "hyperv", "Linux KVM Hv": "kvm_hv",
    "TCGTCGTCGTCG": "tcg", "XenVMMXenVMM": "xen", "VMwareVMware": "vmware",
    "VBoxVBoxVBox": "vbox", " lrpepyh  vr": "parallels", "bhyve bhyve ": "bhyve",
    "BHyVE BHyVE ": "bhyve", "ACRNACRNACRN": "acrn", "QNXQVMBSQG\0\0": "qnx",
    " QNXQVMBSQG ": "qnx", "Jailhouse\0\0\0": "jailhouse", "SRESRESRESRE": "sre",
    "Apple VZ\0\0\0\0": "apple_vz", "VirtualApple": "rosetta", "MicrosoftXTA": "xta",
    "HAXMHAXMHAXM": "haxm", "UnisysSpar64": "spar", "EVMMEVMMEVMM": "kgt",
    "___ NVMM ___": "nvmm", "OpenBSDVMM58": "openbsd_vmm", "LKVMLKVMLKVM": "lkvm",
    "FEXIFEXIEMU\0": "fex",
}


class MatrixError(Exception):
    """A column that cannot be tabulated: what and which column."""


@dataclass
class Column:
    index: int  # 1-based, as shown
    spec: str
    kind: str  # "boot" or "report"
    accel: str = None
    cpu: str = None
    machine: str = None
    path: str = None
    report: dict = None
    details: dict = field(default_factory=dict)  # how a boot went

    @property
    def name(self):
        return f"column {self.index} ({self.spec})"


def parse_column(index, spec, default_accel):
    """A column from its command-line text (see the module's docstring)."""
    if spec.startswith("report:"):
        path = spec[len("report:"):]
        if not path:
            raise MatrixError(f"column {index} ({spec}): report: needs a path")
        return Column(index, spec, "report", path=path)
    accel, cpu = default_accel, spec
    prefix, colon, rest = spec.partition(":")
    if colon:
        if prefix not in ACCELERATORS:
            raise MatrixError(f"column {index} ({spec}): unknown accelerator {prefix!r} "
                              f"(one of {', '.join(ACCELERATORS)}, or report:PATH)")
        accel, cpu = prefix, rest
    cpu, at, machine = cpu.partition("@")
    if at and not machine:
        raise MatrixError(f"column {index} ({spec}): '@' needs a machine type after it")
    if any(c.isspace() for c in spec):
        raise MatrixError(f"column {index} ({spec}): white space in a configuration")
    return Column(index, spec, "boot", accel=accel, cpu=cpu or None,
                  machine=machine or DEFAULT_MACHINE)


# --- reading reports ----------------------------------------------------------

def check_report(report, where):
    """Raises MatrixError unless report has the shape hvfeat -j gives it (as
    far as the matrix reads it); fields it does not read are left alone."""
    def fail(what):
        raise MatrixError(f"{where}: not an hvfeat JSON report: {what}")

    if not isinstance(report, dict):
        fail("not a JSON object")
    if report.get("tool") != "hvfeat":
        fail('"tool" is not "hvfeat"')
    if not isinstance(report.get("hypervisor_bit"), bool):
        fail('"hypervisor_bit" missing or not true/false')
    interfaces = report.get("interfaces")
    if not isinstance(interfaces, list):
        fail('"interfaces" missing or not a list')
    for n, interface in enumerate(interfaces):
        if not (isinstance(interface, dict) and isinstance(interface.get("base"), int)
                and isinstance(interface.get("signature"), str)
                and isinstance(interface.get("decoded", []), list)):
            fail(f"interface {n}: no base, signature or decoded list")
        for entry in interface.get("decoded", []):
            if not (isinstance(entry, dict) and isinstance(entry.get("leaf"), int)
                    and isinstance(entry.get("register"), str)):
                fail(f"interface {n}: a decoded entry without leaf or register")
            for item in entry.get("bits", []) + entry.get("fields", []):
                if not (isinstance(item, dict) and isinstance(item.get("key"), str)):
                    fail(f"interface {n}: a decoded item without a key")
            if not all(isinstance(b.get("set"), bool) for b in entry.get("bits", [])):
                fail(f"interface {n}: a bit without set true/false")
            if not all(isinstance(f.get("value"), int) for f in entry.get("fields", [])):
                fail(f"interface {n}: a field without an integer value")
    probes = report.get("probes")
    if probes is not None:
        if not (isinstance(probes, dict) and isinstance(probes.get("results", []), list)
                and all(isinstance(r, dict) and isinstance(r.get("key"), str)
                        for r in probes.get("results", []))):
            fail('"probes" is neither null nor an object with keyed results')
    return report


def parse_report(text, where):
    try:
        report = json.loads(text)
    except ValueError as error:
        raise MatrixError(f"{where}: not JSON: {error}") from None
    return check_report(report, where)


def read_report(column):
    try:
        text = Path(column.path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MatrixError(f"{column.name}: cannot read {column.path}: {error}") from None
    column.report = parse_report(text, f"{column.name}: {column.path}")


# --- booting columns ----------------------------------------------------------

def hvfeat_options(args):
    return f"-j {args} --shutdown --exit-port".replace("  ", " ")


def boot_column(column, efi_bytes, workdir, args, timeout=BOOT_TIMEOUT):
    """Boots hvfeat directly from a GPT disk with its options in
    \\hvfeat.cfg (-j added) under column's accelerator, -cpu and -machine,
    and reads its JSON back from \\hvfeat.log."""
    directory = Path(workdir) / f"column-{column.index}"
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    disk = vm.make_disk_image(directory / "disk.img",
                              vm.direct_boot_files(efi_bytes, hvfeat_options(args)))
    vars_file = directory / "OVMF_VARS.fd"
    shutil.copyfile(vm.OVMF_VARS, vars_file)
    with tempfile.TemporaryDirectory(prefix="hvfeat-tpm-") as tpm_state:
        tpm, socket = vm.start_tpm(tpm_state, directory / "swtpm.log")
        try:
            command = vm.qemu_command(disk, vars_file, column.accel, column.cpu,
                                      devices=(vm.DEBUG_EXIT_DEVICE,), machine=column.machine,
                                      tpm_socket=socket)
            (directory / "qemu-command.txt").write_text(" ".join(map(str, command)) + "\n")
            started = time.monotonic()
            exit_code, timed_out, raw, errors = vm.run_streaming(
                command, timeout, lambda *_: False)
        finally:
            if tpm.poll() is None:
                tpm.kill()
            tpm.wait()
    (directory / "console.log").write_bytes(raw)
    (directory / "qemu-stderr.log").write_bytes(errors)
    column.details = {"qemu_exit": exit_code, "timed_out": timed_out,
                      # no console at all: QEMU failed before the firmware ran
                      "exit_port": vm.debug_exit_verdict(exit_code) if raw else None,
                      "seconds": round(time.monotonic() - started, 1), "workdir": str(directory)}
    log = vm.read_esp_file(disk, "/hvfeat.log")
    report_log(column, None if log is None else log.decode("ascii", "replace"),
               f"did not power off within {timeout} s" if timed_out else None,
               errors.decode(errors="replace"), directory)


def report_log(column, log, trouble, stderr, directory):
    """Takes a booted column's log as its report, or says why it cannot."""
    verdict = column.details.get("exit_port")
    how = (f"QEMU exit {column.details.get('qemu_exit')}"
           + (f", exit port {verdict:#x}" if verdict is not None else "")
           + (f", {trouble}" if trouble else ""))
    last_error = " ".join(stderr.strip().splitlines()[-2:])[:300]
    if log is None:
        raise MatrixError(f"{column.name}: the boot gave no \\hvfeat.log ({how}"
                          + (f"; QEMU said: {last_error}" if last_error else "")
                          + f"; console and QEMU messages in {directory})")
    column.report = parse_report(log, f"{column.name}: \\hvfeat.log ({how}; kept in "
                                      f"{directory})")


def boot_nested(columns, efi_bytes, workdir, args):
    """The nested-kvm columns as L2 cases of one run of the bed: two L1
    guests side by side, each booting its share of the columns one after
    another (qemu/nested_kvm.py)."""
    cases = []
    for column in columns:
        cases.append(nested_kvm.L2Case(f"column-{column.index}", cpu=column.cpu or "host",
                                       options=hvfeat_options(args), serial=False,
                                       machine=column.machine))
    try:
        run = nested_kvm.run(cases, efi_bytes, Path(workdir) / "nested",
                             lanes=min(PARALLEL_BOOTS, len(cases)))
    except (nested_kvm.NestedBedError, OSError, RuntimeError) as error:
        raise MatrixError(f"nested-kvm columns "
                          f"{', '.join(str(c.index) for c in columns)}: {error}") from None
    print(run.summary(), flush=True)
    for column, case in zip(columns, cases):
        column.details = {"qemu_exit": case.exit_code, "timed_out": case.timed_out,
                          "exit_port": case.verdict,
                          "seconds": None if case.seconds is None else round(case.seconds, 1),
                          "kernel": run.kernel,
                          "workdir": str(Path(vm.disk_file(case.esp)).parent)}
        report_log(column, case.log(), None, case.stderr, column.details["workdir"])


def gather(columns, efi_path=None, workdir=None, args="", jobs=PARALLEL_BOOTS):
    """Fills every column's report: reports first (a bad one fails before
    anything boots), then the local boots, `jobs` at a time, then the
    nested-kvm ones in one run of the bed."""
    for column in columns:
        if column.kind == "report":
            read_report(column)
    boots = [c for c in columns if c.kind == "boot"]
    if not boots:
        return
    if not efi_path or not workdir:
        raise MatrixError("booted columns need --efi and --workdir")
    try:
        efi_bytes = Path(efi_path).read_bytes()
    except OSError as error:
        raise MatrixError(f"cannot read --efi {efi_path}: {error.strerror}") from None
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if any(c.accel == "auto" for c in boots):
        usable, reason = vm.kvm_usable(workdir / "kvm-probe")
        print(f"hvfeat-matrix: accelerator auto is {'kvm' if usable else 'tcg'}: {reason}",
              flush=True)
        for column in boots:
            if column.accel == "auto":
                column.accel = "kvm" if usable else "tcg"
    local = [c for c in boots if c.accel in ("tcg", "kvm")]
    print(f"hvfeat-matrix: booting {len(boots)} column(s), hvfeat options "
          f"{hvfeat_options(args)!r}", flush=True)
    errors = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(boot_column, c, efi_bytes, workdir, args): c for c in local}
        for future in concurrent.futures.as_completed(futures):
            try:
                future.result()
            except MatrixError as error:
                errors.append((futures[future].index, str(error)))
            except (OSError, RuntimeError) as error:  # images, swtpm, QEMU not started
                errors.append((futures[future].index,
                               f"{futures[future].name}: the boot failed: {error}"))
    if errors:
        raise MatrixError("\n".join(message for _, message in sorted(errors)))
    nested = [c for c in boots if c.accel == "nested-kvm"]
    if nested:
        boot_nested(nested, efi_bytes, workdir, args)


# --- the table ----------------------------------------------------------------

@dataclass
class Fact:
    """One row's value in one report."""
    value: object
    text: str
    note: str = ""


@dataclass
class RowInfo:
    key: str
    kind: str  # hypervisor_bit, signature, interface, base, max_leaf, bit, field,
    #           unknown_bits, probe, result
    group: str  # "" (general), an interface group, "probe" or "judged"
    label: str = ""  # the upstream identifier
    meaning: str = ""
    where: tuple = None  # (leaf - base, subleaf, register) for decoded items
    optional: bool = False  # shown only when some column has a non-empty value


def escape_bytes(text):
    """A signature or four-character code as hvfeat prints it."""
    out = []
    for c in text:
        o = ord(c)
        if c == "\0":
            out.append("\\0")
        elif c in '"\\':
            out.append("\\" + c)
        elif 0x20 <= o < 0x7f:
            out.append(c)
        else:
            out.append(f"\\x{o & 0xff:02x}")
    return "".join(out)


def field_text(item):
    value, form = item["value"], item.get("format")
    if form == "hex":
        return f"{value:#x}"
    if form == "khz":
        return f"{value} kHz"
    if form == "fourcc":
        return '"' + escape_bytes("".join(chr((value >> s) & 0xff) for s in (0, 8, 16, 24))) + '"'
    if form == "enum" and item.get("name"):
        return f"{value}: {item['name']}"
    return str(value)


def where_text(where):
    offset, subleaf, register = where
    return f"base+{offset:#x}" + (f".{subleaf}" if subleaf else "") + f" {register}"


def interface_groups(report):
    """(group, interface) for each interface in report order: the group is
    the interface key, with #N for the Nth interface of the same key."""
    seen = {}
    for interface in report["interfaces"]:
        signature = interface["signature"]
        key = INTERFACE_KEYS.get(signature) or f'"{escape_bytes(signature)}"'
        seen[key] = seen.get(key, 0) + 1
        yield (key if seen[key] == 1 else f"{key}#{seen[key]}"), key, interface


def item_key(item_key_text, key, group):
    """An item's row key: its JSON key, renamed into the group for the
    second and later interfaces of the same key."""
    if group != key and item_key_text.startswith(key + "."):
        return group + item_key_text[len(key):]
    return item_key_text


def report_facts(report):
    """What one report says: {row key: Fact}, the rows in report order
    ({row key: RowInfo}), and the state of every decoded register
    ({(group, offset, subleaf, register): state}) and interface ({group: interface})."""
    facts, rows, registers, interfaces = {}, {}, {}, {}

    def add(info, fact):
        rows.setdefault(info.key, info)
        facts.setdefault(info.key, fact)

    bit = report["hypervisor_bit"]
    add(RowInfo("hypervisor_bit", "hypervisor_bit", "", "CPUID.1:ECX[31]",
                "hypervisor present bit"), Fact(bit, "set" if bit else "clear"))
    unadvertised = report.get("unadvertised_signature")
    add(RowInfo("unadvertised_signature", "signature", "", "leaf 0x40000000",
                "a signature answering with the hypervisor bit clear", optional=True),
        Fact(unadvertised, f'"{escape_bytes(unadvertised)}"' if unadvertised else "none"))
    for group, key, interface in interface_groups(report):
        interfaces[group] = interface
        base = interface["base"]
        product = interface.get("product") or "unknown signature"
        add(RowInfo(f"interface.{group}", "interface", group, product,
                    f'signature "{escape_bytes(interface["signature"])}"'), Fact(True, "yes"))
        add(RowInfo(f"interface.{group}.base", "base", group, "base leaf",
                    "where the interface sits"), Fact(base, f"{base:#010x}"))
        if isinstance(interface.get("max_leaf"), int):
            note = interface.get("max_leaf_note", "")
            add(RowInfo(f"interface.{group}.max_leaf", "max_leaf", group, "max leaf",
                        "base's EAX, as hvfeat took it"),
                Fact(interface["max_leaf"] - base, f"base+{interface['max_leaf'] - base:#x}",
                     "" if note in ("", "as_reported") else note))
        for entry in interface.get("decoded", []):
            where = (entry["leaf"] - base, entry.get("subleaf", 0), entry["register"])
            registers[(group,) + where] = entry.get("state", "decoded")
            for item in entry.get("bits", []):
                k = item_key(item["key"], key, group)
                add(RowInfo(k, "bit", group, item.get("id", ""), item.get("meaning", ""),
                            where + (item.get("bit"),)),
                    Fact(item["set"], "set" if item["set"] else "clear"))
            for item in entry.get("fields", []):
                k = item_key(item["key"], key, group)
                add(RowInfo(k, "field", group, item.get("id", ""), item.get("meaning", ""),
                            where), Fact(item["value"], field_text(item)))
            if entry.get("state", "decoded") == "decoded" and "unknown_bits" in entry:
                unknown = sorted(entry["unknown_bits"])
                add(RowInfo(f"{group}.unknown_bits.{where_text(where).replace(' ', '.')}",
                            "unknown_bits", group, "(unknown)",
                            f"set bits no table defines, {where_text(where)}", where,
                            optional=True),
                    Fact(unknown, ", ".join(map(str, unknown)) if unknown else "none"))
    probes = report.get("probes")
    if probes:
        for result in probes.get("results", []):
            add(RowInfo(f"probe.{result['key']}", "probe", "probe", result.get("title", ""),
                        "what --probe found in use"),
                Fact(result.get("state"), str(result.get("state")), result.get("detail") or ""))
    # The consistency lints and the verdict, as the report judged them.
    for result in report.get("results", []):
        if result["label"].startswith("lint."):
            add(RowInfo(result["label"], "result", "judged", "", "consistency lint"),
                Fact(result["outcome"], result["outcome"], result.get("detail") or ""))
    if "verdict" in report:
        add(RowInfo("verdict", "result", "judged", "", "the run's verdict"),
            Fact(report["verdict"], str(report["verdict"])))
    return facts, rows, registers, interfaces


def merge_order(sequences):
    """One order for keys that each sequence lists in its own order: a key
    first met in a later sequence goes right after the key before it there."""
    merged = []
    for sequence in sequences:
        position = -1
        for key in sequence:
            if key in merged:
                position = merged.index(key)
            else:
                position += 1
                merged.insert(position, key)
    return merged


def absent_reason(report, info, registers, interfaces):
    """Why a report has no value for a row."""
    if info.kind == "probe":
        probes = report.get("probes")
        if not probes:
            return "probes not run (no --probe)"
        if probes.get("ran") is False:
            return f"probes not run: {probes.get('not_run_reason') or 'no reason given'}"
        return "not in this report"
    if info.kind == "result":
        return "not judged in this report"
    interface = interfaces.get(info.group)
    if info.group and info.group != "probe" and interface is None:
        if not report["hypervisor_bit"]:
            return f"no {info.group} interface (hypervisor bit clear: not scanned)"
        return f"no {info.group} interface"
    if interface is not None and interface.get("past_decode_limit"):
        return "not decoded: past hvfeat's decode limit"
    if info.where is not None:
        state = registers.get((info.group,) + tuple(info.where[:3]))
        if state == "not_provided":
            return f"leaf {where_text(info.where[:3]).split()[0]} not provided"
        if state == "other_interface":
            return f"leaf {where_text(info.where[:3]).split()[0]} belongs to another interface"
    return "not in this report"


def tabulate(columns):
    """The matrix of columns' reports: a JSON-ready dict."""
    if not columns:
        raise MatrixError("no columns")
    per_column = [report_facts(c.report) for c in columns]
    infos = {}
    for _, rows, _, _ in per_column:
        for key, info in rows.items():
            infos.setdefault(key, info)
    # general rows, then the interface groups by first appearance (column 1's
    # in its order, then those new in column 2, ...), then the probes
    group_order = [""]
    for _, rows, _, _ in per_column:
        for info in rows.values():
            if info.group not in group_order and info.group not in ("probe", "judged"):
                group_order.append(info.group)
    group_order += ["probe", "judged"]
    keys = merge_order([list(rows) for _, rows, _, _ in per_column])
    ordered = [k for g in group_order for k in keys if infos[k].group == g]

    table_rows = []
    for key in ordered:
        info = infos[key]
        cells = []
        for column, (facts, _, registers, interfaces) in zip(columns, per_column):
            fact = facts.get(key)
            if fact is None and info.kind == "interface":
                fact = Fact(False, "no")
            if fact is None:
                cells.append({"text": "absent", "value": None, "absent":
                              absent_reason(column.report, info, registers, interfaces)})
            else:
                cell = {"text": fact.text, "value": fact.value}
                if fact.note:
                    cell["note"] = fact.note
                cells.append(cell)
        if info.optional and not any(c["value"] for c in cells):
            continue
        first = cells[0]
        for cell in cells:
            cell["differs"] = (("absent" in cell) != ("absent" in first)
                               or ("absent" not in cell and cell["value"] != first["value"]))
        row = {"key": key, "kind": info.kind, "group": info.group, "id": info.label,
               "meaning": info.meaning, "differs": any(c["differs"] for c in cells),
               "cells": cells}
        if info.where is not None:
            row["leaf_offset"], row["subleaf"], row["register"] = info.where[:3]
            if info.kind == "bit":
                row["bit"] = info.where[3]
        table_rows.append(row)
    differing = [r["key"] for r in table_rows if r["differs"]]
    return {
        "tool": "hvfeat-matrix", "format": 1,
        "baseline": 1,
        "columns": [column_json(c) for c in columns],
        "rows": table_rows,
        "row_count": len(table_rows),
        "differing_rows": len(differing),
        "differing_keys": differing,
    }


def column_json(column):
    report = column.report
    out = {"index": column.index, "label": column.spec, "kind": column.kind}
    if column.kind == "report":
        out["path"] = column.path
    else:
        out.update(accel=column.accel, cpu=column.cpu, machine=column.machine,
                   **{k: v for k, v in column.details.items() if k != "workdir"})
    out["hvfeat_version"] = report.get("version")
    source = report.get("source")
    out["source"] = source.get("description") if isinstance(source, dict) else None
    out["cpu_vendor"] = report.get("cpu_vendor")
    out["verdict"] = report.get("verdict")
    return out


# --- renderings ---------------------------------------------------------------

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #1a1a1a; }
h1 { font-size: 1.4em; margin: 0 0 .3em 0; }
p.summary { margin: .2em 0 1em 0; }
table { border-collapse: collapse; font-size: .9em; }
th, td { border: 1px solid #c8c8c8; padding: .2em .5em; text-align: left;
         vertical-align: top; }
table.columns { margin-bottom: 1em; }
table.matrix thead th { position: sticky; top: 0; background: #eef1f5;
                        max-width: 14em; overflow-wrap: anywhere; }
table.matrix tr.group th { background: #dde3ea; font-size: 1.05em; }
th.key { font-family: ui-monospace, monospace; font-weight: normal; white-space: nowrap; }
th.key .id { display: block; font-family: system-ui, sans-serif; color: #666;
             font-size: .85em; }
td { font-family: ui-monospace, monospace; white-space: nowrap; }
td.set, td.yes { color: #0a5d1e; }
td.clear, td.no { color: #777; }
td.absent { color: #999; font-style: italic; background: #f6f6f6; }
td.differs { background: #ffd9d4; color: #8a1200; font-weight: bold; }
tr.differs th.key { background: #fff0ee; }
.mark { color: #c0200a; font-weight: bold; }
#only-differing:checked ~ table.matrix tr.same { display: none; }
label { display: inline-block; margin: .3em 0 .6em 0; }
""".strip()


def esc(text):
    return html.escape(str(text), quote=True)


def short_label(column):
    """A report's column is headed by its file's name, a boot's by its spec."""
    if column["kind"] == "report":
        return "report:" + os.path.basename(column["path"])
    return column["label"]


def render_html(matrix):
    """A self-contained page (inline CSS, no scripts, nothing fetched), in
    markup both XML and HTML parsers take."""
    columns, rows = matrix["columns"], matrix["rows"]
    n = len(columns)
    title = (f"hvfeat matrix: {n} configuration{'s' * (n != 1)}, "
             f"{matrix['differing_rows']} of {matrix['row_count']} rows differ")
    out = ["<!DOCTYPE html>",
           '<html xmlns="http://www.w3.org/1999/xhtml" lang="en">',
           "<head>", '<meta charset="utf-8"/>', f"<title>{esc(title)}</title>",
           f"<style>\n{STYLE}\n</style>", "</head>", "<body>",
           f"<h1>{esc(title)}</h1>",
           f'<p class="summary">Every cell is compared with column 1 ({esc(columns[0]["label"])}); '
           f'a cell that differs is marked <span class="mark">{MARK}</span>, and so is its row. '
           f'A dash (&#8212;) is a row absent from that report, the reason in its tooltip. '
           f'Row names are hvfeat\'s requirement names (<code>--require</code>).</p>',
           '<table class="columns">',
           "<thead><tr><th>#</th><th>configuration</th><th>kind</th><th>source</th>"
           "<th>CPU vendor</th><th>hvfeat</th><th>verdict</th><th>how it ran</th></tr></thead>",
           "<tbody>"]
    for column in columns:
        if column["kind"] == "boot":
            ran = (f"{column['accel']}, -cpu {column['cpu'] or '(default)'}, "
                   f"-machine {column['machine']}")
            if column.get("seconds") is not None:
                ran += f", {column['seconds']:.1f} s"
            if column.get("exit_port") is not None:
                ran += f", exit port {column['exit_port']:#x}"
        else:
            ran = "read, not booted"
        out.append(f"<tr><td>{column['index']}</td><td>{esc(column['label'])}</td>"
                   f"<td>{esc(column['kind'])}</td><td>{esc(column['source'] or '')}</td>"
                   f"<td>{esc(column['cpu_vendor'] or '')}</td>"
                   f"<td>{esc(column['hvfeat_version'] or '')}</td>"
                   f"<td>{esc(column['verdict'] or 'none')}</td>"
                   f"<td>{esc(ran)}</td></tr>")
    out += ["</tbody>", "</table>",
            '<input type="checkbox" id="only-differing"/>'
            '<label for="only-differing">show only the rows that differ</label>',
            '<table class="matrix">', "<thead><tr><th>row</th>"
            + "".join(f'<th title="{esc(c["label"])}">{c["index"]}: {esc(short_label(c))}</th>'
                      for c in columns) + "</tr></thead>", "<tbody>"]
    group = None
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            heading = {"": "CPUID", "probe": "probes (--probe)",
                       "judged": "lints and verdict"}.get(group, f"interface {group}")
            out.append(f'<tr class="group"><th colspan="{n + 1}">{esc(heading)}</th></tr>')
        state = "differs" if row["differs"] else "same"
        detail = row["meaning"]
        if "leaf_offset" in row:
            where = where_text((row["leaf_offset"], row["subleaf"], row["register"]))
            detail = (f"bit {row['bit']} of " if row["kind"] == "bit" else "") + \
                f"{where}: {detail}"
        mark = f'<span class="mark">{MARK}</span> ' if row["differs"] else ""
        ident = f' <span class="id">{esc(row["id"])}</span>' if row["id"] else ""
        cells = []
        for cell in row["cells"]:
            classes = ["differs" if cell["differs"] else "same"]
            if "absent" in cell:
                classes.append("absent")
                text, tip = "&#8212;", f"absent: {cell['absent']}"
            else:
                text, tip = esc(cell["text"]), cell.get("note", "")
                if isinstance(cell["value"], bool):
                    classes.append({("bit", True): "set", ("bit", False): "clear",
                                    ("hypervisor_bit", True): "set",
                                    ("hypervisor_bit", False): "clear",
                                    ("interface", True): "yes", ("interface", False): "no"}
                                   .get((row["kind"], cell["value"]), ""))
            cell_mark = f'<span class="mark">{MARK}</span> ' if cell["differs"] else ""
            title = f' title="{esc(tip)}"' if tip else ""
            cells.append(f'<td class="{" ".join(c for c in classes if c)}"{title}>'
                         f"{cell_mark}{text}</td>")
        out.append(f'<tr class="{state}" data-key="{esc(row["key"])}">'
                   f'<th class="key" scope="row" title="{esc(detail)}">{mark}{esc(row["key"])}'
                   f"{ident}</th>{''.join(cells)}</tr>")
    out += ["</tbody>", "</table>",
            f'<p class="summary">{matrix["differing_rows"]} of {matrix["row_count"]} rows '
            f'differ from column 1. Made by <code>qemu/hvfeat_vm.py --matrix</code>.</p>',
            "</body>", "</html>", ""]
    return "\n".join(out)


def summary_text(matrix, limit=40):
    """The few lines printed on stdout: the columns, the count of rows that
    differ, and those rows with every column's value (* marks a difference).
    A row of an interface that differs only where the interface itself is
    there or not is counted below the interface's rows, not listed."""
    columns, rows = matrix["columns"], matrix["rows"]
    lines = [f"hvfeat-matrix: {len(columns)} columns, {matrix['row_count']} rows; "
             f"{matrix['differing_rows']} differ from column 1"]
    lines += [f"  {c['index']}: {c['label']}"
              + (f" ({c['source']})" if c["kind"] == "report" and c["source"] else "")
              for c in columns]
    def differing(row):
        return {i for i, cell in enumerate(row["cells"]) if cell["differs"]}

    present = {r["group"]: differing(r) for r in rows if r["kind"] == "interface"}
    shown, folded = [], {}
    for row in rows:
        if not row["differs"]:
            continue
        if row["kind"] not in ("interface", "base") and \
                differing(row) <= present.get(row["group"], set()):
            folded[row["group"]] = folded.get(row["group"], 0) + 1
            continue
        shown.append(row)
    table = [["row"] + [str(c["index"]) for c in columns]]
    for row in shown:
        table.append([row["key"]] + [("-" if "absent" in c else c["text"])
                                     + ("*" if c["differs"] else "") for c in row["cells"]])
        if row["kind"] == "base" and folded.get(row["group"]):
            count = folded[row["group"]]
            table.append(f"    (and {count} row{'s' * (count != 1)} of {row['group']} that "
                         "differ only where it is or is not there)")
    cells = [line for line in table if isinstance(line, list)]
    widths = [min(max(len(line[i]) for line in cells), 48 if i == 0 else 20)
              for i in range(len(columns) + 1)]
    if len(table) > 1:
        for line in table[:limit + 1]:
            lines.append(line if isinstance(line, str) else "  " + "  ".join(
                text.ljust(width) for text, width in zip(line, widths)).rstrip())
        if len(table) > limit + 1:
            lines.append(f"  ... and {len(table) - limit - 1} more lines (see the JSON or HTML)")
    return "\n".join(lines)


# --- writing ------------------------------------------------------------------

def output_path(path, default_name):
    """PATH, or PATH/default_name when PATH is a directory (or ends with /)."""
    path = str(path)
    if path.endswith("/") or os.path.isdir(path):
        return Path(path) / default_name
    return Path(path)


def write_all(outputs):
    """Writes each (path, text) to path.tmp, then renames them all into
    place; a failure before the renames leaves every path as it was."""
    staged = []
    try:
        for path, text in outputs:
            if not path.parent.is_dir():
                raise MatrixError(f"cannot write {path}: no directory {path.parent}")
            temporary = path.with_name(path.name + ".tmp")
            with open(temporary, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            staged.append((temporary, path))
    except OSError as error:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise MatrixError(f"cannot write {error.filename}: {error.strerror}") from None
    except MatrixError:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, path in staged:
        os.replace(temporary, path)


def run_matrix(specs, default_accel="auto", efi=None, workdir=None, args="",
               json_path=None, html_path=None):
    """The whole matrix mode; returns the exit status (messages on stderr)."""
    try:
        columns = [parse_column(i, spec, default_accel) for i, spec in enumerate(specs, 1)]
        outputs = []
        if json_path:
            outputs.append(output_path(json_path, "matrix.json"))
        if html_path:
            outputs.append(output_path(html_path, "matrix.html"))
        for path in outputs:  # before any boot: a wrong path costs nothing
            if not path.parent.is_dir():
                raise MatrixError(f"cannot write {path}: no directory {path.parent}")
        gather(columns, efi, workdir, args)
        matrix = tabulate(columns)
        texts = []
        if json_path:
            texts.append((outputs.pop(0), json.dumps(matrix, indent=1) + "\n"))
        if html_path:
            texts.append((outputs.pop(0), render_html(matrix)))
        write_all(texts)
    except MatrixError as error:
        print(f"hvfeat-matrix: {error}", file=sys.stderr)
        print("hvfeat-matrix: nothing written", file=sys.stderr)
        return 1
    print(summary_text(matrix))
    for path, _ in texts:
        print(f"hvfeat-matrix: wrote {path}")
    return 0
