"""Every way of deleting a conversation made in the page leaves none of its words behind.

For each door (the page's Delete button, ``closer sessions delete`` with the page running
and with it stopped, ``closer forget --all``), a distinctive phrase typed in the page is
looked for in every byte under the data folder afterwards, and the page's plan download for
that conversation answers 404.  The module has its own data folder and server.
"""

from __future__ import annotations

import http.client
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_closer
from tests.test_privacy_delete import files_containing
from tests.ui.browser import (
    BROWSER_MARKS,
    LOADED,
    SETTLED,
    TURN_TIMEOUT,
    UiServer,
    open_browser,
    send,
)

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def server_options() -> dict[str, Any]:
    return {"own_home": True}  # the list shows every conversation in its folder


def plan_status(server: UiServer, thread_id: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        headers = {"Host": f"127.0.0.1:{server.port}", "Authorization": f"token {server.token}"}
        connection.request("GET", f"/plan/{thread_id}.md", headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def talk_in_page(playwright: Any, server: UiServer, profile: Path, phrase: str) -> tuple:
    """Open the page, say ``phrase`` in a new conversation; (context, page, thread id)."""
    context = open_browser(playwright, profile, server.url)
    browser, _requests = context.__enter__()
    page = browser.new_page()
    page.goto(server.address)
    page.wait_for_selector(LOADED, timeout=60_000)
    page.wait_for_selector(SETTLED, timeout=60_000)
    send(page, f"my chest is tight when I think about {phrase}")
    page.wait_for_selector(SETTLED, timeout=TURN_TIMEOUT)
    with page.expect_download() as download:  # the person exports the plan once
        page.click("#closer-export")
    assert download.value.suggested_filename.endswith(".md")
    thread_id = page.get_attribute("#closer-stage nav", "data-session")
    assert plan_status(server, thread_id) == 200
    return context, page, thread_id


def assert_gone(server: UiServer, phrase: str) -> None:
    assert files_containing(server.home, phrase) == []


def test_the_page_delete_button(playwright: Any, server: UiServer, tmp_path: Path) -> None:
    phrase = "Porcupinequill"
    context, page, thread_id = talk_in_page(playwright, server, tmp_path / "a", phrase)
    try:
        assert files_containing(server.home, phrase)  # it was saved
        page.click("#closer-delete")
        page.click("#closer-delete-yes")
        page.wait_for_selector("#closer-stage nav[data-messages='0']", timeout=TURN_TIMEOUT)
        page.wait_for_selector(SETTLED, timeout=TURN_TIMEOUT)
    finally:
        context.__exit__(None, None, None)
    assert_gone(server, phrase)
    assert plan_status(server, thread_id) == 404


def test_sessions_delete_with_the_page_running(
    playwright: Any, server: UiServer, tmp_path: Path
) -> None:
    phrase = "Marmalardine"
    context, _page, thread_id = talk_in_page(playwright, server, tmp_path / "b", phrase)
    try:
        result = run_closer("sessions", "delete", thread_id, home=server.home)
        assert result.returncode == 0, result.stderr
    finally:
        context.__exit__(None, None, None)
    assert_gone(server, phrase)
    assert plan_status(server, thread_id) == 404


def test_sessions_delete_and_forget_with_the_page_stopped(
    playwright: Any, server: UiServer, tmp_path: Path
) -> None:
    one, other = "Quillblossom", "Fennelwhistle"
    context, _page, first = talk_in_page(playwright, server, tmp_path / "c", one)
    context.__exit__(None, None, None)
    context, _page, second = talk_in_page(playwright, server, tmp_path / "d", other)
    context.__exit__(None, None, None)
    server.stop()
    try:
        result = run_closer("sessions", "delete", first, home=server.home)
        assert result.returncode == 0, result.stderr
        assert_gone(server, one)
        assert files_containing(server.home, other)  # only the one asked for
        result = run_closer("forget", "--all", "--yes", home=server.home)
        assert result.returncode == 0, result.stderr
        assert_gone(server, other)
    finally:
        server.start()
    assert plan_status(server, first) == 404 and plan_status(server, second) == 404
