"""The host build's SMBIOS on the machine it runs on, against dmidecode
(Debian's package), which reads the same /sys/firmware/dmi/tables on its
own: where Linux shows tables, every value hvfeat reports must be the one
dmidecode prints; where it shows none (this machine, a VM whose
hypervisor gives no SMBIOS), both must say so. The tables of a Linux
guest that has them, given by QEMU's -smbios options, are the real-KVM
suite's (tests/firmware/test_kvm.py, in the nested bed's L1). Then what
a replay and an unreadable table do."""

import json
import os
import subprocess
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import smbios_oracle  # noqa: E402

HVFEAT = ROOT / "build" / "hvfeat"
DUMP = ROOT / "tests" / "dumps" / "kvm-real-6.1.0-56-amd64-qemu-7.2-host.txt"
TABLES = Path("/sys/firmware/dmi/tables")
ENTRY_POINT = TABLES / "smbios_entry_point"
SYS_HYPERVISOR_TYPE = Path("/sys/hypervisor/type")


def hvfeat_json(*arguments, user=None):
    command = [str(HVFEAT), "-j", *arguments]
    if user is not None:  # as another user, through util-linux's setpriv
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    run = subprocess.run(command, capture_output=True, text=True)
    return run.returncode, json.loads(run.stdout)


class ThisMachine(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.status, cls.report = hvfeat_json()
        cls.smbios = cls.report["smbios"]
        dmidecode = subprocess.run(["dmidecode", "-t", "0,1,11"], capture_output=True,
                                   text=True)
        cls.dmidecode = dmidecode.stdout + dmidecode.stderr
        cls.tables = smbios_oracle.parse(cls.dmidecode)
        print(f"\nsmbios-host: hvfeat says {cls.smbios['state']}"
              f"{': ' + cls.smbios['reason'] if cls.smbios['reason'] else ''}; dmidecode "
              f"{'finds none' if 0 not in cls.tables and 1 not in cls.tables else 'reads SMBIOS ' + str(cls.tables['version'])}",
              file=sys.stderr)

    def test_same_values_as_dmidecode(self):
        if not os.access(ENTRY_POINT, os.R_OK):
            self.assertFalse(ENTRY_POINT.exists() and os.geteuid() == 0)
            # nothing to read, and dmidecode, which scans /dev/mem next,
            # finds nothing either
            self.assertNotIn(0, self.tables, self.dmidecode)
            self.assertNotIn(1, self.tables, self.dmidecode)
            return
        self.assertEqual(self.smbios["state"], "read", self.smbios)
        self.assertEqual(smbios_oracle.differences(self.smbios, self.tables), [],
                         self.dmidecode)

    def test_no_tables_said_so(self):
        if ENTRY_POINT.exists():
            self.skipTest(f"{ENTRY_POINT} exists here")
        self.assertEqual(self.smbios["state"], "absent")
        self.assertEqual(self.smbios["reason"],
                         f"{ENTRY_POINT}: No such file or directory")
        self.assertIsNone(self.smbios["type1"])
        # the lints that read SMBIOS do not apply, and say why
        lints = {r["label"]: r for r in self.report["results"]
                 if r["label"].startswith("lint.smbios.")}
        self.assertEqual({label: r["outcome"] for label, r in lints.items()},
                         {"lint.smbios.hidden-hypervisor": "not-applicable",
                          "lint.smbios.hypervisor-without-vm-bit": "not-applicable"})
        self.assertTrue(all(r["detail"].startswith("no SMBIOS tables: ") or
                            r["detail"] == "hypervisor bit clear" for r in lints.values()))
        # and a requirement on its absence passes
        status, report = hvfeat_json("--require", "smbios.present=0")
        self.assertEqual(status & 2, 0)
        self.assertEqual([c["result"] for c in report["checks"]], ["pass"])

    def test_unreadable_tables_said_so(self):
        """Linux lets root alone read the tables (mode 0400)."""
        if not ENTRY_POINT.exists() or os.geteuid() != 0:
            self.skipTest(f"needs {ENTRY_POINT} and root to run as another user")
        _, report = hvfeat_json(user=65534)
        self.assertEqual(report["smbios"]["state"], "not_read")
        self.assertEqual(report["smbios"]["reason"],
                         f"{ENTRY_POINT}: Permission denied (root may read it)")

    def test_sys_hypervisor_type(self):
        expected = (SYS_HYPERVISOR_TYPE.read_text().splitlines()[0]
                    if SYS_HYPERVISOR_TYPE.exists() else None)
        self.assertEqual(self.smbios["sys_hypervisor_type"], expected)


class Replay(unittest.TestCase):
    def test_a_replay_reads_no_smbios(self):
        """CPUID from a recording does not go with this machine's tables."""
        status, report = hvfeat_json("-f", str(DUMP), "--require",
                                     'smbios.present,smbios.type1.product="x"')
        self.assertEqual(report["smbios"]["state"], "not_read")
        self.assertEqual(report["smbios"]["reason"],
                         "CPUID came from a recording, not this machine")
        self.assertEqual(status & 1, 1)
        self.assertEqual([(c["result"], c["note"]) for c in report["checks"]],
                         [("fail", "not known: SMBIOS not read")] * 2)


if __name__ == "__main__":
    import run_suite
    sys.exit(run_suite.run(sys.modules[__name__], "smbios-host"))
