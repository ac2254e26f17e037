"""Where conversations live: LangGraph's SQLite checkpointer plus a small sessions table.

One SQLite file in the data dir, created 0600 (SQLite gives its -wal and -shm files the
same mode).  WAL journaling plus one checkpoint per finished turn means a killed process
loses at most the turn it was writing, never an earlier one.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from assistant.config import FILE_MODE, secure_file

_SCHEMA = """
CREATE TABLE IF NOT EXISTS closer_sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL
)
"""


@dataclass(frozen=True)
class SessionInfo:
    id: str
    title: str
    created: float
    updated: float


def _create_private(path: Path) -> None:
    """Create the database file with owner-only permissions before SQLite opens it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE)
    os.close(fd)
    secure_file(path)


class Store:
    """The checkpointer and the session index, sharing one connection and one lock."""

    def __init__(self, db_path: Path) -> None:
        from langgraph.checkpoint.sqlite import SqliteSaver  # lazy: heavy import

        self.path = Path(db_path)
        _create_private(self.path)
        self.conn = sqlite3.connect(self.path, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute(_SCHEMA)
        self.conn.commit()
        self.saver = SqliteSaver(self.conn)
        self.saver.setup()
        # One lock for the shared connection: the saver's own, so our writes never interleave.
        self._lock = self.saver.lock
        for suffix in ("-wal", "-shm"):
            secure_file(self.path.with_name(self.path.name + suffix))

    @staticmethod
    def new_session_id() -> str:
        return uuid.uuid4().hex[:12]

    def touch(self, session_id: str, title: str = "") -> None:
        """Record that a session had a turn; the first message becomes its title."""
        now = time.time()
        with self._lock:
            self.conn.execute(
                "INSERT INTO closer_sessions (id, title, created, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET updated = excluded.updated, "
                "title = CASE WHEN closer_sessions.title = '' THEN excluded.title "
                "ELSE closer_sessions.title END",
                (session_id, title[:60], now, now),
            )
            self.conn.commit()

    def list_sessions(self) -> list[SessionInfo]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT id, title, created, updated FROM closer_sessions ORDER BY updated DESC"
            ).fetchall()
        return [SessionInfo(*row) for row in rows]

    def exists(self, session_id: str) -> bool:
        with self._lock:
            row = self.conn.execute(
                "SELECT 1 FROM closer_sessions WHERE id = ?", (session_id,)
            ).fetchone()
        return row is not None

    def delete(self, session_id: str) -> bool:
        """Remove a conversation: its checkpoints and its index row.  True if it existed."""
        existed = self.exists(session_id)
        self.saver.delete_thread(session_id)
        with self._lock:
            self.conn.execute("DELETE FROM closer_sessions WHERE id = ?", (session_id,))
            self.conn.commit()
        return existed

    def delete_all(self) -> int:
        sessions = self.list_sessions()
        for info in sessions:
            self.delete(info.id)
        with self._lock:
            self.conn.commit()
            self.conn.execute("VACUUM")
        return len(sessions)

    def close(self) -> None:
        self.conn.close()
