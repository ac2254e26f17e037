"""The web page, driven in headless Chromium against a real ``closer ui`` subprocess.

One server (guided mode, real safety screen, real knowledge base) serves the module; each
test gets a fresh browser profile, and every test fails if the page asks any host other
than the app's own for anything.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from tests.ui.browser import (
    CURRENT,
    LOADED,
    SETTLED,
    TURN_TIMEOUT,
    UiServer,
    bot_texts,
    current_step,
    open_app,
    open_browser,
    reply_lengths,
    save_screenshot,
    send,
    shown,
    user_texts,
    watch_reply_lengths,
)

STEPS = ["Check-in", "Regulation", "Naming", "Request", "Plan"]


def saved_sessions(server: UiServer) -> set[str]:
    with sqlite3.connect(f"file:{server.home / 'conversations.sqlite'}?mode=ro", uri=True) as db:
        return {row[0] for row in db.execute("SELECT id FROM closer_sessions")}


def test_server_listens_on_loopback_only(server: UiServer) -> None:
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.split(":")[1], 16) == server.port:
                listening.append(local.split(":")[0])
    assert listening == ["0100007F"], listening  # 127.0.0.1, and nothing else
    assert f"running at {server.url}?token=" in server.output()


def test_first_screen_steps_banner_keyboard_and_contrast(context: Any, server: UiServer) -> None:
    page = open_app(context, server.address)
    banner = page.inner_text("#closer-banner")
    assert "Guided mode — no model loaded" in banner and "closer model pull" in banner
    assert "closer ui --model PATH" in banner
    steps = [li.inner_text() for li in page.query_selector_all(".closer-step")]
    assert [re.sub(r"^\d+\s*", "", s).strip() for s in steps] == STEPS
    assert current_step(page).endswith("Check-in")
    box = page.locator("#closer-stage nav").bounding_box()
    assert box["y"] + box["height"] < 768 / 3  # near the top of a laptop screen

    page.focus("#closer-input textarea")
    reached = []
    for _ in range(25):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.innerText || ''").strip())
    for label in ("Send", "I need a pause", "New conversation", "Delete"):
        assert label in reached, reached
    assert page.is_disabled("#closer-export")  # nothing to export before the first turn
    page.focus("#closer-send")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert outline[0] != "none" and outline[1] >= 2, outline
    assert contrast(page, CURRENT) >= 4.5
    assert contrast(page, ".closer-step:not(.current)") >= 4.5
    assert contrast(page, "#closer-send") >= 4.5
    assert contrast(page, ".closer-banner") >= 4.5
    save_screenshot(page, "ui-first-screen.png")


def contrast(page: Any, selector: str) -> float:
    """WCAG contrast ratio between an element's text colour and its own background."""
    return page.evaluate(
        """(selector) => {
        const el = document.querySelector(selector);
        const s = getComputedStyle(el);
        const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number)
          .map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
        const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05); }""",
        selector,
    )


def test_streamed_reply_moves_the_stage_and_shows_sources(context: Any, server: UiServer) -> None:
    page = open_app(context, server.address)
    watch_reply_lengths(page)
    send(page, "my chest is tight, I keep rehearsing")
    growing = reply_lengths(page)
    final = len(bot_texts(page)[-1])
    assert len(growing) >= 3 and growing[0] < final, growing  # the reply arrived in pieces
    assert current_step(page).endswith("Regulation")
    cards = page.query_selector_all("#closer-sources .closer-card")
    assert cards, page.inner_html("#closer-sources")
    assert cards[0].query_selector("strong").inner_text()
    assert cards[0].query_selector(".closer-card-source").inner_text()

    send(page, "I breathed, I feel calmer")
    assert current_step(page).endswith("Naming")
    assert len(bot_texts(page)) == 2
    save_screenshot(page, "ui-main.png")


def test_typed_html_and_markdown_stay_text_and_empty_gets_an_answer(
    context: Any, server: UiServer
) -> None:
    page = open_app(context, server.address)
    attack = "<img src=x onerror=alert(1)> **bold** <script>alert(2)</script>"
    send(page, attack)
    assert user_texts(page)[-1] == attack
    assert page.query_selector_all("#closer-chat .message-content img") == []
    assert page.query_selector_all("#closer-chat .message-content strong") == []
    page.wait_for_timeout(300)
    assert page.dialogs == []

    send(page, "   ", expect=1)
    assert "Your message was empty" in bot_texts(page)[-1]


def test_pause_button_gives_a_return_plan(context: Any, server: UiServer) -> None:
    page = open_app(context, server.address)
    send(page, "my chest is tight, I keep rehearsing")
    before = shown(page)
    page.click("#closer-pause")
    page.wait_for_selector(f"#closer-stage nav[data-messages='{before + 2}']", timeout=TURN_TIMEOUT)
    assert current_step(page) == "Pause"
    assert user_texts(page)[-1] == "I need a pause"
    assert re.search(r"\bback\b", bot_texts(page)[-1]), bot_texts(page)[-1]


