"""The real consumers of hvfeat's CI formats, for the host and firmware
tests: prove and Perl's TAP::Parser (the parser prove itself uses) for
TAP, Debian's python3-junitparser and xmllint for JUnit XML. Nothing here
parses either format: each consumer reports what it read as JSON.

junitparser runs under /usr/bin/python3, Debian's interpreter, which sees
Debian's packages; the python3 on PATH may be another one that does not.
"""

import json
import re
import subprocess

DEBIAN_PYTHON = "/usr/bin/python3"

# TAP::Parser over one file: its counts (lists of test numbers, as it
# keeps them), its parse errors, and every test point with the YAML block
# that followed it.
TAP_PARSER = r"""
use strict;
use warnings;
use JSON::PP;
use TAP::Parser;

open my $file, '<', $ARGV[0] or die "$ARGV[0]: $!";
my $tap = do { local $/; <$file> };
my $parser = TAP::Parser->new({ tap => $tap });
my @points;
while (my $result = $parser->next) {
    if ($result->is_test) {
        push @points, {
            number => $result->number + 0,
            ok => $result->is_ok ? JSON::PP::true : JSON::PP::false,
            actual_ok => $result->is_actual_ok ? JSON::PP::true : JSON::PP::false,
            description => $result->description,
            directive => $result->directive,
            explanation => $result->explanation,
            yaml => undef,
        };
    } elsif ($result->is_yaml) {
        die "a YAML block before any test point" unless @points;
        $points[-1]{yaml} = $result->data;
    }
}
print JSON::PP->new->ascii->canonical->encode({
    version => $parser->version + 0,
    tests_planned => defined $parser->tests_planned ? $parser->tests_planned + 0 : undef,
    tests_run => $parser->tests_run + 0,
    passed => [ map { $_ + 0 } $parser->passed ],
    failed => [ map { $_ + 0 } $parser->failed ],
    skipped => [ map { $_ + 0 } $parser->skipped ],
    todo => [ map { $_ + 0 } $parser->todo ],
    todo_passed => [ map { $_ + 0 } $parser->todo_passed ],
    parse_errors => [ $parser->parse_errors ],
    good_plan => $parser->is_good_plan ? JSON::PP::true : JSON::PP::false,
    skip_all => $parser->skip_all,
    points => \@points,
});
"""

# junitparser over one file: the attributes as written, the same counts
# as junitparser recounts them from the testcases, and every testcase.
JUNITPARSER = r"""
import json, sys
from junitparser import JUnitXml

xml = JUnitXml.fromfile(sys.argv[1])
COUNTS = ("tests", "failures", "errors", "skipped")
suites = []
for suite in xml:
    cases = [{"classname": case.classname, "name": case.name,
              "passed": case.is_passed, "skipped": case.is_skipped,
              "results": [{"kind": type(r).__name__, "type": r.type, "message": r.message}
                          for r in case.result],
              "system_out": case.system_out} for case in suite]
    written = {key: getattr(suite, key) for key in COUNTS}
    suite.update_statistics()
    suites.append({"name": suite.name, "written": written,
                   "counted": {key: getattr(suite, key) for key in COUNTS},
                   "properties": {p.name: p.value for p in suite.properties()},
                   "cases": cases})
root = {key: getattr(xml, key) for key in COUNTS}
print(json.dumps({"root_tag": xml._elem.tag, "root": root, "suites": suites}))
"""


def tap_parser(path):
    """What TAP::Parser read in the TAP file at path."""
    run = subprocess.run(["perl", "-e", TAP_PARSER, str(path)], capture_output=True,
                         text=True)
    if run.returncode:
        raise AssertionError(f"TAP::Parser failed on {path}: {run.stderr}")
    return json.loads(run.stdout)


def prove(path):
    """prove over the TAP file at path (its tests are the file's contents):
    its exit status, its output, and the figures of its closing lines."""
    run = subprocess.run(["prove", "-v", "--exec", "cat", str(path)], capture_output=True,
                         text=True)
    files = re.search(r"^Files=(\d+), Tests=(\d+),", run.stdout, re.M)
    result = re.search(r"^Result: (\w+)$", run.stdout, re.M)
    failed = re.search(r"^Failed (\d+)/(\d+) subtests", run.stdout, re.M)
    return {"returncode": run.returncode, "output": run.stdout + run.stderr,
            "tests": int(files.group(2)) if files else None,
            "result": result.group(1) if result else None,
            "failed": int(failed.group(1)) if failed else 0}


def junitparser(path):
    """What Debian's junitparser read in the JUnit file at path."""
    run = subprocess.run([DEBIAN_PYTHON, "-c", JUNITPARSER, str(path)], capture_output=True,
                         text=True)
    if run.returncode:
        raise AssertionError(f"junitparser failed on {path}: {run.stderr}")
    return json.loads(run.stdout)


def xmllint(path):
    """xmllint --noout: "" when the file is well-formed XML, else its complaint."""
    run = subprocess.run(["xmllint", "--noout", str(path)], capture_output=True, text=True)
    return "" if run.returncode == 0 else run.stderr or f"xmllint exit {run.returncode}"
