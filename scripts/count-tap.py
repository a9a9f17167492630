#!/usr/bin/env python3
"""Counts TAP subtests in a meson testlog.json: prints "passed failed".
A test program that failed without TAP output counts as one failure."""
import json
import re
import sys

passed = failed = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        test = json.loads(line)
        out = test.get("stdout") or ""
        ok = len(re.findall(r"^ok \d+", out, re.M))
        bad = len(re.findall(r"^not ok \d+", out, re.M))
        passed += ok
        failed += bad
        if test.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and bad == 0:
            failed += 1
print(passed, failed)
