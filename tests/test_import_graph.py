"""The house stays as built: imports in ``contracts/`` and ``mockserver/`` go one way, with no circles.

The graph is read from the code itself with ``ast`` (every ``import``, at module level or inside a
function: an import put off to a function still makes one module need the other). Three rules:

- no circle of modules (``a`` imports ``b`` imports ... ``a``);
- the top of ``mockserver/`` holds only ``MOCK_TOP``; the mock's sub-packages follow the pipeline (``MOCK_LAYERS``): a package imports only packages on
  a lower floor or beside it, and no circle of packages forms beside;
- the shared ground (``SHARED``) imports nothing from its users (``USERS``).

Run it on another tree with ``python tests/test_import_graph.py PATH`` (prints what breaks the rules).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TOP_PACKAGES = ("contracts", "mockserver")

# The mock's floors, top first: a package may import a package on a lower floor, or one beside it
# on the same floor as long as no circle forms. ``.`` is the top of ``mockserver/`` itself (the
# package face, ``create_app``, the command) and the console drawn on it.
MOCK_LAYERS: tuple[tuple[str, ...], ...] = (
    (".", "console"),
    ("admin", "fixtures"),
    ("http",),
    ("auth",),
    ("validation",),
    ("behaviour", "platform"),
    ("state",),
    ("spec",),
)

# The only modules at the top of ``mockserver/``: the package face, ``create_app``, the command, and
# the faces teams use from their own tests (``running()``, the pytest fixture).
MOCK_TOP = (
    "mockserver",
    "mockserver.app",
    "mockserver.command",
    "mockserver.served_specs",
    "mockserver.testing",
    "mockserver.pytest_fixture",
)

# The ground everything stands on, and the packages that stand on it: no arrow from one to the other.
SHARED = (
    "contracts.platform",
    "contracts.spec_loader",
    "contracts.external_refs",
    "contracts.refs",
    "contracts.openapi",
)
USERS = ("contracts.runner", "contracts.proxy", "contracts.cli", "mockserver")


def module_names(root: Path) -> dict[str, Path]:
    """Every module under the top packages, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for top in TOP_PACKAGES:
        for path in sorted((root / top).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _targets(node: ast.AST, module: str, is_package: bool, known: set[str]) -> Iterable[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, *([base] if base else [])])
        for alias in node.names:
            # ``from pkg import mod`` needs the module; ``from mod import name`` needs ``mod``
            yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the project modules it imports (the nearest known module of each import)."""
    modules = module_names(root)
    known = set(modules)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            for target in _targets(node, name, path.name == "__init__.py", known):
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def mock_package(module: str) -> str | None:
    """The mock sub-package a module belongs to (``.`` for the top of ``mockserver/``)."""
    parts = module.split(".")
    if parts[0] != "mockserver":
        return None
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and _is_sub_package(parts[1])) else "."


def _is_sub_package(name: str) -> bool:
    return any(name in floor for floor in MOCK_LAYERS) and name != "."


FLOOR = {package: depth for depth, floor in enumerate(MOCK_LAYERS) for package in floor}


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Mock sub-package -> the sub-packages it imports."""
    packages: dict[str, set[str]] = {}
    for source, targets in graph.items():
        here = mock_package(source)
        if here is None:
            continue
        packages.setdefault(here, set())
        for target in targets:
            there = mock_package(target)
            if there is not None and there != here:
                packages[here].add(there)
    return packages


def _is_package(root: Path, module: str) -> bool:
    return (root.joinpath(*module.split(".")) / "__init__.py").is_file()


def _is_in(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def problems(root: Path) -> list[str]:
    """Everything in the tree at ``root`` that breaks the rules, one line each."""
    graph = import_graph(root)
    found = [f"module circle: {' <-> '.join(group)}" for group in circles(graph)]
    found += [
        f"module at the top of mockserver/ (move it into a sub-package): {name}"
        for name in sorted(graph)
        if mock_package(name) == "." and name not in MOCK_TOP and not _is_package(root, name)
    ]
    packages = package_graph(graph)
    found += [
        f"unknown mock package (add it to MOCK_LAYERS): {p}" for p in sorted(packages) if p not in FLOOR
    ]
    found += [
        f"package circle in mockserver: {' <-> '.join(group)}"
        for group in circles(packages)
        if "." not in group
    ]
    for source, targets in sorted(graph.items()):
        here = mock_package(source)
        for target in sorted(targets):
            there = mock_package(target)
            if here in FLOOR and there in FLOOR and FLOOR[there] < FLOOR[here]:
                found.append(f"against the pipeline: {source} ({here}) imports {target} ({there})")
            if _is_in(source, SHARED) and _is_in(target, USERS):
                found.append(f"shared ground imports a user: {source} imports {target}")
    return found


def test_the_graph_is_read_from_the_code() -> None:
    graph = import_graph(PROJECT_ROOT)
    assert "mockserver.app" in graph and "contracts.platform" in graph
    assert any(targets for targets in graph.values())  # a reader that finds no arrow proves nothing


def _tree(root: Path, files: dict[str, str]) -> Path:
    """A tree of modules ``{"mockserver/state/store.py": source}``, packages made on the way."""
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for package in path.relative_to(root).parents:
            if package != Path(".") and not (root / package / "__init__.py").exists():
                (root / package / "__init__.py").write_text("")
        path.write_text(body)
    return root


def test_a_circle_is_found_even_through_a_function_level_import(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "mockserver/state/a.py": "from mockserver.state import b\n",
            "mockserver/state/b.py": "def f():\n    from mockserver.state.a import x\n",
            "contracts/errors.py": "",
        },
    )
    assert problems(tmp_path) == ["module circle: mockserver.state.a <-> mockserver.state.b"]


def test_a_circle_of_packages_beside_each_other_is_found(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "mockserver/behaviour/handlers.py": "from mockserver.platform import jobs\n",
            "mockserver/platform/jobs.py": "",
            "mockserver/platform/lifecycle.py": "from mockserver.behaviour.handlers import handle\n",
            "contracts/errors.py": "",
        },
    )
    assert problems(tmp_path) == ["package circle in mockserver: behaviour <-> platform"]


def test_arrows_against_the_order_are_found(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "mockserver/state/store.py": "from mockserver.http import router\n",
            "mockserver/http/router.py": "",
            "mockserver/helpers.py": "",
            "contracts/platform/__init__.py": "from contracts.runner import refs\n",
            "contracts/runner/refs.py": "",
        },
    )
    assert problems(tmp_path) == [
        "module at the top of mockserver/ (move it into a sub-package): mockserver.helpers",
        "shared ground imports a user: contracts.platform imports contracts.runner.refs",
        "against the pipeline: mockserver.state.store (state) imports mockserver.http.router (http)",
    ]


def test_the_house_keeps_its_order() -> None:
    assert problems(PROJECT_ROOT) == []


if __name__ == "__main__":
    broken = problems(Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT_ROOT)
    print("\n".join(broken) or "the import graph keeps its order")
    sys.exit(1 if broken else 0)
