"""Which card tips fit the person: the tip's perspective and the steps it speaks to.

Two optional front-matter fields on a card (``knowledge/cards/*.md``) say so:
``perspective`` (``self``, the default, or ``supporter``: advice for the partner who
supports someone afraid of closeness) and ``tip_stages`` (the steps the tip itself fits,
when narrower than the card's ``stages``).  A supporter conversation takes only supporter
tips, a "self" one only the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from assistant.core.messages import Card
from assistant.retrieval.cards import load_all_cards


@dataclass(frozen=True)
class TipFit:
    perspective: str = "self"
    stages: tuple[str, ...] = ()  # empty: the card's own stages
    tip: str = ""


@cache
def tip_fits_by_card() -> dict[str, TipFit]:
    """Card id -> how its tip fits, from the parsed cards (one parser: ``retrieval.cards``)."""
    return {
        card.id: TipFit(card.perspective, card.tip_stages, card.tip)
        for card in load_all_cards()
    }


def tip_fits(card: Card, stage: str, perspective: str = "self") -> bool:
    """The card has a tip for this person at this step."""
    if not card.tip:
        return False
    fit = tip_fits_by_card().get(card.id, TipFit())
    stages = fit.stages or card.stages
    return fit.perspective == perspective and (not stages or stage in stages)
