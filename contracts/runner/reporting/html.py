"""A self-contained HTML report: one file, inline CSS, no script, no network.

Every value is escaped; the text goes through the redactor like every other report. The
structure is stable (classes and ``data-`` attributes documented in docs/runner.md), so a
browser test or a CI page can read it:

- ``#verdict`` (class ``passed`` or ``failed``), ``#summary`` with a ``tr.version`` per version;
- a ``section.version`` per version (``data-version``) holding an ``article.failure`` per
  failure (``data-operation``, ``data-check``, ``data-phases``), with ``.check``, ``.message``,
  ``.status``, ``.response``, ``ol.chain > li.step`` and ``pre.curl``;
- ``ul.errors``, ``ul.spec-problems``, ``ul.cleanup`` and ``table.operations``.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from contracts.runner.redact import Redactor
from contracts.runner.reporting.junit import _write
from contracts.runner.results import STATEFUL, FailureReport, RunResult, VersionResult

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#1b1f24}
h1.passed{color:#1a7f37}h1.failed{color:#cf222e}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left}
td.num{text-align:right}tr.failed td.result{color:#cf222e;font-weight:600}
article.failure{border:1px solid #d0d7de;border-left:4px solid #cf222e;border-radius:4px;margin:1em 0;padding:.5em 1em}
pre{background:#f6f8fa;padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
code{background:#f6f8fa;padding:0 .2em}.phases,.status{color:#57606a}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def html_report(run: RunResult) -> str:
    verdict_class = "passed" if run.passed and not run.interrupted else "failed"
    verdict = "All contracts hold" if verdict_class == "passed" else "Contract failures found"
    if run.interrupted:
        verdict = "Interrupted: partial results"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Madaster contract run: {_e(verdict)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f'<h1 id="verdict" class="{verdict_class}">{_e(verdict)}</h1>',
        f'<p class="seed">Replay with <code>--seed {_e(run.seed)}</code></p>',
        _summary(run),
    ]
    parts += [_version(v) for v in run.versions]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _summary(run: RunResult) -> str:
    rows = [
        '<table id="summary"><thead><tr><th>version</th><th>target</th><th>operations</th><th>cases</th>'
        "<th>failures</th><th>skipped</th><th>not exercised</th><th>spec problems</th><th>result</th></tr></thead><tbody>"
    ]
    for v in run.versions:
        state = "passed" if v.passed else "failed"
        counts = (
            len(v.operation_labels),
            v.cases,
            len(v.failures),
            v.skipped_scenarios,
            len(v.not_exercised),
            len(v.spec_defects),
        )
        rows.append(
            _row(
                f'class="version {state}" data-version="{_e(v.label)}"',
                [("", v.label), ("", v.target), *(("num", n) for n in counts), ("result", state)],
            )
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _version(v: VersionResult) -> str:
    shard = f" (shard {v.shard[0]}/{v.shard[1]})" if v.shard else ""
    parts = [
        f'<section class="version" data-version="{_e(v.label)}">',
        f"<h2>{_e(v.label)}{_e(shard)}</h2>",
        f'<p class="source">{_e(v.source)} against {_e(v.target)}, {v.duration:.1f} s</p>',
    ]
    parts += [_failure(f) for f in v.failures]
    parts += _list("errors", "Errors", [*v.errors, *(f"{label}: {e}" for label, e in v.operation_errors)])
    parts += _list(
        "spec-problems", "Spec problems (not counted as API failures)", [d.describe() for d in v.spec_defects]
    )
    exercised, tried = v.writes_exercised
    if tried:
        parts.append(
            f'<p class="writes">Writes: {exercised} of {tried} write operations exercised on entities this run created.</p>'
        )
    parts += _list(
        "not-exercised",
        "Not exercised (would touch an entity this run did not create)",
        [f"{label}: {reason}" for label, reason in v.not_exercised],
    )
    parts += _list("cleanup", "Cleanup problems", v.cleanup)
    parts.append(
        '<details><summary>Operations</summary><table class="operations"><thead><tr><th>operation</th>'
        "<th>unit</th><th>cases</th><th>not sent</th><th>failed checks</th><th>skipped</th></tr></thead><tbody>"
    )
    for unit, op in v.all_results():
        failed = ", ".join(sorted(name for name, status in op.checks.items() if status == "failed"))
        shown_unit = unit if unit == STATEFUL else "operation"
        cells = [
            ("", op.label),
            ("", shown_unit),
            ("num", op.cases),
            ("num", op.not_sent),
            ("", failed),
            ("", op.skipped or ""),
        ]
        parts.append(_row(f'data-operation="{_e(op.label)}" data-unit="{_e(unit)}"', cells))
    parts.append("</tbody></table></details></section>")
    return "\n".join(parts)


def _failure(f: FailureReport) -> str:
    status = f.status if f.status is not None else "no response"
    parts = [
        f'<article class="failure" data-operation="{_e(f.operation)}" data-check="{_e(f.check)}" '
        f'data-phases="{_e(",".join(f.phases))}">',
        f'<h3><span class="operation">{_e(f.operation)}</span>: <code class="check">{_e(f.check)}</code> '
        f'<span class="title">{_e(f.title)}</span></h3>',
        f'<p class="phases">found in: {_e(", ".join(f.phases))}</p>',
        f'<pre class="message">{_e(f.message.strip())}</pre>',
        f'<p class="status">Response: <code>{_e(status)}</code></p>',
        f'<pre class="response">{_e(f.response_excerpt or "(empty body)")}</pre>',
    ]
    if f.chain:
        parts.append('<p>Requests of the scenario, in order:</p><ol class="chain">')
        for step in f.chain:
            answer = step.status if step.status is not None else "no response"
            parts.append(
                f'<li class="step"><code>{_e(step.method)} {_e(step.url)}</code> &rarr; '
                f'<span class="step-status">{_e(answer)}</span><pre class="curl">{_e(step.curl)}</pre></li>'
            )
        parts.append("</ol>")
    else:
        parts.append(f'<p>Reproduce:</p><pre class="curl">{_e(f.curl)}</pre>')
    parts.append("</article>")
    return "\n".join(parts)


def _row(attributes: str, cells: list[tuple[str, object]]) -> str:
    """A table row; each cell is (CSS class or "", value), the value escaped."""
    tds = "".join(
        f'<td class="{css}">{_e(value)}</td>' if css else f"<td>{_e(value)}</td>" for css, value in cells
    )
    return f"<tr {attributes}>{tds}</tr>"


def _list(css_class: str, title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    return [
        f"<h3>{_e(title)}</h3>",
        f'<ul class="{css_class}">',
        *[f"<li>{_e(i)}</li>" for i in items],
        "</ul>",
    ]


def write_html(run: RunResult, path: Path, redactor: Redactor) -> None:
    _write(path, redactor(html_report(run)))
