"""Routers: pure functions from state to the name of the next node.  They read the turn's
reading (made once by the read node); none of them parses the message."""

from __future__ import annotations

from typing import Literal, cast

from graphs.nodes import back_discards_notes
from graphs.state import ConversationState, reading_of

ByStage = Literal[
    "escalation",
    "start_check",
    "safety_check",
    "check_in",
    "regulation",
    "naming",
    "request",
    "plan",
    "pause",
    "back",
    "restart",
    "confirm",
    "empty",
]


def by_stage(state: ConversationState) -> ByStage:
    """A standing escalation first (no later message, whatever it says, leaves it), then a
    safety check in progress, then flow intents, then the stage the person is in."""
    if state.get("escalation") or state.get("stage") == "escalation":
        return "escalation"
    checking = (state.get("safety") or {}).get("checking")
    if checking:
        asked_now = checking.get("asked_turn") == state.get("turn", 0)
        return "start_check" if asked_now else "safety_check"
    if not state.get("user_text", "").strip():
        return "empty"
    if state.get("confirmed") == "back":
        return "back"
    if state.get("confirmed") == "restart":
        return "restart"
    intent = reading_of(state).intent
    stage = state.get("stage", "check_in")
    if intent == "pause":
        return "pause"
    if intent == "restart":
        return "confirm"
    if intent == "back" and stage not in ("check_in",):
        # Back to a step with notes to set aside asks first; back to settling costs nothing.
        return "confirm" if back_discards_notes(state) else "back"
    if stage in ("pause", "check"):  # resume is handled by the read node
        return "regulation"
    # What is left is one of the five steps ("escalation" was routed first).
    return cast(ByStage, stage)
