"""Start Debian's headless Chromium under Selenium, for the browser tests and the screenshot command.

Nothing is ever downloaded: the chromedriver path is handed to Selenium, so Selenium Manager (which
would fetch a browser and a driver from the network) is never asked; a guard makes sure of it.
Install the browser with ``apt-get install chromium chromium-driver`` (``.ci/run`` does) or point
``CHROMIUM`` and ``CHROMEDRIVER`` at other executables.
"""

from __future__ import annotations

import os
import shutil
from typing import Any
from unittest import mock

from contracts.errors import ContractsError

CHROMIUM_NAMES = ("chromium", "chromium-browser")
DRIVER_NAMES = ("chromedriver",)
WINDOW = "1400,1000"


class BrowserUnavailable(ContractsError):
    """No browser can be had here; the message says what is missing and how to get it."""


def _executable(names: tuple[str, ...], variable: str) -> str | None:
    configured = os.environ.get(variable)
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return next((found for name in names if (found := shutil.which(name))), None)


def start_chromium(window: str = WINDOW) -> Any:
    """A headless Chromium WebDriver that records the browser console (``driver.get_log("browser")``)."""
    chromium = _executable(CHROMIUM_NAMES, "CHROMIUM")
    driver_path = _executable(DRIVER_NAMES, "CHROMEDRIVER")
    if chromium is None:
        raise BrowserUnavailable("no chromium on PATH (apt-get install chromium, or set CHROMIUM)")
    if driver_path is None:
        raise BrowserUnavailable(
            "no chromedriver on PATH (apt-get install chromium-driver, or set CHROMEDRIVER)"
        )
    try:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.selenium_manager import SeleniumManager
    except ImportError:
        raise BrowserUnavailable("selenium is not installed (pip install -e '.[dev]')") from None
    options = Options()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={window}"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    never_download = AssertionError("Selenium Manager must not run: nothing is downloaded")
    try:
        with mock.patch.object(SeleniumManager, "binary_paths", side_effect=never_download):
            return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except WebDriverException as exc:
        raise BrowserUnavailable(
            f"chromium at {chromium} did not start with {driver_path}: {exc.msg}"
        ) from None