def test_export_downloads_the_plan_as_markdown(context: Any, server: UiServer) -> None:
    page = open_app(context, server.address)
    send(page, "my chest is tight, I keep rehearsing")
    # The controls unlock after the list refresh that follows the turn (slow on a busy
    # machine); a disabled export button is skipped by Tab.
    page.wait_for_selector("#closer-export:not([disabled])", timeout=60_000)
    page.wait_for_selector("#closer-stop:disabled", timeout=60_000)  # the reply has settled
    page.focus("#closer-new")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "closer-export"
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.endswith(".md")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith("# My plan for the conversation")
    assert page.get_attribute("#closer-stage nav", "data-session") in text


def test_two_browsers_stay_isolated_and_reload_resumes(
    playwright: Any, server: UiServer, tmp_path: Path
) -> None:
    with (
        open_browser(playwright, tmp_path / "a", server.url) as (first, _),
        open_browser(playwright, tmp_path / "b", server.url) as (second, _),
    ):
        page_a = open_app(first, server.address)
        send(page_a, "only browser A knows about the blue kettle")
        page_b = open_app(second, server.address)
        assert user_texts(page_b) == []
        send(page_b, "browser B is thinking about the red door")
        session_a = page_a.get_attribute("#closer-stage nav", "data-session")
        assert session_a != page_b.get_attribute("#closer-stage nav", "data-session")
        page_a.reload()
        page_a.wait_for_selector(LOADED)
        assert page_a.get_attribute("#closer-stage nav", "data-session") == session_a
        assert user_texts(page_a) == ["only browser A knows about the blue kettle"]
        assert len(bot_texts(page_a)) == 1
        page_b.reload()
        page_b.wait_for_selector(LOADED)
        assert user_texts(page_b) == ["browser B is thinking about the red door"]


def test_abuse_shows_resources_that_stay_for_the_session(context: Any, server: UiServer) -> None:
    page = open_app(context, server.address)
    assert not page.is_visible("#closer-help .closer-resources")
    send(page, "he hit me last night and I'm scared to go home")
    panel = page.locator("#closer-help .closer-resources")
    assert panel.is_visible()
    assert panel.locator("li").count() >= 1
    assert current_step(page) == "Support"
    page.reload()
    page.wait_for_selector(LOADED)
    assert page.locator("#closer-help .closer-resources").is_visible()
    send(page, "ok, thank you")
    assert page.locator("#closer-help .closer-resources").is_visible()
    save_screenshot(page, "ui-escalation.png")


def test_new_and_delete_conversation(context: Any, server: UiServer) -> None:
    page = open_app(context, server.address)
    send(page, "my chest is tight, I keep rehearsing")
    first = page.get_attribute("#closer-stage nav", "data-session")
    assert first in saved_sessions(server)
    page.click("#closer-new")
    page.wait_for_selector(f"#closer-stage nav:not([data-session='{first}'])")
    assert user_texts(page) == [] and first in saved_sessions(server)
    send(page, "a second conversation")
    second = page.get_attribute("#closer-stage nav", "data-session")
    page.click("#closer-delete")
    page.click("#closer-delete-yes")
    page.wait_for_selector(f"#closer-stage nav:not([data-session='{second}'])")
    assert user_texts(page) == []
    assert second not in saved_sessions(server)
    page.reload()
    page.wait_for_selector(LOADED)
    assert user_texts(page) == []


def test_a_later_server_start_resumes_the_conversation(context: Any, server: UiServer) -> None:
    page = open_app(context, server.address)
    send(page, "my chest is tight, I keep rehearsing")
    before = server.address
    server.restart()
    assert server.address != before  # a fresh token at every start
    page.reload()  # the old address and cookie open nothing now
    assert "needs its page token" in page.inner_text("body")
    page.goto(server.address)  # the newly printed one, as the person would
    page.wait_for_selector(LOADED, timeout=60_000)
    assert user_texts(page) == ["my chest is tight, I keep rehearsing"]
    assert current_step(page).endswith("Regulation")


def test_the_person_chooses_whose_side_a_new_conversation_is_for(
    context: Any, server: UiServer
) -> None:
    page = open_app(context, server.address)
    page.click("#closer-new")
    page.wait_for_selector(SETTLED, timeout=60_000)
    choice = "#closer-perspective"
    assert page.is_enabled(f"{choice} input[value='supporter']")
    page.check(f"{choice} input[value='supporter']")
    send(page, "my girlfriend keeps pulling away and I want to help her")
    session = page.get_attribute("#closer-stage nav", "data-session")
    from assistant.config import Settings
    from graphs.runner import Conversation
    from graphs.services import open_history

    services = open_history(Settings(home=server.home))
    try:
        assert Conversation(services, thread_id=session).state().get("perspective") == "supporter"
    finally:
        services.store.close()
    # Fixed once the conversation has begun; a new one starts from the default again.
    page.wait_for_selector(f"{choice} input[value='supporter']:checked")
    assert not page.is_enabled(f"{choice} input[value='self']")
    page.click("#closer-new")
    page.wait_for_selector(f"{choice} input[value='self']:checked", timeout=30_000)
