"""Screenshots of the console for the docs, on demand (they are not kept in the repository).

    python -m mockserver.console.screenshot OUT_DIR [--spec FILE ...] [--specs-dir DIR]

Serves the mock on a free local port (the newest snapshot of each version in ``specs/`` unless
``--spec`` files are given), makes a few client calls so every panel has something to show (a
list, an invalid create, a file refinement), then writes ``OUT_DIR/console-<panel>.png`` for each
panel. Needs the dev extras and Debian's chromium + chromium-driver; exit 2 with the reason if not.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from contracts.errors import ContractsError

PANELS = ("requests", "operations", "state", "jobs", "stubs", "tokens")
DEV_KEY = {"X-API-Key": "dev-write"}


def _client_calls(base_url: str) -> None:
    """What a client might have done: enough for every panel to have rows."""
    import requests

    for version, collection in (("v3.0", "building"), ("v4.0", "database")):
        requests.get(f"{base_url}/api/{version}/{collection}", headers=DEV_KEY, timeout=10)
    requests.post(f"{base_url}/api/v3.0/building", json={"name": 5}, headers=DEV_KEY, timeout=10)
    buildings = requests.get(f"{base_url}/api/v3.0/building", headers=DEV_KEY, timeout=10)
    if buildings.ok and buildings.json():
        building = buildings.json()[0]["id"]
        files = requests.get(f"{base_url}/api/v3.0/building/{building}/files", headers=DEV_KEY, timeout=10)
        if files.ok and files.json():
            file_path = f"/api/v3.0/building/{building}/files/{files.json()[0]['id']}"
            requests.post(f"{base_url}{file_path}/startrefinement", headers=DEV_KEY, timeout=10)
    stub = {"match": {"method": "GET", "path": "/api/v3.0/folder"}, "answer": {"status": 503}, "times": 3}
    requests.post(f"{base_url}/__mock/stubs", json=stub, timeout=10)


def take(driver: Any, base_url: str, out_dir: Path) -> list[Path]:
    """One PNG per panel of the console at ``base_url``."""
    driver.get(f"{base_url}/__mock/console")
    deadline = time.monotonic() + 15
    while driver.execute_script("return document.body.dataset.ready") != "true":
        if time.monotonic() > deadline:
            raise ContractsError(f"the console at {base_url} did not start within 15 s")
        time.sleep(0.2)
    written = []
    for panel in PANELS:
        driver.find_element("css selector", f"#tabs button[data-tab='{panel}']").click()
        time.sleep(3 if panel == "operations" else 1.2)  # Swagger UI renders the spec; others poll once
        path = out_dir / f"console-{panel}.png"
        driver.save_screenshot(str(path))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mockserver.console.screenshot", description=__doc__.split("\n")[0]
    )
    parser.add_argument("out_dir", type=Path, help="folder for the PNG files (created if missing)")
    parser.add_argument(
        "--spec", type=Path, action="append", default=[], help="a spec file to serve (repeatable)"
    )
    parser.add_argument("--specs-dir", type=Path, default=None, help="the snapshot store (default: ./specs)")
    args = parser.parse_args(argv)
    try:
        from mockserver import create_app
        from mockserver.console.browser import start_chromium
        from mockserver.http.serve import serve_in_thread
        from mockserver.served_specs import load_specs

        specs = load_specs(args.spec, args.specs_dir)
        args.out_dir.mkdir(parents=True, exist_ok=True)
        app = create_app([s.source for s in specs], processing_delay=30)
        driver = start_chromium()
        try:
            with serve_in_thread(app) as (base_url, _stop):
                _client_calls(base_url)
                written = take(driver, base_url, args.out_dir)
        finally:
            driver.quit()
    except (ContractsError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
