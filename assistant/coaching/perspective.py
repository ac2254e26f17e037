"""Whose side a conversation is written for: the person who pulls away ("self", the default)
or the partner who wants to support them ("supporter").

The perspective is chosen when a conversation starts and saved in its graph state; both walk
the same step ids.  The supporter's guided replies are data in
``knowledge/guided_supporter.yaml``, by the same reply kinds as ``knowledge/prompts/guided.yaml``;
``supporter_template`` is how the composer finds one (a kind the file lacks falls back to
the composer's own template, so nothing goes missing while the file grows).

The supporter's cards are in ``knowledge/cards/supporter/``, outside the folder the shared
index reads: mixed in, they pushed the person's own cards down (retrieval hit@1 0.7647 ->
0.7206 on evals/retrieval.jsonl).  Retrieval should index them with a perspective tag and
search them for supporter conversations only.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Literal, get_args

from assistant.knowledge import load_yaml

Perspective = Literal["self", "supporter"]
PERSPECTIVES: tuple[Perspective, ...] = get_args(Perspective)
DEFAULT: Perspective = "self"
SUPPORTER_FILE = "guided_supporter.yaml"
SUPPORTER_CARDS = "cards/supporter"  # under knowledge/; see the module docstring


class PerspectiveError(ValueError):
    """An unknown perspective, or one that differs from the conversation's saved one."""


def checked(value: str | None) -> Perspective:
    """``value`` as a perspective (None: the default); PerspectiveError names the choices."""
    if value is None:
        return DEFAULT
    key = value.strip().lower()
    if key not in PERSPECTIVES:
        raise PerspectiveError(
            f"unknown perspective {value!r}; choose one of: {', '.join(PERSPECTIVES)}"
        )
    return key  # type: ignore[return-value]  # checked just above


def perspective_of(state: Mapping[str, Any]) -> Perspective:
    """A conversation's perspective; conversations saved before it existed are "self"."""
    value = state.get("perspective")
    return value if value in PERSPECTIVES else DEFAULT


@cache
def supporter_data() -> dict[str, Any]:
    return load_yaml(SUPPORTER_FILE)


def supporter_template(kind: str) -> str | None:
    """The supporter's guided template for a reply kind, flattened; None when there is none."""
    template = (supporter_data().get("kinds") or {}).get(kind)
    return " ".join(str(template).split()) if template else None


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


def supporter_default(stage: str) -> str | None:
    """The supporter's stage default (the text used for {tip} when no card fits)."""
    value = (supporter_data().get("defaults") or {}).get(stage)
    return " ".join(str(value).split()) if value else None
