"""The rule layer of the reading: phrases and patterns from ``knowledge/rules/reading.yaml``.

Deterministic and offline; it is what holds when no embedder is available, and the learned
layer (``assistant.reading.learned``) may only add to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from assistant.core.reading import INTENTS, Intent
from assistant.knowledge import find_phrases, load_yaml
from assistant.text import sentences
from assistant.text import words as text_words


@cache
def rules() -> dict[str, Any]:
    return load_yaml("rules/reading.yaml")


@cache
def _negations() -> tuple[str, ...]:
    return tuple(rules()["negations"])


@dataclass(frozen=True)
class PatternSet:
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]
    negatable: bool = False  # a negation in the three words before a match cancels it

    def find(self, text: str) -> list[str]:
        """Matches, sentence by sentence; a sentence that matches ``unless`` counts for none."""
        found: list[str] = []
        for sentence in sentences(text):
            if any(u.search(sentence) for u in self.unless):
                continue
            for pattern in self.patterns:
                for match in pattern.finditer(sentence):
                    if not (self.negatable and _negated(sentence, match.start(), match.group(0))):
                        found.append(match.group(0))
        return found


_CLAUSE_BREAK = re.compile(r"[,;:!?]|\bbut\b")


def _negated(sentence: str, start: int, matched: str = "") -> bool:
    """A negation in the three words before the match, or inside it before its last word
    ("i'm not stressed": the match starts at "i'm")."""
    inside = " ".join(matched.split()[:-1])
    clause = _CLAUSE_BREAK.split(sentence[:start])[-1]  # "i'm not sure, i feel hurt": hurt
    window = " " + " ".join(clause.split()[-3:]) + " " + inside + " "
    return any(f" {word} " in window for word in _negations())


@cache
def pattern_set(key: str, intent: str | None = None) -> PatternSet:
    entry = rules()["intents"][intent] if intent else rules()[key]
    words = "|".join(re.escape(w) for w in sorted(rules()["feeling_words"], key=len, reverse=True))

    def compile_all(items: list[str]) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(item.replace("FEELING", words)) for item in items)

    negatable = key in ("activation", "settled", "feeling")
    return PatternSet(
        compile_all(entry.get("patterns", [])), compile_all(entry.get("unless", [])), negatable
    )


def phrases(text: str, key: str, *, negatable: bool = True) -> list[str]:
    """Phrases of ``key`` (a list, or a mapping with ``phrases``) found in normalised text."""
    entry = rules()[key]
    listed = entry["phrases"] if isinstance(entry, dict) else entry
    found = find_phrases(text, listed, _negations() if negatable else ())
    unless = pattern_set(key).unless if isinstance(entry, dict) else ()
    return [f for f in found if not any(u.search(text) for u in unless)]


def activation(text: str) -> list[str]:
    return phrases(text, "activation") + pattern_set("activation").find(text)


def settled(text: str) -> list[str]:
    return phrases(text, "settled") + pattern_set("settled").find(text)


def feelings(text: str) -> list[str]:
    """Feeling words the person uses of themself (the matched word, not the whole match)."""
    words = set(rules()["feeling_words"])
    found = []
    for match in pattern_set("feeling").find(text):
        tail = [w for w in words if match.endswith(w)]
        found.append(max(tail, key=len) if tail else match.split()[-1])
    return list(dict.fromkeys(found))


def story(text: str) -> list[str]:
    return phrases(text, "story", negatable=False) + pattern_set("story").find(text)


def timing(text: str) -> list[str]:
    found = find_phrases(text, rules()["specific_time"])
    for key in ("duration_regex", "clock_regex"):
        found += [m.group(0) for m in re.finditer(rules()[key], text)]
    return found


def ask(text: str) -> list[str]:
    return phrases(text, "ask", negatable=False)


def intent(text: str) -> Intent | None:
    """A flow intent, only when the words are about this conversation."""
    for name in INTENTS:
        if pattern_set("", intent=name).find(text):
            return name
    return None


def greeting(text: str) -> bool:
    words = text_words(text)
    limit = rules()["greeting"]["max_words"]
    return bool(words) and len(words) <= limit and bool(phrases(text, "greeting", negatable=False))


def question(text: str) -> bool:
    return bool(pattern_set("question").find(text))


def short_answer(text: str, key: str) -> bool:
    """A short yes (``accept_offer``) or no (``decline_offer``) to what was offered."""
    words = text_words(text)
    return bool(words) and len(words) <= 6 and bool(find_phrases(text, rules()[key]))


def ended(text: str) -> bool:
    return bool(phrases(text, "ended", negatable=False)) and not together(text)


def ended_ruled_out(text: str) -> bool:
    """Words of an ending that the rules set aside (a fear of it, a past partner beside the
    present one): the learned layer must not bring them back."""
    if _lookalikes().search(text):
        return True  # "my parents' divorce", "left me on read": not this relationship's end
    listed = rules()["ended"]["phrases"]
    return bool(find_phrases(text, listed, ())) and not ended(text)


@cache
def _lookalikes() -> re.Pattern[str]:
    """The reading's ``topic_not`` phrases, compiled once: they only look like a topic's or
    an ending's words."""
    return re.compile("|".join(f"(?:{p})" for p in rules().get("topic_not", [])) or "(?!)")


def together(text: str) -> bool:
    """The relationship goes on, said outright or as a correction ("i meant my bf now")."""
    return bool(phrases(text, "together", negatable=False))


def topic(text: str) -> str | None:
    """The first topic whose words are here, once phrases that only look like one ("left me
    on read", "my parents' divorce") are taken out."""
    text = _lookalikes().sub(" ", text)
    for name, listed in rules()["topics"].items():
        if find_phrases(text, listed, _negations()):  # "he isn't cheating": not the topic
            return name
    return None
