"""A process killed during a conversation's very first reply (the kill loop never does that).

The session is registered before its first turn runs, so afterwards it is listed, holds no
half-written turn, the database is intact, and the conversation can go on from there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_closer
from tests.privacy_helpers import REPO

# Runs in a child process: the model's stream ends the process, no cleanup, after one piece.
CHILD = """
import os, sys
from assistant.config import load_settings
from tests.doubles import ScriptedModel
from graphs.runner import Conversation
from graphs.services import default_screener, open_services

class DiesMidReply(ScriptedModel):
    def stream(self, request, options):
        yield "I hear how "
        sys.stdout.write("streaming\\n"); sys.stdout.flush()
        os._exit(9)  # as abrupt as kill -9: no finally blocks, no atexit, no commit

settings = load_settings()
services = open_services(settings, model=DiesMidReply(["unused"]),
                         screener=default_screener(settings, semantic=False), retriever=None)
conversation = Conversation(services, thread_id="firstturn01")
for event in conversation.send("my chest is tight and I keep rehearsing what to say"):
    pass
"""


def test_a_kill_during_the_first_reply_leaves_a_listed_empty_session(closer_home: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**_env(), "CLOSER_HOME": str(closer_home)},
    )
    assert child.returncode == 9 and "streaming" in child.stdout, child.stderr

    from assistant.storage import Store

    store = Store(closer_home / "conversations.sqlite")
    try:
        sessions = store.list_sessions()
    finally:
        store.close()
    assert [s.id for s in sessions] == ["firstturn01"], sessions
    # Never the message without its reply: the row has no title until a turn is saved.
    assert sessions[0].title == ""
    assert b"my chest is tight" not in (closer_home / "conversations.sqlite").read_bytes()
    listed = run_closer("sessions", "list", home=closer_home)
    assert listed.returncode == 0 and "firstturn01" in listed.stdout, listed.stderr

    shown = run_closer("sessions", "show", "firstturn01", home=closer_home)
    assert shown.returncode == 0, shown.stderr
    assert "I hear how" not in shown.stdout  # the half reply was never saved

    import sqlite3

    with sqlite3.connect(closer_home / "conversations.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    script = closer_home.parent / "again.txt"
    script.write_text("my chest is tight and I keep rehearsing what to say\n", encoding="utf-8")
    resumed = run_closer(
        "chat", "--resume", "firstturn01", "--script", str(script), "--json", home=closer_home
    )
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout.splitlines()[0])["stage"] == "regulation"


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
