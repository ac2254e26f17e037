"""How the safety layers' opinions combine into one verdict (the types are in
``assistant.core.screening``)."""

from __future__ import annotations

from assistant.core.screening import CATEGORIES, ESCALATING, LEVELS, Level, Screening


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
        return Screening(extra.level, extra.category, matched, extra.why)
    if extra.level == base.level and rank(extra.category) < rank(base.category):
        return Screening(base.level, extra.category, matched, extra.why)
    return Screening(base.level, base.category, matched, base.why)
