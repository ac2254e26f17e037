"""Deleting a conversation, one way for every door: the page's Delete button,
``closer sessions delete`` and ``closer forget --all`` all end here, so every copy of it
goes with it, whoever deletes it.

What a conversation leaves besides its rows: nothing now (the page renders a plan when it is
downloaded and writes no file), but earlier versions wrote ``ui-cache/plans/closer-plan-ID.md``
each time a conversation was shown, and Gradio copied served files into hashed folders of
``ui-cache``; those are found and removed here too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def page_copies(home: Path, thread_id: str | None = None) -> list[Path]:
    """Plan files under the page's cache: one conversation's, or (None) every one."""
    cache = home / "ui-cache"
    if not cache.is_dir():
        return []
    name = f"closer-plan-{thread_id}.md" if thread_id else "closer-plan-*.md"
    return sorted(path for path in cache.rglob(name) if path.is_file())


def remove_page_copies(home: Path, thread_id: str | None = None) -> None:
    for path in page_copies(home, thread_id):
        path.unlink(missing_ok=True)


def delete_conversation(store: Any, home: Path, thread_id: str) -> bool:
    """The conversation's rows (after any turn on it finishes) and every copy; True if it
    existed."""
    existed = bool(store.delete(thread_id))
    remove_page_copies(home, thread_id)
    return existed


def delete_every_conversation(store: Any, home: Path) -> int:
    """Every conversation and every copy; returns how many there were."""
    count = int(store.delete_all())
    remove_page_copies(home)
    return count
