"""Fetch a version's OpenAPI document from a Madaster API host (live or the mock)."""

from __future__ import annotations

from typing import Any

from contracts.errors import ContractsError
from contracts.spec_loader import load_spec_bytes

API_KEY_HEADER = "X-API-Key"
DEFAULT_TIMEOUT = 20.0


class FetchError(ContractsError):
    """The host did not answer with an OpenAPI document."""


def spec_url(base_url: str, version: str) -> str:
    return f"{base_url.rstrip('/')}/api/{version}/swagger.json"


def fetch_spec(
    base_url: str, version: str, *, api_key: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> tuple[bytes, dict[str, Any], str]:
    """Return (raw bytes, parsed and validated document, url); FetchError on any failure."""
    import requests

    url = spec_url(base_url, version)
    headers = {"Accept": "application/json, application/yaml;q=0.9, */*;q=0.1"}
    if api_key:
        headers[API_KEY_HEADER] = api_key
    try:
        response = requests.get(url, headers=headers, timeout=timeout)
    except requests.exceptions.Timeout:
        raise FetchError(f"{url}: no answer within {timeout:g} s") from None
    except requests.exceptions.InvalidURL:
        raise FetchError(f"{base_url!r} is not a valid base URL") from None
    except requests.exceptions.MissingSchema:
        raise FetchError(f"{base_url!r} is not a valid base URL (expected http:// or https://)") from None
    except requests.exceptions.ConnectionError:
        raise FetchError(f"{url}: cannot connect (host unreachable or not listening)") from None
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"{url}: request failed: {exc.__class__.__name__}") from None
    status = response.status_code
    if status in (401, 403):
        hint = "the API key was rejected" if api_key else "the server wants an API key (--api-key)"
        raise FetchError(f"{url}: HTTP {status}: {hint}")
    if status == 404:
        raise FetchError(f"{url}: HTTP 404: the server does not serve API version {version}")
    if status >= 400:
        raise FetchError(f"{url}: HTTP {status}")
    doc = load_spec_bytes(response.content, url)
    return response.content, doc, url
