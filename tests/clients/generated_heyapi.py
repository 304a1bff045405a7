"""The third generator: TypeScript clients of @hey-api/openapi-ts (zod or valibot response
validation), generated at test time and driven by the program in ``tests/clients/heyapi/``.

The program's npm packages (pinned in its ``package-lock.json``) are installed with ``npm ci`` into
a cache folder named by the lock's digest, at most once for each lock (later sessions reuse it, and
need no network); each session copies the program's sources beside a link to those packages, and
generates one client per spec build there (both validators in one generator run).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

PROGRAM = Path(__file__).resolve().parent / "heyapi"
NODE_MINIMUM = (20, 19)
NPM_TIMEOUT = 600
UNREACHABLE = re.compile(r"ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network|proxy", re.I)


class Unavailable(Exception):
    """Why the program cannot run here (no node or npm, the registry unreachable): a skip reason."""


def node_missing() -> str | None:
    """Why node and npm cannot run the program here, or None when they can."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "the @hey-api/openapi-ts clients need node and npm on PATH"
    done = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30, check=False)
    found = re.match(r"v(\d+)\.(\d+)", done.stdout.strip())
    if found is None or tuple(map(int, found.groups())) < NODE_MINIMUM:
        return f"the @hey-api/openapi-ts clients need Node.js {'.'.join(map(str, NODE_MINIMUM))}+ (found {done.stdout.strip()})"
    return None


def cache_root() -> Path:
    """``$MADASTER_HEYAPI_CACHE``, else ``$XDG_CACHE_HOME`` (``~/.cache``)/madaster-contracts."""
    if os.environ.get("MADASTER_HEYAPI_CACHE"):
        return Path(os.environ["MADASTER_HEYAPI_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "madaster-contracts"


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One installer at a time (other test runs on the machine share the cache)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def installed(root: Path | None = None) -> Path:
    """The ``node_modules`` of the program's lock, installed with ``npm ci`` unless a completed
    install of the same lock is there; raises ``Unavailable`` when the registry cannot be reached."""
    lock = (PROGRAM / "package-lock.json").read_bytes()
    folder = (root or cache_root()) / f"heyapi-{hashlib.sha256(lock).hexdigest()[:16]}"
    done = folder / ".installed"
    if done.is_file():
        return folder / "node_modules"
    with _locked(folder):
        if not done.is_file():
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(PROGRAM / name, folder / name)
            command = ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"]
            try:
                ran = subprocess.run(
                    command, cwd=folder, capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False
                )
            except subprocess.TimeoutExpired:
                raise Unavailable(
                    f"npm ci did not finish in {NPM_TIMEOUT} s (is the registry reachable?)"
                ) from None
            if ran.returncode != 0:
                output = (ran.stdout + ran.stderr).strip()
                last = output.splitlines()[-1] if output else f"exit {ran.returncode}"
                if UNREACHABLE.search(output):
                    raise Unavailable(f"npm ci could not reach the npm registry: {last}")
                raise RuntimeError(f"npm ci failed in {folder} ({ran.returncode}):\n{output[-3000:]}")
            done.write_text("npm ci\n")
    return folder / "node_modules"


class Program:
    """The program's sources in a session folder, beside its packages; clients generated there."""

    def __init__(self, workdir: Path, node_modules: Path) -> None:
        self.workdir = workdir
        shutil.copytree(PROGRAM / "src", workdir / "src")
        shutil.copyfile(PROGRAM / "package.json", workdir / "package.json")  # "type": "module"
        (workdir / "node_modules").symlink_to(node_modules, target_is_directory=True)
        self.clients: dict[Path, Path] = {}

    def command(self, *args: str) -> list[str]:
        return [str(self.workdir / "node_modules" / ".bin" / "tsx"), "src/main.ts", *args]

    def execute(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def client(self, spec: Path) -> Path:
        """The folder of the spec's generated clients (``zod/``, ``valibot/``), made on first use."""
        if spec not in self.clients:
            out = self.workdir / "clients" / f"{spec.parent.name}-{spec.stem}"
            done = self.execute("generate", "--spec", str(spec), "--out", str(out))
            if done.returncode != 0:
                raise RuntimeError(f"@hey-api/openapi-ts failed on {spec}:\n{done.stdout}{done.stderr}")
            self.clients[spec] = out
        return self.clients[spec]

    def run(
        self, spec: Path, validator: str, base_url: str, key: str, ifc: tuple[Path, Path], programs: str = ""
    ) -> subprocess.CompletedProcess[str]:
        """The published programs of the spec's version (all, or those named), with the ``validator`` client."""
        out = self.client(spec)
        chosen = ["--programs", programs] if programs else []
        return self.execute(
            "run", "--spec", str(spec), "--out", str(out), "--base-url", base_url, "--key", key,
            "--validator", validator, "--ifc", str(ifc[0]), "--expected", str(ifc[1]), *chosen,
        )  # fmt: skip
