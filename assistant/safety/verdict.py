"""What the safety screen decides about one message, and how two opinions combine.

Kept apart from the layers so each layer can build a verdict without importing the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.safety.patterns import CATEGORIES

# Lowest first.  ``check``: possible risk, so Closer asks directly before coaching goes on;
# ``escalate``: clear risk, coaching stops for the conversation.  Outside the code the levels
# are named as the issue tracker and the evals name them: ``none`` is shown as ``continue``.
Level = Literal["none", "support", "check", "escalate"]
LEVELS: tuple[Level, ...] = ("none", "support", "check", "escalate")
ESCALATING = ("crisis", "abuse", "coercion", "contempt")


def public_level(level: str) -> str:
    """The level as batch rows and eval reports name it: escalate, check, support, continue."""
    return "continue" if level == "none" else level


@dataclass(frozen=True)
class Screening:
    """The result of screening one message."""

    level: Level
    category: str | None  # crisis | abuse | coercion | contempt | support
    matched: tuple[str, ...] = ()  # rule ids, "semantic:<example id>", "model:<note>"

    def as_json(self) -> dict:
        return {"level": self.level, "category": self.category, "matched": list(self.matched)}

    @property
    def checks(self) -> bool:
        return self.level == "check"

    @property
    def escalates(self) -> bool:
        return self.level == "escalate"


NONE = Screening("none", None, ())


def level_of(category: str) -> Level:
    return "escalate" if category in ESCALATING else "support"


def rank(category: str | None) -> int:
    """Lower is more serious; None (no hit) ranks last."""
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)


def combine(base: Screening, extra: Screening | None) -> Screening:
    """Merge a second opinion into ``base``; the level can go up, never down."""
    if extra is None or extra.level not in LEVELS:
        return base
    matched = base.matched + tuple(m for m in extra.matched if m not in base.matched)
    if LEVELS.index(extra.level) > LEVELS.index(base.level):
        return Screening(extra.level, extra.category, matched)
    if extra.level == base.level and rank(extra.category) < rank(base.category):
        return Screening(base.level, extra.category, matched)
    return Screening(base.level, base.category, matched)
