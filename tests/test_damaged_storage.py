"""A damaged ``conversations.sqlite``: one clear line from every command, nothing written into
the damaged file, ``forget --all`` still deletes it, and ``closer doctor`` salvages what is
readable into a new file while keeping the damaged one aside."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_closer
from tests.test_privacy_delete import files_containing, talk

PAGE = 4096
WORDS = [f"Glimmerquay{n:02d}" for n in range(12)]  # one distinctive word per conversation


def _build(services, home: Path) -> dict[str, str]:  # noqa: ANN001
    """Twelve saved conversations, the store closed (its log folded in); id -> word."""
    ids = {talk(services, word): word for word in WORDS}
    services.store.close()
    assert not (home / "conversations.sqlite-wal").exists()
    return ids


def _truncate(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3 + 100])


def _garbage_header(db: Path) -> None:
    with db.open("r+b") as file:
        file.write(b"this is not a database header, it is garbage!" * 2)


def _random_pages(db: Path) -> None:
    """Random bytes over two whole pages in the middle (the schema page stays)."""
    pages = db.stat().st_size // PAGE
    chosen = random.Random(7).sample(range(pages // 2, pages), 2)
    noise = random.Random(8)
    with db.open("r+b") as file:
        for number in chosen:
            file.seek(number * PAGE)
            file.write(bytes(noise.randrange(256) for _ in range(PAGE)))


DAMAGE = {"truncated": _truncate, "garbage-header": _garbage_header, "random-pages": _random_pages}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_clear_line(result, db: Path) -> None:  # noqa: ANN001
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert str(db) in lines[0] and "closer doctor" in lines[0], lines[0]


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_every_command_refuses_a_damaged_database_without_writing_to_it(
    guided_services, indexed_home: Path, kind: str
) -> None:
    ids = _build(guided_services, indexed_home)
    db = indexed_home / "conversations.sqlite"
    DAMAGE[kind](db)
    before = _digest(db)
    some_id = next(iter(ids))
    commands = [
        ("sessions", "list"),
        ("sessions", "show", some_id),
        ("sessions", "delete", some_id),
        ("sessions", "export", some_id, "--out", str(indexed_home.parent / "p.md")),
        ("map", some_id, "emotional=3"),
        ("chat", "--script", "-", "--json"),
    ]
    for command in commands:
        result = run_closer(*command, home=indexed_home, stdin="my chest is tight\n")
        _one_clear_line(result, db)
        assert _digest(db) == before, command
        assert not (indexed_home / "conversations.sqlite-wal").exists(), command
    check = run_closer("doctor", "--check", home=indexed_home)
    assert check.returncode == 1 and "damaged" in check.stdout and _digest(db) == before


def test_the_page_refuses_to_start_on_a_damaged_database(
    guided_services, indexed_home: Path
) -> None:
    _build(guided_services, indexed_home)
    db = indexed_home / "conversations.sqlite"
    _garbage_header(db)
    before = _digest(db)
    result = run_closer("ui", "--no-browser", home=indexed_home, process=True, timeout=300)
    _one_clear_line(result, db)
    assert _digest(db) == before


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_forget_all_deletes_a_damaged_database_and_its_aside_copies(
    guided_services, closer_home: Path, kind: str
) -> None:
    _build(guided_services, closer_home)
    db = closer_home / "conversations.sqlite"
    DAMAGE[kind](db)
    if kind == "random-pages":  # a salvage first: the damaged copy it keeps must go too
        assert run_closer("doctor", home=closer_home).returncode == 0
    result = run_closer("forget", "--all", "--yes", home=closer_home)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    for word in WORDS:
        assert files_containing(closer_home, word) == [], word
    assert not db.exists() or sqlite3.connect(db).execute("PRAGMA quick_check").fetchone() == (
        "ok",
    )
    assert not list(closer_home.glob("conversations.sqlite.damaged-*"))
    lock = closer_home / "conversations.sqlite.lock"  # the turn lock: an empty file
    assert not lock.exists() or lock.stat().st_size == 0


def test_doctor_salvages_the_readable_conversations_and_keeps_the_damaged_file(
    guided_services, closer_home: Path
) -> None:
    ids = _build(guided_services, closer_home)
    db = closer_home / "conversations.sqlite"
    _random_pages(db)
    damaged = _digest(db)
    result = run_closer("doctor", home=closer_home)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "Saved" in result.stdout
    [aside] = [p for p in closer_home.glob("conversations.sqlite.damaged-*")]
    assert _digest(aside) == damaged and aside.stat().st_mode & 0o777 == 0o600
    assert db.stat().st_mode & 0o777 == 0o600
    assert run_closer("doctor", "--check", home=closer_home).returncode == 0
    listed = run_closer("sessions", "list", home=closer_home)
    assert listed.returncode == 0, listed.stderr
    readable = []
    for thread_id, word in ids.items():
        shown = run_closer("sessions", "show", thread_id, home=closer_home)
        assert "Traceback" not in shown.stderr
        if shown.returncode == 0 and word in shown.stdout:
            readable.append(thread_id)
    # Two damaged pages out of many: most conversations survive whole.
    assert len(readable) >= len(ids) // 2, (readable, result.stdout)
    chat = run_closer("chat", "--script", "-", "--json", home=closer_home, stdin="hello\n")
    assert chat.returncode == 0, chat.stderr  # the new file takes new conversations


def test_doctor_lists_again_conversations_whose_list_entry_was_lost(
    guided_services, closer_home: Path
) -> None:
    ids = _build(guided_services, closer_home)
    db = closer_home / "conversations.sqlite"
    with sqlite3.connect(db) as conn:
        [root] = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'closer_sessions'"
        ).fetchone()
    conn.close()
    with db.open("r+b") as file:  # the list's own page: garbage
        file.seek((root - 1) * PAGE)
        file.write(bytes(random.Random(3).randrange(256) for _ in range(PAGE)))
    result = run_closer("doctor", home=closer_home)
    assert result.returncode == 0 and "listed untitled" in result.stdout, result.stdout
    listed = run_closer("sessions", "list", home=closer_home).stdout
    assert sum(thread_id in listed for thread_id in ids) >= len(ids) // 2, listed
    some = next(thread_id for thread_id in ids if thread_id in listed)
    shown = run_closer("sessions", "show", some, home=closer_home)
    assert shown.returncode == 0 and ids[some] in shown.stdout, shown.stdout
