"""Shared by the proxy tests: a proxy served in-process in front of any target, and a real workflow."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from contracts.proxy.app import PROXY_IDENT, ValidatingProxy
from contracts.proxy.contract import ContractSet
from contracts.proxy.forwarding import Target, Upstream
from contracts.proxy.recording import HarRecorder
from contracts.proxy.reporting import Reporter
from mockserver.http.serve import serve_in_thread
from tests.mock.conftest import WRITE, body_for

V3 = "/api/v3.0"


@dataclass
class ProxyRun:
    url: str
    reporter: Reporter
    console: io.StringIO
    recorder: HarRecorder | None


@contextmanager
def running_proxy(
    target_url: str,
    docs: dict[str, dict[str, Any]],
    *,
    strict: bool = False,
    record: Path | None = None,
    log: Path | None = None,
    lenient: bool = True,
) -> Iterator[ProxyRun]:
    console = io.StringIO()
    reporter = Reporter(console, log)
    recorder = HarRecorder(record) if record is not None else None
    sinks = [reporter] + ([recorder] if recorder is not None else [])
    proxy = ValidatingProxy(
        ContractSet(docs, lenient=lenient),
        Upstream(Target.parse(target_url), timeout=10),
        sinks,
        strict=strict,
    )
    try:
        with serve_in_thread(proxy, threads=4, ident=PROXY_IDENT) as running:
            yield ProxyRun(running.base_url, reporter, console, recorder)
    finally:
        reporter.close()
        if recorder is not None:
            recorder.close()


@dataclass
class Step:
    method: str
    path: str
    body: Any = None

    def send(self, base_url: str, headers: dict[str, str] | None = None) -> requests.Response:
        return requests.request(
            self.method, base_url + self.path, json=self.body, headers=headers or WRITE, timeout=30
        )


def v3_workflow(
    app: Any, base_url: str, headers: dict[str, str] | None = None
) -> list[tuple[Step, requests.Response]]:
    """A client session on v3.0: look around, create a building and a file in a folder, read them back.

    Bodies are generated from the spec (deterministically), so each run sends the same requests.
    """
    done: list[tuple[Step, requests.Response]] = []

    def run(step: Step) -> requests.Response:
        response = step.send(base_url, headers)
        done.append((step, response))
        return response

    run(Step("GET", f"{V3}/account"))
    method = run(Step("GET", f"{V3}/system/classificationmethods")).json()[0]["id"]
    usage = next(iter(run(Step("GET", f"{V3}/system/buildingusages")).json()))
    family = run(Step("GET", f"{V3}/system/materialfamilies")).json()[0]["id"]
    folders = run(Step("GET", f"{V3}/folder")).json()
    folder_id = folders[0]["id"]
    references = {
        "buildingUsage": usage,
        "materialClassificationTypeId": family,
        "classificationType": method,
    }
    building = body_for(app, "v3.0", "POST", "/building", folderId=folder_id, name="Town hall", **references)
    created = run(Step("POST", f"{V3}/building", building))
    assert created.status_code in (200, 201), created.text
    building_id = created.json()["id"]
    run(Step("GET", f"{V3}/building/{building_id}"))
    update = body_for(
        app, "v3.0", "PUT", "/building/{id}", folderId=folder_id, name="Town hall, renovated", **references
    )
    run(Step("PUT", f"{V3}/building/{building_id}", update))
    file_body = body_for(
        app,
        "v3.0",
        "POST",
        "/building/{buildingId}/files",
        name="model.ifc",
        classificationTypeId=method,
        preferredDatabaseIds=[],
    )
    run(Step("POST", f"{V3}/building/{building_id}/files", file_body))
    run(Step("GET", f"{V3}/building/{building_id}/files"))
    run(Step("GET", f"{V3}/building"))
    return done


def answer(session: list[tuple[Step, requests.Response]], method: str, path: str) -> requests.Response:
    """The first answer the session got to ``METHOD path``."""
    return next(response for step, response in session if (step.method, step.path) == (method, path))


def record_session(
    doc: dict[str, Any], har: Path, log: Path | None = None
) -> list[tuple[Step, requests.Response]]:
    """Drive the v3.0 workflow through a recording proxy in front of a fresh mock of ``doc``."""
    from mockserver import create_app

    app = create_app([doc])
    with (
        serve_in_thread(app, threads=4) as mock,
        running_proxy(mock.base_url, {"v3.0": doc}, record=har, log=log) as proxy,
    ):
        return v3_workflow(app, proxy.url)
