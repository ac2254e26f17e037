"""The person's notes in the conversation (issue 15, part 3, CLI side): a note added with
`closer ingest` shows in a related message's sources as theirs (`"kind": "document"`), after
the guidance, never on a safety answer, and is gone after `closer ingest --remove`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import json_rows, run_closer

NOTE = (
    "# When we fight about money\n"
    "When Sam and I argue about money and the rent, I go silent and leave the room. What "
    "helps me: a short walk, then I text Sam that I will come back in twenty minutes to talk "
    "about the budget.\n"
)
RELATED = "we argued about money and the rent again and I went silent"  # 0.54 against NOTE
UNRELATED = "I want to ask her for a date night on Friday"  # 0.21
CRISIS = "we argued about money and the rent and I want to kill myself"


def _chat(home: Path, tmp_path: Path, lines: list[str]) -> list[dict]:
    script = tmp_path / "script.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_closer("chat", "--script", str(script), "--json", home=home)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return json_rows(result.stdout)


def _documents(row: dict) -> list[dict]:
    return [source for source in row["sources"] if source["kind"] == "document"]


def test_an_ingested_note_is_a_source_until_it_is_removed(
    indexed_home: Path, tmp_path: Path
) -> None:
    note = tmp_path / "note.md"
    note.write_text(NOTE, encoding="utf-8")
    added = run_closer("ingest", str(note), home=indexed_home)
    assert added.returncode == 0 and "Added" in added.stdout, added.stderr

    related, unrelated = _chat(indexed_home, tmp_path, [RELATED, UNRELATED])
    assert _documents(related) == [
        {"id": _documents(related)[0]["id"], "title": "note.md", "source": str(note.resolve()),
         "kind": "document"}
    ]  # fmt: skip
    kinds = [source["kind"] for source in related["sources"]]
    assert kinds[-1] == "document" and set(kinds[:-1]) == {"guidance"}  # after the guidance
    assert _documents(unrelated) == []  # only when it fits the message
    assert all(s["kind"] == "guidance" for s in unrelated["sources"]) and unrelated["sources"]

    (crisis,) = _chat(indexed_home, tmp_path, [CRISIS])
    assert crisis["safety"]["level"] == "escalate" and crisis["sources"] == []

    removed = run_closer("ingest", "--remove", "note.md", home=indexed_home)
    assert removed.returncode == 0 and "Removed note.md" in removed.stdout, removed.stderr
    (after,) = _chat(indexed_home, tmp_path, [RELATED])
    assert _documents(after) == [] and after["sources"]
    again = run_closer("ingest", "--remove", "note.md", home=indexed_home)
    assert again.returncode == 2 and "no ingested document" in again.stderr


def test_empty_or_binary_notes_are_refused_and_change_nothing(
    indexed_home: Path, tmp_path: Path
) -> None:
    empty, binary = tmp_path / "empty.md", tmp_path / "photo.txt"
    empty.write_text("  \n\n ", encoding="utf-8")
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    for path, reason in ((empty, "contains no text"), (binary, "binary")):
        result = run_closer("ingest", str(path), home=indexed_home)
        assert result.returncode == 2 and reason in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    listed = run_closer("knowledge", "list", "--json", home=indexed_home)
    assert '"documents": []' in listed.stdout
    assert not (indexed_home / "documents-index").exists()  # not even an empty store
