"""`closer ingest` and `closer knowledge`: the guidance index and the person's own documents."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from closer.cli import UserError, settings_from

STAGE_CHOICES = ("check_in", "regulation", "naming", "request", "plan", "pause", "escalation")


def register(subparsers: argparse._SubParsersAction) -> None:
    ingest = subparsers.add_parser(
        "ingest",
        help="add your own notes (.md, .txt, .pdf) to the local index",
        description="Add files (or folders of them) to your private document index, or remove one.",
    )
    ingest.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to add")
    ingest.add_argument("--remove", metavar="PATH_OR_ID", help="remove an ingested document")
    ingest.set_defaults(handler=run_ingest)

    knowledge = subparsers.add_parser("knowledge", help="look at the guidance and your documents")
    actions = knowledge.add_subparsers(dest="knowledge_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the guidance cards and your documents")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(handler=run_list)

    search = actions.add_parser("search", help="show the cards retrieved for a message")
    search.add_argument("query", help="what a person might say")
    search.add_argument("--stage", choices=STAGE_CHOICES, help="boost cards for this stage")
    search.add_argument("--k", type=int, default=3, help="how many results (default 3)")
    search.add_argument("--docs", action="store_true", help="also search your own documents")
    search.add_argument("--json", action="store_true", help="print a JSON list")
    search.set_defaults(handler=run_search)

    build = actions.add_parser("build", help="build the guidance index now (normally automatic)")
    build.set_defaults(handler=run_build)


def _knowledge_base(args: argparse.Namespace):  # -> KnowledgeBase
    from assistant.retrieval.index import KnowledgeBase

    return KnowledgeBase(settings_from(args))


def _user_errors():
    """The knowledge-base errors a person can fix, turned into one-line CLI errors."""
    from assistant.retrieval.cards import CardError
    from assistant.retrieval.documents import DocumentError

    return (CardError, DocumentError)


def _progress_bar() -> Callable[[int, int, Path], None]:
    """A one-line bar on stderr (redrawn in place on a terminal, a line per tenth when the
    output is a file), so a long note shows it is moving."""
    shown: dict[Path, int] = {}

    def show(done: int, total: int, path: Path) -> None:
        tenth = done * 10 // max(total, 1)
        if not sys.stderr.isatty() and shown.get(path) == tenth and done < total:
            return
        shown[path] = tenth
        bar = "#" * tenth + "." * (10 - tenth)
        end = "\n" if done >= total or not sys.stderr.isatty() else ""
        print(f"\r{path.name}: [{bar}] {done}/{total} passages", end=end, file=sys.stderr)

    return show


def run_ingest(args: argparse.Namespace) -> int:
    if args.remove and args.paths:
        raise UserError("give either PATH... to add or --remove PATH_OR_ID, not both")
    if not args.remove and not args.paths:
        raise UserError("nothing to ingest: give one or more files or folders")
    kb = _knowledge_base(args)
    try:
        if args.remove:
            removed = kb.remove(args.remove)  # the store is rebuilt without it: no trace left
            print(f"Removed {args.remove} ({removed} passage(s)) from your documents.")
            return 0
        report = kb.ingest(args.paths, progress=_progress_bar())
    except _user_errors() as error:
        raise UserError(str(error)) from error
    except Exception as error:  # chromadb's own errors for a full or read-only folder
        raise _storage_error(kb, error) from None
    for added in report.added:
        print(f"Added {added['path']} ({added['chunks']} passage(s)) as {added['id']}")
    for skipped in report.skipped:
        print(f"Skipped {skipped['path']}: {skipped['reason']}")
    for failed in report.errors:
        print(f"closer: not ingested: {failed['message']}", file=sys.stderr)
    if report.errors:
        print("Nothing already in the index was changed by these errors.", file=sys.stderr)
        return 2
    return 0


def _storage_error(kb: Any, error: Exception) -> Exception:
    """A store that cannot be written, said in one line; anything else is re-raised as is."""
    from assistant.retrieval.documents import documents_dir
    from assistant.storage import open_failure

    text = str(error).lower()
    if not any(word in text for word in ("full", "readonly", "read-only", "disk i/o")):
        return error
    return open_failure(documents_dir(kb.settings) / "chroma.sqlite3", error)


def run_list(args: argparse.Namespace) -> int:
    kb = _knowledge_base(args)
    try:
        cards = list(kb.cards.values())
        documents = kb.list_documents()
    except _user_errors() as error:
        raise UserError(str(error)) from error
    if args.json:
        payload = {
            "cards": [{"id": c.id, "title": c.title, "stages": list(c.stages)} for c in cards],
            "documents": documents,
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    print(f"Guidance cards ({len(cards)}):")
    for card in cards:
        print(f"  {card.id:38s} {','.join(card.stages):28s} {card.title}")
    print(f"\nYour documents ({len(documents)}):")
    for doc in documents:
        print(f"  {doc['id']}  {doc['path']}  ({doc['chunks']} passage(s), added {doc['added']})")
    if not documents:
        print("  none yet; add some with `closer ingest PATH`")
    return 0


def run_search(args: argparse.Namespace) -> int:
    if args.k < 1:
        raise UserError("--k must be at least 1")
    if not args.query.strip():
        raise UserError("the search query is empty")
    kb = _knowledge_base(args)
    try:
        kb.ensure_index(progress=sys.stderr.isatty())
        found = kb.search(args.query, stage=args.stage, k=args.k)
        if args.docs:
            found += kb.search_documents(args.query, k=args.k)
    except _user_errors() as error:
        raise UserError(str(error)) from error
    items = [_as_item(card) for card in found]
    if args.json:
        print(json.dumps(items, indent=2, ensure_ascii=False))
        return 0
    for item in items:
        stages = ",".join(item["stages"]) or "your document"
        print(f"{item['score']:.3f}  {item['id']}  [{stages}]  {item['title']}")
        print(f"       {item['source']}")
    return 0


def run_build(args: argparse.Namespace) -> int:
    kb = _knowledge_base(args)
    try:
        built = kb.ensure_index(progress=True)
    except _user_errors() as error:
        raise UserError(str(error)) from error
    state = "built" if built else "already up to date"
    print(f"Guidance index {state}: {len(kb.cards)} cards in {kb.settings.index_dir}")
    return 0


def _as_item(card: Any) -> dict[str, Any]:
    return {
        "id": card.id,
        "title": card.title,
        "stages": list(card.stages),
        "source": card.source,
        "score": card.score,
        "tip": card.tip,
        "text": card.text,
    }
