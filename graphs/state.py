"""What the graph remembers between turns, and what one turn writes.

Following the LangGraph templates: what a turn brings (``TurnInput``), what a conversation
keeps (``ConversationMemory``, checkpointed), and the fields each turn writes afresh
(``TurnFields``); ``ConversationState`` is all three.  Nested values are TypedDicts, so a
reader sees their keys here rather than in the nodes that write them.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from assistant.core.messages import Message
from assistant.core.perspective import Perspective
from assistant.core.reading import Reading
from assistant.core.stages import Stage


class Notes(TypedDict, total=False):
    """The makings of the plan, in the person's own words."""

    feeling: str
    story: str
    naming: str  # the story sentence the naming step ended on
    request: str
    early_request: str  # a specific, kind request said before the request step
    cue: str  # a calming cue, when one was named


class SafetyCheck(TypedDict, total=False):
    """A safety question asked and waiting for its answer."""

    category: str | None
    step: int  # 1, or 2 for the category's second question
    asked: int  # how many times this question was put (at most twice)
    source: str  # "pattern" or "learned": what raised the check
    asked_turn: int
    resume: Stage | None  # where coaching goes on once the answer is clearly safe
    about: str  # "other": the risk is someone else's (asked about them, not the writer)


class SafetyWatch(TypedDict, total=False):
    checking: SafetyCheck | None  # a check in progress
    wary: bool  # after a cleared check, a later sign is asked about sooner
    shown: list[str]  # categories whose resources stay in the panel


class Escalation(TypedDict, total=False):
    """A standing escalation: coaching stays stopped for the conversation."""

    category: str | None
    matched: list[str]
    upgraded_from: str | None  # the less serious category it replaced
    upgraded_turn: int | None


class TurnReasons(TypedDict):
    turn: str
    step: str
    safety: str


class ConversationMemory(TypedDict, total=False):
    """Kept across turns (checkpointed)."""

    messages: Annotated[list[Message], operator.add]  # what was said, never rewritten
    stage: Stage
    paused_from: Stage | None
    turns_in_stage: int
    offered_move_on: bool
    notes: Notes
    relationship_ended: bool  # kept, so no later reply coaches a request toward an ex
    partner_cheated: bool  # kept, so no reply pushes them to ask the one who cheated
    no_exercises: bool  # they said no to an exercise: none is offered again
    escalation: Escalation | None
    safety: SafetyWatch
    pending: str | None  # "back" or "restart", asked about and waiting for a yes
    turn: int
    # Why each turn went where it went, one entry a turn (``closer sessions show --why``).
    reasons: Annotated[list[TurnReasons], operator.add]
    # The intimacy map's ratings {"emotional": 3, ...}, saved beside the turns by
    # graphs.intimacy.save_map (a checkpoint of its own, no turn run); never reset per turn.
    intimacy_map: dict[str, int]
    # Set when the conversation starts; absent in older ones (read as "self").
    perspective: Perspective


class TurnFields(TypedDict, total=False):
    """Written fresh each turn (``turn_input`` resets them)."""

    user_text: str
    notices: list[str]
    screening: dict[str, Any]  # core.screening.Screening as JSON
    reading: dict[str, Any]  # core.reading.Reading as JSON: read once per turn
    confirmed: str | None  # this message said yes to the pending "back" or "restart"
    kind: str  # the reply kind, "stage.variant", e.g. "naming.need_story"
    prefix: str  # "resume", "back", "restart" or "cleared": a short opener before the reply
    echo: str
    blocking: list[dict[str, str]]
    cards: list[dict[str, Any]]
    reply: str
    fallback: str | None
    model_name: str
    why_step: str  # what moved the step (or kept it), naming the rule or layer
    why_safety: str  # the safety level this message set, and the layer that set it


class TurnInput(TurnFields, total=False):
    """What one turn brings: the message, its notices, resets of every per-turn field, and
    (for a new conversation) whose side it is for."""

    perspective: Perspective


class ConversationState(ConversationMemory, TurnFields, total=False):
    pass


def reading_of(state: ConversationState) -> Reading:
    """This turn's reading, as the read node left it."""
    return Reading.from_json(state.get("reading") or {"text": ""})


def turn_input(user_text: str, notices: list[str]) -> TurnInput:
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
