"""When a 404 after a create may be blamed on the created resource (ensure_resource_availability)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from contracts.runner.engine import ScenarioFacts, availability_attributable


@dataclass
class FakeRecorder:
    cases: list[Any] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)

    def find_all_cases(self):
        return iter(self.cases)

    def find_response(self, *, case_id: str):
        status = self.statuses.get(case_id)
        return None if status is None else SimpleNamespace(status_code=status)

    def add(self, case_id: str, method: str, status: int) -> None:
        self.cases.append(SimpleNamespace(id=case_id, operation=SimpleNamespace(method=method)))
        self.statuses[case_id] = status


def operation(body_properties: tuple[str, ...] = ()) -> Any:
    """An operation whose request body schema (behind a $ref) declares these properties."""
    raw = {"components": {"schemas": {"Body": {"properties": {name: {} for name in body_properties}}}}}
    ref = {"$ref": "#/components/schemas/Body"}
    definition = (
        {"requestBody": {"content": {"application/json": {"schema": ref}}}} if body_properties else {}
    )
    return SimpleNamespace(schema=SimpleNamespace(raw_schema=raw), definition=SimpleNamespace(raw=definition))


def case(path_parameters: dict | None = None, body: Any = None, case_id: str = "c", fields=()) -> Any:
    return SimpleNamespace(
        id=case_id, path_parameters=path_parameters, body=body, operation=operation(fields)
    )


def test_a_plain_read_of_the_created_resource_is_attributable() -> None:
    recorder = FakeRecorder()
    recorder.add("post", "POST", 201)
    assert availability_attributable(case({"id": "1"}), ScenarioFacts(recorder))
    assert availability_attributable(case({"id": "1"}, body={"name": "x"}), ScenarioFacts(recorder))


def test_body_references_make_the_404_ambiguous() -> None:
    recorder = FakeRecorder()
    assert not availability_attributable(
        case({"id": "1"}, body={"commodityId": "2", "quantity": 1}), ScenarioFacts(recorder)
    )
    assert not availability_attributable(case({"id": "1"}, body={"id": "2"}), ScenarioFacts(recorder))


def test_a_body_schema_with_references_makes_the_404_ambiguous_even_when_they_are_absent() -> None:
    assert not availability_attributable(
        case({"id": "1"}, body={}, fields=("id", "rules")), ScenarioFacts(FakeRecorder())
    )
    assert availability_attributable(
        case({"id": "1"}, body={}, fields=("name", "rules")), ScenarioFacts(FakeRecorder())
    )


def test_no_path_parameter_means_nothing_addresses_the_created_resource() -> None:
    assert not availability_attributable(case({}), ScenarioFacts(FakeRecorder()))
    assert not availability_attributable(case(None), ScenarioFacts(FakeRecorder()))


def test_a_successful_delete_earlier_in_the_scenario_may_have_cascaded() -> None:
    recorder = FakeRecorder()
    recorder.add("delete-folder", "DELETE", 204)
    assert not availability_attributable(case({"id": "1"}), ScenarioFacts(recorder))
    failed = FakeRecorder()
    failed.add("delete-folder", "DELETE", 404)
    assert availability_attributable(case({"id": "1"}), ScenarioFacts(failed))
