"""What the graph remembers between turns, and what one turn writes."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from assistant.core.messages import Message
from assistant.core.stages import Stage


class ConversationState(TypedDict, total=False):
    # Kept across turns (checkpointed).
    messages: Annotated[list[Message], operator.add]  # what was said, never rewritten
    stage: Stage
    paused_from: Stage | None
    turns_in_stage: int
    offered_move_on: bool
    notes: dict[str, str]  # feeling, story, naming, request, cue: the makings of the plan
    escalation: dict[str, Any] | None  # a standing escalation: {"category", "matched", ...}
    # A safety check in progress {"category", "step"}, and what stays after one: "wary" (a
    # later sign is asked about sooner) and "shown" (categories whose resources stay shown).
    safety: dict[str, Any]
    pending: str | None  # "back" or "restart", asked about and waiting for a yes
    turn: int
    # Why each turn went where it went: {"turn", "step", "safety"}, one entry a turn
    # (``closer sessions show --why``).
    reasons: Annotated[list[dict[str, str]], operator.add]
    # the intimacy map's ratings {"emotional": 3, ...}, saved beside the turns by
    # graphs.intimacy.save_map (a checkpoint of its own, no turn run); never reset per turn.
    intimacy_map: dict[str, int]
    # "self" (the one who pulls away) or "supporter" (their partner); set when the
    # conversation starts, absent in older ones (read as "self", see coaching.perspective).
    perspective: str
    # Written fresh each turn (the runner resets them in the input).
    user_text: str
    notices: list[str]
    screening: dict[str, Any]
    reading: dict[str, Any]  # assistant.core.reading.Reading, as JSON: read once per turn
    confirmed: str | None  # this message said yes to the pending "back" or "restart"
    kind: str  # the reply kind, e.g. "naming.need_story"
    prefix: str  # "resume", "back" or "restart": a short opener before the reply
    echo: str
    blocking: list[dict[str, str]]
    cards: list[dict[str, Any]]
    reply: str
    fallback: str | None
    model_name: str
    why_step: str  # what moved the step (or kept it), naming the rule or layer
    why_safety: str  # the safety level this message set, and the layer that set it


def turn_input(user_text: str, notices: list[str]) -> ConversationState:
    """The input for one turn: the message plus resets of every per-turn field."""
    return {
        "user_text": user_text,
        "notices": notices,
        "screening": {},
        "reading": {},
        "confirmed": None,
        "kind": "",
        "prefix": "",
        "echo": "",
        "blocking": [],
        "cards": [],
        "reply": "",
        "fallback": None,
        "why_step": "",
        "why_safety": "",
    }
