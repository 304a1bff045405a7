"""Every page and admin endpoint the ``mock`` banner points at answers (none is a 404)."""

from __future__ import annotations

import re

import requests

from mockserver import create_app
from mockserver.auth.tokens import DEFAULT_TOKENS
from mockserver.http.serve import format_banner, serve_in_thread
from tests.conftest import PROJECT_ROOT

V3 = PROJECT_ROOT / "specs" / "v3.0" / "baseline.yaml"


def test_every_url_in_the_banner_answers() -> None:
    with serve_in_thread(create_app([V3]), threads=2) as (base_url, _stop):
        banner = format_banner(
            base_url=base_url,
            specs=[("v3.0", None, 1, str(V3))],
            tokens=DEFAULT_TOKENS,
            tokens_in_clear=True,
            store="memory",
            seed=0,
            admin=True,
            faults="none",
            threads=2,
            startup_seconds=0.1,
        )
        urls = re.findall(r"https?://\S+?(?=[,\s]|$)", banner)
        paths = re.findall(r"(?<![\w/])(?:(POST) )?(/__mock/[\w/]+)", banner)
        assert len(paths) >= 3, banner
        pages = [url for url in urls if "/api/" not in url]  # a version's base URL is a prefix, not a page
        assert len(pages) >= 2, banner
        for url in pages:
            assert requests.get(url, timeout=5).status_code < 400, url
        for method, path in paths:
            answer = requests.request(method or "GET", base_url + path, timeout=5)
            assert answer.status_code < 400, f"{method or 'GET'} {path}: {answer.status_code}"
