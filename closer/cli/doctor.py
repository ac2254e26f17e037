"""``closer doctor``: check the conversation database and, when it is damaged, save what
can still be read into a new file (the damaged one is kept beside it, renamed)."""

from __future__ import annotations

import argparse
import sqlite3
import time
from pathlib import Path

from closer.cli import UserError, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    doctor = subparsers.add_parser(
        "doctor", help="check the conversation database; salvage a damaged one"
    )
    doctor.add_argument(
        "--check", action="store_true", help="only check; change nothing (exit 1 when damaged)"
    )
    doctor.set_defaults(handler=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    from assistant.salvage import aside_copies, damage, salvage

    settings = settings_from(args)
    path = settings.db_path
    if not path.is_file():
        print(f"{path}: no conversations saved yet; nothing to check.")
        return 0
    why = damage(path)
    if why is None:
        print(f"{path}: ok.")
        _mention_aside(aside_copies(path))
        return 0
    print(f"{path} is damaged: {why}.")
    if args.check:
        print("Run `closer doctor` (without --check) to save what can still be read.")
        return 1
    try:
        done = salvage(path)
        relisted = _relist(path)
    except OSError as error:
        raise UserError(f"could not salvage {path}: {error}") from None
    if relisted:
        print(f"{relisted} conversation(s) had lost their entry in the list; listed untitled.")
    print(
        f"Saved {done.sessions} readable conversation(s) into a new {path.name} "
        f"(read with {done.method}). The damaged file is kept as {done.aside.name}; "
        "delete it once you have checked your conversations (`closer sessions list`), or "
        "`closer forget --all` deletes it with everything else."
    )
    return 0


def _mention_aside(copies: list) -> None:
    for copy in copies:
        if not copy.name.endswith(("-wal", "-shm")):  # its logs go with it
            print(f"A damaged copy from an earlier salvage is still here: {copy}")


def _relist(path: Path) -> int:
    """Conversations whose turns survived but whose row in the list did not: listed again
    (untitled), so they can be opened and deleted.  Returns how many."""
    from assistant.storage import Store

    Store(path).close()  # makes the tables a salvage may have lost
    conn = sqlite3.connect(path)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'checkpoints'").fetchone():
            return 0
        now = time.time()
        added = conn.execute(
            "INSERT OR IGNORE INTO closer_sessions (id, title, created, updated) "
            "SELECT DISTINCT thread_id, '', ?, ? FROM checkpoints",
            (now, now),
        ).rowcount
        conn.commit()
        return max(added, 0)
    finally:
        conn.close()
