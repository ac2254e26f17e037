"""One turn at a time per conversation: a pause, a delete or another message fired while a
reply streams waits for it (threads in one process, as the page runs them, and processes, as
the page and a CLI are), so no turn is lost and a delete leaves nothing behind."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.doubles import SlowScriptedModel

REPLY = "Let's slow down together. What do you notice in your body right now, as you sit?"
SECRET = "Pangolinquetzal"  # a word nobody else types, to look for on disk


@pytest.fixture
def slow_services(settings):  # noqa: ANN001, ANN201
    from graphs.services import default_screener, open_services

    model = SlowScriptedModel([REPLY])
    services = open_services(
        settings, model=model, screener=default_screener(settings, semantic=False), retriever=None
    )
    yield services, model
    services.store.close()


def _in_thread(target, *args) -> tuple[threading.Thread, dict]:  # noqa: ANN001
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = target(*args)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            box["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def _rows(db: Path, thread_id: str) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT count(*) FROM checkpoints WHERE thread_id = ?", (thread_id,)
        ).fetchone()[0]


def _start_streaming(services, model, text: str):  # noqa: ANN001, ANN202
    """A saved conversation with one turn, and its second turn left streaming."""
    from graphs.runner import Conversation

    model.release()
    conversation = Conversation(services)
    conversation.turn(f"my chest is tight when I think about {SECRET}")
    model._go.clear()  # noqa: SLF001 - the next reply stops after its first piece
    model.streaming.clear()
    streaming = _in_thread(conversation.turn, text)
    assert model.streaming.wait(10), "the reply never started streaming"
    return conversation, streaming


def test_a_pause_fired_while_a_reply_streams_waits_and_no_turn_is_lost(slow_services) -> None:  # noqa: ANN001
    from graphs.runner import Conversation

    services, model = slow_services
    conversation, (stream_thread, streamed) = _start_streaming(
        services, model, "I keep rehearsing what I will say to her"
    )
    pause_thread, paused = _in_thread(
        Conversation(services, conversation.thread_id).turn, "I need a pause"
    )
    second_thread, second = _in_thread(
        Conversation(services, conversation.thread_id).turn, "and my hands are cold"
    )
    time.sleep(0.4)
    assert pause_thread.is_alive() and second_thread.is_alive()  # both wait for the turn
    model.release()
    for thread in (stream_thread, pause_thread, second_thread):
        thread.join(30)
    assert not any("error" in box for box in (streamed, paused, second)), (paused, second)

    users = [m["content"] for m in conversation.history() if m["role"] == "user"]
    assert users[:2] == [
        f"my chest is tight when I think about {SECRET}",
        "I keep rehearsing what I will say to her",
    ]
    assert sorted(users[2:]) == sorted(["I need a pause", "and my hands are cold"])
    assert conversation.state()["turn"] == 4  # four turns, each saved once, none lost
    assert {streamed["value"].turn, paused["value"].turn, second["value"].turn} == {2, 3, 4}


def test_a_delete_fired_while_a_reply_streams_leaves_nothing(slow_services) -> None:  # noqa: ANN001
    from graphs.runner import Conversation

    services, model = slow_services
    db = services.settings.db_path
    conversation, (stream_thread, streamed) = _start_streaming(
        services, model, f"and {SECRET} again, my jaw is clenched"
    )
    late = Conversation(services, conversation.thread_id)  # a page tab that still shows it
    delete_thread, deleted = _in_thread(services.store.delete, conversation.thread_id)
    time.sleep(0.4)
    assert delete_thread.is_alive()  # the delete waits for the streaming turn
    assert _rows(db, conversation.thread_id) > 0
    model.release()
    stream_thread.join(30)
    delete_thread.join(30)
    assert streamed["value"].turn == 2 and deleted["value"] is True

    # A message (or a pause) on the deleted conversation is answered and writes nothing.
    answer = late.turn("I need a pause")
    assert "deleted" in answer.reply and "not saved" in answer.reply
    assert not services.store.exists(conversation.thread_id)
    assert _rows(db, conversation.thread_id) == 0
    assert services.store.list_sessions() == []
    for suffix in ("", "-wal", "-shm"):
        file = db.with_name(db.name + suffix)
        assert not file.exists() or SECRET.encode() not in file.read_bytes(), suffix


def test_a_delete_in_another_process_waits_for_the_turn_lock(tmp_path: Path) -> None:
    """The page and `closer sessions delete` are different processes: the lock holds across."""
    from assistant.storage import TurnLocks

    lock_file = tmp_path / "conversations.sqlite.lock"
    locks = TurnLocks(lock_file)
    holder = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})
        from pathlib import Path
        from assistant.storage import TurnLocks
        locks = TurnLocks(Path({str(lock_file)!r}))
        with locks.hold("abc123"):
            print("held", flush=True)
            time.sleep(1.0)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "held"
        with locks.hold("other-id", timeout=0.2) as other:
            assert other  # another conversation is not held up
        with locks.hold("abc123", timeout=0.2) as got:
            assert not got  # the other process has it
        started = time.monotonic()
        with locks.hold("abc123") as got:
            assert got and time.monotonic() - started > 0.3  # waited for the other process
    finally:
        process.wait(10)
        locks.close()
