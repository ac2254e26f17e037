"""What the safety screen decides about one message: its levels, categories and verdict.

Shared vocabulary: the reading, the graph and the evals read a ``Screening`` without
importing the screen that made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Category = Literal["crisis", "abuse", "coercion", "contempt", "support"]
# Most serious first: a tie on level goes to the earlier category.
CATEGORIES: tuple[Category, ...] = ("crisis", "abuse", "coercion", "contempt", "support")

# Lowest first.  ``check``: possible risk, so Closer asks directly before coaching goes on;
# ``escalate``: clear risk, coaching stops for the conversation.  Outside the code the levels
# are named as the issue tracker and the evals name them: ``none`` is shown as ``continue``.
Level = Literal["none", "support", "check", "escalate"]
LEVELS: tuple[Level, ...] = ("none", "support", "check", "escalate")
ESCALATING = ("crisis", "abuse", "coercion", "contempt")


def public_level(level: str) -> str:
    """The level as batch rows and eval reports name it: escalate, check, support, continue."""
    return "continue" if level == "none" else level


@dataclass(frozen=True)
class Screening:
    """The result of screening one message."""

    level: Level
    category: str | None  # crisis | abuse | coercion | contempt | support
    matched: tuple[str, ...] = ()  # rule ids, "learned:<signal>:<p>", "semantic:<example id>"
    why: str = ""  # the layer that set the level, in a short line: "learned crisis 0.81 ≥ 0.74"

    def as_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "category": self.category,
            "matched": list(self.matched),
            "why": self.why,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Screening:
        data = data or {}
        return cls(
            data.get("level", "none"),
            data.get("category"),
            tuple(data.get("matched", ())),
            data.get("why", ""),
        )

    @property
    def checks(self) -> bool:
        return self.level == "check"

    @property
    def escalates(self) -> bool:
        return self.level == "escalate"


NONE = Screening("none", None, ())


