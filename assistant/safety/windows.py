"""The parts of a message the learned safety layer scores: the whole message, then its
sentences; a long post is read in overlapping windows of sentences instead.

MiniLM reads at most 256 tokens, so the whole-message vector of a long forum post sees only
its beginning, and scoring only its first sentences left the end unread: risk told at the end
of a long, calm post ("…anyway i've set the date") never reached the embedding.  A post with
more sentences than ``MAX_SENTENCES`` is read as windows of ``WINDOW`` sentences, each
overlapping the next by one, so every sentence is read with its neighbours; when there are
more than ``MAX_WINDOWS`` windows, the first and last halves are kept (a post's start and its
end are where people put what matters most).
"""

from __future__ import annotations

from collections.abc import Callable

MAX_SENTENCES = 12
WINDOW = 3
STRIDE = WINDOW - 1
MAX_WINDOWS = 20


def windows(sentences: list[str]) -> list[str]:
    starts = list(range(0, max(1, len(sentences) - 1), STRIDE))
    spans = [" ".join(sentences[i : i + WINDOW]) for i in starts]
    if len(spans) > MAX_WINDOWS:
        spans = spans[: MAX_WINDOWS // 2] + spans[-(MAX_WINDOWS // 2) :]
    return spans


def message_parts(normalized: str, split: Callable[[str], list[str]]) -> list[str]:
    """The whole text first, then its sentences, or its windows when it is long."""
    parts = [s for s in split(normalized) if len(s) > 3]
    if len(parts) <= 1:
        return [normalized]
    if len(parts) <= MAX_SENTENCES:
        return [normalized, *parts]
    return [normalized, *windows(parts)]
