"""One request as the behaviour step sees it (``Call``), and the 4xx it may decide (``Refusal``).

The pipeline (``http/pipeline.py``) and the fixtures build a ``Call``; validation fills its parsed
values (``UploadedFile`` parts among them); every handler of ``behaviour`` and ``platform`` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from mockserver.behaviour.runtime import SpecRuntime
from mockserver.spec.operations import Operation
from mockserver.state.resources import Behaviour
from mockserver.state.store import StateStore

DELETED = "~deleted/"
FIXTURE = "fixture"  # the instance fixtures are created with (mockserver.fixtures.seed): checked at load


class Refusal(Exception):
    """A 4xx answer decided while handling (missing entity, out of scope, conflict)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart body: the name the client gave it and its bytes."""

    filename: str
    media_type: str
    content: bytes


class Scoped(Protocol):
    """What the behaviour step reads of a request's token (``auth.tokens.Token`` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def scope_kind(self) -> str: ...
    @property
    def scope_id(self) -> str | None: ...


@dataclass(slots=True)  # one per request: slots make it cheaper to build
class Call:
    """One request, as the behaviour step sees it."""

    runtime: SpecRuntime
    store: StateStore
    operation: Operation
    behaviour: Behaviour
    path_values: dict[str, str]
    body: Any
    token: Scoped | None  # an ``auth.tokens.Token``; None for fixtures
    instance: str
    raw_body: bytes = b""
    files: dict[str, UploadedFile] = field(default_factory=dict)  # multipart file parts by part name
    id_source: Any = None  # a random.Random for deterministic ids (fixtures); None -> uuid4
    base_url: str = ""  # scheme://host the client reached the mock on (for download URLs)
    params: dict[str, Any] = field(default_factory=dict)  # validated query and header parameters
    language: str | None = None  # the Accept-Language header, for catalogue names
    applied: list[Any] = field(default_factory=list)  # leniencies the handling needed (spec.leniency.Applied)
