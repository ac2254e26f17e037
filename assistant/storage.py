"""Where conversations live: LangGraph's SQLite checkpointer plus a small sessions table.

One SQLite file in the data dir, created 0600 (SQLite gives its -wal and -shm files the
same mode).  WAL journaling plus one checkpoint per finished turn means a killed process
loses at most the turn it was writing, never an earlier one.

Deletes leave nothing: the connection (which the checkpointer shares) runs with
``secure_delete`` on, whatever the SQLite build's default, so deleted rows are overwritten
with zeros; after a delete the write-ahead log is checkpointed and truncated, so the old
frames that still held the words are gone from the ``-wal`` file too.

One turn at a time per conversation: ``turn_lock`` is held by a turn, a delete and a read of
a conversation, across threads of this process and across processes (the page and a CLI).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.config import FILE_MODE, ConfigError, secure_file

log = logging.getLogger("closer.storage")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS closer_sessions (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL
)
"""


class StorageError(ConfigError):
    """The data folder cannot be written (read-only, full): the message says what to do.
    A ``ConfigError``, so every entry point prints it as one line, like a bad setting."""


class DamagedDatabase(StorageError):
    """The conversation database is not readable SQLite; found before anything is written."""


# Added to older files when they are opened: where a conversation was started ("page",
# "terminal") and whose side it is for, so a list can say so without reading every thread.
_EXTRA_COLUMNS = ("origin", "perspective")


@dataclass(frozen=True)
class SessionInfo:
    id: str
    title: str
    created: float
    updated: float
    origin: str = ""
    perspective: str = ""


