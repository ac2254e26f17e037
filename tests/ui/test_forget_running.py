"""``closer forget --all`` while the page is open: the page starts clean and the next
message is answered normally (no error, no locked controls), and nothing said before the
forget is left in the data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from closer.ui.session import ERROR_REPLY
from tests.conftest import run_closer
from tests.test_privacy_delete import files_containing
from tests.ui.browser import (
    BROWSER_MARKS,
    LOADED,
    SETTLED,
    TURN_TIMEOUT,
    UiServer,
    bot_texts,
    open_browser,
    send,
    user_texts,
)

pytestmark = BROWSER_MARKS

BEFORE = "the Lanternmoth evening still bothers me"
AFTER = "my chest is tight when I think about talking tonight"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    home = tmp_path_factory.mktemp("forget-running") / "home"
    home.mkdir(mode=0o700)
    stale = home / "ui-open.html"  # what a killed `closer ui` left, with its token
    stale.write_text("<meta http-equiv='refresh' content='0;url=http://127.0.0.1:1/?token=x'>")
    ui = UiServer(home)
    ui.start()
    assert not stale.exists()  # a start removes it
    yield ui
    ui.stop()


def test_the_next_message_after_forget_is_answered(
    playwright: Any, server: UiServer, tmp_path: Path
) -> None:
    with open_browser(playwright, tmp_path / "profile", server.url) as (context, _requests):
        page = context.new_page()
        page.goto(server.address)
        page.wait_for_selector(LOADED, timeout=60_000)
        page.wait_for_selector(SETTLED, timeout=60_000)
        send(page, BEFORE)
        page.wait_for_selector(SETTLED, timeout=TURN_TIMEOUT)
        result = run_closer("forget", "--all", "--yes", home=server.home)
        assert result.returncode == 0, result.stderr
        assert files_containing(server.home, "Lanternmoth") == []
        # The page still shows the forgotten conversation; the next message starts clean.
        page.fill("#closer-input textarea", AFTER)
        page.press("#closer-input textarea", "Enter")
        page.wait_for_function(
            """() => { const users = document.querySelectorAll('#closer-chat [data-testid=user]');
              const bots = document.querySelectorAll('#closer-chat [data-testid=bot]');
              return users.length === 1 && users[0].innerText.includes('talking tonight')
                && bots.length === 1 && bots[0].innerText.trim(); }""",
            timeout=TURN_TIMEOUT,
        )
        page.wait_for_selector(SETTLED, timeout=TURN_TIMEOUT)
        assert ERROR_REPLY not in " ".join(bot_texts(page))
        assert user_texts(page) == [AFTER]  # it began again, clean
        assert bot_texts(page)[-1].strip()
        assert not page.is_disabled("#closer-send")
    assert files_containing(server.home, "Lanternmoth") == []
    listed = run_closer("sessions", "list", home=server.home)
    assert "my chest is tight" in listed.stdout
