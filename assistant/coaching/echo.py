"""Deterministic reading of the person's words: what they signal for the conversation's flow.

Word lists and patterns come from ``knowledge/rules/progress.yaml``; nothing here asks a
model, so the flow progresses the same way with or without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from assistant.rules import find_phrases, load_yaml, normalise

Intent = Literal["pause", "back", "restart", "move_on"]


@cache
def _rules() -> dict[str, Any]:
    return load_yaml("rules/progress.yaml")


@cache
def _negations() -> tuple[str, ...]:
    return tuple(_rules()["negations"])


def _find(text: str, key: str, *, negatable: bool = True) -> list[str]:
    return find_phrases(text, _rules()[key], _negations() if negatable else ())


@dataclass(frozen=True)
class Signals:
    """Everything the stage nodes need to know about one message."""

    text: str  # normalised
    intent: Intent | None
    greeting_only: bool
    activation: tuple[str, ...]
    calm: tuple[str, ...]
    accepts: bool
    feelings: tuple[str, ...]
    story: tuple[str, ...]
    ask: tuple[str, ...]
    timing: tuple[str, ...]

    @property
    def specific(self) -> bool:
        return bool(self.ask) and bool(self.timing)


def _timing(text: str) -> list[str]:
    found = _find(text, "specific_time", negatable=False)
    for key in ("duration_regex", "clock_regex"):
        found += [m.group(0) for m in re.finditer(_rules()[key], text)]
    return found


def _intent(text: str) -> Intent | None:
    if _find(text, "pause"):
        return "pause"
    if _find(text, "restart", negatable=False):
        return "restart"
    if _find(text, "back", negatable=False):
        return "back"
    if _find(text, "move_on"):
        return "move_on"
    return None


def read_signals(message: str) -> Signals:
    text = normalise(message)
    words = re.findall(r"[\w']+", text)
    greeting = bool(words) and len(words) <= 3 and bool(_find(text, "greeting", negatable=False))
    return Signals(
        text=text,
        intent=_intent(text),
        greeting_only=greeting,
        activation=tuple(_find(text, "activation")),
        calm=tuple(_find(text, "calm")),
        accepts=bool(words) and len(words) <= 6 and bool(_find(text, "accept_offer")),
        feelings=tuple(_find(text, "feelings")),
        story=tuple(_find(text, "story", negatable=False)),
        ask=tuple(_find(text, "ask", negatable=False)),
        timing=tuple(_timing(text)),
    )


def key_phrase(message: str, signals: Signals, limit: int = 8) -> str:
    """A short phrase of the person's own to reflect back (their feeling, their body, or
    the start of what they said)."""
    for group in (signals.feelings, signals.activation, signals.calm):
        if group:
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
