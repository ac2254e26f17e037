"""The page lists every conversation in the data folder: one begun with ``closer chat`` is
listed (first words, date, whose side, where it began), opens, and is deleted after the
confirmation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.storage import SessionInfo
from closer.ui.conversations import label
from tests.conftest import run_closer
from tests.test_privacy_delete import files_containing
from tests.ui.browser import (
    BROWSER_MARKS,
    LOADED,
    SETTLED,
    TURN_TIMEOUT,
    UiServer,
    open_browser,
    user_texts,
)

LIST_ITEMS = "#closer-list label"
SAID = "talking with Rowan about the Saffronkettle weekend scares me"


def test_the_label_says_whose_side_and_where_it_began() -> None:
    now = 1_700_000_000.0
    info = SessionInfo("a" * 12, "my words here", now, now, "terminal", "supporter")
    assert label(info, now).split(" · ")[2:] == ["supporting them", "terminal"]
    older = SessionInfo("b" * 12, "older words", now, now)  # a row from before the columns
    assert label(older, now).split(" · ")[2:] == ["for you"]


@pytest.fixture(scope="module")
def server_options() -> dict[str, Any]:
    return {"own_home": True}  # the list shows every conversation in its folder


@BROWSER_MARKS[0]  # the label test above needs no browser
@BROWSER_MARKS[1]
def test_a_terminal_conversation_is_listed_opens_and_deletes_in_the_page(
    playwright: Any, server: UiServer, tmp_path: Path
) -> None:
    chat = run_closer(
        "chat", "--script", "-", "--json", "--perspective", "supporter",
        home=server.home, stdin=SAID + "\n",
    )  # fmt: skip
    assert chat.returncode == 0, chat.stderr
    thread_id = json.loads(chat.stdout.splitlines()[0])["session"]
    with open_browser(playwright, tmp_path / "profile", server.url) as (context, _requests):
        page = context.new_page()
        page.goto(server.address)
        page.wait_for_selector(LOADED, timeout=60_000)
        page.wait_for_selector(SETTLED, timeout=60_000)
        item = page.locator(LIST_ITEMS, has_text="Saffronkettle")
        text = item.inner_text()
        assert text.startswith("talking with Rowan about the Saffronkettle")
        assert "supporting them" in text and "terminal" in text and "today" in text
        item.click()
        page.wait_for_selector(f"#closer-stage nav[data-session='{thread_id}']")
        page.wait_for_selector(SETTLED, timeout=TURN_TIMEOUT)
        assert user_texts(page) == [SAID]
        page.click("#closer-delete")
        question = page.inner_text("#closer-confirm-text")
        assert "talking with Rowan" in question
        page.click("#closer-delete-yes")
        page.wait_for_selector(f"#closer-stage nav:not([data-session='{thread_id}'])")
        page.wait_for_selector(SETTLED, timeout=TURN_TIMEOUT)
        assert page.locator(LIST_ITEMS, has_text="Saffronkettle").count() == 0
    assert files_containing(server.home, "Saffronkettle") == []
    listed = run_closer("sessions", "list", home=server.home)
    assert thread_id not in listed.stdout
