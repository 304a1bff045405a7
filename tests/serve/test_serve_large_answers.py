"""An answer of 64 KiB and more goes to waitress as a file (``mockserver.http.memory.answer_iterable``):
over the wire it is the same bytes, with its Content-Length, on a kept-alive connection, and HEAD
answers the headers alone."""

from __future__ import annotations

import requests

from contracts.spec_loader import load_spec_file
from mockserver import create_app
from mockserver.http.memory import LARGE_ANSWER
from mockserver.http.serve import serve_in_thread
from tests.conftest import real_build
from tests.serve.mock_client import WRITE, building_body

LIST = "/api/v3.0/building"


def test_a_large_list_arrives_whole_and_the_connection_stays_usable() -> None:
    app = create_app([load_spec_file(real_build("v3.0", 30855))], admin=False)
    with serve_in_thread(app) as (base_url, _stop), requests.Session() as session:
        body = building_body(base_url, "Large answer " + "n" * 200)
        while len(session.get(base_url + LIST, headers=WRITE, timeout=10).content) < 2 * LARGE_ANSWER:
            assert session.post(base_url + LIST, json=body, headers=WRITE, timeout=10).status_code == 201
        expected = app.test_client().get(LIST, headers=WRITE).data
        for _ in range(3):  # the same kept-alive connection answers again after a large answer
            answer = session.get(base_url + LIST, headers=WRITE, timeout=10)
            assert answer.status_code == 200
            assert answer.content == expected
            assert answer.headers["Content-Length"] == str(len(expected))
            assert "chunked" not in answer.headers.get("Transfer-Encoding", "")
        head = session.head(base_url + LIST, headers=WRITE, timeout=10)
        assert head.status_code == 200 and head.content == b""
        assert session.get(base_url + "/api/v3.0/account", headers=WRITE, timeout=10).status_code == 200
