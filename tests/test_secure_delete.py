"""Deletes that leave nothing, whatever the SQLite build: the raw bytes of the database, its
write-ahead log and its shared-memory file are read while the store is still open (as the
page keeps it), after deleting one of two conversations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

DOOMED = "Axolotlvindaloo"  # words nobody else types, to look for in raw bytes
KEPT = "Narwhalbriquette"


def _files(db: Path) -> dict[str, bytes]:
    return {
        suffix or "db": db.with_name(db.name + suffix).read_bytes()
        for suffix in ("", "-wal", "-shm")
        if db.with_name(db.name + suffix).exists()
    }


def _talk(services, words: str) -> str:  # noqa: ANN001
    from graphs.runner import Conversation

    conversation = Conversation(services)
    conversation.turn(f"my chest is tight when I think about {words}")
    conversation.turn(f"I breathed slowly and I feel calmer about {words} now")
    return conversation.thread_id


@pytest.fixture
def build_without_secure_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new connection starts with secure_delete off, as on builds compiled without
    SQLITE_SECURE_DELETE (Debian's has it on, which would hide a missing pragma)."""
    real_connect = sqlite3.connect

    def connect(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        connection = real_connect(*args, **kwargs)
        connection.execute("PRAGMA secure_delete=OFF")
        return connection

    monkeypatch.setattr(sqlite3, "connect", connect)


def test_the_grep_finds_deleted_words_when_secure_delete_is_off(
    tmp_path: Path, build_without_secure_delete: None
) -> None:
    """The control: without the pragma a delete leaves the words, so the test below can fail."""
    db = tmp_path / "plain.sqlite"
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (body TEXT)")
    connection.execute("INSERT INTO t VALUES (?)", (f"about {DOOMED} " * 20,))
    connection.commit()
    connection.execute("DELETE FROM t")
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert connection.execute("PRAGMA secure_delete").fetchone()[0] == 0
    assert any(DOOMED.encode() in data for data in _files(db).values())
    connection.close()


def test_deleting_one_of_two_conversations_leaves_no_bytes_of_it(
    settings, build_without_secure_delete: None
) -> None:  # noqa: ANN001
    from assistant.coaching.guided import GuidedComposer
    from graphs.services import default_screener, open_services

    services = open_services(
        settings,
        model=GuidedComposer(),
        screener=default_screener(settings, semantic=False),
        retriever=None,
    )
    store = services.store
    try:
        # The pragma's effect, read back from the connection the checkpointer writes with.
        assert store.saver.conn is store.conn
        assert store.saver.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
        doomed, kept = _talk(services, DOOMED), _talk(services, KEPT)
        before = _files(store.path)
        assert any(DOOMED.encode() in data for data in before.values())  # it was written

        assert store.delete(doomed) is True
        after = _files(store.path)
        assert after.get("-wal", b"") == b""  # checkpointed and truncated
        for name, data in after.items():
            assert DOOMED.encode() not in data, f"{name} still holds the deleted words"
        assert any(KEPT.encode() in data for data in after.values())
        assert [info.id for info in store.list_sessions()] == [kept]
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()


def test_forget_everything_also_truncates_the_log(settings, build_without_secure_delete) -> None:  # noqa: ANN001
    from assistant.coaching.guided import GuidedComposer
    from graphs.services import default_screener, open_services

    services = open_services(
        settings,
        model=GuidedComposer(),
        screener=default_screener(settings, semantic=False),
        retriever=None,
    )
    try:
        _talk(services, DOOMED)
        _talk(services, KEPT)
        assert services.store.delete_all() == 2
        after = _files(services.store.path)
        assert after.get("-wal", b"") == b""
        for data in after.values():
            assert DOOMED.encode() not in data and KEPT.encode() not in data
    finally:
        services.store.close()
