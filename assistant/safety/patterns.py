"""The pattern layer of the safety screen: the YAML rule sets (matched against
``assistant.text.screen_form``).

Rules live in ``knowledge/safety/<category>.yaml`` as data.  Each rule is a regular
expression over normalised text, with optional ``unless`` expressions (figurative or
consensual readings, checked over the whole sentence) and a ``negatable`` flag ("he never
hit me").  ``common.yaml`` holds shared macros (``<PARTNER>``, ``<GAP>``...), the negation
cues and the context cues (documentaries, other people's jobs) used by ``generic`` rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.config import KNOWLEDGE_DIR
from assistant.core.screening import CATEGORIES
from assistant.text import sentences

SAFETY_DIR = KNOWLEDGE_DIR / "safety"
# Highest priority first: when several categories match, the first one names the reply.

@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    regex: re.Pattern[str]
    unless: tuple[re.Pattern[str], ...]
    negatable: bool
    generic: bool  # names a topic, not a person: skipped when the sentence is about media/jobs
    asks: bool = False  # a warning sign worth a direct question, not a stop on its own


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    negation: re.Pattern[str]
    context: re.Pattern[str]  # documentaries, other people's jobs: mutes `generic` rules
    hypothetical: re.Pattern[str]
    distance: dict[str, re.Pattern[str]]  # past, other, advice, figurative, one_off, present
    learned_needs: dict[str, re.Pattern[str]]  # words that learned evidence needs beside it
    self_talk: re.Pattern[str]  # "i feel pathetic": a feeling, not someone's put-down
    danger_words: re.Pattern[str]  # means, plans, goodbyes: short learned evidence escalates

    def plain_danger(self, normalized: str) -> bool:
        """Words of means, plans or goodbyes: a short message with them still escalates."""
        return bool(self.danger_words.search(normalized))

    def learned_has_words(self, category: str, normalized: str) -> bool:
        """Whether learned evidence of ``category`` stands beside words of its kind (always
        true for a category with no such list: crisis and abuse are never held back)."""
        needs = self.learned_needs.get(category)
        return needs is None or bool(needs.search(self.self_talk.sub(" ", normalized)))

    def framed_as_story(self, normalized: str) -> bool:
        return bool(self.distance["story"].search(normalized))

    def one_incident(self, normalized: str) -> bool:
        """Contempt told as one incident, with no words of habit."""
        cue = self.distance
        incident = cue["incident"].search(normalized) or cue["one_off"].search(normalized)
        return bool(incident) and not cue["habitual"].search(normalized)

    def about_someone_else(self, normalized: str) -> bool:
        """The risk is someone else's (a friend's, the partner's), told to ask how to help,
        with nothing about the writer: a check then asks about them.  Used for wording only,
        never to lower a level."""
        cue = self.distance
        if cue["present"].search(normalized) or cue["writer_at_risk"].search(normalized):
            return False
        someone = cue["other"].search(normalized) or cue["someone_else"].search(normalized)
        return bool(someone and cue["advice"].search(normalized))

    def told_from_a_distance(self, normalized: str) -> bool:
        """Risk told as past and over, or about someone else for advice, with nothing
        that says it is happening to the writer now."""
        cue = self.distance
        if cue["present"].search(normalized):
            return False
        return bool(
            cue["past"].search(normalized)
            or cue["figurative"].search(normalized)
            or cue["one_off"].search(normalized)
            or (cue["other"].search(normalized) and cue["advice"].search(normalized))
        )


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
                    asks=bool(raw.get("asks", False)),
                )
            )
    return RuleSet(
        rules=tuple(rules),
        negation=_compile(common["negation"], macros, "common.yaml negation"),
        context=_compile(common["context"], macros, "common.yaml context"),
        hypothetical=_compile(common["hypothetical"], macros, "common.yaml hypothetical"),
        distance={
            key: _compile(value, macros, f"common.yaml distance.{key}")
            for key, value in common["distance"].items()
        },
        learned_needs={
            str(key): _compile(value, macros, f"common.yaml learned_needs.{key}")
            for key, value in (common.get("learned_needs") or {}).items()
        },
        self_talk=_compile(common.get("learned_self_talk", "(?!)"), macros, "common.yaml"),
        danger_words=_compile(common.get("danger_words", "(?!)"), macros, "common.yaml"),
    )


_CLAUSE_BREAK = re.compile(r"[,\u2014\u2013]|\b(?:but|though|although|however|yet|except)\b")


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
    for sentence in sentences(normalized, clauses=True):
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
