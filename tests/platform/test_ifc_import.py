"""The IFC import reads the files IfcOpenShell authors: every building element with its GlobalId,
name, class, type, materials and layers, storey and quantities; anything else fails with a reason."""

from __future__ import annotations

import dataclasses
import functools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.platform.ifc_import import ImportResult, import_ifc, load_rules
from tests.ifc_models import Authored, author


@functools.cache
def authored(schema: str, elements: int, millimetres: bool = False) -> Authored:
    return author(schema, elements, millimetres=millimetres)


def assert_matches(result: ImportResult, model: Authored) -> None:
    assert result.ok, result.message
    got = {e.id: e.fields() for e in result.elements}
    assert set(got) == set(model.expected), "listed ids differ from the authored building elements"
    assert not model.not_listed & set(got)
    for global_id, expected in model.expected.items():
        for name, value in expected.items():
            if isinstance(value, float):
                assert math.isclose(got[global_id][name], value, rel_tol=1e-6, abs_tol=1e-9), (
                    global_id,
                    name,
                )
            else:
                assert got[global_id][name] == value, (global_id, name, got[global_id])


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4"])
def test_every_building_element_is_read_with_its_record(schema: str) -> None:
    model = authored(schema, 300)
    result = import_ifc(model.content)
    assert result.schema == schema
    assert len(result.elements) == len(model.expected) >= 300
    assert result.message == f"Imported {len(model.expected)} elements from an {schema} file"
    assert_matches(result, model)


@pytest.mark.parametrize("schema", ["IFC2X3", "IFC4"])
def test_quantities_in_millimetres_are_read_in_metres(schema: str) -> None:
    model = authored(schema, 30, millimetres=True)
    assert_matches(import_ifc(model.content), model)


def test_a_layer_set_gives_every_layer_with_its_thickness_share() -> None:
    for millimetres in (False, True):
        result = import_ifc(authored("IFC4", 30, millimetres).content)
        wall = next(e for e in result.elements if e.element_class == "IfcWall")
        assert [layer.material for layer in wall.materials] == [
            "Baksteen metselwerk",
            "Minerale wol",
            "Beton C30/37",
        ]
        assert [round(layer.thickness or 0, 9) for layer in wall.materials] == [0.1, 0.12, 0.2]
        assert [round(layer.share, 9) for layer in wall.materials] == [
            round(t / 0.42, 9) for t in (0.1, 0.12, 0.2)
        ]
        assert wall.material_name == "Beton C30/37"  # the thickest layer


def test_a_constituent_set_gives_its_fractions() -> None:
    result = import_ifc(authored("IFC4", 30).content)
    beam = next(e for e in result.elements if e.element_class == "IfcBeam")
    assert [(layer.material, layer.share) for layer in beam.materials] == [
        ("Staal S235", pytest.approx(0.3)),
        ("Beton C30/37", pytest.approx(0.7)),
    ]


def test_two_imports_of_the_same_bytes_are_equal() -> None:
    content = authored("IFC4", 30).content
    assert import_ifc(content) == import_ifc(content)


def small_ifc(schema: str = "IFC4", data: str = "") -> bytes:
    return (
        "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');\n"
        "FILE_NAME('a.ifc','2026-11-30T12:00:00',(''),(''),'','','');\n"
        f"FILE_SCHEMA(('{schema}'));\nENDSEC;\nDATA;\n{data}ENDSEC;\nEND-ISO-10303-21;\n"
    ).encode()


def test_elements_without_relations_are_read_with_what_they_have() -> None:
    content = small_ifc(data="#1=IFCWALL('1kTvXnbbzCWw8lcMd1dR4o',$,'Wall 200 mm',$,$,$,$,$,$);\n")
    result = import_ifc(content)
    assert result.ok, result.message
    (wall,) = result.elements
    assert wall.fields() == {
        "id": "1kTvXnbbzCWw8lcMd1dR4o",
        "name": "Wall 200 mm",
        "elementClass": "IfcWall",
        "typeName": None,
        "materialName": None,
        "floor": None,
        "volume": 0.0,
        "area": 0.0,
        "length": 0.0,
        "width": 0.0,
        "height": 0.0,
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 a zip file", "The file is not an IFC file: it does not start with ISO-10303-21;"),
        (b"", "The file is not an IFC file: it does not start with ISO-10303-21;"),
        (small_ifc("IFC9"), "The IFC schema IFC9 is not supported (supported: IFC2X3, IFC4, IFC4X3)"),
        (b"ISO-10303-21;\nnothing else", "The IFC file could not be read: No schema loaded"),
    ],
)
def test_what_is_not_readable_ifc_fails_with_its_reason(content: bytes, message: str) -> None:
    result = import_ifc(content)
    assert not result.ok and not result.elements
    assert result.message == message


def test_the_bounds_stop_an_import_with_a_message() -> None:
    content = authored("IFC4", 30).content
    rules = load_rules()
    small = dataclasses.replace(rules, max_bytes=len(content) - 1)
    assert import_ifc(content, small).message == (
        f"The IFC file is {len(content)} bytes; files up to {len(content) - 1} bytes are imported"
    )
    few = dataclasses.replace(rules, max_elements=10)
    assert import_ifc(content, few).message == "The IFC file holds more than 10 building elements"
    late = dataclasses.replace(rules, max_seconds=-1)
    slow = import_ifc(content, late)
    assert not slow.ok
    assert slow.message.startswith("The import took longer than -1 s and was stopped after 0 of ")
    assert import_ifc(content, rules).ok


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from(["", "ISO-10303-21;\n", "ISO-10303-21;\nHEADER;\n"]))
def test_any_bytes_give_a_result_never_an_exception(tail: bytes, head: str) -> None:
    result = import_ifc(head.encode() + tail)
    assert isinstance(result, ImportResult)
    assert result.message
    assert result.ok or not result.elements
