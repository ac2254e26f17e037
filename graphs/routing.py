"""Routers: pure functions from state to the name of the next node."""

from __future__ import annotations

from typing import Literal

from graphs.nodes import read_intent
from graphs.state import ConversationState

ByStage = Literal[
    "escalation",
    "check_in",
    "regulation",
    "naming",
    "request",
    "plan",
    "pause",
    "back",
    "restart",
    "empty",
]


def by_stage(state: ConversationState) -> ByStage:
    """A standing escalation first (no later message, whatever it says, leaves it), then
    flow intents (pause, back, restart), then the stage the person is in."""
    if state.get("escalation") or state.get("stage") == "escalation":
        return "escalation"
    if not state.get("user_text", "").strip():
        return "empty"
    intent = read_intent(state)
    stage = state.get("stage", "check_in")
    if intent == "pause":
        return "pause"
    if intent == "restart":
        return "restart"
    if intent == "back" and stage not in ("check_in",):
        return "back"
    if stage == "pause":  # resume is handled by read_message
        return "regulation"
    return stage
