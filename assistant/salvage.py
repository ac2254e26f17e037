"""A damaged conversation database: finding out without writing to it, and saving what is left.

``damage`` opens the file read-only (``mode=ro``) and runs SQLite's ``quick_check``, so a
check never writes into a file that is already broken (a read-write open of a damaged WAL
database can checkpoint into it).  ``salvage`` reads a copy with SQLite's own recovery (the
``sqlite3`` shell's ``.recover``, which reads page by page around the damage; then its
``.dump``, which reads each table from both ends of a damaged page; then Python's
``iterdump`` and table by table); it builds a new file beside the old one and moves the
damaged one aside, never deleting it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.config import FILE_MODE

SIDE_FILES = ("-wal", "-shm")
ASIDE_MARK = ".damaged-"
RECOVER_TIMEOUT_S = 300
SQLITE_CORRUPT, SQLITE_NOTADB = 11, 26  # the result codes that mean the bytes are wrong


def damage(path: Path) -> str | None:
    """Why ``path`` is not a readable SQLite database; None when it is (or is absent/empty)."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    # With no log beside it no connection has the file open, and ``immutable`` keeps even a
    # read-only open from creating -wal and -shm files; with one, SQLite must read it.
    wal = path.with_name(path.name + "-wal")
    log = wal.exists() and wal.stat().st_size > 0
    query = "mode=ro" if log else "mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{query}", uri=True)
    except sqlite3.Error as error:
        return str(error)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)").fetchall()]
    except sqlite3.DatabaseError as error:
        # Only the file's own bytes count: a full disk, a lock or a missing -shm is not
        # damage (the open that follows says what it is).
        return str(error) if _corrupt(error) else None
    finally:
        conn.close()
    bad = [problem for problem in problems if problem != "ok"]
    return "; ".join(bad) if bad else None


def _corrupt(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is None:
        return not isinstance(error, sqlite3.OperationalError)
    return code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB)


def damaged_message(path: Path, why: str) -> str:
    """The one line every command prints for a damaged conversation database (SQLite's
    integrity report can run over several lines: it is folded into this one)."""
    why = "; ".join(part.strip() for part in why.splitlines() if part.strip())
    return (
        f"{path} is damaged and cannot be read ({why}); nothing was written to it. "
        "Run `closer doctor` to save what can still be read into a new file (the damaged "
        "one is kept beside it), or `closer forget --all` to delete it."
    )


def aside_copies(path: Path) -> list[Path]:
    """Damaged files an earlier salvage kept beside ``path`` (they hold conversations too)."""
    return sorted(path.parent.glob(f"{path.name}{ASIDE_MARK}*"))


@dataclass(frozen=True)
class Salvage:
    recovered: Path
    aside: Path
    sessions: int
    method: str


def salvage(path: Path) -> Salvage:
    """Recover what can be read of ``path`` into a new file that takes its place; the
    damaged file (and its log) is renamed ``NAME.damaged-STAMP`` beside it."""
    fresh = path.with_name(path.name + ".salvaging")
    fresh.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".salvage-") as scratch:
        copy = Path(scratch) / path.name  # recovery reads a copy: the damaged file stays as is
        for suffix in ("", *SIDE_FILES):
            source = path.with_name(path.name + suffix)
            if source.exists():
                shutil.copyfile(source, copy.with_name(copy.name + suffix))
        method = _recover(copy, fresh)
    os.chmod(fresh, FILE_MODE)
    aside = path.with_name(f"{path.name}{ASIDE_MARK}{time.strftime('%Y%m%d-%H%M%S')}")
    for suffix in ("", *SIDE_FILES):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.rename(aside.with_name(aside.name + suffix))
    fresh.rename(path)
    return Salvage(path, aside, _count_sessions(path), method)


def _recover(damaged: Path, fresh: Path) -> str:
    """Fill ``fresh`` from ``damaged``; returns which method read it."""
    sql, method = _shell(damaged, ".recover"), "sqlite3 .recover"
    if sql is None:
        # The shell's .dump reads each table from both ends around a damaged page.
        sql, method = _shell(damaged, ".dump"), "sqlite3 .dump"
    if sql is None:
        sql, method = _python_dump(damaged), "Python iterdump"
    conn = sqlite3.connect(fresh)
    try:
        _replay(conn, sql)
        conn.execute("DROP TABLE IF EXISTS lost_and_found")  # orphaned cells, no conversation
        conn.commit()
        conn.execute("VACUUM")
    finally:
        conn.close()
    return method


def _shell(damaged: Path, command: str) -> str | None:
    """SQL from the ``sqlite3`` shell's ``command`` on ``damaged``; None when the shell is
    missing, fails, or reads no rows (some builds' ``.recover`` prints only the schema)."""
    shell = shutil.which("sqlite3")
    if shell is None:
        return None
    try:
        done = subprocess.run(
            [shell, str(damaged), command],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=RECOVER_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if "INSERT" not in done.stdout:
        return None
    # .dump ends a damaged file's script with a rollback; what it read is what we want.
    return done.stdout.replace("ROLLBACK; -- due to errors", "COMMIT;")


def _python_dump(damaged: Path) -> str:
    """``iterdump`` as far as it gets, then whatever rows each table still yields."""
    conn = sqlite3.connect(damaged)
    lines: list[str] = []
    try:
        try:
            lines.extend(conn.iterdump())
            return "\n".join(lines)
        except sqlite3.DatabaseError:
            pass
        lines = ["BEGIN TRANSACTION;", *_tables_row_by_row(conn), "COMMIT;"]
    finally:
        conn.close()
    return "\n".join(lines)


def _tables_row_by_row(conn: sqlite3.Connection) -> list[str]:
    out: list[str] = []
    try:
        tables = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
        ).fetchall()
    except sqlite3.DatabaseError:
        return out
    for name, create in tables:
        out.append(f"{create};")
        quoted = name.replace('"', '""')
        try:
            for row in conn.execute(f'SELECT * FROM "{quoted}"'):  # noqa: S608 - schema names
                values = ", ".join(_literal(value) for value in row)
                out.append(f'INSERT INTO "{quoted}" VALUES ({values});')
        except sqlite3.DatabaseError:
            continue  # keep the rows read before the damage
    return out


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return f"X'{value.hex()}'"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _replay(conn: sqlite3.Connection, sql: str) -> None:
    """Run the recovered SQL; one statement that fails (a damaged row) skips only itself."""
    try:
        conn.executescript(sql)
        return
    except sqlite3.DatabaseError:
        conn.rollback()
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if not sqlite3.complete_statement(statement):
            continue
        if statement.strip().upper() not in ("BEGIN;", "COMMIT;", "BEGIN TRANSACTION;"):
            with contextlib.suppress(sqlite3.DatabaseError):  # a damaged row skips itself
                conn.execute(statement)
        statement = ""
    conn.commit()


def _count_sessions(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM closer_sessions").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0
    finally:
        conn.close()
