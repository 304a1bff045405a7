"""When a 404 after a create may be blamed on the created resource (ensure_resource_availability)."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from contracts.runner.engine import availability_attributable


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


def case(path_parameters: dict | None = None, body: Any = None, case_id: str = "c") -> Any:
    return SimpleNamespace(id=case_id, path_parameters=path_parameters, body=body)


def test_a_plain_read_of_the_created_resource_is_attributable() -> None:
    recorder = FakeRecorder()
    recorder.add("post", "POST", 201)
    assert availability_attributable(case({"id": "1"}), recorder)
    assert availability_attributable(case({"id": "1"}, body={"name": "x"}), recorder)


def test_body_references_make_the_404_ambiguous() -> None:
    recorder = FakeRecorder()
    assert not availability_attributable(
        case({"id": "1"}, body={"commodityId": "2", "quantity": 1}), recorder
    )
    assert not availability_attributable(case({"id": "1"}, body={"id": "2"}), recorder)


def test_no_path_parameter_means_nothing_addresses_the_created_resource() -> None:
    assert not availability_attributable(case({}), FakeRecorder())
    assert not availability_attributable(case(None), FakeRecorder())


def test_a_successful_delete_earlier_in_the_scenario_may_have_cascaded() -> None:
    recorder = FakeRecorder()
    recorder.add("delete-folder", "DELETE", 204)
    assert not availability_attributable(case({"id": "1"}), recorder)
    failed = FakeRecorder()
    failed.add("delete-folder", "DELETE", 404)
    assert availability_attributable(case({"id": "1"}), failed)
