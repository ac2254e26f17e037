"""The conversation's stages, by name, and the order the person moves through them."""

from __future__ import annotations

from typing import Literal, get_args

Stage = Literal[
    "check_in", "regulation", "naming", "request", "plan", "pause", "check", "escalation"
]
STAGES: tuple[Stage, ...] = get_args(Stage)

# The five steps a person walks through; pause and escalation sit beside them.
STEPS: tuple[Stage, ...] = ("check_in", "regulation", "naming", "request", "plan")

STEP_LABELS: dict[str, str] = {
    "check_in": "Check-in",
    "regulation": "Regulation",
    "naming": "Naming",
    "request": "Request",
    "plan": "Plan",
    "pause": "Pause",
    "check": "Safety check",
    "escalation": "Support",
}


def previous_step(stage: Stage) -> Stage:
    """The step before ``stage``; going back never leaves regulation for check-in."""
    index = STEPS.index(stage)
    return STEPS[max(index - 1, 1)]
