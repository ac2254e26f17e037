"""The typed reading of one message: what nodes and routers read instead of the text."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from assistant.core.screening import NONE, Screening

Intent = Literal["pause", "back", "restart", "move_on"]
# The answer to a safety question waiting for one (None: no question was waiting).
Answer = Literal["safe", "unsafe", "unclear"]
INTENTS: tuple[Intent, ...] = ("pause", "restart", "back", "move_on")  # checked in this order


@dataclass(frozen=True)
class Reading:
    """Everything the flow needs to know about one message, read once."""

    text: str  # normalised
    greeting: bool = False
    question: bool = False
    activation: tuple[str, ...] = ()
    settled: bool = False
    calm: tuple[str, ...] = ()  # the rules' words for settling ("more grounded"), to reflect
    feelings: tuple[str, ...] = ()
    feeling: bool = False  # a feeling is named, by the rules (``feelings``) or the learned layer
    story: bool = False
    ask: bool = False
    specific: bool = False  # an ask with an action and a time, day or duration
    timing: tuple[str, ...] = ()
    accepts: bool = False  # a short yes
    declines: bool = False  # a short no
    intent: Intent | None = None
    ended: bool = False
    together: bool = False  # the relationship goes on (a correction of an ended reading)
    topic: str | None = None
    blocking: tuple[dict[str, str], ...] = ()
    safety: Screening = NONE
    answer: Answer | None = None
    scores: dict[str, float] = field(default_factory=dict)  # the learned layer's probabilities
    # Why each signal holds, in a short line: "rule 'calmer now'", "learned 0.81 ≥ 0.62".
    reasons: dict[str, str] = field(default_factory=dict)

    def why(self, signal: str) -> str:
        """``signal: reason`` for a signal that holds (the rule or layer that found it)."""
        return f"{signal}: {self.reasons.get(signal, 'rule')}"

    @property
    def activated(self) -> bool:
        return bool(self.activation)

    def signals(self) -> dict[str, bool]:
        """The boolean signals, by the names the labelled data uses."""
        return {
            "greeting": self.greeting,
            "question": self.question,
            "activation": self.activated,
            "settled": self.settled,
            "feeling": self.feeling,
            "story": self.story,
            "ask": self.ask,
            "specific": self.specific,
            "ended": self.ended,
        }

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["safety"] = self.safety.as_json()
        data["blocking"] = [dict(b) for b in self.blocking]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reading:
        """The reading as the state keeps it (checkpointed as plain JSON)."""
        values = dict(data)
        values["safety"] = Screening.from_json(values.pop("safety", None))
        for key in ("activation", "calm", "feelings", "timing", "blocking"):
            values[key] = tuple(values.get(key, ()))
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in values.items() if k in known})
