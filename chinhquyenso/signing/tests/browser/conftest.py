"""The portal's Chromium fixtures for the signing pages."""

from chinhquyenso.portal.tests.browser.conftest import browser, page, phone

__all__ = ["browser", "page", "phone"]
