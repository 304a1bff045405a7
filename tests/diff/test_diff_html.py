"""``--format html``: one self-contained page, findings grouped by operation, filterable, escaped."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.cli import main
from contracts.diff import diff_specs
from contracts.diff.formatters import RenderOptions
from contracts.diff.formatters.html import render
from contracts.diff.model import Level
from contracts.spec_loader import load_spec_file
from tests.conftest import real_build
from tests.diff.builders import base_spec, mutated, schemas


class Page(HTMLParser):
    """Tags, the findings (with their operation) and the text of each finding's message."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, Any]]] = []
        self.findings: list[dict[str, Any]] = []
        self.messages: list[str] = []
        self._operation: str | None = None
        self._in_message = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = dict(attrs)
        self.tags.append((tag, data))
        if tag == "section" and data.get("class") == "operation":
            self._operation = data.get("data-operation")
        if tag == "li" and data.get("class") == "finding":
            self.findings.append({**data, "operation": self._operation})
        if tag == "span" and data.get("class") == "message":
            self._in_message = True
            self.messages.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._in_message = False

    def handle_data(self, data: str) -> None:
        if self._in_message:
            self.messages[-1] += data


def _report(old: dict[str, Any], new: dict[str, Any]) -> Any:
    return diff_specs(old, new, old_label="old <a>", new_label="new & co")


def test_real_pair_page_structure() -> None:
    old = load_spec_file(real_build("v3.0", 7980), validate=False)
    new = load_spec_file(real_build("v3.0", 18991), validate=False)
    report = diff_specs(old, new)
    page = Page(render([report], RenderOptions()))
    assert len(page.findings) == len(report.changes)
    shown = [
        (f["data-level"], f["operation"], f["data-rule"], m)
        for f, m in zip(page.findings, page.messages, strict=True)
    ]
    assert sorted(shown) == sorted((c.level.label, c.operation, c.id, c.message) for c in report.changes)
    # breaking first: operations by their worst finding, each operation's findings by level
    rank = {"breaking": 2, "warning": 1, "info": 0}
    operations = list(dict.fromkeys(op for _, op, _, _ in shown))
    levels = {op: [rank[level] for level, o, _, _ in shown if o == op] for op in operations}
    assert [op for _, op, _, _ in shown] == [op for op in operations for _ in levels[op]]  # grouped
    assert all(ranks == sorted(ranks, reverse=True) for ranks in levels.values())
    worst = [max(levels[op]) for op in operations]
    assert worst == sorted(worst, reverse=True) and worst[0] == 2
    boxes = [a for t, a in page.tags if t == "input" and a.get("name") == "level"]
    assert [b["value"] for b in boxes] == ["breaking", "warning", "info"]
    assert any(t == "input" and a.get("id") == "filter-text" for t, a in page.tags)
    assert any(a.get("id") == "shown-count" for _, a in page.tags)
    assert any(a.get("id") == "no-match" for _, a in page.tags)


def test_page_is_self_contained() -> None:
    text = render(
        [_report(base_spec(), mutated(lambda s: schemas(s)["Item"]["properties"].pop("status")))],
        RenderOptions(),
    )
    page = Page(text)
    assert [t for t, _ in page.tags].count("script") == 1 and [t for t, _ in page.tags].count("style") == 1
    assert not [a for _, a in page.tags if "src" in a or "href" in a]
    assert "http://" not in text and "https://" not in text and "@import" not in text
    csp = [a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]


def test_min_level_unchecks_the_lower_levels() -> None:
    page = Page(render([_report(base_spec(), base_spec())], RenderOptions(min_level=Level.WARNING)))
    boxes = {a["value"]: "checked" in a for t, a in page.tags if t == "input" and a.get("name") == "level"}
    assert boxes == {"breaking": True, "warning": True, "info": False}


_NASTY = st.text(alphabet=st.sampled_from(list("<>&\"'/ =ab;`")), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None)
@given(values=st.lists(_NASTY, min_size=1, max_size=3, unique=True), path=_NASTY)
def test_everything_from_the_spec_is_escaped(values: list[str], path: str) -> None:
    def edit(spec: dict[str, Any]) -> None:
        schemas(spec)["Item"]["properties"]["status"]["enum"] = ["new", "done", *values]
        spec["paths"][f"/api/v3.0/{path}"] = {"get": {"responses": {"200": {"description": "ok"}}}}

    report = _report(base_spec(), mutated(edit))
    page = Page(render([report], RenderOptions()))
    assert {t for t, _ in page.tags} <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "form",
        "label",
        "input",
        "span",
        "section",
        "h2",
        "p",
        "h3",
        "ul",
        "li",
        "code",
        "script",
    }
    assert page.messages == [c.message for c in report.changes]
    assert {f["operation"] for f in page.findings} == {c.operation for c in report.changes}


def test_cli_writes_the_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = real_build("v3.0", 28168)
    out = tmp_path / "report.html"
    assert main(["diff", str(old), str(real_build("v3.0", 30855)), "--format", "html", "-o", str(out)]) == 1
    assert capsys.readouterr().out == ""
    page = Page(out.read_text(encoding="utf-8"))
    assert {f["data-level"] for f in page.findings} == {"breaking", "info"}


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_filter_in_a_browser(tmp_path: Path) -> None:
    old = load_spec_file(real_build("v3.0", 7980), validate=False)
    new = load_spec_file(real_build("v3.0", 18991), validate=False)
    report = diff_specs(old, new)
    typed = (
        '<script>document.getElementById("filter-text").value="ENERGYINDEX";'
        'document.querySelector("input[value=info]").checked=false;'
        'document.getElementById("filters").dispatchEvent(new Event("input"));</script></body>'
    )
    page = tmp_path / "page.html"
    page.write_text(render([report], RenderOptions()).replace("</body>", typed), encoding="utf-8")
    result = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    dom = Page(result.stdout)
    visible = [f for f in dom.findings if "hidden" not in f]
    expected = [c for c in report.changes if c.level != Level.INFO and "energyindex" in c.message.lower()]
    assert len(visible) == len(expected) == 4
    assert all(f["data-level"] == "breaking" for f in visible)
    assert f"4 of {len(report.changes)} findings shown" in result.stdout
