"""Chromium through Playwright against pytest-django's live server, plus axe-core checks.

Playwright's sync API runs an event loop in the test thread, which trips Django's
async-safety guard on every ORM call made by fixtures; the guard is lifted for these tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("CQS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


#: The one Chromium of the run. Other folders' conftests import these fixtures, which makes
#: one session fixture per folder; Playwright's sync API allows only one instance at a time.
_RUNNING: dict[str, Browser] = {}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if "chromium" in _RUNNING:
        yield _RUNNING["chromium"]
        return
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install it (apt-get install chromium).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        _RUNNING["chromium"] = chromium
        try:
            yield chromium
        finally:
            del _RUNNING["chromium"]
            chromium.close()


def open_page(browser: Browser, live_server: Any, device: dict[str, Any]) -> Iterator[Page]:
    # An English browser on purpose: the portal must still answer in Vietnamese.
    context = browser.new_context(base_url=live_server.url, locale="en-US", **device)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A desktop browser window."""
    yield from open_page(browser, live_server, DESKTOP)


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Page]:
    """A small phone screen, 360×740."""
    yield from open_page(browser, live_server, PHONE)
