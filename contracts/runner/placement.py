"""Give a write the run's own entity to act on: pick one from the ledger, or create one.

A write run's cases name ids drawn from lists, examples or random data; ``owned_cases`` asks
this module for an entity of the same kind that the run created instead. When the ledger holds
none, the resource chain of the version (``chains.CHAINS``) is walked: a folder, a building in
it, a file in that building... each created through the same gate as every other request, so
it enters the ledger like anything else the run makes.
"""

from __future__ import annotations

import copy
import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.test import Client

from contracts.platform.ownership import ownership_rules
from contracts.runner.chains import CHAINS, PATH_LINKS, Step, body_properties, generate_body
from contracts.runner.gate import OwnershipGate
from contracts.runner.ledger import compile_template
from contracts.runner.transport import KEY_HEADER, KEY_PLACEHOLDER

_PARAMETER = re.compile(r"\{[^/{}]+\}")


def normalise(template: str) -> str:
    """``/building/{buildingId}/files/{id}`` -> ``/building/{}/files/{}``."""
    return _PARAMETER.sub("{}", template)


@dataclass
class Placement:
    """Where a write of this run may go: the run's own entities, by kind."""

    schema: Any
    """The schemathesis schema of the run (its operations create the chain's entities)."""
    gate: OwnershipGate
    app: Any
    """The target's application (the gate and what lies behind it)."""
    version: str
    prefix: str
    """``/api/v3.0``"""
    seed: int = 0
    run_prefix: str = "mc-"
    bodies: dict[str, Any] = field(default_factory=dict)
    """Each create's generated body by operation label; a ``--jobs`` worker shares one between the
    sessions it opens for a spec (each body is drawn from its own seed, whichever session asks first)."""
    _creating: bool = False
    _references: dict[str, list[str]] = field(default_factory=dict)

    def owned(self, template: str) -> str | None:
        """The newest entity of the run whose item path fits ``template`` (some ids may be fixed)."""
        found = self.gate.ledger.newest_under(compile_template(template))
        return found.entity_id if found else None

    def own_or_create(self, template: str) -> str | None:
        """An entity of the run fitting ``template``; one is created along the chain if needed."""
        found = self.owned(template)
        if found is not None or self._creating:
            return found
        self._creating = True
        try:
            self.create_for(normalise(template), template)
        finally:
            self._creating = False
        return self.owned(template)

    def account(self) -> str | None:
        """The account's id (the top a folder may be placed at), read once."""
        if not self.gate.ledger.accounts:
            path = self.prefix + ownership_rules().account_path
            try:
                Client(self.app).get(path, headers={KEY_HEADER: KEY_PLACEHOLDER})
            except Exception:  # noqa: BLE001 - no account: a top-level parent is then not placed
                return None
        return next(iter(sorted(self.gate.ledger.accounts)), None)

    def create_for(self, kind: str, template: str) -> None:
        """Walk the chain down to the step whose item ``kind`` is, creating what is missing.

        ``kind`` may fix the ids of its parents (``/building/B/files/{}``): the walk then goes on
        below them instead of creating them anew.
        """
        chain = CHAINS.get(self.version) or ()
        items = [compile_template(self.prefix + step.item) for step in chain]
        wanted = [index for index, item in enumerate(items) if item.regex.match(kind)]
        if not wanted:
            return
        fixed = items[wanted[0]].parameters(kind) or {}  # ids the write fixed before this one
        made = {PATH_LINKS[n]: v for n, v in fixed.items() if n in PATH_LINKS and v != "{}"}
        for index, step in enumerate(chain[: wanted[0] + 1]):
            if step.name in made:
                continue  # fixed by the write (``own_path`` made it the run's own first)
            existing = self._existing(step, made, template if index == wanted[0] else None)
            entity_id = existing or self._create(step, made)
            if entity_id is None:
                return
            made[step.name] = entity_id

    def _existing(self, step: Step, made: dict[str, str], template: str | None) -> str | None:
        concrete = self._fill(step.item, made, last_open=True)
        if concrete is None:
            return None
        if template is not None:  # the ids the write fixed before this one must match
            concrete = template
        return self.owned(concrete)

    def _create(self, step: Step, made: dict[str, str]) -> str | None:
        operation = self._operation(step.create_method, step.collection)
        collection = self._fill(step.collection, made)
        if operation is None or collection is None:
            return None
        body = self._body(operation, step, made)
        params = self._parameters(step.collection, made)
        case = operation.Case(
            path_parameters=params,
            **({"body": body, "media_type": "application/json"} if body is not None else {}),
        )
        response = case.call(app=self.app, headers={KEY_HEADER: KEY_PLACEHOLDER})
        if not 200 <= response.status_code < 300:
            return None
        try:
            data = json.loads(response.content or b"null")
        except ValueError:
            return None
        entity_id = str(data.get("id")) if isinstance(data, dict) and data.get("id") else None
        if entity_id is None:
            return None
        for prepare in step.prepare:  # the platform adds elements only to a file that is importing
            action = self._operation("post", prepare)
            if action is not None:
                action.Case(
                    path_parameters=self._parameters(prepare, {**made, step.name: entity_id}, entity_id)
                ).call(app=self.app, headers={KEY_HEADER: KEY_PLACEHOLDER})
        return entity_id

    def _body(self, operation: Any, step: Step, made: dict[str, str]) -> Any:
        """The operation's simplest valid body, generated once (a search of its own per create was a
        sixth of a write run's time), with the run's name and the chain's links."""
        if operation.label not in self.bodies:
            rng = random.Random(f"{self.seed}|{operation.label}")
            self.bodies[operation.label] = generate_body(operation, rng)
        body = copy.deepcopy(self.bodies[operation.label])
        if not isinstance(body, dict):
            return body
        declared = body_properties(operation)
        if "name" in body or "name" in declared:
            body["name"] = f"{self.run_prefix}{step.name}"
        for name, source in step.links.items():
            if name not in body and name not in declared:
                continue
            if source == "none":
                body[name] = []
            elif source.startswith("lookup:"):
                value = self.account() if source == "lookup:/account" else self._first_id(source[7:])
                if value is not None:
                    body[name] = value
            elif source in made:
                body[name] = made[source]
        return body

    def _first_id(self, path: str) -> str | None:
        ids = self.reference_ids(path)
        return ids[0] if ids else None

    def reference_ids(self, path: str) -> list[str]:
        """The ids ``GET path`` lists (reference data: folder types, classification methods), read once."""
        if path not in self._references:
            try:
                response = Client(self.app).get(self.prefix + path, headers={KEY_HEADER: KEY_PLACEHOLDER})
                data = json.loads(response.get_data() or b"null")
            except Exception:  # noqa: BLE001 - no reference data: the field is left as generated
                data = None
            listed = data if isinstance(data, list) else [data]
            self._references[path] = [
                str(e["id"]) for e in listed if isinstance(e, dict) and e.get("id") not in (None, "")
            ]
        return self._references[path]

    def step_for(self, operation_path: str) -> Step | None:
        """The chain step whose collection (a create) or item (an update) ``operation_path`` is."""
        for step in CHAINS.get(self.version) or ():
            if operation_path in (self.prefix + step.collection, self.prefix + step.item):
                return step
        return None

    def _operation(self, method: str, path: str) -> Any | None:
        try:
            return self.schema.find_operation_by_label(f"{method.upper()} {self.prefix}{path}")
        except (KeyError, LookupError):
            return None

    def _parameters(self, template: str, made: dict[str, str], last: str | None = None) -> dict[str, str]:
        names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
        values = {}
        for index, name in enumerate(names):
            if last is not None and index == len(names) - 1:
                values[name] = last
            elif name in PATH_LINKS and PATH_LINKS[name] in made:
                values[name] = made[PATH_LINKS[name]]
        return values

    def _fill(self, template: str, made: dict[str, str], *, last_open: bool = False) -> str | None:
        """``template`` with the chain's ids so far; the last parameter left open when asked."""
        names = [part[1:-1] for part in template.split("/") if part.startswith("{")]
        path = self.prefix + template
        for index, name in enumerate(names):
            if last_open and index == len(names) - 1:
                continue
            source = PATH_LINKS.get(name)
            if source not in made:
                return None
            path = path.replace("{" + name + "}", made[source], 1)
        return path
