"""The platform's lifecycles (``data/lifecycles.yaml``) as typed, read-only definitions.

Why data: which operation starts which work, the statuses it passes and the states it can fail in
are facts about the platform, shared by the mock (which plays them out in time) and by anything
that wants to know what a client will observe. Operations are keyed as ``METHOD /path`` relative to
``/api/vX.Y`` with every parameter written ``{}``, because parameter names differ between builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from contracts.errors import ContractsError

DATA_FILE = Path(__file__).with_name("data") / "lifecycles.yaml"
_PARAM = re.compile(r"\{[^}]*\}")
_PREFIX = re.compile(r"^/api/v\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Step:
    """One status of a lifecycle and the fields it sets (``set`` defaults to ``{field: status}``)."""

    status: str
    set: dict[str, Any] = field(default_factory=dict)
    one_of: tuple[str, ...] = ()  # the status is chosen per job among these (seeded)
    previous: dict[str, Any] = field(default_factory=dict)  # set on the entity a new one replaces


@dataclass(frozen=True)
class EntityKind:
    name: str
    path: str
    field: str
    on_create: dict[str, Any] = field(default_factory=dict)
    fixture: dict[str, Any] = field(default_factory=dict)
    download: str | None = None  # the operation answering a download URL for the entity


@dataclass(frozen=True)
class Lifecycle:
    name: str
    entity: str
    triggers: dict[str, str | None]  # operation key -> its argument (a body field, a file type) or None
    variants: dict[str, tuple[Step, ...]]  # "default" when the lifecycle has plain ``steps``
    failure: tuple[str, ...] = ()
    creates: bool = False
    imports_at: str | None = None  # the status at which an uploaded IFC file is imported

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.variants.get("default") or next(iter(self.variants.values()))


@dataclass(frozen=True)
class Guard:
    """Operations refused while the entity's lifecycle field is not one of ``allowed`` (when
    given) or is one of ``refused``; an entity holding ``unless_children`` (child entities of that
    name) is never refused by ``refused``. The status: the first of ``refuse_with`` the operation
    declares, else ``otherwise`` (default: the first of ``refuse_with``)."""

    operations: tuple[str, ...]
    entity: str
    allowed: tuple[str, ...]
    only_if: str | None
    refuse_with: tuple[int, ...]
    refused: tuple[str, ...] = ()
    unless_children: str | None = None
    why: str | None = None
    otherwise: int | None = None

    def refuses(self, value: Any, has_children: bool) -> bool:
        """Whether an entity whose lifecycle field is ``value`` is refused."""
        if self.allowed and value not in self.allowed:
            return True
        return value in self.refused and not (self.unless_children and has_children)

    def status(self, declared: Any) -> int:
        """The refusal status for an operation declaring the status codes ``declared``."""
        found = [code for code in self.refuse_with if str(code) in declared]
        return found[0] if found else (self.otherwise or self.refuse_with[0])


@dataclass(frozen=True)
class Lifecycles:
    entities: dict[str, EntityKind]
    lifecycles: dict[str, Lifecycle]
    guards: tuple[Guard, ...]

    def trigger(self, key: str) -> tuple[Lifecycle, str | None] | None:
        """The lifecycle an operation (``operation_key``) starts, with its argument."""
        for lifecycle in self.lifecycles.values():
            if key in lifecycle.triggers:
                return lifecycle, lifecycle.triggers[key]
        return None

    def entity_by_path(self, key: str) -> EntityKind | None:
        """The entity kind whose item path is ``key`` (``/building/{}/files/{}``)."""
        return next((e for e in self.entities.values() if e.path == key), None)


def operation_key(method: str, template: str) -> str:
    """``POST /api/v3.0/building/{id}/process`` -> ``POST /building/{}/process``."""
    return f"{method.upper()} {_PARAM.sub('{}', _PREFIX.sub('', template))}"


def path_key(template: str) -> str:
    """``/api/v3.0/building/{buildingId}/files/{id}`` -> ``/building/{}/files/{}``."""
    return _PARAM.sub("{}", _PREFIX.sub("", template))


@cache
def load_lifecycles(path: Path = DATA_FILE) -> Lifecycles:
    """The lifecycle definitions; a malformed file is a ContractsError naming the problem."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContractsError(f"{path}: cannot read the lifecycle definitions: {exc}") from None
    try:
        return _parse(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ContractsError(f"{path}: malformed lifecycle definitions: {exc!r}") from None


def _parse(raw: dict[str, Any]) -> Lifecycles:
    entities = {
        name: EntityKind(
            name,
            str(spec["path"]),
            str(spec["field"]),
            dict(spec.get("on-create") or {}),
            dict(spec.get("fixture") or {}),
            spec.get("download"),
        )
        for name, spec in raw["entities"].items()
    }
    lifecycles: dict[str, Lifecycle] = {}
    for name, spec in raw["lifecycles"].items():
        entity = entities[spec["entity"]]
        triggers = spec["triggers"]
        if isinstance(triggers, list):
            triggers = dict.fromkeys(triggers)
        if "variants" in spec:
            variants = {v: _steps(steps, entity.field) for v, steps in spec["variants"].items()}
        else:
            variants = {"default": _steps(spec["steps"], entity.field)}
        lifecycles[name] = Lifecycle(
            name,
            entity.name,
            {str(k): (str(v) if v is not None else None) for k, v in triggers.items()},
            variants,
            tuple(spec.get("failure") or ()),
            bool(spec.get("creates", False)),
            spec.get("imports-at"),
        )
    guards = tuple(
        Guard(
            tuple(g["operations"]),
            entities[g["entity"]].name,
            tuple(g.get("allowed") or ()),
            g.get("only-if"),
            tuple(int(code) for code in g.get("refuse-with") or (409,)),
            tuple(g.get("refused") or ()),
            g.get("unless-children"),
            g.get("why"),
            int(g["otherwise"]) if g.get("otherwise") is not None else None,
        )
        for g in raw.get("guards") or ()
    )
    for guard in guards:
        if not guard.allowed and not guard.refused:
            raise ValueError(f"the guard of {guard.operations[0]} names no allowed or refused status")
    return Lifecycles(entities, lifecycles, guards)


def _steps(raw: list[Any], field_name: str) -> tuple[Step, ...]:
    steps: list[Step] = []
    for item in raw:
        if isinstance(item, str):
            steps.append(Step(item, {field_name: item}))
        elif "one-of" in item:
            choices = tuple(str(c) for c in item["one-of"])
            steps.append(Step(choices[0], {field_name: choices[0]}, one_of=choices))
        else:
            status = str(item["status"])
            steps.append(
                Step(
                    status,
                    dict(item.get("set") or {field_name: status}),
                    previous=dict(item.get("previous") or {}),
                )
            )
    if not steps:
        raise ValueError("a lifecycle needs at least one step")
    return tuple(steps)
