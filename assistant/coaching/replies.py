"""The parts of a guided reply around its body, from this turn's reading: a greeting back,
a short answer to a direct question, the reflection of the person's words, and one clause
for the topic.  Wording is data (``knowledge/prompts/guided_parts.yaml``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from assistant.coaching.echo import salient_clause
from assistant.coaching.variety import pick, said_before
from assistant.core.reading import Reading
from assistant.gate.listening import words_of
from assistant.knowledge import load_yaml

BRIEF_MESSAGE_WORDS = 3  # "ok", "did it", "yes I'm here": too little to reflect
QUESTION_WORDS = 3


@cache
def parts() -> dict[str, Any]:
    return load_yaml("prompts/guided_parts.yaml")


@cache
def _answer_patterns() -> tuple[tuple[tuple[re.Pattern[str], ...], tuple[str, ...]], ...]:
    return tuple(
        (tuple(re.compile(p) for p in entry["match"]), tuple(entry["say"]))
        for entry in parts()["answers"]
    )


def greeting(previous: Sequence[str]) -> str:
    return pick(parts()["greetings"], previous) or parts()["greetings"][0]


def answer(reading: Reading, previous: Sequence[str], *, default: bool) -> str:
    """A short, honest answer to a direct question ("" when there is none to give).
    ``default``: answer a question no entry matches too."""
    if not (reading.question or reading.greeting):
        return ""
    for patterns, say in _answer_patterns():
        if any(p.search(reading.text) for p in patterns):
            return pick(say, previous) or ""
    if default and _asks_something(reading.text):
        return pick(parts()["default_answers"], previous) or ""
    return ""


def _asks_something(text: str) -> bool:
    """A real question: a sentence of a few words that ends in a question mark ("honestly?"
    alone is a manner of speaking, not a question)."""
    asked = re.findall(r"[^.!?\n]*\?", text)
    return any(len(words_of(part)) >= QUESTION_WORDS for part in asked)


def reflection(
    message: str, reading: Reading, previous: Sequence[str], *, calm: bool = False
) -> str:
    """The person's salient words quoted whole, else a paraphrase from the reading, else a
    plain line that says nothing stood out ("" for a greeting or a bare question)."""
    frames = parts()["reflections"]
    clause = salient_clause(message, reading)
    if clause:
        options = frames["calm" if calm else "quote"]
        return _filled(options, previous, clause=clause)
    feeling = next((f for f in reading.feelings if f[:1] != "("), "")
    about = topic_about(reading.topic)
    if feeling and about:
        return _filled(frames["feeling_topic"], previous, feeling=feeling, about=about)
    if feeling:
        return _filled(frames["feeling"], previous, feeling=feeling)
    if reading.greeting or reading.question:
        return ""
    words = words_of(message)
    if len(words) > BRIEF_MESSAGE_WORDS:
        return _filled(frames["unclear"], previous)
    if set(words) <= set(frames["bare_replies"].split()):
        return _filled(frames["brief"], previous)
    said = " ".join(message.split()).strip(".!?,")
    return _filled(frames["brief_words"], previous, words=_in_your_voice(said))


def _in_your_voice(text: str) -> str:
    """The person's few words turned to "you" ("I'm ready" -> "you're ready")."""
    swap = parts()["reflections"]["pronouns"]
    return " ".join(swap.get(w.casefold().replace("\u2019", "'"), w) for w in text.split())


def _filled(options: Sequence[str], previous: Sequence[str], **values: str) -> str:
    texts = [fill(option, values) for option in options]
    return pick(texts, previous) or ""


def topic_about(topic: str | None) -> str:
    entry = parts()["topics"].get(topic or "")
    return str(entry["about"]) if entry else ""


def topic_clause(topic: str | None, previous: Sequence[str]) -> str:
    """One short clause for the topic, said once per conversation."""
    entry = parts()["topics"].get(topic or "")
    if not entry or any(said_before(line, previous) for line in entry["say"]):
        return ""
    return pick(entry["say"], previous) or ""


def fill(template: str, values: dict[str, str]) -> str:
    """Fill ``{name}`` placeholders; unknown names become empty (never a KeyError)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), ""), template)
