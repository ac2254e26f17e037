"""Files: the data dir is 0700 and every database, index and model file in it 0600.

The app runs with umask 0 here, so a file created without an explicit mode would come out
world-readable and fail the test; nothing is left to the person's umask.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.privacy_helpers import (
    UiServer,
    file_modes,
    run_cli,
    run_tiny_chat,
    tiny_model,
    too_open,
)

WIDE_OPEN = 0o000


def test_a_new_data_dir_is_private_whatever_the_umask(tmp_path: Path) -> None:
    home = tmp_path / "nested" / "closer-data"
    result = run_cli("sessions", "list", home=home, umask=WIDE_OPEN)
    assert result.returncode == 0, result.stderr
    modes = file_modes(home)
    assert modes["."] == 0o700
    assert modes["conversations.sqlite"] == 0o600
    assert too_open(home) == []


def test_wal_and_shm_files_are_private_while_the_database_is_open(settings) -> None:  # noqa: ANN001
    from assistant.storage import Store

    old = os.umask(WIDE_OPEN)
    try:
        settings.ensure_home()
        store = Store(settings.db_path)
        store.touch("abc", title="a private title")
        names = {p.name for p in settings.home.iterdir()}
        assert {"conversations.sqlite-wal", "conversations.sqlite-shm"} <= names
        assert too_open(settings.home) == []
        store.close()
    finally:
        os.umask(old)


def test_every_file_is_private_after_a_conversation_with_retrieval_and_a_document(
    tmp_path: Path, indexed_home: Path
) -> None:
    closer_home = indexed_home
    _, rows = run_tiny_chat(closer_home, tmp_path / "script.txt", umask=WIDE_OPEN)
    assert any(row["sources"] for row in rows)

    from assistant.config import load_settings
    from assistant.retrieval.index import KnowledgeBase

    document = tmp_path / "notes.md"
    document.write_text("When we argue about chores I go quiet and feel far away. " * 20)
    old = os.umask(WIDE_OPEN)
    try:
        report = KnowledgeBase(load_settings(home=closer_home)).ingest([document])
    finally:
        os.umask(old)
    assert report.ok and report.added

    modes = file_modes(closer_home)
    # The test covers what it claims: the conversation db, Chroma's db and vector files,
    # and the converted embedding model are all there.
    assert "conversations.sqlite" in modes
    assert "index/chroma.sqlite3" in modes
    assert any(name.endswith("data_level0.bin") for name in modes)
    assert modes["."] == 0o700
    assert too_open(closer_home) == []


def test_the_embedding_model_is_read_from_the_package_not_copied(
    embedding_gguf: Path | None, tmp_path: Path
) -> None:
    """The shipped MiniLM is used where it is installed: nothing about it lands in the data
    folder (a converted fallback is written 0600: tests/test_embeddings.py)."""
    from assistant.config import Settings
    from assistant.retrieval.embeddings import PACKAGED_GGUF, ensure_minilm_gguf

    assert embedding_gguf == PACKAGED_GGUF
    home = tmp_path / "home"
    assert ensure_minilm_gguf(Settings(home=home)) == PACKAGED_GGUF
    assert not home.exists()


def test_every_file_is_private_while_the_ui_server_runs(tmp_path: Path, indexed_home: Path) -> None:
    closer_home = indexed_home
    with UiServer(
        closer_home, tiny_model(), tmp_path / "server.log", dict(os.environ), umask=WIDE_OPEN
    ) as server:
        server.turn("my chest is tight, I keep rehearsing")
        names = {p.name for p in closer_home.iterdir()}
        assert "conversations.sqlite-wal" in names  # checked while the server holds it open
        assert too_open(closer_home) == []
