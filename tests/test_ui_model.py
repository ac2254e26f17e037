"""The web page with a real GGUF model: a tiny random-weight llama loaded by llama.cpp.

The replies are nonsense (random weights), so this checks the plumbing a person relies on:
the banner names the model and backend, the reply streams into the page, and the turn
finishes with the stage moved, whatever the output guard makes of the text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import (
    BROWSER_MARKS,
    UiServer,
    open_browser,
    reply_lengths,
    save_screenshot,
    shared_home,
    watch_reply_lengths,
)
from tests.test_ui_browser import LOADED, bot_texts, current_step, send

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = [*BROWSER_MARKS, pytest.mark.slow]


@pytest.fixture(scope="module")
def model_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    from benchmarks.tiny_gguf import write_tiny_llama

    model = tmp_path_factory.mktemp("model") / "tiny-chat.gguf"
    write_tiny_llama(model)
    ui = UiServer(shared_home(tmp_path_factory), args=("--model", str(model)))
    ui.start()
    yield ui
    ui.stop()


def test_banner_names_the_model_and_the_reply_streams(
    model_server: UiServer, tmp_path: Path
) -> None:
    with (
        sync_api.sync_playwright() as driver,
        open_browser(driver, tmp_path / "profile", model_server.url) as (context, _),
    ):
        page = context.new_page()
        page.goto(model_server.address)
        page.wait_for_selector(LOADED, timeout=60_000)
        banner = page.inner_text("#closer-banner")
        assert "tiny-chat.gguf" in banner and "backend: CPU" in banner, banner
        assert "Guided mode" not in banner
        watch_reply_lengths(page)
        send(page, "my chest is tight, I keep rehearsing")
        lengths = reply_lengths(page)
        # Random weights write noise, which the sentence gate never lets through: the guided
        # reply is shown instead; why is kept in the turn's ``fallback``, not shown to the
        # person as jargon (streaming model text through the page is tested against a slow
        # endpoint in test_ui_conversations.py).
        notices = page.inner_text("#closer-notices")
        assert lengths and "built-in guidance" not in notices, (lengths, notices)
        assert bot_texts(page)[-1].strip()
        assert current_step(page).endswith("Regulation")
        save_screenshot(page, "ui-model.png")
