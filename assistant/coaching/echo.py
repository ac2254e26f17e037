"""The phrase of the person's own that a reply reflects back, from this turn's reading."""

from __future__ import annotations

import re

from assistant.reading.reading import Reading


def key_phrase(message: str, reading: Reading, limit: int = 8) -> str:
    """A short phrase of the person's own to reflect back (their feeling, their body, or
    the start of what they said)."""
    for group in (reading.feelings, reading.activation, reading.calm):
        if group and not group[0].startswith("("):
            return group[0]
    clause = re.split(r"[.!?;,\n]", message.strip(), maxsplit=1)[0]
    words = clause.split()[:limit]
    # Don't end the reflected phrase on a word that leaves it hanging ("...and I don't know how").
    while len(words) > 1 and words[-1].casefold().strip("'\"") in _HANGING:
        words.pop()
    return " ".join(words)


_HANGING = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "like",
        "of",
        "on",
        "or",
        "say",
        "so",
        "that",
        "the",
        "then",
        "to",
        "was",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "with",
        "you",
    ]
)
