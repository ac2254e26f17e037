"""The page's HTML pieces and the ``closer ui`` command line, without a browser."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

from closer.ui import browser_secret
from closer.ui.session import as_text
from closer.ui.views import banner_html, model_label, resources_html, sources_html, stage_html
from tests.conftest import run_closer

LLAMA_FACTS = {"backend": "CPU", "threads": 2, "layers_offloaded": "0/3", "path": "/m/tiny.gguf"}


def test_stage_html_marks_exactly_the_current_step() -> None:
    page = stage_html("naming", session="abc", messages=4)
    assert re.findall(r"<li[^>]*aria-current=\"step\"[^>]*>(.*?)</li>", page) == [
        "<span class='num'>3</span> Naming"
    ]
    for label in ("Check-in", "Regulation", "Naming", "Request", "Plan", "Pause", "Support"):
        assert label in page
    paused = stage_html("pause", "request")
    assert 'aria-current="step" class="closer-side current">Pause' in paused
    assert "class=\"closer-step was\"><span class='num'>4</span> Request" in paused


def test_everything_shown_is_escaped() -> None:
    attack = "<img src=x onerror=alert(1)>"
    assert as_text(attack) == "&lt;img src=x onerror=alert(1)&gt;"
    cards = sources_html([{"id": "x", "title": attack, "source": "<b>s</b>"}])
    assert "<img" not in cards and "<b>" not in cards

    class Entry:
        name, how, purpose = attack, (("web", "javascript:alert(1)"),), "<i>p</i>"

    panel = resources_html("abuse", [Entry()], "2026-11-21")
    assert "<img" not in panel and "<i>" not in panel and "href" not in panel


def test_sources_mark_the_persons_own_note_and_hide_its_path() -> None:
    page = sources_html(
        [
            {"id": "c1", "title": "A card", "source": "Article one", "kind": "guidance"},
            {"id": "d1:0", "title": "note.md", "source": "/home/x/ui-cache/ab/note.md",
             "kind": "document"},
        ]
    )  # fmt: skip
    cards = re.findall(r"<li class='closer-card'[^>]*data-kind='(\w+)'>(.*?)</li>", page)
    assert [kind for kind, _ in cards] == ["guidance", "document"]
    assert "Article one" in cards[0][1] and "your note" not in cards[0][1]
    assert "note.md" in cards[1][1] and "your note" in cards[1][1]
    assert "ui-cache" not in page


def test_banner_names_the_model_or_says_how_to_add_one() -> None:
    guided = banner_html({"name": "guided", "backend": "guided", "detail": "", "note": ""})
    assert "Guided mode — no model loaded" in guided and "closer model pull" in guided
    assert model_label(LLAMA_FACTS) == "tiny.gguf · backend: CPU · threads: 2 · GPU layers: 0/3"
    http = model_label({"backend": "http", "url": "http://127.0.0.1:8080/v1", "server_model": "q"})
    assert http == "q · backend: http"


def test_browser_secret_survives_a_restart(tmp_path: Path) -> None:
    first = browser_secret(tmp_path)
    assert browser_secret(tmp_path) == first and len(first) >= 24
    assert (tmp_path / "ui-secret").stat().st_mode & 0o777 == 0o600


def test_ui_command_rejects_a_bad_port_plainly(closer_home: Path) -> None:
    result = run_closer(
        "ui", "--port", "70000", "--no-browser", home=closer_home, timeout=60, process=True
    )
    assert result.returncode == 2
    assert "is not a port" in result.stderr and "Traceback" not in result.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        taken = run_closer(
            "ui", "--port", port, "--no-browser", home=closer_home, timeout=60, process=True
        )
    assert taken.returncode == 2 and "another program is using it" in taken.stderr
    usage = run_closer("ui", "--help", home=closer_home, timeout=60)
    for flag in ("--port", "--model", "--model-url", "--no-browser"):
        assert flag in usage.stdout


def test_conversation_titles_dates_and_the_browsers_ids() -> None:
    from assistant.storage import SessionInfo
    from closer.ui import conversations

    assert conversations.short_title("my chest is tight when I bring it up") == (
        "my chest is tight when I…"
    )
    assert conversations.short_title("short one") == "short one"
    assert conversations.short_title("   ") == "(no words yet)"
    assert len(conversations.short_title("x" * 200)) <= conversations.TITLE_CHARS + 1
    now = time.mktime((2026, 12, 2, 15, 0, 0, 0, 0, -1))
    assert conversations.when(now - 3600, now) == "today, 14:00"
    assert conversations.when(now - 86400, now) == "1 Dec, 15:00"
    assert conversations.when(now - 400 * 86400, now).endswith("2025")
    # What a browser sends back is input: anything but a list of strings is dropped.
    assert conversations.remembered(None, "abc") == ["abc"]
    assert conversations.remembered(["a", 3, {"x": 1}, "b"], "a", "") == ["a", "b"]
    sessions = [SessionInfo("n", "newest", 1, 3), SessionInfo("o", "oldest", 1, 2)]
    assert conversations.mine_in_store(sessions, ["o", "gone"]) == [sessions[1]]
    assert [value for _label, value in conversations.choices(sessions)] == ["n", "o"]
