"""JUnit XML: a test suite per version, a test case per operation and check."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from contracts.errors import ContractsError
from contracts.runner.redact import Redactor
from contracts.runner.results import RunResult


def junit_xml(run: RunResult) -> str:
    suites = ET.Element("testsuites", name="madaster-contracts")
    for version in run.versions:
        suite = ET.SubElement(suites, "testsuite", name=version.label, time=f"{version.duration:.3f}")
        total = failed = skipped = 0
        for operation in version.operations.values():
            classname = f"{version.label}.{operation.label}"
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
                    for failure in version.failures:
                        if failure.operation == operation.label and failure.check == check:
                            element = ET.SubElement(case, "failure", message=failure.title, type=check)
                            element.text = (
                                f"{failure.message}\nresponse: {failure.status} {failure.response_excerpt}\n"
                                f"reproduce:\n{failure.curl}\nreplay: --seed {run.seed}"
                            )
                            break
            for error in operation.errors:
                case = ET.SubElement(suite, "testcase", classname=classname, name="run")
                ET.SubElement(case, "error", message=error)
                total += 1
                failed += 1
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


def write_junit(run: RunResult, path: Path, redactor: Redactor) -> None:
    _write(path, redactor(junit_xml(run)))


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ContractsError(f"cannot write {path}: {exc.strerror}") from None
