"""Typed records of what happens in a turn: one event stream that CLI, UI and evals consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.core.perspective import Perspective
from assistant.core.stages import Stage


@dataclass(frozen=True)
class Notice:
    """Something the person should see besides the reply (a truncation, a trimmed history)."""

    text: str


@dataclass(frozen=True)
class ReplyDelta:
    """A piece of the reply as it streams."""

    text: str


@dataclass(frozen=True)
class ReplyReplaced:
    """The streamed model reply failed the output guard; this guided text replaces it."""

    text: str
    reason: str


@dataclass(frozen=True)
class TurnResult:
    """One finished turn, as batch mode prints it."""

    turn: int
    user: str
    reply: str
    stage: Stage
    blocking: list[dict[str, str]] = field(default_factory=list)
    escalation: dict[str, Any] | None = None
    sources: list[dict[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    model: str = "guided"
    fallback: str | None = None  # why a model reply was replaced by the guided one
    session: str = ""
    # This message's safety verdict: {"level": escalate|check|support|continue, "category"}.
    safety: dict[str, Any] = field(default_factory=lambda: {"level": "continue", "category": None})
    resources: list[str] = field(default_factory=list)  # categories whose help stays shown
    perspective: Perspective = "self"
    # Why the step moved (or stayed) and why the safety level is what it is: {"step", "safety"}.
    why: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "user": self.user,
            "reply": self.reply,
            "stage": self.stage,
            "blocking": self.blocking,
            "escalation": self.escalation,
            "sources": self.sources,
            "notices": self.notices,
            "model": self.model,
            "fallback": self.fallback,
            "session": self.session,
            "safety": self.safety,
            "resources": self.resources,
            "perspective": self.perspective,
            "why": self.why,
        }


Event = Notice | ReplyDelta | ReplyReplaced | TurnResult
