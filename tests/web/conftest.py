"""The browser tests' fixtures (tests/web/browser.py): a Chromium browser and a live server."""

from tests.web.browser import browser, served, server  # noqa: F401  (fixtures)
