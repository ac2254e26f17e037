"""``closer forget --all``: delete every saved conversation and every document the person added.

The bundled guidance index and the model files stay (they hold nothing about the person).
Deleted rows are overwritten (``secure_delete``), the database is vacuumed and its write-ahead
log truncated, so the words do not linger in free pages or in the ``-wal`` file.  The
documents live in a store of their own, so forgetting them is deleting its folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from closer.cli import UserError, settings_from

CONFIRM_WORD = "yes"


def register(subparsers: argparse._SubParsersAction) -> None:
    forget = subparsers.add_parser(
        "forget", help="delete all conversations and your added documents (asks first)"
    )
    forget.add_argument(
        "--all",
        action="store_true",
        required=True,
        help="everything about you: every conversation, every added document and its vectors",
    )
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.set_defaults(handler=run_forget)


def run_forget(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if not settings.home.exists():
        print(f"Nothing to forget: {settings.home} does not exist.")
        return 0
    if not args.yes and not _confirmed(settings):
        print("Nothing was deleted.")
        return 1
    conversations = forget_conversations(settings)
    documents = forget_documents(settings)
    forget_page_files(settings)
    print(
        f"Deleted {conversations} conversation(s) and {documents} added document(s) "
        f"from {settings.home}. The built-in guidance stays."
    )
    return 0


def _confirmed(settings: Any) -> bool:
    """Ask on the terminal; without one, refuse rather than guess."""
    if not sys.stdin.isatty():
        raise UserError(
            "`forget --all` deletes every conversation and every added document and needs "
            "a confirmation; run it in a terminal, or add --yes to confirm."
        )
    print(
        f"This deletes, from {settings.home}:\n"
        "  - every saved conversation (history and plans)\n"
        "  - every document you added, and its search index entries\n"
        "  - plans exported from the web page (kept in its cache)\n"
        "It cannot be undone."
    )
    try:
        answer = input(f'Type "{CONFIRM_WORD}" to delete everything: ')
    except EOFError:
        return False
    return answer.strip().lower() == CONFIRM_WORD


def forget_conversations(settings: Any) -> int:
    """Delete every conversation, each after any turn on it has finished; returns how many.
    A database that cannot be opened (damaged) is deleted as files, with any damaged copy
    an earlier ``closer doctor`` kept aside."""
    from assistant.salvage import aside_copies
    from assistant.storage import DamagedDatabase, Store

    count = 0
    if settings.db_path.exists():
        try:
            store = Store(settings.db_path)
        except DamagedDatabase:
            print(f"{settings.db_path} is damaged; deleting its files instead.")
            shred_files(_with_logs(settings.db_path))
        else:
            from closer.deleting import delete_every_conversation

            try:  # secure_delete on, then VACUUM and a truncated WAL
                count = delete_every_conversation(store, settings.home)
            finally:
                store.close()
    shred_files([p for copy in aside_copies(settings.db_path) for p in _with_logs(copy)])
    return count


def _with_logs(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm")]


def shred_files(paths: list[Path]) -> None:
    """Overwrite each file with zeros, then delete it (a damaged file cannot be vacuumed)."""
    for path in paths:
        if not path.is_file():
            continue
        size = path.stat().st_size
        with path.open("r+b") as file:
            file.write(b"\0" * size)
            file.flush()
            os.fsync(file.fileno())
        path.unlink()


def forget_page_files(settings: Any) -> None:
    """The web page's cache (uploads on their way in, plan files older versions left):
    emptied, not removed, so a page that is running keeps a place for its uploads."""
    cache = settings.home / "ui-cache"
    if not cache.is_dir():
        return
    for entry in cache.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink(missing_ok=True)


def forget_documents(settings: Any) -> int:
    """Delete the person's documents: their store's folder goes; returns how many."""
    from assistant.retrieval.documents import documents_dir
    from assistant.retrieval.index import KnowledgeBase

    count = 0
    if documents_dir(settings).exists():
        count = int(KnowledgeBase(settings).forget_documents())
    return count + _forget_legacy_documents(settings)


def _forget_legacy_documents(settings: Any) -> int:
    """Before documents had their own store they shared the guidance index's folder; if
    that is what is on disk, the whole folder goes (the guidance is rebuilt from the cards
    on the next start; it holds nothing else)."""
    database = settings.index_dir / "chroma.sqlite3"
    if not database.is_file():
        return 0
    import sqlite3

    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        found = connection.execute("SELECT 1 FROM collections WHERE name = 'documents'")
        if found.fetchone() is None:
            return 0
        count = connection.execute(
            "SELECT count(DISTINCT string_value) FROM embedding_metadata WHERE key = 'doc_id'"
        ).fetchone()[0]
    except sqlite3.DatabaseError:
        return 0
    finally:
        connection.close()
    shutil.rmtree(settings.index_dir)
    return int(count)
