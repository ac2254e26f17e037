"""Stage-aware retrieval over a real Chroma index on disk, with real llama.cpp embeddings,
and the person's own documents."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.retrieval import cards as cards_module
from assistant.retrieval.documents import DocumentError
from assistant.retrieval.embeddings import EmbeddingStats
from assistant.retrieval.index import KnowledgeBase
from evals.retrieval import load_rows, score_retrieval
from tests.fixtures_knowledge import *  # noqa: F403  (pytest fixtures: kb_settings, no_network...)


def test_labelled_queries_hit_at_3_with_no_network(kb_settings: Settings, no_network) -> None:
    result = score_retrieval(KnowledgeBase(kb_settings), load_rows(), k=3)
    misses = [
        (r["query"], r["expect"], [t["id"] for t in r["top"]])
        for r in result["results"]
        if not r["hit@3"]
    ]
    assert result["n"] >= 40
    assert result["hit@3"] >= 0.9, misses
    assert no_network == []


def test_the_socket_guard_really_blocks(no_network) -> None:
    with pytest.raises(OSError, match="blocked"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert no_network


def test_a_second_start_does_no_embedding_work(kb_settings: Settings) -> None:
    before = EmbeddingStats.calls
    kb = KnowledgeBase(kb_settings)
    assert kb.ensure_index() is False
    assert KnowledgeBase(kb_settings).ensure_index() is False
    assert EmbeddingStats.calls == before


def test_a_changed_card_triggers_a_rebuild(
    kb_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = tmp_path / "knowledge"
    (knowledge / "cards").mkdir(parents=True)
    for card in cards_module.load_cards()[:6]:  # a small set keeps the rebuilds quick
        (knowledge / "cards" / card.path.name).write_text(card.path.read_text(encoding="utf-8"))
    (knowledge / "cards" / "micro-vulnerability.md").write_text(
        (cards_module.cards_dir() / "micro-vulnerability.md").read_text(encoding="utf-8")
    )
    monkeypatch.setattr(cards_module, "KNOWLEDGE_DIR", knowledge)
    assert KnowledgeBase(kb_settings).ensure_index() is True  # a different card set: rebuilt
    assert KnowledgeBase(kb_settings).ensure_index() is False  # same content again: reused

    card = knowledge / "cards" / "micro-vulnerability.md"
    card.write_text(card.read_text(encoding="utf-8") + "\nA kumquat sentence marks this edit.\n")
    before = EmbeddingStats.calls
    kb = KnowledgeBase(kb_settings)
    assert kb.ensure_index() is True
    assert EmbeddingStats.calls > before
    found = kb.search("a small way to open up", stage="naming", k=5)
    assert "kumquat" in next(c.text for c in found if c.id == "micro-vulnerability")
    assert KnowledgeBase(kb_settings).ensure_index() is False  # and then it is stable again


def test_search_returns_scored_cards_and_the_stage_counts(kb_settings: Settings) -> None:
    kb = KnowledgeBase(kb_settings)
    found = kb.search("I need a break from this talk", k=5)
    assert len(found) == 5
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert all(c.title and c.source and c.text and c.tip for c in found)
    assert found[0].id and found[0].stages
    in_stage = kb.search("I need a break from this talk", stage="pause", k=3)
    assert all("pause" in c.stages for c in in_stage)
    assert kb.search("   ") == []


def test_index_files_are_private(kb_settings: Settings) -> None:
    kb = KnowledgeBase(kb_settings)
    kb.ensure_index()
    for folder, _dirs, files in os.walk(kb_settings.index_dir):
        assert os.stat(folder).st_mode & 0o777 == 0o700, folder
        for name in files:
            assert os.stat(os.path.join(folder, name)).st_mode & 0o777 == 0o600, name


NOTE = (
    "When we argue I notice my shoulders creep up to my ears. Last week I told Sam I needed "
    "twenty minutes and came back at nine, and that went better than usual. "
) * 12


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica, offsets computed so readers accept it."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _document_count(kb: KnowledgeBase) -> int:
    return sum(doc["chunks"] for doc in kb.list_documents())


def test_ingest_chunks_deduplicates_and_searches(kb_settings: Settings, tmp_path: Path) -> None:
    kb = KnowledgeBase(kb_settings)
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    (tmp_path / "copy.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "plan.pdf").write_bytes(_minimal_pdf("Our Sunday walk ritual keeps us close"))

    report = kb.ingest([note, tmp_path / "copy.txt", tmp_path / "plan.pdf"])
    assert report.ok and len(report.added) == 2
    assert report.added[0]["chunks"] > 1  # long enough to be split
    assert report.skipped[0]["path"].endswith("copy.txt")  # same content, so not stored twice
    assert kb.ingest([note]).skipped  # and again on a later call
    assert {d["title"] for d in kb.list_documents()} == {"note.md", "plan.pdf"}

    top = kb.search_documents("shoulders tense during arguments", k=1)[0]
    assert top.source == str(note.resolve()) and "shoulders" in top.text
    assert "walk ritual" in kb.search_documents("a weekly walk together", k=1)[0].text


def test_bad_files_get_clear_messages_and_leave_the_index_intact(
    kb_settings: Settings, tmp_path: Path
) -> None:
    kb = KnowledgeBase(kb_settings)
    good = tmp_path / "good.txt"
    good.write_text(NOTE, encoding="utf-8")
    kb.ingest([good])
    before_docs, before_cards = kb.list_documents(), kb.search("roommates", k=3)

    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" * 20)
    (tmp_path / "empty.md").write_text("  \n\n", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    report = kb.ingest(
        [
            tmp_path / name
            for name in (
                "binary.txt",
                "empty.md",
                "latin1.txt",
                "broken.pdf",
                "photo.jpg",
                "missing.md",
            )
        ]
    )
    messages = {Path(e["path"]).name: e["message"] for e in report.errors}
    assert not report.ok and not report.added
    assert "binary" in messages["binary.txt"]
    assert "no text" in messages["empty.md"]
    assert "UTF-8" in messages["latin1.txt"]
    assert "PDF" in messages["broken.pdf"]
    assert "unsupported type" in messages["photo.jpg"]
    assert "no such file" in messages["missing.md"]
    assert kb.list_documents() == before_docs
    assert [c.id for c in kb.search("roommates", k=3)] == [c.id for c in before_cards]


def test_remove_by_id_or_path_and_forget_all(kb_settings: Settings, tmp_path: Path) -> None:
    kb = KnowledgeBase(kb_settings)
    one, two = tmp_path / "one.md", tmp_path / "two.md"
    one.write_text(NOTE, encoding="utf-8")
    two.write_text("A different note about planning a quiet dinner together. " * 5)
    report = kb.ingest([one, two])
    first_id = report.added[0]["id"]

    assert kb.remove(first_id) == report.added[0]["chunks"]
    assert [d["path"] for d in kb.list_documents()] == [str(two.resolve())]
    assert kb.remove(str(two)) >= 1
    assert kb.list_documents() == []
    with pytest.raises(DocumentError, match="no ingested document"):
        kb.remove("not-there")

    kb.ingest([one, two])
    assert kb.forget_documents() == 2
    assert kb.list_documents() == [] and kb.search_documents("dinner") == []
    assert kb.ensure_index() is False  # the guidance index is untouched


def test_changed_file_replaces_its_old_version(kb_settings: Settings, tmp_path: Path) -> None:
    kb = KnowledgeBase(kb_settings)
    note = tmp_path / "journal.md"
    note.write_text("First draft about feeling lonely on Sundays. " * 5)
    kb.ingest([note])
    note.write_text("Second draft about asking for a Sunday walk. " * 5)
    kb.ingest([note])
    docs = kb.list_documents()
    assert len(docs) == 1 and "walk" in kb.search_documents("Sunday", k=1)[0].text


def test_cli_search_json_and_ingest_errors(
    kb_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from closer.cli import main

    monkeypatch.setenv("CLOSER_HOME", str(kb_settings.home))
    monkeypatch.setenv("CLOSER_EMBEDDING_MODEL", str(kb_settings.embedding_model))
    assert (
        main(
            [
                "knowledge",
                "search",
                "my chest gets tight when we fight",
                "--stage",
                "regulation",
                "--k",
                "2",
                "--json",
            ]
        )
        == 0
    )
    items = json.loads(capsys.readouterr().out)
    assert len(items) == 2
    for item in items:
        assert {"id", "title", "stages", "source", "score", "text"} <= set(item)
        assert "regulation" in item["stages"]

    (tmp_path / "blob.txt").write_bytes(b"\0\1\2\3" * 10)
    assert main(["ingest", str(tmp_path / "blob.txt")]) == 2
    assert "binary" in capsys.readouterr().err
    assert main(["ingest", "--remove", "nothing-like-this"]) == 2
    assert "no ingested document" in capsys.readouterr().err

    (tmp_path / "ok.md").write_text(NOTE, encoding="utf-8")
    assert main(["ingest", str(tmp_path / "ok.md")]) == 0
    assert main(["knowledge", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert [d["title"] for d in listed["documents"]] == ["ok.md"]
    assert len(listed["cards"]) >= 45
