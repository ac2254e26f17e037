"""Whose side a conversation is written for: the person who pulls away ("self", the default)
or the partner who wants to support them ("supporter").

The perspective is chosen when a conversation starts and saved in its graph state; both walk
the same step ids.  The supporter's guided replies are data in
``knowledge/guided_supporter.yaml``, by the same reply kinds as ``knowledge/prompts/guided.yaml``;
``supporter_variants`` is how the composer finds them (a kind the file lacks falls back to
the composer's own variants, so nothing goes missing while the file grows).

The supporter's cards are in ``knowledge/cards/supporter/``, outside the folder the shared
index's own cards: mixed in, they pushed the person's own cards down (retrieval hit@1
0.7647 -> 0.7206 on evals/data/dev/retrieval_queries.jsonl).  So the index tags every card
with its perspective and searches supporter cards for supporter conversations only
(``assistant.retrieval.index``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from assistant.knowledge import load_yaml

SUPPORTER_FILE = "guided_supporter.yaml"
SUPPORTER_CARDS = "cards/supporter"  # under knowledge/; see the module docstring


@cache
def supporter_data() -> dict[str, Any]:
    return load_yaml(SUPPORTER_FILE)


def supporter_variants(kind: str) -> list[str] | None:
    """The supporter's body variants for a reply kind, flattened; None when the file lacks
    the kind (the composer then uses the ordinary variants)."""
    found = (supporter_data().get("kinds") or {}).get(kind)
    if not found:
        return None
    variants = [found] if isinstance(found, str) else list(found)
    return [" ".join(str(variant).split()) for variant in variants]


def supporter_plan_lines() -> list[str]:
    """The supporter's part of the exported plan: what they will do if the partner is not
    ready, and how they will go first with a little openness."""
    plan = supporter_data()["plan"]
    flat = {key: " ".join(str(value).split()) for key, value in plan.items()}
    return [
        flat["not_ready_heading"],
        f"I'll {flat['if_not_ready']}",
        "",
        flat["openness_heading"],
        f"I'll {flat['model_openness']}",
        "",
    ]


def supporter_defaults(stage: str) -> list[str]:
    """The supporter's stage defaults (the lines used for {tip} when no card fits)."""
    value = (supporter_data().get("defaults") or {}).get(stage) or []
    lines = [value] if isinstance(value, str) else list(value)
    return [" ".join(str(line).split()) for line in lines]

