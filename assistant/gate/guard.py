"""The gate's lexicons: diagnoses pinned on a person, and blocking language in the reply's
own voice (quotes, reassurances and "instead of ..." clauses aside).  The diagnosis lexicon
lives in ``knowledge/guard.yaml``; blocking language is found by ``assistant.reading.blocking``.
``draft_checks`` applies them to each sentence of a draft.
"""

from __future__ import annotations

import re
from functools import cache

from assistant.knowledge import load_yaml
from assistant.reading.blocking import find_blocking
from assistant.text import normalise

# Spans in quotation marks: the reply is citing words, not saying them.
QUOTED = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d|(?<!\w)\'[^\']+\'(?!\w)')
_SECOND_PERSON = re.compile(r"\byou(?:'re|'ve|'ll|'d|r|rs)?\b")
# Said about the partner in the third person, it blocks just the same: read it as "you".
_THIRD_PERSON = re.compile(
    r"\b(?:he|she|your (?:partner|husband|wife|boyfriend|girlfriend|spouse))"
    r"(?P<is>'s|\s+is)?(?=\s)"
)


@cache
def _rules() -> dict:
    return load_yaml("guard.yaml")


@cache
def _diagnosis_pattern() -> re.Pattern[str]:
    rules = _rules()["diagnosis"]
    subjects = "|".join(rules["subjects"])
    verbs = "|".join(rules["verbs"])
    labels = "|".join(rules["labels"])
    return re.compile(
        rf"\b(?:{subjects})(?:{verbs})\s+(?:[\w'-]+\s+){{0,4}}?(?:{labels})(?![\w-])"
        rf"|\b(?:sounds|seems|looks) like\s+(?:(?:a|an|the|classic|textbook|typical|case of|"
        rf"signs of|some)\s+)*(?:{labels})(?![\w-])"
    )


def diagnoses(text: str) -> list[str]:
    """The phrases in ``text`` that pin a diagnostic label on a person (not negated)."""
    plain = normalise(text)
    negations = tuple(_rules()["diagnosis"]["negations"])
    found = []
    for match in _diagnosis_pattern().finditer(plain):
        before = " ".join(plain[: match.start()].split()[-3:])
        if re.search(rf"(?:\b(?:{'|'.join(negations)})\b|n't\b)", before):
            continue
        found.append(match.group(0))
    return found


def without_reassurances(text: str) -> str:
    """``text`` with reassuring forms ("you never have to rush this") blanked."""
    plain = normalise(text)
    for rule in _rules()["reassurances"]:
        plain = re.sub(rule, " … ", plain)
    return plain


def _without_quotes(text: str) -> str:
    """``text`` with quoted spans, reassurances, and clauses after lead-ins like "instead
    of", blanked."""
    plain = QUOTED.sub(" … ", without_reassurances(text))
    lead_ins = "|".join(re.escape(lead) for lead in _rules()["quoted_lead_ins"])
    return re.sub(rf"\b(?:{lead_ins})\b[^.;!?]*", " … ", plain)


def blocking_in_own_words(text: str) -> list[dict[str, str]]:
    """Coach findings in the reply's own (unquoted) words that are aimed at someone ("you")."""
    own = _THIRD_PERSON.sub(
        lambda match: "you are" if match.group("is") else "you", _without_quotes(text)
    )
    return [f for f in find_blocking(own) if _SECOND_PERSON.search(f["quote"])]
