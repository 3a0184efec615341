"""Mutants of the core's decisions, each of which `make unit` must kill.

A test suite that still passes when a decision is broken does not test it.
Each mutant below changes one thing a probe, the scanner or the judging
decides (the text to find must stand exactly once in its file); the runner
copies the tracked tree to a scratch directory, checks that the unit tests
pass there unmutated, copies that tree once more, then applies one mutant
at a time in each tree and requires `make unit` to fail. It prints one
line a mutant, in the list's order, and a closing count.
"""

import concurrent.futures
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (file, text, replacement, what breaks)
MUTANTS = [
    ("core/probe_framework.c", "#define RATE_TOLERANCE_PPM 1000", "#define RATE_TOLERANCE_PPM 8000",
     "rate tolerance 1000 -> 8000 ppm"),
    ("core/probe_framework.c", "int64_t off = ppm < 0 ? -ppm : ppm;", "int64_t off = ppm < 0 ? 0 : ppm;",
     "slow clocks never flagged"),
    ("core/probe_framework.c", "else if (off + uncertainty > RATE_TOLERANCE_PPM)",
     "else if (off > RATE_TOLERANCE_PPM)", "works without the uncertainty"),
    ("core/probe_framework.c", "if (!lengthen || ppm <= UNCERTAINTY_TARGET_PPM",
     "if (lengthen || ppm <= UNCERTAINTY_TARGET_PPM", "intervals never lengthened"),
    ("core/probe_kvm.c", "\t\tif (now < previous) {", "\t\tif (0) {",
     "monotonic check removed"),
    ("core/probe_kvm.c", "stable_flag ? NULL : pvclock_version", "1 ? NULL : pvclock_version",
     "kvmclock rate judged across a rewrite that stepped it"),
    ("core/probe_kvm.c", "stable_flag ? NULL : pvclock_version", "pvclock_version",
     "kvmclock with the stable flag forgiven a step at a rewrite"),
    ("core/probe_framework.c", "if (!rewrites || rewrites(run) == before)",
     "if (!rewrites || rewrites(run) != before)", "intervals with a rewrite kept"),
    ("core/probe_framework.c", "\t\t\tseen->largest_excess_ns = excess;",
     "\t\t\tseen->largest_excess_ns = 0;", "a rewrite's step never shown"),
    ("core/probe_framework.c", "magnitude(excess) > magnitude(seen->largest_excess_ns)",
     "magnitude(excess) < magnitude(seen->largest_excess_ns)",
     "the first rewrite's step shown, not the largest"),
    ("include/probe.h", "#define PROBE_VALUES_MAX 18u", "#define PROBE_VALUES_MAX 14u",
     "a probe's last values dropped"),
    ("include/probe.h", "#define PROBE_DETAIL_MAX 320u", "#define PROBE_DETAIL_MAX 200u",
     "a probe's last remark cut"),
    ("core/probe_framework.c", "if (++seen->intervals == REWRITE_TRIES)",
     "if (++seen->intervals == REWRITE_TRIES + 1)", "one rewritten interval too many"),
    ("core/probe_kvm.c", "if (!(version & 1) && version == load32(p))",
     "if (version == load32(p))", "odd-version check removed"),
    ("core/probe_kvm.c", "#define WALL_CLOCK_TOLERANCE_S 2", "#define WALL_CLOCK_TOLERANCE_S 9",
     "wall-clock tolerance 2 -> 9 s"),
    ("core/probe_kvm.c", "if (steal_after < steal)", "if (0)",
     "steal time going backwards not checked"),
    ("core/probe_hyperv.c", "if (sequence && sequence == load32(page))", "if (sequence)",
     "TSC-page sequence not read again"),
    ("core/probe_kvm.c", "((load32(wall + 8) + ns) / 1000000000u)", "(ns / 1000000000u)",
     "wall-clock nanoseconds ignored"),
    ("core/probe_kvm.c", "(uint64_t)tsc_khz * 1000u", "(uint64_t)tsc_khz * 1024u",
     "timing leaf kHz x1024"),
    ("core/probe_kvm.c", "kvmclock(run, result, run->out->restore_count, MSR_KVM_SYSTEM_TIME_NEW,\n"
     "\t\t MSR_KVM_WALL_CLOCK_NEW);",
     "kvmclock(run, result, run->out->restore_count, MSR_KVM_SYSTEM_TIME_NEW,\n"
     "\t\t MSR_KVM_WALL_CLOCK);", "the _NEW probe on the legacy wall-clock MSR"),
    ("core/clocks.c", "int shift = t->tsc_shift;",
     "int shift = t->tsc_shift < 0 ? -t->tsc_shift : t->tsc_shift;", "tsc_shift sign lost"),
    ("core/probe_kvm.c", "if (!msr_write_noted(run, result, mark, msr, page_address(run, WALL_CLOCK_OFFSET)))",
     "if ((void)mark, !msr_write(run, result, msr, page_address(run, WALL_CLOCK_OFFSET)))",
     "wall-clock MSRs not put back"),
    ("core/probe_kvm.c", "if (msr_note(run, result, mark, MSR_KVM_SYSTEM_TIME_NEW))",
     "if (1)", "legacy MSR written last"),
    ("core/probe_kvm.c", "if (!advertised(run, run->kvm, \"KVM_FEATURE_CLOCKSOURCE2\")) {",
     "if (0) {", "legacy probe without MSR_KVM_SYSTEM_TIME_NEW"),
    ("core/probe_kvm.c", "if (stable_flag) {", "if (stable_flag && 0) {",
     "backward step never broken"),
    ("core/probe_kvm.c", "else if (seen.still_in_service)", "else if (0)",
     "PV EOI never completed not noticed"),
    ("core/probe_kvm.c", "else if (!seen.pv_eoi_flag)", "else if (0)",
     "PV EOI flag not required"),
    ("core/probe_kvm.c", "if (now == value)\n\t\treturn true;", "return true;",
     "registration not read back"),
    ("core/probe_kvm.c", "? page_address(run, ASYNC_PF_OFFSET) | KVM_ASYNC_PF_ENABLED",
     "? page_address(run, ASYNC_PF_OFFSET) | KVM_ASYNC_PF_ENABLED | 8",
     "async PF with interrupt delivery"),
    ("core/probe_hyperv.c", "if (sequence == SEQUENCE_NOT_WRITTEN) {", "if (0) {",
     "a TSC page never written not noticed"),
    ("core/probe_hyperv.c", "\tif (!sequence) {\n\t\tset_state(result, PROBE_SKIPPED",
     "\tif (0) {\n\t\tset_state(result, PROBE_SKIPPED", "an invalid TSC page measured"),
    ("core/probe.c", "\tif (again != value) {", "\tif (0) {", "a counter written back"),
    ("core/probe.c", "\trun->m->interrupts_off(run->m->context);\n", "",
     "forced write with interrupts on"),
    ("core/probe_framework.c", "r->now == r->found;", "true;", "a restore not read back"),
    ("core/acpi.c", "(le32(fadt + FADT_FLAGS) & FADT_HW_REDUCED_ACPI))", "0)",
     "hardware-reduced PM timer used"),
    ("core/clocks.c", "if (zone_minutes < -1440 || zone_minutes > 1440)", "if (1)",
     "the RTC's named zone ignored"),
    ("core/probe_framework.c", "if (off - uncertainty > RATE_TOLERANCE_PPM)", "if (off > RATE_TOLERANCE_PPM)",
     "broken without the uncertainty"),
    ("core/probe_framework.c", "#define BRACKET_TRIES 5u", "#define BRACKET_TRIES 1u",
     "one try a bracket"),
    ("core/probe_hyperv.c", "\t\tif (!sequence)\n\t\t\tgive_host_a_turn(run);\n", "",
     "no exit for an invalid TSC page"),
    ("core/probe_kvm.c", "\tif (!version || (version & 1)) {\n\t\tset_state(result, PROBE_BROKEN, "
     "\"the host did not write the steal-time area",
     "\tif (0) {\n\t\tset_state(result, PROBE_BROKEN, "
     "\"the host did not write the steal-time area", "steal area never written unnoticed"),
    ("core/probe_kvm.c", "\tif (!version || (version & 1)) {\n\t\tset_state(result, PROBE_BROKEN, "
     "\"the wall clock structure",
     "\tif (0) {\n\t\tset_state(result, PROBE_BROKEN, \"the wall clock structure",
     "wall clock never written unnoticed"),
    ("core/probe_kvm.c", "if (!wait_for_host(run, page + PVCLOCK_OFFSET, 0)) {",
     "if (0 && !wait_for_host(run, page + PVCLOCK_OFFSET, 0)) {", "time page never written unnoticed"),
    ("core/probe_hyperv.c", "if (index >= max_vps)", "if (0)", "VP index past the maximum"),
    ("core/probe.c", "if (paravirtual_msr(forced->msr)) {", "if (0 && paravirtual_msr(forced->msr)) {",
     "a paravirtual MSR force-written"),
    ("core/probe_kvm.c", "#define PV_EOI_SENDS 5u", "#define PV_EOI_SENDS 1u",
     "PV EOI judged on one send"),
    # every vCPU, and kvmclock across them
    ("core/vcpus.c", "\t\t\tif (differ & ~per_vcpu) {", "\t\t\tif (0) {",
     "a vCPU's difference not reported"),
    ("core/vcpus.c", "\t{ 0x1, false, 0, REG_EBX, 0xff000000u, \"initial APIC ID\",",
     "\t{ 0x1, false, 0, REG_EBX, 0xffff0000u, \"initial APIC ID\",",
     "addressable IDs left out with the APIC ID"),
    ("core/vcpus.c", "differing ? SEVERITY_HIGH : SEVERITY_NONE, \"vcpu.\", \"cpuid\");",
     "differing ? SEVERITY_HIGH : SEVERITY_NONE, \"vcpu.\", \"lint.\");",
     "vcpu.cpuid mislabelled"),
    ("core/vcpus.c", "\t\tresults_add(results, differing ? OUTCOME_FAIL : OUTCOME_PASS,",
     "\t\tresults_add(results, differing ? OUTCOME_WARN : OUTCOME_PASS,",
     "differing vCPUs only warn"),
    ("core/probe_clock_vcpus.c", "\tif (t1 < t0) {", "\tif (t1 < t0 && 0) {",
     "warps across vCPUs never counted"),
    ("core/probe_clock_vcpus.c", "v->stable_warps += stable && c->stable_advertised;",
     "v->stable_warps += c->stable_advertised;", "warps without the stable bit break"),
    ("core/probe_clock_vcpus.c", "\t\tbool restored = finished[i] && v->restored;",
     "\t\tbool restored = v->restored || !finished[i];",
     "an unfinished vCPU's MSR taken as put back"),
    # confidential computing
    ("core/probe.c", "else if (probe->memory == HOST_WRITES_PAGE && private)", "else if (0)",
     "a page handed to the host in a confidential VM"),
    ("core/probe.c", "else if (probe->exits == MSR_OR_HYPERCALL && td)", "else if (0)",
     "an MSR or a hypercall in a TD, which halts it"),
    ("core/probe.c", "\tif (td) {\n\t\tset_state(result, PROBE_SKIPPED, TD_SKIPPED, td);",
     "\tif (0) {\n\t\tset_state(result, PROBE_SKIPPED, TD_SKIPPED, td);",
     "--probe-msr in a TD"),
    ("core/hv_scan.c", "bool tdx_read = report->max_basic_leaf >= CVM_LEAF_TDX;",
     "bool tdx_read = true;", "a TDX leaf past the basic maximum believed"),
    ("core/cvm.c", "cvm->type = (status >> SEV_STATUS_SNP) & 1",
     "cvm->type = (status >> SEV_STATUS_SEV_ES) & 1", "SEV-ES taken for SNP"),
    ("core/cvm.c", "if (same_regs(&table, &r->regs) || snp->disagreeing++)",
     "if (same_regs(&table, &r->regs) || 1)",
     "the SNP CPUID table never disagrees"),
    ("core/cvm.c", "if (sev_advertised(report) && cvm->sev_status.state == CVM_FAULTED) {",
     "if (0) {", "SEV advertised and SEV_STATUS faulting accepted"),
    ("core/cvm.c", "\tif (!hv_vendor_is_amd(report)) {", "\tif (!hv_vendor_is_amd(report) && 0) {",
     "SEV_STATUS read on Intel"),
    ("core/cvm.c", "\tt->num_vcpus = (uint32_t)out[2];\n\tt->max_vcpus = (uint32_t)(out[2] >> 32);",
     "\tt->max_vcpus = (uint32_t)out[2];\n\tt->num_vcpus = (uint32_t)(out[2] >> 32);",
     "TDG.VP.INFO's vCPU counts swapped"),
    ("core/cvm.c", "if (!cvm->examined || cvm->type == CVM_TYPE_NONE || cvm->type == CVM_TYPE_HYPERV_VBS)",
     "if (!cvm->examined || cvm->type == CVM_TYPE_NONE || cvm->type == CVM_TYPE_UNDECIDED)",
     "an undecided SEV guest's pages handed over"),
    ("core/cvm.c", "\tif (count < 2) {", "\tif (count < 1) {",
     "one source read passes cvm.sources-agree"),
    ("core/cvm.c", "\tif (undecided) {\n\t\tsink_printf(detail, \"undecided: SEV_STATUS",
     "\tif (0) {\n\t\tsink_printf(detail, \"undecided: SEV_STATUS",
     "an undecided type passes cvm.sources-agree"),
    ("core/cvm.c", "\t\tif (snp->entries[i].eax_in == leaf)\n",
     "\t\tif (snp->entries[i].eax_in == leaf && !snp->entries[i].ecx_in)\n",
     "ECX_IN compared for a hypervisor leaf of the SNP table"),
    # judging: the verdict follows the results
    ("core/judge.c", "[PROBE_BROKEN] = OUTCOME_FAIL,", "[PROBE_BROKEN] = OUTCOME_PASS,",
     "a broken probe passes"),
    ("core/results.c", "fails = fails || result_fails_verdict(r, strict);",
     "fails = fails || result_fails_verdict(r, false);", "--strict ignored"),
    ("core/results.c", "\tbool waive = (outcome == OUTCOME_FAIL || outcome == OUTCOME_WARN) &&\n"
     "\t\t     waived(list->waivers, label);",
     "\tbool waive = (outcome == OUTCOME_FAIL || outcome == OUTCOME_WARN) &&\n"
     "\t\t     (waived(list->waivers, label) || list->waivers);", "any waiver waives all"),
    ("core/results.c", "\tbool fails = results_unlisted_fail(list, strict);",
     "\tbool fails = false;", "results past the bound never fail the verdict"),
    ("core/judge.c", "bool clean = !not_restored && !probes->pages_in_use && !probes->handlers_left;",
     "bool clean = !probes->handlers_left;", "cleanup ignores MSRs and pages"),
    ("core/results.c", "\t\tclasses |= EXIT_CLASS_NOT_PASSED | EXIT_CLASS_FAIL;",
     "\t\tclasses |= EXIT_CLASS_FAIL;", "a failure without the not-passed bit"),
    ("core/labels.c", "\t\t\t\tif (result_label_known(label))",
     "\t\t\t\tif (label[0])", "unknown waiver labels accepted"),
    # drift from a baseline, and reading reports back
    ("core/drift.c", "\t\t\tdetail = differ(d, before ? OUTCOME_FAIL : OUTCOME_WARN,",
     "\t\t\tdetail = differ(d, OUTCOME_WARN,", "a lost feature only warns"),
    ("core/drift.c", "\t{ &hyperv_table, 0x03, REG_EAX },\n", "",
     "Hyper-V's privileges taken for hints"),
    ("core/drift.c", "\t\tnamed |= ~hv_unknown_bits(dec, 0xffffffffu);", "\t\tnamed |= 0;",
     "named bits reported again as raw"),
    ("core/drift.c", "was->reported_max_leaf - was->base != is->reported_max_leaf - is->base",
     "was->reported_max_leaf != is->reported_max_leaf", "a moved block's max leaf always changed"),
    ("core/json_reader.c", "if (r->depth >= JSON_MAX_DEPTH)", "if (r->depth > JSON_MAX_DEPTH)",
     "one level of nesting too many"),
    ("core/json_reader.c", "\t\tif (c < 0x20)\n", "\t\tif (c < 0x09)\n",
     "control characters taken in strings"),
    ("core/report_reader.c", "scalar->integer > 0xffffffffu", "scalar->integer > 0xffffffffffu",
     "register values past 32 bits taken"),
    ("core/policy_writer.c", "if (!hv_find_item(vendor, key, true, &item) || item.bit != bit) {",
     "if (!hv_find_item(vendor, key, true, &item)) {", "a repeated Hyper-V name pinned"),
    # Arm ID registers: fields read from the wrong bits, a register given twice
    ("core/arm_id_tables.c", "{ ARM_ID_AA64PFR0_EL1, 32, 4, \"ID_AA64PFR0_EL1.SVE\"",
     "{ ARM_ID_AA64PFR0_EL1, 36, 4, \"ID_AA64PFR0_EL1.SVE\"", "SVE read from SEL2's bits"),
    ("core/arm_id_tables.c", "& ((UINT64_C(1) << field->width) - 1);",
     "& ((UINT64_C(1) << (field->width - 1)) - 1);", "every ID field read a bit short"),
    ("core/arm_id_dump.c", "\tif (recording->given[r])\n", "\tif (0)\n",
     "an ID register given twice taken"),
    # SMCCC through JSON reports, baselines and policies
    ("core/drift_rules.c", "[DRIFT_LOST] = { OUTCOME_FAIL, SEVERITY_HIGH, \"lost\" },",
     "[DRIFT_LOST] = { OUTCOME_WARN, SEVERITY_LOW, \"lost\" },",
     "a lost offer (a KVM function, an ID register's feature) only warns"),
    ("core/drift_rules.c", "[DRIFT_CHANGED] = { OUTCOME_FAIL, SEVERITY_HIGH, \"changed\" } },",
     "[DRIFT_CHANGED] = { OUTCOME_WARN, SEVERITY_LOW, \"changed\" } },",
     "another vendor hypervisor UID only warns"),
    ("core/drift_smccc.c", ": status == SMCCC_RET_NOT_SUPPORTED ? ABSENT : DECLINED;", ": DECLINED;",
     "an offered ARCH_FEATURES answer becoming NOT_SUPPORTED only warns"),
    ("core/drift_smccc.c", "compare(d, f && f->key ? DRIFT_OFFER : DRIFT_SETTING, label,",
     "compare(d, DRIFT_OFFER, label,",
     "a KVM bit no key names judged as a function"),
    ("core/drift_smccc.c", "if (!then || read_by_an_item(now))", "if (1 || read_by_an_item(now))",
     "calls no key reads never compared"),
    ("core/report_reader.c", "value, &hex) && hex && cursor_at_end(&c);",
     "value, &hex) && cursor_at_end(&c);", "an SMCCC register without 0x taken"),
    ("core/report_reader.c", "if (k == CALL_X && event == JSON_EVENT_ARRAY_END && !s->entry_bad &&",
     "if (0 && !s->entry_bad &&", "an SMCCC call with fewer than four registers taken"),
    ("core/smccc_tables.c", "\treturn status >= 0 ||", "\treturn status > 0 ||",
     "an ARCH_FEATURES answer of success not offered (pinned, drift)"),
    # the Arm ID registers through JSON reports, baselines and policies
    ("core/drift_arm_id.c", "\t[ARM_ID_AA64PFR0_EL1] = DRIFT_OFFER,\n",
     "\t[ARM_ID_AA64PFR0_EL1] = DRIFT_SETTING,\n", "a lost SVE (a setting now) only warns"),
    ("core/drift_arm_id.c", "\tif (is_feature(field) && offered(field, is) < offered(field, was))",
     "\tif (0)", "a lower feature field only warns"),
    ("core/drift_arm_id.c", "\t[ARM_MIDR_EL1] = DRIFT_SETTING,\n", "\t[ARM_MIDR_EL1] = DRIFT_OFFER,\n",
     "another CPU model (MIDR_EL1) fails"),
    ("core/drift_arm_id.c", "\t\t    value == offering_nothing[i].value)\n\t\t\treturn 0;",
     "\t\t    value == offering_nothing[i].value)\n\t\t\treturn value;",
     "PMUVer's IMP_DEF taken for more than PMUv3"),
    ("core/drift_arm_id.c", "\t\t\tdecoded |= ((UINT64_C(1) << arm_id_fields[f].width) - 1)",
     "\t\t\tdecoded |= ((UINT64_C(1) << arm_id_fields[f].width) - 2)",
     "a field's lowest bit also reported raw"),
    ("core/drift_arm_id.c", "\t\tif (!is_feature(field) || !offered(field, value))",
     "\t\tif (!offered(field, value))", "MIDR_EL1's fields pinned by --write-policy"),
    ("core/report_reader.c", "\t\tif (event == JSON_EVENT_OBJECT_END && s->id_registers_seen &&\n"
     "\t\t    arm_id_recording_problem(&s->dump->arm_id))",
     "\t\tif (0)", "an \"arm_id\" lacking a register taken"),
    ("core/report_reader.c", "\telse if (!hex_string(event, scalar, &value))\n\t\twhy = \"an Arm ID",
     "\telse if (!hex_string(event, scalar, &value) && 0)\n\t\twhy = \"an Arm ID",
     "an ID register's malformed value taken"),
    # SMBIOS
    ("core/smbios.c", "\tuint8_t sum = byte_sum(bytes, claimed);\n\tif (sum) {",
     "\tuint8_t sum = byte_sum(bytes, claimed);\n\tif (0) {", "entry-point checksum not checked"),
    ("core/smbios.c", "bool swapped = m->major > 2 || (m->major == 2 && m->minor >= 6);",
     "bool swapped = m->major > 2;", "2.6-2.x UUIDs in network order"),
    ("core/smbios.c", "\tif (at >= s->strings_length) {", "\tif (at > s->strings_length) {",
     "a string number one past the strings taken"),
    ("core/smbios.c", "\t\tif (is32 && m->structures == m->structure_count)",
     "\t\tif (0)", "a 2.x table walked past its structure count"),
    ("core/lints.c", "\tif (!report->interface_count) {\n\t\tsink_puts(detail, \"the hypervisor bit",
     "\tif (0) {\n\t\tsink_puts(detail, \"the hypervisor bit", "kvm=off not a hidden hypervisor"),
    ("core/probe_smccc.c", "smccc_status(feature) >= SMCCC_RET_SUCCESS;",
     "smccc_status(feature) != SMCCC_RET_NOT_SUPPORTED;",
     "a workaround answered NOT_REQUIRED (do not call) called anyway"),
    ("core/probe_smccc.c", "smccc_status(feature) >= SMCCC_RET_SUCCESS;",
     "smccc_status(feature) == SMCCC_RET_SUCCESS;",
     "an UNAFFECTED workaround, implemented, never called"),
    ("core/probe_smccc.c", "SMCCC_ARCH_WORKAROUND_2, 1 },", "SMCCC_ARCH_WORKAROUND_2, 0 },",
     "WORKAROUND_2 turns the SSB mitigation off"),
    ("core/smccc_tables.c", "(feature == SMCCC_ARCH_WORKAROUND_2 && status == SMCCC_RET_NOT_REQUIRED)",
     "(feature == SMCCC_ARCH_WORKAROUND_2 && 0)",
     "WORKAROUND_2's NOT_REQUIRED lost without a failure"),
]


