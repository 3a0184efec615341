"""--tap and --junit of the host build, read by real consumers: prove and
TAP::Parser for TAP, junitparser and xmllint for JUnit XML. Every run is
also made with -j, and what the consumers counted must agree with the JSON
of the same run as jq reads it (an independent consumer) and with the
exit status, by the mapping the README gives (section "TAP and JUnit XML").
"""

import json
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import ci_consumers  # noqa: E402

HVFEAT = ROOT / "build" / "hvfeat"
UNIT_CI_FORMATS = ROOT / "build" / "unit" / "test_ci_formats"
DUMPS = ROOT / "tests" / "dumps"
KVM_HOST = DUMPS / "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt"
# The exit classes (README, "Exit statuses").
CLASS_FAIL, CLASS_ERROR = 0x01, 0x10


def jq(document, program):
    run = subprocess.run(["jq", "-c", program], input=document, capture_output=True,
                         text=True, check=True)
    return json.loads(run.stdout)


def point_numbers(model):
    """Each result's TAP test number (and JUnit testcase, less one), by
    label, in the JSON's order."""
    return {r["label"]: n for n, r in enumerate(model["results"], 1)}


def tap_description(point):
    """A TAP point's description as TAP 14 says to read it: without the
    "- " before it, "\\#" and "\\\\" unescaped."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"^- ", "", point["description"]))


class CiFormats(unittest.TestCase):
    def setUp(self):
        self.work = Path(tempfile.mkdtemp(prefix="hvfeat-ci-"))
        self.addCleanup(subprocess.run, ["rm", "-rf", str(self.work)])

    def hvfeat(self, *arguments):
        return subprocess.run([str(HVFEAT), *map(str, arguments)], capture_output=True,
                              text=True)

    def run_formats(self, *arguments):
        """One run with --tap and --junit, one with -j; both consumers' readings
        checked against the JSON, as the README's mapping has it. Returns
        (TAP::Parser's reading, junitparser's, the JSON's, the exit status)."""
        tap_path, junit_path = self.work / "run.tap", self.work / "run.xml"
        run = self.hvfeat(*arguments, "--tap", "--junit", junit_path)
        self.assertEqual(run.stderr, "")
        tap_path.write_text(run.stdout)
        as_json = self.hvfeat(*arguments, "-j")
        self.assertEqual(as_json.returncode, run.returncode, "the exit status depends on -j")
        model = jq(as_json.stdout, "{summary, strict, verdict, results: [.results[] | "
                                   "{label: .label, outcome, severity, waived, detail}]}")
        labels = [r["label"] for r in model["results"]]
        n = model["summary"]
        failed = n["fail"] + (n["warn"] - n["waived"] if model["strict"] else 0)
        skipped = n["skip"] + n["not-applicable"]
        # hvfeat fails the run exactly when a harness does.
        self.assertEqual(run.returncode & CLASS_FAIL != 0, model["verdict"] == "fail")

        tap = ci_consumers.tap_parser(tap_path)
        self.assertEqual(tap["parse_errors"], [])
        self.assertEqual(tap["version"], 13)
        self.assertTrue(tap["good_plan"])
        self.assertEqual(tap["tests_run"], len(labels))
        self.assertEqual(len(tap["failed"]), failed)
        self.assertEqual(len(tap["todo"]), n["waived"])
        # A waiver is a known failure: "not ok # TODO", never a TODO that passed.
        self.assertEqual(tap["todo_passed"], [])
        self.assertEqual(len(tap["skipped"]), skipped)
        self.assertEqual(len(tap["passed"]), len(labels) - failed)
        self.assertEqual([tap_description(p) for p in tap["points"]], labels)
        for point, result in zip(tap["points"], model["results"]):
            self.assertEqual(point["yaml"]["outcome"], result["outcome"], point)
            self.assertEqual(point["yaml"]["detail"], result["detail"], point)
            self.assertEqual(point["yaml"].get("severity"), result["severity"], point)
            self.assertEqual(point["yaml"].get("waived") == "true", result["waived"], point)
            self.assertEqual(point["directive"], "TODO" if result["waived"] else
                             "SKIP" if result["outcome"] in ("skip", "not-applicable") else "")
            self.assertEqual(point["actual_ok"], not result["waived"] and point["number"]
                             not in tap["failed"], point)

        proved = ci_consumers.prove(tap_path)
        self.assertEqual(proved["returncode"] != 0, model["verdict"] == "fail",
                         proved["output"])
        self.assertEqual(proved["result"], "FAIL" if model["verdict"] == "fail" else "PASS",
                         proved["output"])
        self.assertEqual(proved["tests"], len(labels), proved["output"])
        self.assertEqual(proved["failed"], failed, proved["output"])

        self.assertEqual(ci_consumers.xmllint(junit_path), "")
        junit = ci_consumers.junitparser(junit_path)
        self.assertEqual(junit["root_tag"], "testsuites")
        counts = {"tests": len(labels), "failures": failed, "errors": 0,
                  "skipped": skipped + n["waived"]}
        self.assertEqual(junit["root"], counts)
        self.assertEqual(len(junit["suites"]), 1)
        suite = junit["suites"][0]
        self.assertEqual(suite["written"], counts)
        self.assertEqual(suite["counted"], counts, "the attributes disagree with the testcases")
        self.assertEqual(suite["properties"]["verdict"], model["verdict"])
        self.assertEqual([f"{c['classname']}.{c['name']}" for c in suite["cases"]], labels)
        for case, result in zip(suite["cases"], model["results"]):
            kinds = [r["kind"] for r in case["results"]]
            if result["waived"]:
                self.assertEqual(case["results"], [{"kind": "Skipped", "type": "waived",
                    "message": f"waived, severity {result['severity']}: {result['detail']}"}])
            elif result["outcome"] == "fail":
                self.assertEqual(case["results"], [{"kind": "Failure", "type": result["severity"],
                                                    "message": result["detail"]}])
            elif result["outcome"] in ("skip", "not-applicable"):
                self.assertEqual(kinds, ["Skipped"], case)
                self.assertTrue(case["results"][0]["message"].endswith(result["detail"]))
            elif result["outcome"] == "warn" and model["strict"]:
                self.assertEqual(kinds, ["Failure"], case)
            else:
                self.assertTrue(case["passed"], case)
                self.assertTrue(case["system_out"].startswith(result["outcome"]), case)
                self.assertTrue(case["system_out"].endswith(result["detail"]), case)
        return tap, junit, model, run.returncode

    def test_requirements_pass_and_fail_a_waiver_and_probes_skipped(self):
        tap, junit, model, status = self.run_formats(
            "-f", KVM_HOST, "--probe", "--waive", "require.kvm.steal_time",
            "--require", "kvm.clocksource2,kvm.pv_unhalt,hypervisor_bit,"
                         "kvm.hints.realtime=1,interface.hyperv,kvm.steal_time=0")
        # Judged here by hand from the dump: three requirements met, two
        # not, one waived; no confidential VM (no 0x8000001F, no Hyper-V
        # isolation), so nothing to compare; the probes skipped on the
        # host. (The lints, which pass or do not apply on this guest, are
        # the JSON's to say.)
        outcomes = {r["label"]: (r["outcome"], r["waived"]) for r in model["results"]
                    if not r["label"].startswith("lint.")}
        self.assertEqual(outcomes, {
            "require.kvm.clocksource2": ("pass", False), "require.kvm.pv_unhalt": ("pass", False),
            "require.hypervisor_bit": ("pass", False),
            "require.kvm.hints.realtime": ("fail", False),
            "require.interface.hyperv": ("fail", False),
            "require.kvm.steal_time": ("warn", True),
            "cvm.sources-agree": ("not-applicable", False),
            "cvm.snp-cpuid-table": ("not-applicable", False), "probe.run": ("skip", False)})
        self.assertEqual(model["verdict"], "fail")
        point = point_numbers(model)
        self.assertEqual(tap["failed"], [point["require.kvm.hints.realtime"],
                                         point["require.interface.hyperv"]])
        self.assertEqual(tap["todo"], [point["require.kvm.steal_time"]])
        self.assertIn(point["probe.run"], tap["skipped"])
        self.assertEqual(tap["points"][point["probe.run"] - 1]["explanation"],
                         "not run: probes run only in firmware (hvfeat.efi)")
        self.assertEqual(status & 0x0f, 0x0f, "failed, not passed, warned, skipped")

    def test_all_passing_with_points_that_do_not_apply(self):
        tap, junit, model, status = self.run_formats(
            "-f", DUMPS / "vmware.txt", "--require", "interface.vmware,hypervisor_bit")
        self.assertEqual(model["verdict"], "pass")
        self.assertEqual(status, 0)
        self.assertEqual(tap["failed"] + tap["todo"], [])
        lint = point_numbers(model)["lint.kvm.stable-bit-without-kvmclock"]
        self.assertIn(lint, tap["skipped"])
        self.assertEqual(tap["points"][lint - 1]["explanation"],
                         "not applicable: no KVM features leaf")
        self.assertEqual(junit["suites"][0]["cases"][lint - 1]["results"],
                         [{"kind": "Skipped", "type": "not-applicable",
                           "message": "not applicable: no KVM features leaf"}])

    def test_information_passes(self):
        # KVM behind Hyper-V: the lint that says so is information.
        tap, junit, model, status = self.run_formats("-f", DUMPS / "hyperv-kvm.txt")
        info = point_numbers(model)["lint.kvm.behind-other-interface"]
        point = tap["points"][info - 1]
        self.assertEqual((point["actual_ok"], point["directive"], point["yaml"]["outcome"]),
                         (True, "", "info"))
        case = junit["suites"][0]["cases"][info - 1]
        self.assertTrue(case["passed"], case)
        self.assertTrue(case["system_out"].startswith("info: KVM at 0x40000100"), case)

    def test_warning_passes_fails_under_strict_and_is_waived(self):
        # The real KVM dump with both kvmclock bits cleared (0x40000001 EAX
        # bits 0 and 3), the stable bit (24) left set: the lint warns.
        dump = self.work / "stable-bit-alone.txt"
        text = KVM_HOST.read_text()
        self.assertIn("0x40000001 0x00: eax=0x01007afb", text)
        dump.write_text(text.replace("0x40000001 0x00: eax=0x01007afb",
                                     "0x40000001 0x00: eax=0x01007af2"))
        lint = "lint.kvm.stable-bit-without-kvmclock"
        tap, junit, model, status = self.run_formats("-f", dump, "--require", "kvm.pv_unhalt")
        at = point_numbers(model)[lint]
        self.assertEqual(model["verdict"], "pass")
        self.assertEqual(tap["failed"], [])
        self.assertEqual(tap["points"][at - 1]["yaml"]["outcome"], "warn")
        self.assertEqual(junit["suites"][0]["cases"][at - 1]["results"], [])
        tap, junit, model, status = self.run_formats("-f", dump, "--require", "kvm.pv_unhalt",
                                                     "--strict")
        self.assertEqual(model["verdict"], "fail")
        self.assertEqual(tap["failed"], [at])
        self.assertEqual(junit["suites"][0]["cases"][at - 1]["results"],
                         [{"kind": "Failure", "type": "low",
                           "message": model["results"][at - 1]["detail"]}])
        tap, junit, model, status = self.run_formats("-f", dump, "--require", "kvm.pv_unhalt",
                                                     "--strict", "--waive", lint)
        self.assertEqual(model["verdict"], "pass")
        self.assertEqual((tap["failed"], tap["todo"]), ([], [at]))

    def test_tap_is_an_output_format_junit_an_extra_file(self):
        log = self.work / "run.log"
        run = self.hvfeat("-f", KVM_HOST, "--tap", "-l", log)
        self.assertEqual(log.read_text(), run.stdout, "console and log differ")
        self.assertTrue(run.stdout.startswith("TAP version 13\n"))
        # JUnit beside JSON on the console: neither changes the other.
        junit = self.work / "r.xml"
        alone = self.hvfeat("-f", KVM_HOST, "-j")
        beside = self.hvfeat("-f", KVM_HOST, "-j", "--junit", junit)
        self.assertEqual(beside.stdout, alone.stdout)
        self.assertEqual(ci_consumers.xmllint(junit), "")
        self.assertEqual(list(self.work.glob("r.xml*")), [junit], "a temporary file left")
        contradict = self.hvfeat("--tap", "-j")
        self.assertEqual(contradict.returncode & 0x02, 0x02)
        self.assertIn("hvfeat: --tap and -j contradict each other\n", contradict.stderr)

    def test_junit_file_not_written_is_work_not_done(self):
        missing = self.work / "no" / "such" / "dir" / "r.xml"
        run = self.hvfeat("-f", KVM_HOST, "--tap", "--junit", missing)
        self.assertRegex(run.stderr, rf"^hvfeat: JUnit file {re.escape(str(missing))} not "
                                     r"written: No such file or directory\n$")
        self.assertEqual(run.returncode & CLASS_ERROR, CLASS_ERROR)
        self.assertTrue(run.stdout.rstrip().endswith("# verdict: PASS"), run.stdout)

    def test_escapes_mean_to_the_consumers_what_they_mean_to_hvfeat(self):
        # The unit test's hostile results (tests/unit/test_ci_formats.c,
        # hostile_files_for_real_consumers), as it writes them.
        run = subprocess.run([str(UNIT_CI_FORMATS)], capture_output=True, text=True,
                             env={"HVFEAT_CI_FORMATS_OUT": str(self.work)})
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        tap = ci_consumers.tap_parser(self.work / "hostile.tap")
        self.assertEqual(tap["parse_errors"], [])
        self.assertEqual((tap["failed"], tap["skipped"], tap["todo"]), ([1], [2], [3]))
        points = tap["points"]
        # An escaped "# SKIP" in a label is no directive.
        self.assertEqual(points[0]["directive"], "")
        self.assertEqual(tap_description(points[0]), "require.a#b\\c # SKIP")
        # YAML's escapes give back every byte, control bytes included.
        self.assertEqual(points[0]["yaml"]["detail"], "q\"b\\e<&>' ]]> \x1b\x80")
        self.assertEqual(points[1]["explanation"], "why # TODO \\x01")
        self.assertEqual(points[1]["yaml"]["detail"], "why # TODO \x01")
        self.assertEqual(tap_description(points[2]), "lint.<w>")
        self.assertEqual(points[3]["yaml"]["detail"], "<ok> &amp;")
        self.assertEqual(ci_consumers.prove(self.work / "hostile.tap")["failed"], 1)

        xml = self.work / "hostile.xml"
        self.assertEqual(ci_consumers.xmllint(xml), "")
        cases = ci_consumers.junitparser(xml)["suites"][0]["cases"]
        self.assertEqual([(c["classname"], c["name"]) for c in cases],
                         [("require", "a#b\\c # SKIP"), ("probe", "x"), ("lint", "<w>"),
                          ("hvfeat", "nodot")])
        # XML carries no control byte: those stay as the text \xNN.
        self.assertEqual(cases[0]["results"][0]["message"], "q\"b\\e<&>' ]]> \\x1b\\x80")
        self.assertEqual(cases[2]["results"][0]["message"], "waived, severity low: '&'")
        self.assertEqual(cases[3]["system_out"], "pass: <ok> &amp;")


if __name__ == "__main__":
    import run_suite
    sys.exit(run_suite.run(sys.modules[__name__], "ci-formats"))
