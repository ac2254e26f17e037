"""Variety without randomness: choices made from the conversation's history alone.

Each choice rotates with the number of replies so far and skips any option whose long
sentences stood in one of the last three replies, so the same conversation always gets the
same reply and no sentence of eight or more words comes back within three replies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from assistant.gate.listening import repeated_sentences, words_of

T = TypeVar("T")


def fresh(text: str, previous: Sequence[str]) -> bool:
    """No long sentence of ``text`` is in the last few replies."""
    return not repeated_sentences(text, previous)


def pick(
    options: Sequence[T],
    previous: Sequence[str],
    *,
    rotate: bool = True,
    text: Callable[[T], str] = str,
) -> T | None:
    """The first fresh option, starting from the turn's place in the rotation (or from the
    first option when ``rotate`` is false, for options ranked best first); None when every
    option would repeat."""
    if not options:
        return None
    start = len(previous) % len(options) if rotate else 0
    ordered = [*options[start:], *options[:start]]
    return next((option for option in ordered if fresh(text(option), previous)), None)


def said_before(text: str, previous: Sequence[str]) -> int | None:
    """How many replies ago ``text`` was said (1: the last reply), or None if never."""
    words = words_of(text)
    size = len(words)
    for age, reply in enumerate(reversed(previous), start=1):
        earlier = words_of(reply)
        if any(earlier[i : i + size] == words for i in range(len(earlier) - size + 1)):
            return age
    return None


def least_recent(options: Sequence[T], previous: Sequence[str], text: Callable[[T], str]) -> T:
    """The first option never said in this conversation, else the one said longest ago."""
    ages = [said_before(text(option), previous) for option in options]
    for option, age in zip(options, ages, strict=True):
        if age is None:
            return option
    return options[max(range(len(options)), key=lambda i: ages[i] or 0)]
