"""Loading rule data from ``knowledge/`` and matching phrases with negation awareness.

Text is matched in the one normal form of ``assistant.text.normalise``."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from assistant.config import KNOWLEDGE_DIR


@cache
def load_yaml(relative: str) -> Any:
    """A YAML file under ``knowledge/``, parsed once per process."""
    path = Path(KNOWLEDGE_DIR) / relative
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@cache
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A whole-word pattern for a phrase (spaces match any run of whitespace)."""
    words = [re.escape(word) for word in phrase.casefold().split()]
    return re.compile(r"(?<![\w'])" + r"\s+".join(words) + r"(?![\w'])")


def _negated(text: str, start: int, negations: tuple[str, ...]) -> bool:
    """True when one of ``negations`` stands within the three words before ``start``."""
    before = text[:start].split()[-3:]
    window = " " + " ".join(before) + " "
    return any(f" {neg} " in window for neg in negations)


def find_phrases(text: str, phrases: list[str], negations: tuple[str, ...] = ()) -> list[str]:
    """The phrases that occur in ``text`` (already normalised) and are not negated."""
    found = []
    for phrase in phrases:
        for match in phrase_pattern(phrase).finditer(text):
            if not _negated(text, match.start(), negations):
                found.append(phrase)
                break
    return found
