"""One self-contained HTML page (inline CSS and JS, no network) for a CI job to publish as an artifact.

The structure is stable, for people and for browser tests (docs/diff.md, "HTML report"):
each report is a ``section.report``; its operations are ``section.operation[data-operation]``;
each finding is an ``li.finding`` with ``data-level``, ``data-rule`` and ``data-ignored``.
The filter is a ``form#filters``: one ``input[name=level]`` checkbox per level and the text
box ``input#filter-text``; ``#shown-count`` says how many findings are shown, and
``p#no-match`` appears when none is. Everything that comes from a spec is escaped.

Breaking changes come first: the operations are ordered by their worst finding that is not
ignored (then as the report has them), and each operation's findings by level, so the first
screen shows what breaks a client, not INFO rows.
"""

from __future__ import annotations

from html import escape

from contracts.diff.formatters import RenderOptions, by_operation, media_note
from contracts.diff.model import Change, DiffReport, Level

LEVELS = (Level.BREAKING, Level.WARNING, Level.INFO)

_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:70rem;
padding:1rem 1.5rem;color:#1d1d1f;background:#fff}
h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:1.6rem 0 .2rem}
h3{font:600 .95rem ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:1rem 0 .3rem}
form#filters{position:sticky;top:0;background:#f5f5f7;border:1px solid #d2d2d7;border-radius:8px;
padding:.5rem .8rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;z-index:1}
#filter-text{flex:1;min-width:12rem;padding:.3rem .5rem;border:1px solid #aeaeb2;border-radius:6px;font:inherit}
#shown-count{color:#6e6e73}.summary{color:#3a3a3c;margin:.1rem 0}
ul{list-style:none;margin:0;padding:0}
li.finding{display:flex;flex-wrap:wrap;gap:.2rem .6rem;padding:.3rem .5rem;border-left:4px solid #aeaeb2;
margin:.2rem 0;background:#fafafa}
li.finding[data-level=breaking]{border-color:#d70015;background:#fff5f5}
li.finding[data-level=warning]{border-color:#c93400;background:#fffaf0}
li.finding[data-level=info]{border-color:#0071e3}
li.finding[data-ignored=true]{opacity:.6}li.finding[data-ignored=true] .message{text-decoration:line-through}
.level{font-weight:600;min-width:5.2rem;text-transform:uppercase;font-size:.75rem;padding-top:.15rem}
.level.breaking{color:#d70015}.level.warning{color:#c93400}.level.info{color:#0071e3}
.message{flex:1;min-width:20rem}.rule,.location{font:.8rem ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
color:#6e6e73}.media,.reason{font-size:.8rem;color:#6e6e73;width:100%;padding-left:5.8rem}
[hidden]{display:none!important}
"""

_SCRIPT = """
(function(){
  var form=document.getElementById('filters'),text=document.getElementById('filter-text');
  var count=document.getElementById('shown-count'),none=document.getElementById('no-match');
  function apply(){
    var levels={},q=text.value.trim().toLowerCase(),shown=0;
    form.querySelectorAll('input[name=level]').forEach(function(b){levels[b.value]=b.checked;});
    document.querySelectorAll('li.finding').forEach(function(f){
      var ok=levels[f.dataset.level]&&(!q||f.textContent.toLowerCase().indexOf(q)>=0||
        (f.closest('section.operation').dataset.operation||'').toLowerCase().indexOf(q)>=0);
      f.hidden=!ok;if(ok){shown++;}
    });
    document.querySelectorAll('section.operation').forEach(function(s){
      s.hidden=!s.querySelector('li.finding:not([hidden])');
    });
    count.textContent=shown+' of '+document.querySelectorAll('li.finding').length+' findings shown';
    none.hidden=shown>0;
  }
  form.addEventListener('input',apply);form.addEventListener('change',apply);
  form.addEventListener('submit',function(e){e.preventDefault();});
  apply();
})();
"""


def render(reports: list[DiffReport], options: RenderOptions) -> str:
    totals = {level: sum(1 for r in reports for c in r.changes if c.level == level) for level in LEVELS}
    title = "API changes" if len(reports) != 1 else f"API changes: {reports[0].old} → {reports[0].new}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        '<form id="filters" role="search" aria-label="filter findings">',
    ]
    for level in LEVELS:
        checked = " checked" if level >= options.min_level else ""
        parts.append(
            f'<label><input type="checkbox" name="level" value="{level.label}"{checked}> '
            f"{level.label} ({totals[level]})</label>"
        )
    parts += [
        '<input type="search" id="filter-text" placeholder="filter: text, rule id, operation" '
        'aria-label="filter by text">',
        '<span id="shown-count" aria-live="polite"></span></form>',
    ]
    parts += [_report(report) for report in reports]
    parts += ['<p id="no-match" hidden>No finding matches the filter.</p>', f"<script>{_SCRIPT}</script>"]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _report(report: DiffReport) -> str:
    suffix = " (across versions)" if report.across else ""
    lines = [
        f'<section class="report" data-old="{escape(report.old)}" data-new="{escape(report.new)}">',
        f"<h2>{escape(report.old)} → {escape(report.new)}{suffix}</h2>",
        f'<p class="summary">{escape(report.summary_line())}</p>',
    ]
    if not report.changes:
        lines.append('<p class="no-changes">No changes.</p>')
    for operation, group in worst_first(by_operation(report.changes)):
        lines.append(f'<section class="operation" data-operation="{escape(operation)}">')
        lines.append(f"<h3>{escape(operation or 'whole API')}</h3><ul>")
        lines += [_finding(change) for change in sorted(group, key=_severity, reverse=True)]
        lines.append("</ul></section>")
    lines.append("</section>")
    return "\n".join(lines)


def worst_first(groups: dict[str, list[Change]]) -> list[tuple[str, list[Change]]]:
    """The operations, worst finding first (stable: equals keep the report's order)."""
    return sorted(groups.items(), key=lambda item: max(map(_severity, item[1])), reverse=True)


def _severity(change: Change) -> tuple[bool, int]:
    """Findings that count before ignored ones, then by level."""
    return (not change.ignored, int(change.level))


def _finding(change: Change) -> str:
    level = change.level.label
    ignored = "true" if change.ignored else "false"
    parts = [
        f'<li class="finding" data-level="{level}" data-rule="{escape(change.id)}" data-ignored="{ignored}">',
        f'<span class="level {level}">{level}</span>',
        f'<span class="message">{escape(change.message)}</span>',
        f'<code class="rule">{escape(change.id)}</code>',
    ]
    if change.location:
        parts.append(f'<code class="location">{escape(change.location)}</code>')
    if media_note(change):
        parts.append(f'<span class="media">{escape(media_note(change))}</span>')
    if change.ignored:
        parts.append(f'<span class="reason">ignored: {escape(change.ignored_reason or "")}</span>')
    parts.append("</li>")
    return "".join(parts)
