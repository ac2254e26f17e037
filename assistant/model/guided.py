"""Guided mode: replies composed from our own templates and the retrieved card, no model.

The composer is a peer of the language models (it implements ``ChatModel``) and is also the
fallback the output guard uses when a model's reply is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from assistant.knowledge import load_yaml
from assistant.model.interface import GenerationOptions, ModelRequest, TurnBrief


@cache
def _templates() -> dict[str, Any]:
    return load_yaml("prompts/guided.yaml")


def _clean(text: str) -> str:
    return " ".join(text.split())


def _fill(template: str, values: dict[str, str]) -> str:
    """Fill ``{name}`` placeholders; unknown names become empty (never a KeyError)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), ""), template)


def _tip(brief: TurnBrief) -> str:
    """The first retrieved card's tip that belongs to this stage, else the stage default."""
    for card in brief.cards:
        if card.tip and (not card.stages or brief.stage in card.stages):
            tip = card.tip.strip()
            return tip if tip.endswith((".", "!")) else tip + "."
    return _templates()["defaults"].get(brief.stage, "")


def _plan_values(brief: TurnBrief) -> dict[str, str]:
    plan = _templates()["plan"]
    facts = brief.facts
    return {
        "cue": facts.get("cue") or plan["default_cue"],
        "naming": _as_sentence(facts.get("naming") or plan["default_naming"]),
        "request": _as_sentence(facts.get("request") or plan["default_request"]),
        "return_plan": _clean(plan["return_plan"]),
    }


def _as_sentence(text: str) -> str:
    """End quoted words with punctuation, so the sentence after the quote starts cleanly."""
    text = _clean(text)
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def compose(brief: TurnBrief) -> str:
    """The guided reply for a turn: one template, filled with the person's words and a card."""
    kinds = _templates()["kinds"]
    base, _, _ = brief.kind.partition("+")
    template = kinds[base]
    finding = brief.blocking[0] if brief.blocking else {}
    values = {
        "echo": _clean(brief.echo).strip(" .,!?\"'"),
        "tip": _tip(brief),
        "quote": finding.get("quote", ""),
        "rewrite": finding.get("rewrite", ""),
        "label": finding.get("label", ""),
        **{key: _clean(value) for key, value in brief.facts.items()},
        **_plan_values(brief),
    }
    reply = _clean(_fill(_clean(template), values))
    for prefix in ("resume", "back", "restart", "cleared"):
        if f"+{prefix}" in brief.kind:
            reply = f"{kinds[prefix + '.prefix']} {reply}"
    return reply


class GuidedComposer:
    """A ``ChatModel`` that needs no model file: it streams the composed reply word by word."""

    name = "guided"

    def __init__(self, note: str = "") -> None:
        self.note = note  # why no model is loaded, when one was asked for and failed

    def stream(self, request: ModelRequest, options: GenerationOptions) -> Iterator[str]:
        words = compose(request.brief).split(" ")
        for index, word in enumerate(words):
            yield word if index == 0 else " " + word

    def describe(self) -> dict[str, object]:
        detail = "guided mode — no model loaded"
        return {"name": self.name, "backend": "guided", "detail": detail, "note": self.note}
