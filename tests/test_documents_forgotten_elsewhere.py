"""A running page's document store after ``closer forget --all`` (another process, here
another store object) deleted its folder: the next upload makes a fresh store instead of
writing into the deleted files ("attempt to write a readonly database")."""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings
from tests.test_documents_store import _holding

GONE = "Pangolinharmonica"
NEW = "Axolotlcandlewick"


def test_an_upload_after_forget_elsewhere_starts_a_fresh_store(
    tmp_path: Path, embedding_gguf: Path | None
) -> None:
    from assistant.retrieval.documents import documents_dir
    from assistant.retrieval.index import KnowledgeBase

    home = tmp_path / "home"
    model = str(embedding_gguf) if embedding_gguf else None
    page = KnowledgeBase(Settings(home=home, embedding_model=model))  # the running page's
    first, second = tmp_path / "first.md", tmp_path / "second.md"
    first.write_text(f"When we argue about {GONE} I go quiet and leave the room. " * 12)
    second.write_text(f"Sunday walks about {NEW} help us talk without pressure. " * 12)
    assert page.ingest([first]).ok and page.list_documents()

    forget = KnowledgeBase(Settings(home=home, embedding_model=model))  # the CLI's
    assert forget.forget_documents() == 1
    assert not documents_dir(page.settings).exists()

    assert page.ingest([second]).ok  # the page, unaware, takes the next upload
    assert [d["title"] for d in page.list_documents()] == ["second.md"]
    assert page.search_documents(f"Sunday walks {NEW}", k=1)[0].title == "second.md"
    # hnswlib's vector files (*.bin) hold no text by design, but it writes them from a buffer
    # it does not clear, so bytes this process once held can show up there by chance (seen
    # once in `length.bin` on a loaded machine).  Every other file must be free of the word.
    assert [name for name in _holding(home, GONE) if not name.endswith(".bin")] == []
