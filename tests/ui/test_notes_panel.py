"""The "Your notes" panel in headless Chromium (issue 15, part 3): an uploaded .md note is
listed, a related message's sources show it as the person's own, removing it (after a
confirmation that names it) takes it off the list, and an empty upload is refused plainly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from closer.ui.texts import ui_text
from tests.ui.browser import UiServer, save_screenshot

UPLOAD = "#closer-notes-upload input[type=file]"
NOTE = (
    "# When we fight about money\n"
    "When Sam and I argue about money and the rent, I go silent and leave the room. What "
    "helps me: a short walk, then I text Sam that I will come back in twenty minutes to talk "
    "about the budget.\n"
)
RELATED = "we argued about money and the rent again and I went silent"  # 0.54 against NOTE


def open_panel(page: Any) -> None:
    page.click("#closer-notes button:has-text('Your notes')")
    page.wait_for_selector(UPLOAD, state="attached", timeout=30_000)


def status(page: Any, expected: str) -> str:
    """Wait for the panel's status line to say ``expected``; return the whole line."""
    page.wait_for_function(
        "text => (document.querySelector('#closer-notes-status [role=status]') || {})"
        ".innerText?.includes(text)",
        arg=expected,
        timeout=60_000,
    )
    return page.inner_text("#closer-notes-status")


def listed(page: Any) -> list[str]:
    return [item.inner_text() for item in page.query_selector_all("#closer-notes-list li")]


def test_a_note_is_added_shown_as_a_source_and_removed(
    page: Any, server: UiServer, tmp_path: Path
) -> None:
    note = tmp_path / "money-note.md"
    note.write_text(NOTE, encoding="utf-8")
    open_panel(page)
    page.set_input_files(UPLOAD, str(note))
    assert "money-note.md" in status(page, "Added")
    page.wait_for_selector("#closer-notes-list li[data-doc]", timeout=30_000)
    (entry,) = listed(page)
    assert "money-note.md" in entry and "added 20" in entry  # its name and the date added
    assert not list((server.home / "ui-cache").rglob("money-note.md"))  # no copy left behind

    page.fill("#closer-input textarea", RELATED)
    page.press("#closer-input textarea", "Enter")
    mine = page.wait_for_selector(
        "#closer-sources li[data-kind='document']", timeout=180_000
    )  # the first turn may load the embedder
    assert "money-note.md" in mine.inner_text()
    assert ui_text("notes", "source_label") in mine.inner_text()  # marked as theirs
    assert page.query_selector("#closer-sources li[data-kind='guidance']")  # beside the cards
    save_screenshot(page, "ui-notes-source.png")

    page.click("#closer-notes-choice input")
    page.click("[role=option]:has-text('money-note.md')")
    page.click("#closer-notes-remove")
    page.wait_for_selector("#closer-notes-confirm", state="visible", timeout=30_000)
    assert "money-note.md" in page.inner_text("#closer-notes-question")
    page.click("#closer-notes-yes")
    assert "money-note.md" in status(page, "Removed")
    page.wait_for_selector("#closer-notes-empty", timeout=30_000)
    assert listed(page) == []


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "contains no text"),
        ("blank.md", b"  \n\n ", "contains no text"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    ],
)
def test_an_empty_or_binary_upload_is_refused_and_changes_nothing(
    page: Any, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    open_panel(page)
    before = listed(page)
    page.set_input_files(UPLOAD, str(bad))
    line = status(page, "Not added")
    assert name in line and reason in line and "Nothing was changed" in line
    assert "ui-cache" not in line  # the temporary copy's path is not shown
    assert listed(page) == before
