"""Deletion: ``sessions delete ID`` and ``forget --all`` really remove what the person said.

Checked where it lives: the checkpointer's own tables, read with sqlite3, and the raw bytes
of every file in the data dir (deleted text must not linger in free pages or the WAL).
"""

from __future__ import annotations

import os
import pty
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.privacy_helpers import REPO, run_cli

SECRET_A = "Quokkafrobnitz"  # words nobody else would type, to find on disk
SECRET_B = "Wombatzilchery"
SECRET_DOC = "Zanzibarquuxish"


def talk(services, words: str) -> str:  # noqa: ANN001
    """A two-turn guided conversation mentioning ``words``; returns its id."""
    from graphs.runner import Conversation

    conversation = Conversation(services)
    conversation.turn(f"my chest is tight when I think about {words}")
    conversation.turn(f"I breathed, I feel calmer about {words} now")
    return conversation.thread_id


def rows_for(db: Path, thread_id: str) -> dict[str, int]:
    connection = sqlite3.connect(db)
    try:
        return {
            table: connection.execute(
                f"SELECT count(*) FROM {table} WHERE thread_id = ?", (thread_id,)
            ).fetchone()[0]
            for table in ("checkpoints", "writes")
        }
    finally:
        connection.close()


def files_containing(root: Path, word: str) -> list[str]:
    needle = word.encode("utf-8")
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    )


def test_sessions_delete_removes_the_conversation_from_the_checkpointer(
    guided_services,
    closer_home: Path,  # noqa: ANN001
) -> None:
    doomed = talk(guided_services, SECRET_A)
    kept = talk(guided_services, SECRET_B)
    guided_services.store.close()
    db = closer_home / "conversations.sqlite"
    assert rows_for(db, doomed)["checkpoints"] > 0
    assert files_containing(closer_home, SECRET_A)  # the check below can fail

    result = run_cli("sessions", "delete", doomed, home=closer_home)
    assert result.returncode == 0, result.stderr
    assert rows_for(db, doomed) == {"checkpoints": 0, "writes": 0}
    assert files_containing(closer_home, SECRET_A) == []

    shown = run_cli("sessions", "show", doomed, home=closer_home)
    assert shown.returncode == 2 and "no saved conversation" in shown.stderr
    assert "Traceback" not in shown.stderr
    listed = run_cli("sessions", "list", home=closer_home).stdout
    assert doomed not in listed and kept in listed
    assert rows_for(db, kept)["checkpoints"] > 0
    assert SECRET_B in run_cli("sessions", "show", kept, home=closer_home).stdout


def _prepare_everything(services, home: Path, tmp_path: Path) -> str:  # noqa: ANN001
    """A conversation and an ingested document, both with words we can look for."""
    from assistant.config import load_settings
    from assistant.retrieval.index import KnowledgeBase

    thread = talk(services, SECRET_A)
    services.store.close()
    document = tmp_path / "my-notes.md"
    document.write_text(f"Notes about {SECRET_DOC}: I go quiet when we argue. " * 30)
    report = KnowledgeBase(load_settings(home=home)).ingest([document])
    assert report.ok and report.added
    assert files_containing(home, SECRET_A) and files_containing(home, SECRET_DOC)
    assert files_containing(home / "index", SECRET_DOC) == []  # never beside the guidance
    return thread


def test_forget_all_removes_history_documents_and_vectors_but_keeps_guidance(
    guided_services,
    indexed_home: Path,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    home = indexed_home
    thread = _prepare_everything(guided_services, home, tmp_path)
    plans = home / "ui-cache" / "plans"  # where the web page writes exported plans
    plans.mkdir(parents=True)
    (plans / f"closer-plan-{thread}.md").write_text(f"# My plan\nTalk about {SECRET_A}.\n")
    index_before = {p.name for p in (home / "index").iterdir() if p.is_dir()}

    result = run_cli("forget", "--all", "--yes", home=home)
    assert result.returncode == 0, result.stderr
    assert "Deleted 1 conversation(s) and 1 added document(s)" in result.stdout

    assert files_containing(home, SECRET_A) == []
    assert files_containing(home, SECRET_DOC) == []
    assert rows_for(home / "conversations.sqlite", thread) == {"checkpoints": 0, "writes": 0}
    assert "No saved conversations" in run_cli("sessions", "list", home=home).stdout
    # The documents' own store (a folder of its own) is gone; the guidance index is as it was.
    assert not (home / "documents-index").exists()
    assert {p.name for p in (home / "index").iterdir() if p.is_dir()} == index_before

    from assistant.config import load_settings
    from assistant.retrieval.index import KnowledgeBase

    knowledge = KnowledgeBase(load_settings(home=home))
    assert knowledge.list_documents() == []
    assert knowledge.ensure_index() is False  # guidance index kept, not rebuilt
    assert knowledge.search("my chest is tight and I keep rehearsing", stage="regulation")


def test_forget_all_refuses_without_a_terminal_or_yes(
    guided_services,
    closer_home: Path,  # noqa: ANN001
) -> None:
    thread = talk(guided_services, SECRET_A)
    guided_services.store.close()
    result = run_cli("forget", "--all", home=closer_home, stdin=b"yes\n")
    assert result.returncode == 2
    assert "--yes" in result.stderr and "Traceback" not in result.stderr
    assert thread in run_cli("sessions", "list", home=closer_home).stdout


def _forget_on_a_terminal(home: Path, answer: str) -> subprocess.CompletedProcess[str]:
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "closer", "forget", "--all"],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env={**os.environ, "CLOSER_HOME": str(home)},
        )
        os.close(terminal)
        os.write(controller, f"{answer}\n".encode())
        out, err = process.communicate(timeout=300)
    finally:
        os.close(controller)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_forget_all_asks_on_a_terminal_and_only_yes_deletes(
    guided_services,
    closer_home: Path,  # noqa: ANN001
) -> None:
    thread = talk(guided_services, SECRET_A)
    guided_services.store.close()

    declined = _forget_on_a_terminal(closer_home, "no")
    assert declined.returncode == 1, declined.stderr
    assert "cannot be undone" in declined.stdout and "Nothing was deleted" in declined.stdout
    assert thread in run_cli("sessions", "list", home=closer_home).stdout

    accepted = _forget_on_a_terminal(closer_home, "yes")
    assert accepted.returncode == 0, accepted.stderr
    assert thread not in run_cli("sessions", "list", home=closer_home).stdout
    assert files_containing(closer_home, SECRET_A) == []
