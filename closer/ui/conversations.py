"""The conversation list: every conversation in the data folder, newest first, each with its
first words, its date, whose side it is for and where it was started (the page or the
terminal).

The data folder is one person's and only the holder of the page token can load the page
(closer/ui/guard.py), so the list is not limited to what this browser started: a
conversation begun with ``closer chat`` opens here too.  A conversation deleted anywhere
drops out.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from assistant.storage import SessionInfo
from closer.ui.texts import ui_text

TITLE_WORDS = 6
TITLE_CHARS = 48


def short_title(title: str) -> str:
    """The first few words of a conversation's first message."""
    words = title.split()
    if not words:
        return ui_text("conversations", "untitled")
    short = " ".join(words[:TITLE_WORDS])
    if len(short) > TITLE_CHARS:
        short = short[:TITLE_CHARS].rsplit(" ", 1)[0] or short[:TITLE_CHARS]
    return short + ("…" if short != " ".join(words) else "")


def when(stamp: float, now: float | None = None) -> str:
    """A date a person reads at a glance: the time today, else day and month (and year)."""
    moment, today = time.localtime(stamp), time.localtime(now if now is not None else time.time())
    if moment[:3] == today[:3]:
        return time.strftime(ui_text("conversations", "today"), moment)
    if moment.tm_year == today.tm_year:
        return time.strftime("%-d %b, %H:%M", moment)
    return time.strftime("%-d %b %Y", moment)


SIDES = {"supporter": "supporting them", "self": "for you"}
ORIGINS = {"page": "page", "terminal": "terminal"}


def label(info: SessionInfo, now: float | None = None) -> str:
    """First words · date · whose side · where it began (the last two when known)."""
    parts = [short_title(info.title), when(info.updated, now)]
    parts.append(SIDES.get(getattr(info, "perspective", "") or "self", SIDES["self"]))
    origin = ORIGINS.get(getattr(info, "origin", ""))
    if origin:
        parts.append(origin)
    return " · ".join(parts)


def remembered(mine: Any, *also: str) -> list[str]:
    """The ids a browser sent back, cleaned (it is input like any other), plus ``also``."""
    ids = [item for item in (mine if isinstance(mine, list) else []) if isinstance(item, str)]
    for thread_id in also:
        if thread_id and thread_id not in ids:
            ids.append(thread_id)
    return ids


def mine_in_store(sessions: Iterable[SessionInfo], mine: Sequence[str]) -> list[SessionInfo]:
    """This browser's conversations that still exist, newest first (the store's order)."""
    wanted = set(mine)
    return [info for info in sessions if info.id in wanted]


def choices(sessions: Sequence[SessionInfo], now: float | None = None) -> list[tuple[str, str]]:
    return [(label(info, now), info.id) for info in sessions]


def find(sessions: Sequence[SessionInfo], thread_id: str) -> SessionInfo | None:
    return next((info for info in sessions if info.id == thread_id), None)
