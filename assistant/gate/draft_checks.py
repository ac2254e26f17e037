"""Checks on a model's draft, one sentence at a time, before the person sees any of it.

Two kinds of check (rules in ``knowledge/guard.yaml``):
* a sentence that must not be shown: leaked guide or role text, a diagnosis, blocking
  language in the reply's own voice, a quote the person never said, a second question, or
  words past the limit.  Whatever was shown before it stands; the reply ends there.
* what the reply as a whole must do before its first sentence is released: reflect the
  person (share a content word with what they just said) and do its step's work (a cue
  for the step).  A draft that never does both is replaced by the guided reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from assistant.gate.guard import (
    QUOTED,
    blocking_in_own_words,
    diagnoses,
    without_reassurances,
)
from assistant.knowledge import load_yaml
from assistant.reading.blocking import find_blocking
from assistant.text import normalise

_WORDS = re.compile(r"[a-z][a-z']*")


@cache
def _rules() -> dict:
    return load_yaml("guard.yaml")


@cache
def _leakage() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{rule})" for rule in _rules()["leakage"]), re.MULTILINE)


@cache
def limits() -> dict[str, int]:
    """The gate's one limits table (``knowledge/rules/gate.yaml``)."""
    return {key: int(value) for key, value in load_yaml("rules/gate.yaml")["limits"].items()}


def word_count(text: str) -> int:
    return len(re.findall(r"\w+(?:'\w+)?", text))


def questions_outside_quotes(text: str) -> int:
    return QUOTED.sub(" ", normalise(text)).count("?")


def leaks(text: str) -> bool:
    """Guide, role or system text in ``text`` (raw, before normalising, and normalised)."""
    return bool(_leakage().search(text.lower()) or _leakage().search(normalise(text)))


def invented_quotes(text: str, allowed: Iterable[str]) -> list[str]:
    """Quoted spans of two words or more found in none of ``allowed`` (what the person said,
    and the brief's own phrases such as a rewrite or the naming frame)."""
    corpus = " ".join(_plain(source) for source in allowed)
    found = []
    for match in QUOTED.finditer(normalise(text)):
        quoted = _plain(match.group(0))
        words = quoted.split()
        if len(words) >= 2 and not _mostly_in(words, corpus):
            found.append(match.group(0))
    return found


def _plain(text: str) -> str:
    return " ".join(_WORDS.findall(normalise(text).replace("_", " ")))


def _mostly_in(words: list[str], corpus: str) -> bool:
    """The quote, or all but a word or two of it at either end, appears in ``corpus``."""
    if " ".join(words) in corpus:
        return True
    trim = 1 if len(words) < 6 else 2
    for start in range(trim + 1):
        for end in range(trim + 1 - start):
            core = words[start : len(words) - end]
            if len(core) >= 2 and " ".join(core) in corpus:
                return True
    return False


def sentence_problem(sentence: str, allowed: Iterable[str]) -> str | None:
    """Why ``sentence`` must not be shown, or None."""
    if leaks(sentence):
        return "leaked guide text"
    if diagnoses(sentence):
        return "diagnosis"
    if blocking_in_own_words(sentence) or _blocking_anywhere(sentence):
        return "blocking language"
    if invented_quotes(sentence, allowed):
        return "invented quote"
    return None


def repeats(sentence: str, earlier: Iterable[str]) -> bool:
    """``sentence`` says again what one of ``earlier`` said (most of its words the same)."""
    words = set(_WORDS.findall(normalise(sentence)))
    if len(words) < 3:
        return False
    for other in earlier:
        seen = set(_WORDS.findall(normalise(other)))
        if seen and len(words & seen) / len(words | seen) >= 0.7:
            return True
    return False


def _stem(word: str) -> str:
    word = word.strip("'")
    for suffix in ("'s", "ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _blocking_anywhere(sentence: str) -> bool:
    """Blocking language outside double quotes, whoever it is aimed at (what the evals rubric
    looks for), reassurances aside."""
    unquoted = re.sub(r'"[^"\n]*"|\u201c[^\u201d\n]*\u201d', " … ", sentence)
    return bool(find_blocking(without_reassurances(unquoted)))


def content_words(text: str, stop: frozenset[str] | None = None) -> set[str]:
    """Stemmed words of three letters or more that say something (not in ``stop``, by
    default the guard's list).  The evals rubric counts words the same way, with its list."""
    stop = stop if stop is not None else frozenset(_rules()["reflection_stopwords"].split())
    words = (w.strip("'") for w in _WORDS.findall(text.lower().replace("\u2019", "'")))
    return {_stem(w) for w in words if len(w) >= 3 and w not in stop}


def reflects(text: str, person: str, echo: str = "") -> bool:
    """The reply takes up a content word of what the person just said (or of the echo
    phrase taken from it); a message with none asks for nothing."""
    said = content_words(person) | content_words(echo)
    return not said or bool(said & content_words(text))


def does_step(text: str, stage: str) -> bool:
    cue = _rules()["step_cues"].get(stage)
    return not cue or bool(re.search(cue, normalise(text)))
