"""One headless Chromium for the whole session (``mockserver.console.browser.start_chromium``).

The ``browser`` fixture alone decides whether these tests can run: without selenium, a
``chromium`` or a ``chromedriver``, every browser test is skipped with the reason, unless
``MADASTER_REQUIRE_BROWSER=1`` (set by ``.ci/run`` once it has installed them) makes that a failure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mockserver.console.browser import BrowserUnavailable, start_chromium


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium WebDriver, shared by every browser test of the session."""
    try:
        driver = start_chromium()
    except BrowserUnavailable as missing:
        if os.environ.get("MADASTER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here, but {missing}", pytrace=False)
        pytest.skip(str(missing))
    driver.set_script_timeout(10)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture()
def wait_for(browser: Any) -> Callable[..., Any]:
    """``wait_for(condition, what)``: poll ``condition(driver)`` until truthy (10 s), else fail saying what."""

    def wait(condition: Callable[[Any], Any], what: str, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                value = condition(browser)
            except Exception as exc:  # the page may be rebuilding the element we look at
                last_error, value = exc, None
            if value:
                return value
            time.sleep(0.1)
        pytest.fail(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last_error})")

    return wait


def console_errors(driver: Any) -> list[dict[str, Any]]:
    """SEVERE entries of the browser console since the last call (reading the log empties it)."""
    return [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
