"""The listening check: does a coached reply read like someone listening?

Four plain rules (word lists in ``knowledge/rules/listening.yaml``, numbers in
``rules/gate.yaml``): a quoted echo of the person's words has at least three words, one of
them a content word, and is not cut mid-phrase; no sentence of eight or more words comes
back from the previous three replies (words in double quotes aside: they are quoted back on
purpose); a word limit; at most one question outside quotes.  The evals score replies with
it and the sentence gate rejects a model's draft with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

from assistant.gate.draft_checks import limits
from assistant.knowledge import load_yaml

Problem = Literal["short_echo", "cut_echo", "repeated_sentence", "too_long", "many_questions"]
PROBLEMS: tuple[Problem, ...] = (
    "short_echo",
    "cut_echo",
    "repeated_sentence",
    "too_long",
    "many_questions",
)

_QUOTED = re.compile(r'"([^"\n]*)"|\u201c([^\u201d\n]*)\u201d')
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"\u201d')]*\s+|\n+")


@dataclass(frozen=True)
class ListeningRules:
    max_words: int
    max_questions: int
    min_echo_words: int
    long_sentence_words: int
    repeat_window: int
    function_words: frozenset[str]
    hanging_words: frozenset[str]


@cache
def listening_rules() -> ListeningRules:
    data = load_yaml("rules/listening.yaml")
    numbers = limits()
    return ListeningRules(
        max_words=numbers["max_words"],
        max_questions=numbers["max_questions"],
        min_echo_words=numbers["min_echo_words"],
        long_sentence_words=numbers["long_sentence_words"],
        repeat_window=numbers["repeat_window"],
        function_words=frozenset(data["function_words"].split()),
        hanging_words=frozenset(data["hanging_words"].split()),
    )


def words_of(text: str) -> list[str]:
    """Lowercased words, curly apostrophes read as straight ones."""
    return _WORD.findall(text.casefold().replace("\u2019", "'"))


def has_content_word(words: Sequence[str]) -> bool:
    function = listening_rules().function_words
    return any(len(word) >= 3 and word not in function for word in words)


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def quoted_spans(text: str) -> list[str]:
    return [first or second for first, second in _QUOTED.findall(text)]


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """``needle`` appears as a contiguous run of words in ``haystack``."""
    size = len(needle)
    return size > 0 and any(
        list(haystack[i : i + size]) == list(needle) for i in range(len(haystack) - size + 1)
    )


def echo_problems(reply: str, person_text: str) -> list[Problem]:
    """Quoted spans that are the person's own words: too short or cut mid-phrase."""
    rules = listening_rules()
    theirs = words_of(person_text)
    found: list[Problem] = []
    for span in quoted_spans(reply):
        echoed = words_of(span)
        if not echoed or not _contains(theirs, echoed):
            continue  # an example sentence of ours, not an echo
        if len(echoed) < rules.min_echo_words or not has_content_word(echoed):
            found.append("short_echo")
        elif echoed[-1] in rules.hanging_words and not _ends_a_phrase(person_text, echoed):
            found.append("cut_echo")
    return found


def _ends_a_phrase(person_text: str, echoed: Sequence[str]) -> bool:
    """The echo stops where one of the person's sentences or phrases stops."""
    words: list[str] = []
    ends: set[int] = set()  # word counts at which a phrase of theirs ends
    for part in re.split(r"[.!?;,:\n]+", person_text):
        words += words_of(part)
        ends.add(len(words))
    size = len(echoed)
    return any(
        words[i - size : i] == list(echoed) for i in ends if i >= size > 0
    )


def repeated_sentences(reply: str, previous_replies: Sequence[str]) -> list[str]:
    """The reply's long sentences that already stood in one of the last few replies."""
    rules = listening_rules()
    window = list(previous_replies)[-rules.repeat_window :]
    earlier = [words_of(_QUOTED.sub(" … ", text)) for text in window]
    repeated = []
    # Words in double quotes are someone's own (the person's, or a sentence to say), quoted
    # back on purpose: a plan repeats the person's words, and that is listening.
    for sentence in sentences(_QUOTED.sub(" … ", reply)):
        words = words_of(sentence)
        if len(words) >= rules.long_sentence_words and any(_contains(e, words) for e in earlier):
            repeated.append(sentence)
    return repeated


def shared_run(reply: str, person_text: str) -> int:
    """The longest run of consecutive words the reply shares with the person's message,
    quoted or not: pasting someone's words back reads as parroting either way."""
    mine, theirs = words_of(reply), words_of(person_text)
    best = 0
    previous = [0] * (len(theirs) + 1)
    for word in mine:
        current = [0] * (len(theirs) + 1)
        for j, their_word in enumerate(theirs, start=1):
            if word == their_word:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def question_count(text: str) -> int:
    return _QUOTED.sub(" ", text).count("?")


def listening_problems(
    reply: str, person_text: str, previous_replies: Sequence[str] = ()
) -> list[Problem]:
    """Why ``reply`` does not read like listening (empty: it passes).  ``reply`` is the
    coached prose (without a resources list); ``previous_replies`` oldest first."""
    rules = listening_rules()
    problems: list[Problem] = list(dict.fromkeys(echo_problems(reply, person_text)))
    if repeated_sentences(reply, previous_replies):
        problems.append("repeated_sentence")
    if len(reply.split()) > rules.max_words:
        problems.append("too_long")
    if question_count(reply) > rules.max_questions:
        problems.append("many_questions")
    return problems
