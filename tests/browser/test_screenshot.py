"""Screenshots of the console on demand: one PNG per panel."""

from __future__ import annotations

from mockserver import create_app
from mockserver.console.screenshot import PANELS, take
from mockserver.http.serve import serve_in_thread
from tests.conftest import PROJECT_ROOT


def test_take_writes_one_png_per_panel(browser, tmp_path) -> None:
    app = create_app([PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"])
    with serve_in_thread(app) as (base_url, _stop):
        written = take(browser, base_url, tmp_path)
    assert [p.name for p in written] == [f"console-{panel}.png" for panel in PANELS]
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000
