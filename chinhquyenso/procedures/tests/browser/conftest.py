"""The portal's browser fixtures (Chromium through Playwright, live server), reused here."""

from chinhquyenso.portal.tests.browser.conftest import browser, page, phone

__all__ = ["browser", "page", "phone"]
