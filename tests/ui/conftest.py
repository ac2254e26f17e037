"""Fixtures for the browser tests: one ``closer ui`` per module, Playwright, a fresh profile.

Every test here drives the real page in Debian's headless Chromium (marked ``browser``,
skipped without ``/usr/bin/chromium``).  A module that needs its server started differently
overrides ``server_options`` (arguments and environment for ``closer ui``), not ``server``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.browser import BROWSER_MARKS, UiServer, open_app, open_browser, shared_home

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A conftest's hook sees the whole session's items: mark only the ones in this folder.
    for item in items:
        if HERE in Path(str(item.path)).parents:
            for mark in BROWSER_MARKS:
                item.add_marker(mark)


@pytest.fixture(scope="module")
def server_options() -> dict[str, Any]:
    """``UiServer`` keyword arguments (``args``, ``env``): guided mode, a fresh token.
    ``own_home: True`` gives the module a data folder of its own (the page lists every
    conversation in its folder, so a module that counts them must not share one)."""
    return {}


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, server_options: dict[str, Any]
) -> Iterator[UiServer]:
    options = dict(server_options)
    own = options.pop("own_home", False)
    home = tmp_path_factory.mktemp("own") / "home" if own else shared_home(tmp_path_factory)
    ui = UiServer(home, **options)
    ui.start()
    yield ui
    ui.stop()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as driver:
        yield driver


@pytest.fixture
def context(playwright: Any, server: UiServer, tmp_path: Path) -> Iterator[Any]:
    """A browser with a fresh profile; the test fails if the page asks another host."""
    with open_browser(playwright, tmp_path / "profile", server.url) as (browser, _requests):
        yield browser


@pytest.fixture
def page(context: Any, server: UiServer) -> Any:
    """The page, opened at the printed address and ready for a message."""
    return open_app(context, server.address)
