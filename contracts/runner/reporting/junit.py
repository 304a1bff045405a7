"""JUnit XML: a test suite per version, a test case per operation and check.

Checks recorded by the stateful phase and the workflows are test cases of their own
(``<version>.stateful.<operation>``), so the JUnit files of the shards of a split run
(``--shard K/N``) together hold exactly the test cases of one whole run.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from contracts.errors import ContractsError
from contracts.runner.redact import Redactor
from contracts.runner.reporting.console import failure_lines
from contracts.runner.results import STATEFUL, FailureReport, RunResult, VersionResult


def junit_xml(run: RunResult) -> str:
    suites = ET.Element("testsuites", name="madaster-contracts")
    for version in run.versions:
        suite = ET.SubElement(suites, "testsuite", name=version.label, time=f"{version.duration:.3f}")
        total = failed = skipped = 0
        for unit, operation in version.all_results():
            prefix = f"{version.label}.stateful" if unit == STATEFUL else version.label
            classname = f"{prefix}.{operation.label}"
            if operation.skipped and not operation.checks:
                case = ET.SubElement(suite, "testcase", classname=classname, name="(all checks)")
                ET.SubElement(case, "skipped", message=operation.skipped)
                total += 1
                skipped += 1
                continue
            for check, status in sorted(operation.checks.items()):
                case = ET.SubElement(suite, "testcase", classname=classname, name=check)
                total += 1
                if status == "failed":
                    failed += 1
                    failure = _failure_for(version, operation.label, check, unit)
                    element = ET.SubElement(
                        case, "failure", message=failure.title if failure else "failed", type=check
                    )
                    if failure is not None:
                        element.text = "\n".join([*failure_lines(failure), f"replay: --seed {run.seed}"])
            for error in operation.errors:
                case = ET.SubElement(suite, "testcase", classname=classname, name="run")
                ET.SubElement(case, "error", message=error)
                total += 1
                failed += 1
        for label, reason in version.not_exercised:
            case = ET.SubElement(
                suite, "testcase", classname=f"{version.label}.{label}", name="(not exercised)"
            )
            ET.SubElement(
                case,
                "skipped",
                message=f"not exercised (would touch an entity this run did not create): {reason}",
            )
            total += 1
            skipped += 1
        for error in version.errors:
            case = ET.SubElement(suite, "testcase", classname=version.label, name="run")
            ET.SubElement(case, "error", message=error)
            total += 1
            failed += 1
        for defect in version.spec_defects:
            case = ET.SubElement(suite, "testcase", classname=f"{version.label}.spec", name=defect.location)
            ET.SubElement(case, "skipped", message=f"spec problem: {defect.problem}")
            total += 1
            skipped += 1
        suite.set("tests", str(total))
        suite.set("failures", str(failed))
        suite.set("skipped", str(skipped))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _failure_for(version: VersionResult, operation: str, check: str, unit: str) -> FailureReport | None:
    """The failure behind a failed test case: of its own unit first, else the one found earlier."""
    matching = [f for f in version.failures if f.operation == operation and f.check == check]
    own = [f for f in matching if f.unit == unit]
    return (own or matching or [None])[0]


def write_junit(run: RunResult, path: Path, redactor: Redactor) -> None:
    _write(path, redactor(junit_xml(run)))


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ContractsError(f"cannot write {path}: {exc.strerror}") from None
