"""Chromium for the payment journeys: the portal's browser fixtures, reused as they are."""

from chinhquyenso.portal.tests.browser.conftest import browser, page, phone

__all__ = ["browser", "page", "phone"]
