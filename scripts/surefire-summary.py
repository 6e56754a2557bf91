#!/usr/bin/env python3
"""Prints each module's Surefire totals (tests, failures, errors, skipped) from
MODULE/target/surefire-reports/TEST-*.xml and, for integration tests run after packaging,
MODULE/target/failsafe-reports/TEST-*.xml; lists every skipped test with its reason, and with
--no-skips exits 1 when any test was skipped (CI: an oracle comparison may not be skipped).

    scripts/surefire-summary.py [--no-skips] ROOT
"""
import glob
import os
import sys
import xml.etree.ElementTree as ET


def main(argv):
    no_skips = "--no-skips" in argv
    args = [a for a in argv if not a.startswith("--")]
    root = args[0] if args else "."
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    skipped = []
    kinds = ("surefire-reports", "failsafe-reports")
    modules = sorted(d for d in os.listdir(root)
                     if any(os.path.isdir(os.path.join(root, d, "target", k)) for k in kinds))
    print("== Surefire totals")
    for m in modules:
        t = dict.fromkeys(total, 0)
        reports = [f for k in kinds for f in sorted(glob.glob(os.path.join(root, m, "target", k, "TEST-*.xml")))]
        for f in reports:
            suite = ET.parse(f).getroot()
            for k in t:
                t[k] += int(suite.get(k, "0"))
            for case in suite.iter("testcase"):
                s = case.find("skipped")
                if s is not None:
                    skipped.append("%s %s.%s: %s" % (m, case.get("classname"), case.get("name"),
                                                    s.get("message") or (s.text or "").strip()))
        for k in t:
            total[k] += t[k]
        print("%-16s tests %5d, failures %d, errors %d, skipped %d" % (m, t["tests"], t["failures"], t["errors"], t["skipped"]))
    print("%-16s tests %5d, failures %d, errors %d, skipped %d" % ("all", total["tests"], total["failures"], total["errors"], total["skipped"]))
    for s in skipped:
        print("skipped: " + s)
    if not modules or total["tests"] == 0:
        print("surefire-summary: no test reports under %s" % os.path.abspath(root))
        return 1
    if no_skips and total["skipped"]:
        print("surefire-summary: %d tests skipped; every oracle must be present (see above)" % total["skipped"])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