def run(command, cwd):
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True)


# Two trees, one mutant in each at a time: each mutant's build and unit
# run is serial, and these machines have two cores.
WORKERS = 2


def try_mutant(tree, mutant):
    """(verdict, what, path, seconds), verdict None when it does not build."""
    path, text, replacement, what = mutant
    unit_binaries = [f"build/unit/{p.stem}" for p in sorted((tree / "tests/unit").glob("test_*.c"))]
    source = tree / path
    original = source.read_text()
    source.write_text(original.replace(text, replacement))
    started = time.monotonic()
    try:
        # A mutant the compiler refuses (-Werror) proves nothing about
        # the tests: it is a mistake in this list.
        built = run(["make", "-s", *unit_binaries], tree)
        result = run(["make", "-s", "unit"], tree) if built.returncode == 0 else None
    finally:
        source.write_text(original)
        source.touch()  # the unmutated source is newer than the mutant's objects
    seconds = time.monotonic() - started
    if result is None:
        return None, what, f"{path}:\n{built.stderr[-1500:]}", seconds
    return ("killed" if result.returncode != 0 else "SURVIVED"), what, path, seconds


def main():
    with tempfile.TemporaryDirectory(prefix="hvfeat-mutants-") as scratch:
        tree = Path(scratch) / "tree0"
        files = run(["git", "ls-files"], ROOT).stdout.split()
        for name in files:
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tree / name)
        for path, text, _, what in MUTANTS:
            count = (tree / path).read_text().count(text)
            if count != 1:
                print(f"mutants: '{what}': the text stands {count} times in {path}, not "
                      f"once: the list is out of date")
                return 1
        baseline = run(["make", "-s", "unit"], tree)
        if baseline.returncode != 0:
            print(baseline.stdout[-3000:] + baseline.stderr[-3000:])
            print("mutants: the unmutated unit tests fail; nothing judged")
            return 1
        # The other trees start from the first one's build, timestamps kept.
        trees = queue.Queue()
        trees.put(tree)
        for k in range(1, WORKERS):
            trees.put(Path(shutil.copytree(tree, Path(scratch) / f"tree{k}", symlinks=True)))

        def one(mutant):
            own = trees.get()
            try:
                return try_mutant(own, mutant)
            finally:
                trees.put(own)

        killed, survived, broken = 0, [], []
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            for verdict, what, where, seconds in pool.map(one, MUTANTS):
                if verdict is None:
                    broken.append(what)
                    print(f"mutants: '{what}' does not build: {where}", flush=True)
                    continue
                print(f"{verdict:8} {what} ({where}, {seconds:.0f} s)", flush=True)
                if verdict == "killed":
                    killed += 1
                else:
                    survived.append(what)
        if broken:
            print(f"mutants: {len(broken)} do not build: the list is wrong")
            return 1
        print(f"mutants: {killed} passed, {len(survived)} failed")
        return 0 if not survived else 1


if __name__ == "__main__":
    sys.exit(main())
