"""The IFC import's rate (elements/s, MB/s) beside its ceiling: IfcOpenShell parsing the same file.

Usage (from the project root)::

    python bench/bench_ifc_import.py [--elements 300 3000] [--repeat 3]

For each size the script authors an office with IfcOpenShell's authoring API (tests/ifc_models.py,
IFC4 and IFC2X3), then times, best of ``--repeat``: the parse alone (``ifcopenshell.file.from_string``
and listing the building elements: the ceiling no import can pass) and the whole import
(``contracts.platform.ifc_import.import_ifc``: relations, materials, quantities). It prints both
rates and their ratio, and the import's peak resident memory, measured in a child process per
file so one file's memory does not hide another's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import resource, sys, time
from pathlib import Path
from contracts.platform.ifc_import import import_ifc
content = Path(sys.argv[1]).read_bytes()
start = time.perf_counter()
result = import_ifc(content)
took = time.perf_counter() - start
assert result.ok, result.message
print(len(result.elements), took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def best(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--elements", type=int, nargs="+", default=[300, 3000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import ifcopenshell

    from contracts.platform.ifc_import import import_ifc, load_rules
    from tests.ifc_models import author

    root = load_rules().root
    rows = []
    for schema in ("IFC4", "IFC2X3"):
        for size in args.elements:
            model = author(schema, size)
            text = model.content.decode()
            megabytes = len(model.content) / 1e6
            parse = best(args.repeat, lambda text=text: ifcopenshell.file.from_string(text).by_type(root))
            whole = best(args.repeat, lambda content=model.content: import_ifc(content))
            count = len(import_ifc(model.content).elements)
            with tempfile.NamedTemporaryFile(suffix=".ifc") as handle:
                handle.write(model.content)
                handle.flush()
                out = subprocess.run(
                    [sys.executable, "-c", CHILD, handle.name],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=ROOT,
                ).stdout.split()
            rows.append(
                {
                    "schema": schema,
                    "elements": count,
                    "megabytes": round(megabytes, 2),
                    "parse_elements_per_s": round(count / parse),
                    "import_elements_per_s": round(count / whole),
                    "import_mb_per_s": round(megabytes / whole, 2),
                    "import_vs_parse": round(parse / whole, 3),
                    "peak_rss_mb": round(int(out[2]) / 1024, 1),
                }
            )
    header = f"{'schema':7} {'elements':>8} {'MB':>6} {'parse el/s':>11} {'import el/s':>12} {'MB/s':>6} {'import/parse':>13} {'peak RSS MB':>12}"
    print(header)
    for r in rows:
        print(
            f"{r['schema']:7} {r['elements']:>8} {r['megabytes']:>6} {r['parse_elements_per_s']:>11} "
            f"{r['import_elements_per_s']:>12} {r['import_mb_per_s']:>6} {r['import_vs_parse']:>13} "
            f"{r['peak_rss_mb']:>12}"
        )
    print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