def _create_private(path: Path) -> None:
    """Create a file with owner-only permissions before SQLite (or a lock) opens it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE)
    os.close(fd)
    secure_file(path)


def connect_private(path: Path) -> sqlite3.Connection:
    """A connection with ``secure_delete`` on (checked, not assumed) and WAL journaling."""
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.execute("PRAGMA secure_delete=ON")
    if conn.execute("PRAGMA secure_delete").fetchone()[0] != 1:
        conn.close()
        raise StorageError(f"{path}: this SQLite cannot overwrite deleted data; not opened.")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def open_failure(path: Path, error: Exception) -> StorageError:
    """What a person reads when the data folder refuses a write."""
    text = str(error).lower()
    if "full" in text or isinstance(error, OSError) and error.errno == 28 or _no_space(path):
        why = "the disk holding it is full; free some space and try again"
    elif "readonly" in text or "read-only" in text or isinstance(error, PermissionError):
        why = "it is read-only; make it writable (or choose another with --home) and try again"
    else:
        why = f"it cannot be written ({error})"
    return StorageError(f"Could not save to {path.parent}: {why}. Nothing saved before was lost.")


def _add_columns(conn: sqlite3.Connection) -> None:
    have = {row[1] for row in conn.execute("PRAGMA table_info(closer_sessions)")}
    for column in _EXTRA_COLUMNS:
        if column not in have:
            conn.execute(
                f"ALTER TABLE closer_sessions ADD COLUMN {column} TEXT NOT NULL DEFAULT ''"
            )


def _no_space(path: Path) -> bool:
    """SQLite says "disk I/O error" when it cannot even create its -shm file: ask the disk."""
    try:
        return shutil.disk_usage(path.parent).free < 1 << 20
    except OSError:
        return False


class TurnLocks:
    """A lock per conversation: a ``threading.Lock`` inside this process (released from any
    thread, as the page resumes a streaming turn on different worker threads) and a POSIX
    byte-range lock on one empty file across processes (one byte per thread id's hash)."""

    def __init__(self, lock_path: Path) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._registry = threading.Lock()
        self._fd: int | None = None
        try:
            _create_private(lock_path)
            self._fd = os.open(lock_path, os.O_RDWR)
        except OSError as error:  # a read-only folder: this process still serialises
            log.warning("no cross-process turn lock (%s)", error)

    def _lock(self, thread_id: str) -> threading.Lock:
        with self._registry:
            return self._locks.setdefault(thread_id, threading.Lock())

    @staticmethod
    def _offset(thread_id: str) -> int:
        return int(hashlib.sha256(thread_id.encode()).hexdigest()[:7], 16)

    @contextlib.contextmanager
    def hold(self, thread_id: str, timeout: float | None = None) -> Iterator[bool]:
        """Hold the conversation's lock; with ``timeout``, give up waiting after it (the
        body then runs unlocked and gets False: only reads ask for that)."""
        lock = self._lock(thread_id)
        got = lock.acquire() if timeout is None else lock.acquire(timeout=timeout)
        try:
            across = got and self._lock_file(thread_id, timeout)
            try:
                yield got and across
            finally:
                if across and self._fd is not None:
                    fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, self._offset(thread_id))
        finally:
            if got:
                lock.release()

    def _lock_file(self, thread_id: str, timeout: float | None) -> bool:
        if self._fd is None:
            return True
        offset = self._offset(thread_id)
        if timeout is None:
            fcntl.lockf(self._fd, fcntl.LOCK_EX, 1, offset)
            return True
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
                return True
            except OSError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.02)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Store:
    """The checkpointer and the session index, sharing one connection and one lock."""

    def __init__(self, db_path: Path) -> None:
        from langgraph.checkpoint.sqlite import SqliteSaver  # lazy: heavy import

        from assistant.salvage import damage, damaged_message

        self.path = Path(db_path)
        why = damage(self.path)  # read-only: a damaged file is never opened for writing
        if why is not None:
            raise DamagedDatabase(damaged_message(self.path, why))
        try:
            _create_private(self.path)
            self.conn = connect_private(self.path)
            self.conn.execute(_SCHEMA)
            _add_columns(self.conn)
            self.conn.commit()
            self.saver = SqliteSaver(self.conn)
            self.saver.setup()
        except (sqlite3.OperationalError, OSError) as error:
            # A full or read-only folder: what is saved can still be read; writes say why not.
            self.unwritable = open_failure(self.path, error)
            self.conn = self._read_only()
            self.saver = SqliteSaver(self.conn)
        except sqlite3.DatabaseError as error:  # damaged between the check and the open
            raise DamagedDatabase(damaged_message(self.path, str(error))) from None
        # One lock for the shared connection: the saver's own, so our writes never interleave.
        self._lock = self.saver.lock
        self.turns = TurnLocks(self.path.with_name(self.path.name + ".lock"))
        for suffix in ("-wal", "-shm"):
            secure_file(self.path.with_name(self.path.name + suffix))

    unwritable: StorageError | None = None  # why this store can only be read

    def _read_only(self) -> sqlite3.Connection:
        """The file opened for reading only (``immutable``: no -wal or -shm to create, which
        is what fails on a full disk); raises ``unwritable`` when that is not possible."""
        failure = self.unwritable
        assert failure is not None
        wal = self.path.with_name(self.path.name + "-wal")
        if not self.path.is_file() or wal.exists() and wal.stat().st_size > 0:
            raise failure from None  # a log with turns in it: reading without it is wrong
        try:
            uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            conn.execute("SELECT count(*) FROM closer_sessions").fetchone()
        except sqlite3.Error:
            raise failure from None
        return conn

    def _writable(self) -> None:
        if self.unwritable is not None:
            raise self.unwritable

    @staticmethod
    def new_session_id() -> str:
        return uuid.uuid4().hex[:12]

    def turn_lock(self, session_id: str, timeout: float | None = None):  # noqa: ANN201
        """One turn, delete or read of ``session_id`` at a time (see ``TurnLocks.hold``)."""
        return self.turns.hold(session_id, timeout)

    def touch(
        self, session_id: str, title: str = "", *, origin: str = "", perspective: str = ""
    ) -> None:
        """Record that a session had a turn; the first title, origin and perspective given
        stay (an empty value never overwrites one)."""
        self._writable()
        now = time.time()
        keep = (
            "{0} = CASE WHEN closer_sessions.{0} = '' THEN excluded.{0} "
            "ELSE closer_sessions.{0} END"
        )
        with self._lock:
            self.conn.execute(
                "INSERT INTO closer_sessions (id, title, created, updated, origin, perspective) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
                "updated = excluded.updated, "
                + ", ".join(keep.format(column) for column in ("title", *_EXTRA_COLUMNS)),
                (session_id, title[:60], now, now, origin, perspective),
            )
            self.conn.commit()

    def list_sessions(self) -> list[SessionInfo]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT id, title, created, updated, origin, perspective FROM closer_sessions "
                "ORDER BY updated DESC"
            ).fetchall()
        return [SessionInfo(*row) for row in rows]

    def exists(self, session_id: str) -> bool:
        with self._lock:
            row = self.conn.execute(
                "SELECT 1 FROM closer_sessions WHERE id = ?", (session_id,)
            ).fetchone()
        return row is not None

    def delete(self, session_id: str) -> bool:
        """Remove a conversation: its checkpoints and its index row, after any turn on it
        has finished, leaving no trace in the file or its log.  True if it existed."""
        self._writable()
        with self.turn_lock(session_id):
            existed = self.exists(session_id)
            self.erase(session_id)
        return existed

    def erase(self, session_id: str) -> None:
        """The delete itself, for a caller that already holds the conversation's lock."""
        self.saver.delete_thread(session_id)
        with self._lock:
            self.conn.execute("DELETE FROM closer_sessions WHERE id = ?", (session_id,))
            self.conn.commit()
            self._truncate_log()

    def delete_all(self) -> int:
        """Every conversation, and any checkpoint no session row names (a crash between the
        two writes), then a VACUUM; returns how many conversations there were."""
        self._writable()
        sessions = self.list_sessions()
        for info in sessions:
            self.delete(info.id)
        with self._lock:
            for table in ("checkpoints", "writes"):
                self.conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            self.conn.commit()
            self.conn.execute("VACUUM")
            self._truncate_log()
        return len(sessions)

    def _truncate_log(self) -> None:
        """Copy the WAL into the database and cut it to zero bytes (caller holds the lock)."""
        busy, _, _ = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:  # another process is reading; its next checkpoint finishes the job
            log.warning("write-ahead log not truncated: another process holds a read")

    def close(self) -> None:
        self.conn.close()
        self.turns.close()
