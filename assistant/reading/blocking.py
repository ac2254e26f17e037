"""The blocking-language coach: finds language that makes a partner defend instead of listen.

Patterns and rewrites live in ``knowledge/rules/blocking.yaml``.  Each finding says which
pattern, the words that triggered it, and the softer rewrite to offer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from assistant.knowledge import load_yaml
from assistant.text import normalise

BLOCKING_PATTERNS = (
    "absolutes",
    "character_attack",
    "outside_judges",
    "guilt",
    "kitchen_sinking",
    # the supporting partner's traps
    "pressure",
    "demand_to_open_up",
    "distance_as_proof",
)


@dataclass(frozen=True)
class BlockingRule:
    pattern: str
    label: str
    regexes: tuple[re.Pattern[str], ...]
    rewrite: str


@cache
def blocking_rules() -> tuple[BlockingRule, ...]:
    data = load_yaml("rules/blocking.yaml")["patterns"]
    return tuple(
        BlockingRule(
            pattern=name,
            label=entry["label"],
            regexes=tuple(re.compile(rx, re.IGNORECASE) for rx in entry["regex"]),
            rewrite=" ".join(entry["rewrite"].split()),
        )
        for name, entry in data.items()
    )


def find_blocking(text: str) -> list[dict[str, str]]:
    """One finding per blocking pattern present: ``{"pattern", "label", "quote", "rewrite"}``."""
    plain = normalise(text)
    findings = []
    for rule in blocking_rules():
        for regex in rule.regexes:
            match = regex.search(plain)
            if match:
                findings.append(
                    {
                        "pattern": rule.pattern,
                        "label": rule.label,
                        "quote": match.group(0),
                        "rewrite": rule.rewrite,
                    }
                )
                break
    return findings
