"""The pattern layer of the safety screen: text normalisation and the YAML rule sets.

Rules live in ``knowledge/safety/<category>.yaml`` as data.  Each rule is a regular
expression over normalised text, with optional ``unless`` expressions (figurative or
consensual readings, checked over the whole sentence) and a ``negatable`` flag ("he never
hit me").  ``common.yaml`` holds shared macros (``<PARTNER>``, ``<GAP>``...), the negation
cues and the context cues (documentaries, other people's jobs) used by ``generic`` rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.config import KNOWLEDGE_DIR

SAFETY_DIR = KNOWLEDGE_DIR / "safety"
# Highest priority first: when several categories match, the first one names the reply.
CATEGORIES = ("crisis", "abuse", "coercion", "contempt", "support")

_ZERO_WIDTH = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\ufeff\u00ad\u180e")
)
# Letters that look like Latin ones (Cyrillic, Greek) and curly quotes.
_LOOKALIKES = str.maketrans("аеорсухіјԁνοτ‘’`´“”", "aeopcyxijdvot''''\"\"")
_LEET = str.maketrans("013457@$!|", "oieastasii")
_LEET_TOKEN = re.compile(r"[a-z0-9@$!|']*[a-z][a-z0-9@$!|']*")
_DOTTED_LETTERS = re.compile(r"\b(?:[a-z][.\-_*]){2,}[a-z]\b")
_SPACED_LETTERS = re.compile(r"\b(?:[a-z] ){3,}[a-z]\b")
# An ellipsis is a pause, not the end of a sentence ("he kind of just... didn't stop").
_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|\u2026)\s*(?=\w)")
# Contractions typed without the apostrophe ("im a burden", "he doesnt stop").
_BARE_CONTRACTIONS = {
    "im": "i'm",
    "ive": "i've",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "werent": "weren't",
    "wouldnt": "wouldn't",
    "couldnt": "couldn't",
    "hes": "he's",
    "shes": "she's",
    "theyre": "they're",
    "youre": "you're",
    "thats": "that's",
}
# Quotation marks around a phrase ("she'd make sure I 'never felt safe'"), not apostrophes.
_QUOTE_MARK = re.compile(r"(?<![a-z])'|'(?![a-z])")
_BARE_CONTRACTION = re.compile(r"\b(?:" + "|".join(_BARE_CONTRACTIONS) + r")\b")


def _unleet(token: re.Match[str]) -> str:
    # Digits and symbols inside a word are letters in disguise ("k1ll", "d1e", "t0");
    # a trailing "!" or "|" is punctuation ("me!").
    word = token.group(0)
    tail = len(word) - len(word.rstrip("!|"))
    head, rest = (word[:-tail], word[-tail:]) if tail else (word, "")
    return head.translate(_LEET) + rest


def normalize(text: str) -> str:
    """Casefold, NFKC, strip zero-width and combining marks, undo simple obfuscation.

    "K1LL mys3lf", "s u i c i d e", full-width letters and zero-width joiners all come out
    as plain lower-case words, so the rules only have to be written once.
    """
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text).casefold().translate(_LOOKALIKES)
    text = _LEET_TOKEN.sub(_unleet, text)
    text = _DOTTED_LETTERS.sub(lambda m: re.sub(r"[.\-_*]", "", m.group(0)), text)
    text = _SPACED_LETTERS.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _ELLIPSIS.sub(" ", text)
    text = _QUOTE_MARK.sub("", text)
    text = _BARE_CONTRACTION.sub(lambda m: _BARE_CONTRACTIONS[m.group(0)], text)
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    regex: re.Pattern[str]
    unless: tuple[re.Pattern[str], ...]
    negatable: bool
    generic: bool  # names a topic, not a person: skipped when the sentence is about media/jobs


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    negation: re.Pattern[str]
    context: re.Pattern[str]  # documentaries, other people's jobs: mutes `generic` rules
    hypothetical: re.Pattern[str]


class SafetyDataError(Exception):
    """A safety data file is missing or malformed."""


def _expand(pattern: str, macros: dict[str, str]) -> str:
    for _ in range(3):  # macros may use other macros
        pattern = re.sub(r"<([A-Z_]+)>", lambda m: macros.get(m.group(1), m.group(0)), pattern)
    return pattern


def _compile(pattern: str, macros: dict[str, str], where: str) -> re.Pattern[str]:
    try:
        return re.compile(_expand(pattern, macros))
    except re.error as error:
        raise SafetyDataError(f"{where}: bad pattern {pattern!r}: {error}") from error


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise SafetyDataError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise SafetyDataError(f"{path}: expected a mapping")
    return data


@lru_cache(maxsize=2)
def load_rules(directory: Path = SAFETY_DIR) -> RuleSet:
    """Compile every category's rules once per process."""
    common = _read_yaml(directory / "common.yaml")
    macros = {str(k): str(v) for k, v in common.get("macros", {}).items()}
    rules: list[Rule] = []
    for category in CATEGORIES:
        data = _read_yaml(directory / f"{category}.yaml")
        for raw in data.get("rules", []):
            where = f"{category}.yaml rule {raw.get('id')!r}"
            rules.append(
                Rule(
                    id=f"{category}.{raw['id']}",
                    category=category,
                    regex=_compile(raw["pattern"], macros, where),
                    unless=tuple(_compile(u, macros, where) for u in raw.get("unless", [])),
                    negatable=bool(raw.get("negatable", True)),
                    generic=bool(raw.get("generic", False)),
                )
            )
    return RuleSet(
        rules=tuple(rules),
        negation=_compile(common["negation"], macros, "common.yaml negation"),
        context=_compile(common["context"], macros, "common.yaml context"),
        hypothetical=_compile(common["hypothetical"], macros, "common.yaml hypothetical"),
    )


_SENTENCE = re.compile(r"[^.!?;:\n]+[.!?;:\n]*")
_CLAUSE_BREAK = re.compile(r"[,\u2014\u2013]|\b(?:but|though|although|however|yet|except)\b")


def sentences(text: str) -> list[str]:
    """Split normalised text into sentences (colons too: "new rule: he hits me")."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _is_negated(sentence: str, match: re.Match[str], rules: RuleSet) -> bool:
    """A negation cue inside the match ("he has never hit me"), or a negating or
    hypothetical lead-in just before it ("not that he hits me", "if he ever hits me").

    The lead-in stops at a comma or "but", so "he didn't just yell, he hit me" still
    counts; "if he hits me again" counts too, since "again" says it has happened.
    """
    if rules.negation.search(match.group(0)):
        return True
    before = sentence[: match.start()]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end() :]
    if not rules.hypothetical.search(before):
        return False
    return "again" not in sentence[match.end() : match.end() + 20]


def match_rules(normalized: str, rules: RuleSet | None = None) -> list[Rule]:
    """Rules that fire on the text, at most one hit per rule, in data order."""
    rules = rules or load_rules()
    fired: list[Rule] = []
    for sentence in sentences(normalized):
        in_context = bool(rules.context.search(sentence))
        for rule in rules.rules:
            if rule in fired or (rule.generic and in_context):
                continue
            for match in rule.regex.finditer(sentence):
                if rule.negatable and _is_negated(sentence, match, rules):
                    continue
                if any(u.search(sentence) for u in rule.unless):
                    break
                fired.append(rule)
                break
    return fired
