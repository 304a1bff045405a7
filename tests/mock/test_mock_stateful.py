"""A hypothesis state machine: random sequences of creates and deletes of buildings and their
files agree with a plain model of what should exist (lists, reads, cascades)."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from mockserver import create_app
from tests.conftest import real_build
from tests.mock.conftest import WRITE, body_for, load

V3 = "/api/v3.0"
_CACHE: dict = {}


class BuildingsAndFiles(RuleBasedStateMachine):
    buildings = Bundle("buildings")
    files = Bundle("files")

    def __init__(self) -> None:
        super().__init__()
        self.app = create_app([load(real_build("v3.0", 30855), _CACHE)])
        self.client = self.app.test_client()
        self.folder = self.client.get(f"{V3}/folder", headers=WRITE).json[0]["id"]
        self.model: dict[str, set[str]] = {
            b["id"]: {f["id"] for f in self.client.get(f"{V3}/building/{b['id']}/files", headers=WRITE).json}
            for b in self.client.get(f"{V3}/building", headers=WRITE).json
        }

    @rule(target=buildings, name=st.text(min_size=1, max_size=20))
    def create_building(self, name: str) -> str:
        body = body_for(self.app, "v3.0", "POST", "/building", folderId=self.folder, name=name)
        response = self.client.post(f"{V3}/building", json=body, headers=WRITE)
        assert response.status_code == 201
        self.model[response.json["id"]] = set()
        return response.json["id"]

    @rule(target=files, building=buildings)
    def create_file(self, building: str) -> tuple[str, str]:
        body = body_for(self.app, "v3.0", "POST", "/building/{buildingId}/files", preferredDatabaseIds=[])
        response = self.client.post(f"{V3}/building/{building}/files", json=body, headers=WRITE)
        if building not in self.model:
            assert response.status_code == 404
            return building, ""
        assert response.status_code == 201
        self.model[building].add(response.json["id"])
        return building, response.json["id"]

    @rule(building=consumes(buildings))
    def delete_building(self, building: str) -> None:
        response = self.client.delete(f"{V3}/building/{building}", headers=WRITE)
        assert response.status_code == (204 if building in self.model else 404)
        self.model.pop(building, None)

    @rule(item=consumes(files))
    def delete_file(self, item: tuple[str, str]) -> None:
        building, file_id = item
        response = self.client.delete(f"{V3}/building/{building}/files/{file_id or 'x'}", headers=WRITE)
        exists = building in self.model and file_id in self.model[building]
        assert response.status_code == (204 if exists else 404 if file_id else 400)
        if exists:
            self.model[building].discard(file_id)

    @invariant()
    def lists_match_the_model(self) -> None:
        listed = {b["id"] for b in self.client.get(f"{V3}/building", headers=WRITE).json}
        assert listed == set(self.model)
        for building, files in self.model.items():
            got = {f["id"] for f in self.client.get(f"{V3}/building/{building}/files", headers=WRITE).json}
            assert got == files


BuildingsAndFiles.TestCase.settings = settings(max_examples=15, stateful_step_count=12, deadline=None)
TestBuildingsAndFiles = BuildingsAndFiles.TestCase
