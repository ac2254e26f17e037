"""Which card tips fit the person: the tip's perspective and the steps it speaks to.

Two optional front-matter fields on a card (``knowledge/cards/*.md``) say so:
``perspective`` (``self``, the default, or ``supporter``: advice for the partner who
supports someone afraid of closeness) and ``tip_stages`` (the steps the tip itself fits,
when narrower than the card's ``stages``).  A supporter conversation takes only supporter
tips, a "self" one only the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import yaml

from assistant.model.interface import Card
from assistant.retrieval.cards import SUPPORTER_SUBDIR, cards_dir

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
PERSPECTIVES = ("self", "supporter")


@dataclass(frozen=True)
class TipFit:
    perspective: str = "self"
    stages: tuple[str, ...] = ()  # empty: the card's own stages
    tip: str = ""


@cache
def tip_fits_by_card() -> dict[str, TipFit]:
    """Card id -> how its tip fits, read from the cards' front matter."""
    found: dict[str, TipFit] = {}
    paths = [*cards_dir().glob("*.md"), *(cards_dir() / SUPPORTER_SUBDIR).glob("*.md")]
    for path in sorted(paths):
        match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        meta = yaml.safe_load(match.group(1)) if match else None
        if isinstance(meta, dict) and meta.get("id"):
            perspective = str(meta.get("perspective") or "self")
            stages = tuple(str(s) for s in meta.get("tip_stages") or ())
            tip = " ".join(str(meta.get("tip") or "").split())
            found[str(meta["id"])] = TipFit(perspective, stages, tip)
    return found


def tip_fits(card: Card, stage: str, perspective: str = "self") -> bool:
    """The card has a tip for this person at this step."""
    if not card.tip:
        return False
    fit = tip_fits_by_card().get(card.id, TipFit())
    stages = fit.stages or card.stages
    return fit.perspective == perspective and (not stages or stage in stages)
