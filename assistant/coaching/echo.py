"""The phrase of the person's own that a reply reflects back, from this turn's reading."""

from __future__ import annotations

import re
from functools import cache

from assistant.core.reading import Reading
from assistant.gate.listening import has_content_word, listening_rules, words_of
from assistant.knowledge import load_yaml


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


# -- the salient clause ------------------------------------------------------------------------
_SENTENCE = re.compile(r"[.!?;\n]+|\s[-\u2013\u2014]\s|\.\.\.|\u2026")


@cache
def _echo_words(key: str) -> frozenset[str]:
    """A word list of the clause picker, from ``knowledge/rules/listening.yaml``."""
    return frozenset(str(load_yaml("rules/listening.yaml")["echo"][key]).split())


MAX_CLAUSE_WORDS = int(load_yaml("rules/listening.yaml")["echo"]["max_words"])


def salient_clause(message: str, reading: Reading, limit: int = MAX_CLAUSE_WORDS) -> str:
    """The person's words that matter most in ``message``, whole phrases only: the part with
    their feeling or their body in it, else the fullest part; empty when no part has at
    least three words and a content word."""
    text = message.replace('"', " ").replace("\u201c", " ").replace("\u201d", " ")
    anchors = [a for a in (*reading.feelings, *reading.activation, *reading.calm) if a[:1] != "("]
    best: tuple[int, list[str]] = (-1, [])
    for part in _SENTENCE.split(text):
        words = _trimmed(_window(part.split(), anchors, limit))
        if len(words) < 3 or not has_content_word(words_of(" ".join(words))):
            continue
        content = len(set(words_of(" ".join(words))) - listening_rules().function_words)
        score = 10 * _holds_anchor(" ".join(words), anchors) + content
        if score >= best[0]:  # on a tie, the later part: people end on what matters
            best = (score, words)
    return " ".join(best[1]).strip(" ,")


def clause_with(message: str, phrase: str, limit: int = MAX_CLAUSE_WORDS) -> str:
    """The person's whole phrase around ``phrase`` (a blocking quote such as "you always"),
    so a quote of theirs says enough; ``phrase`` itself when no longer phrase holds it."""
    text = message.replace('"', " ").replace("\u201c", " ").replace("\u201d", " ")
    for part in _SENTENCE.split(text):
        words = part.split()
        at = next(
            (
                i
                for i in range(len(words))
                if _holds_anchor(" ".join(words[i:]), [phrase])
                and not _holds_anchor(" ".join(words[i + 1 :]), [phrase])
            ),
            None,
        )
        if phrase and at is not None:
            kept: list[str] = []
            for chunk in _phrases(words[at:]):
                if kept and len(kept) + len(chunk) > limit:
                    break
                kept += chunk
            kept = _trimmed(kept[:limit])
            if len(kept) >= 3:
                return " ".join(kept).strip(" ,")
    return phrase


def _holds_anchor(text: str, anchors: list[str]) -> bool:
    lowered = " ".join(words_of(text))
    return any(" ".join(words_of(anchor)) in lowered for anchor in anchors if anchor)


def _window(words: list[str], anchors: list[str], limit: int) -> list[str]:
    """At most ``limit`` words: the phrase holding the anchor, then the phrases after it
    (what the feeling is about), then those before, while they fit; cut only where a
    phrase ends."""
    if len(words) <= limit:
        return words
    chunks = _phrases(words)
    at = next((i for i, c in enumerate(chunks) if _holds_anchor(" ".join(c), anchors)), None)
    if at is None:
        at = max(range(len(chunks)), key=lambda i: len(chunks[i]) if len(chunks[i]) <= limit else 0)
    first = last = at
    size = len(chunks[at])
    while last + 1 < len(chunks) and size + len(chunks[last + 1]) <= limit:
        last += 1
        size += len(chunks[last])
    while first > 0 and size + len(chunks[first - 1]) <= limit:
        first -= 1
        size += len(chunks[first])
    return [w for chunk in chunks[first : last + 1] for w in chunk][:limit]


def _phrases(words: list[str]) -> list[list[str]]:
    """Words split where a phrase ends: after a comma, before a word that opens a phrase."""
    chunks: list[list[str]] = [[]]
    for word in words:
        if chunks[-1] and _bare(word) in _echo_words("phrase_start"):
            chunks.append([])
        chunks[-1].append(word)
        if word.endswith(","):
            chunks.append([])
    return [chunk for chunk in chunks if chunk]


def _bare(word: str) -> str:
    return word.casefold().strip(".,!?;:'\"()")


def _trimmed(words: list[str]) -> list[str]:
    """No filler at the start, no word that leaves the phrase hanging at the end."""
    words = [word.strip("'") for word in words]  # 'single quotes' around their words
    while words and _bare(words[0]) in _echo_words("leading_filler"):
        words.pop(0)
    while len(words) > 1 and _bare(words[-1]) in _echo_words("trailing"):
        words.pop()
    return [w for w in words if w.strip(".,!?;:")]


def blocking_words(text: str, quote: str, most: int = 4) -> str:
    """The blocking words as they were typed, extended to the right until the echo says
    something (three words, a content word, not ending mid-phrase), at most ``most``."""
    words = text.split()
    marks = ".,!?;:'\"\u201c\u201d\u2018\u2019"
    words = [w.strip(marks) for w in words]
    found = [w.casefold() for w in words]
    target = quote.casefold().split()
    start = next(
        (i for i in range(len(found)) if found[i : i + len(target)] == target), None
    )
    if start is None or not target:
        return quote
    rules = listening_rules()
    for end in range(start + len(target), min(start + most, len(words)) + 1):
        span = words[start:end]
        low = [w.casefold() for w in span]
        if len(span) >= 3 and has_content_word(low) and low[-1] not in rules.hanging_words:
            return " ".join(span)
    return quote
