"""JUnit XML for CI: one test case per changed operation, failing when it holds a change at --fail-on."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from contracts.diff.formatters import RenderOptions, by_operation
from contracts.diff.model import DiffReport


def render(reports: list[DiffReport], options: RenderOptions) -> str:
    root = ET.Element("testsuites", name="madaster-contracts diff")
    total_tests = total_failures = 0
    for report in reports:
        suite = ET.SubElement(root, "testsuite", name=f"{report.old} -> {report.new}")
        tests = failures = 0
        groups = by_operation(report.changes)
        if not groups:
            tests += 1
            ET.SubElement(suite, "testcase", classname="api-diff", name="no changes")
        for operation, changes in groups.items():
            tests += 1
            case = ET.SubElement(suite, "testcase", classname="api-diff", name=operation or "whole API")
            failing = [
                c
                for c in changes
                if options.fail_on is not None and not c.ignored and c.level >= options.fail_on
            ]
            if failing:
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    type=failing[0].id,
                    message=f"{len(failing)} change(s) at or above fail-on level",
                )
                failure.text = "\n".join(f"{c.level.label}: {c.message} ({c.id})" for c in failing)
            others = [c for c in changes if c not in failing]
            if others:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(
                    f"{c.level.label}: {c.message} ({c.id})"
                    + (f" [ignored: {c.ignored_reason}]" if c.ignored else "")
                    for c in others
                )
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
