#!/usr/bin/env python3
"""The share of Linksmith's behaviour tests that also pass under CI's Wine (issue 17).

Usage: .ci/wine-share.py LINUX_REPORT [LINUX_REPORT ...] WINE_REPORT [--top N] [--list]

Both reports are xunit v3 XML reports (one <test> element per test case, result Pass, Fail,
Skip or NotRun):
  Linux: dotnet test --project tests/Linksmith.Tests -c Release -- --report-xunit \
           --report-xunit-filename linux-results.xml --results-directory DIR
         (or the test executable itself: Linksmith.Tests -xml linux-results.xml)
  Wine:  .ci/wine-tests.sh writes $LINKSMITH_WINE_OUT/wine-results.xml (artifacts/wine-tests/).
Several Linux reports are merged in order (a later one's result for a test replaces an earlier
one's), e.g. a whole run and a rerun of the classes changed since. A test missing from the Wine report (its class carries the trait Platform=Linux, so the Wine
pass filters it out) counts as not passed under Wine, like a skip.

What a "behaviour test" is, mechanically: a test case whose class is declared in a .cs file under
tests/Linksmith.Tests that uses the real system through one of the suite's helpers or APIs --
TempDirectory (a real temporary folder, loop-mounted images), CliRunner or InProcessCli (the real
CLI), DesktopSandbox (a desktop's environment), Registry (the Windows registry) or
RaceArena (the race harness) -- or whose class derives from such a class (e.g. DedupeTestBase), or
from a fixture class that does (HealthTree, MoveScene, FixtureTree are declared with
TempDirectory). Every other test is a unit test of pure code (byte layouts of reparse buffers,
path mapping, parsers, retention arithmetic, error texts) and is not counted.

Printed: the behaviour tests that ran and passed on Linux; how many of those passed under Wine;
the share; and the classes with the most of those tests that did not pass under Wine (not run
there, or skipped), with the commonest skip reason.
"""

import argparse
import collections
import os
import re
import sys
import xml.etree.ElementTree as ET

MARKERS = re.compile(r"\b(TempDirectory|CliRunner|InProcessCli|DesktopSandbox|Registry|RaceArena)\b")
NAMESPACE = re.compile(r"^\s*namespace\s+([\w.]+)\s*[;{]", re.M)
# A top-level "class Name" (at the start of a line, after its modifiers), optionally with a primary
# constructor and a base list; the base is the first name after ':'.
TOP_LEVEL_CLASS = re.compile(r"^(?:(?:public|internal|sealed|static|abstract|partial|file)\s+)*class\s+(\w+)(?:<[^>]*>)?\s*(?:\([^)]*\))?\s*(?::\s*([\w.]+))?", re.M)


def class_segments(test_root):
    """(full name, short base name or None, source text) for each top-level class of the tests.

    A class's text runs from its declaration to the next top-level declaration (files use
    file-scoped namespaces, so a top-level class starts at the beginning of a line)."""
    segments = []
    for folder, _, files in os.walk(test_root):
        if os.sep + "bin" in folder or os.sep + "obj" in folder:
            continue
        for name in sorted(files):
            if not name.endswith(".cs"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as source:
                text = source.read()
            namespace = NAMESPACE.search(text)
            prefix = namespace.group(1) + "." if namespace else ""
            starts = [m for m in TOP_LEVEL_CLASS.finditer(text)]
            for i, match in enumerate(starts):
                end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
                base = match.group(2).split(".")[-1] if match.group(2) else None
                segments.append((prefix + match.group(1), base, text[match.start():end]))
    return segments


def behaviour_classes(test_root):
    """Full names of the behaviour classes (see the header)."""
    segments = class_segments(test_root)
    short = {full.split(".")[-1]: (full, base, text) for full, base, text in segments}
    # Classes whose own text uses a marker; then, until nothing changes, classes whose text names
    # one of those (a fixture such as HealthTree or MoveScene) or that derive from one.
    real = {s for s, (_, _, text) in short.items() if MARKERS.search(text)}
    while True:
        names = re.compile(r"\b(" + "|".join(sorted(real)) + r")\b")
        grown = {s for s, (_, base, text) in short.items()
                 if s not in real and (base in real or any(n != s for n in names.findall(text)))}
        if not grown:
            return {short[s][0] for s in real}
        real |= grown


def read_report(path):
    """Test case name -> (class full name, result, skip reason)."""
    tests = {}
    for test in ET.parse(path).getroot().iter("test"):
        reason = test.findtext("reason") or ""
        tests[test.get("name")] = (test.get("type"), test.get("result"), reason.strip())
    return tests


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("linux", nargs="+", help="xunit v3 XML report(s) of the Linux run, merged in order")
    parser.add_argument("wine", help="xunit v3 XML report of the Wine run (.ci/wine-tests.sh)")
    parser.add_argument("--top", type=int, default=15, help="how many classes to list (default 15)")
    parser.add_argument("--list", action="store_true", help="also list every behaviour test that did not pass under Wine")
    parser.add_argument("--tests", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Linksmith.Tests"),
                        help="the test project's source folder")
    args = parser.parse_args()

    classes = behaviour_classes(args.tests)
    linux = {}
    for path in args.linux:
        linux.update(read_report(path))
    wine = read_report(args.wine)

    counted = {name: cls for name, (cls, result, _) in linux.items() if result == "Pass" and cls in classes}
    passed = {name for name in counted if name in wine and wine[name][1] == "Pass"}
    failed = {name for name in counted if name in wine and wine[name][1] == "Fail"}
    share = 100.0 * len(passed) / len(counted) if counted else 0.0

    total = collections.Counter(r for _, r, _ in wine.values())
    print(f"Wine report: {len(wine)} tests, {total['Pass']} passed, {total['Fail']} failed, {total['Skip']} skipped, {total['NotRun']} not run")
    print(f"Linux report: {len(linux)} tests, {sum(1 for _, r, _ in linux.values() if r == 'Pass')} passed")
    print(f"behaviour tests that passed on Linux: {len(counted)} (in {len(set(counted.values()))} classes)")
    print(f"  of those, passed under Wine:       {len(passed)}")
    if failed:
        print(f"  of those, FAILED under Wine:       {len(failed)}")
    print(f"share: {len(passed)}/{len(counted)} = {share:.1f} %")

    missing = collections.Counter()
    reasons = collections.defaultdict(collections.Counter)
    for name, cls in counted.items():
        if name in passed:
            continue
        missing[cls] += 1
        if name not in wine:
            reasons[cls]["not in the Wine pass (trait Platform=Linux)"] += 1
        else:
            reasons[cls][(wine[name][1] + ": " + wine[name][2])[:110]] += 1
    print(f"\nclasses with the most behaviour tests not passing under Wine (top {args.top}):")
    for cls, count in missing.most_common(args.top):
        reason, times = reasons[cls].most_common(1)[0]
        print(f"  {count:4d}  {cls}  [{times}x {reason}]")
    if args.list:
        print("\nevery behaviour test not passing under Wine:")
        for name in sorted(set(counted) - passed):
            state = "not run" if name not in wine else wine[name][1] + ": " + wine[name][2]
            print(f"  {name}  -- {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
