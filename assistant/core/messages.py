"""The conversation's shared words: messages, cards, the turn brief, and the one small model
interface (a request, messages plus a structured brief, in; text chunks out).

Peers registered exactly alike: the guided composer (no model), the llama.cpp model (a GGUF
file) and an OpenAI-compatible HTTP endpoint.
Language models read ``request.messages``; the guided composer reads ``request.brief``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypedDict, runtime_checkable

from assistant.core.perspective import Perspective
from assistant.core.stages import Stage

Role = Literal["system", "user", "assistant"]


class Message(TypedDict):
    role: Role
    content: str


@dataclass(frozen=True)
class Card:
    """A retrieved guidance card (or a passage of the person's own documents)."""

    id: str
    title: str
    source: str
    text: str
    stages: tuple[str, ...] = ()
    score: float = 0.0
    tip: str = ""  # one short line in our own words that a guided reply may quote


@dataclass(frozen=True)
class TurnBrief:
    """What this turn's reply has to do, decided by the graph before any model runs."""

    stage: Stage
    kind: str  # a reply kind, e.g. "regulation.first"; keys into the guided templates
    user_text: str
    echo: str = ""  # a phrase of the person's own, to reflect back
    cards: tuple[Card, ...] = ()
    blocking: tuple[dict[str, str], ...] = ()  # coach findings: {"pattern", "quote", "rewrite"}
    facts: dict[str, str] = field(default_factory=dict)  # captured notes: naming, request, ...
    instruction: str = ""  # the stage instruction a language model gets in the newest turn
    perspective: Perspective = "self"  # or "supporter": the partner supporting them


@dataclass(frozen=True)
class ModelRequest:
    messages: Sequence[Message]
    brief: TurnBrief


@dataclass(frozen=True)
class GenerationOptions:
    max_tokens: int = 200
    temperature: float = 0.4  # low: a small model stays on its brief
    top_p: float = 0.95
    repeat_penalty: float = 1.15  # small models loop ("I'm here to listen. I'm here to...")
    seed: int | None = None
    stop: tuple[str, ...] = ()


@runtime_checkable
class ChatModel(Protocol):
    """Anything that turns a request into streamed text."""

    name: str

    def stream(self, request: ModelRequest, options: GenerationOptions) -> Iterator[str]: ...

    def describe(self) -> dict[str, object]:
        """Facts for the banner and ``closer model info``: backend, threads, layers..."""
        ...


class ModelLoadError(Exception):
    """A model could not be loaded; the message names the path and the fix."""
