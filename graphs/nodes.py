"""Stage nodes: each reads this turn's reading (``state["reading"]``, made once by the read
node) and returns a partial update (the next stage, the reply kind, captured notes).  No
node calls a model or parses the message again."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from assistant.coaching.stages import Stage, previous_step
from assistant.reading.reading import Reading
from graphs.context import Context
from graphs.read import reading_of
from graphs.state import ConversationState

Update = dict[str, Any]


def _enter(stage: Stage, kind: str, **extra: Any) -> Update:
    """Move to ``stage``: the per-stage counters start again."""
    return {"stage": stage, "kind": kind, "turns_in_stage": 0, "offered_move_on": False, **extra}


def _stay(state: ConversationState, runtime: Runtime[Context], kind: str) -> Update:
    """Stay in the stage; after enough turns, offer (once) to move on instead."""
    turns = state.get("turns_in_stage", 0) + 1
    stage = state["stage"]
    if turns >= runtime.context.settings.stuck_after and not state.get("offered_move_on"):
        return {"kind": f"{stage}.stuck_offer", "turns_in_stage": turns, "offered_move_on": True}
    return {"kind": kind, "turns_in_stage": turns}


def _wants_to_move_on(state: ConversationState, reading: Reading) -> bool:
    return reading.intent == "move_on" or (bool(state.get("offered_move_on")) and reading.accepts)


def _notes_with(
    state: ConversationState, reading: Reading, *, naming: bool = True
) -> dict[str, str]:
    """The notes, plus whatever this message already gives for later steps: a feeling, a
    story (not while still settling: "I'm tense" is the body, not yet the naming), and a
    specific, kind request said early (kept for the plan)."""
    notes = dict(state.get("notes", {}))
    text = state.get("user_text", "")
    if reading.specific and not reading.blocking:
        notes["early_request"] = _sentence(text)
    if reading.ended:
        notes["ended"] = "yes"  # kept, so no later reply coaches a request to an ex
    if reading.topic == "infidelity":
        notes["cheated"] = "yes"  # kept, so no reply pushes them to ask the one who cheated
    if not naming:
        return notes
    if reading.feelings:
        notes["feeling"] = reading.feelings[0]
    elif reading.feeling and not notes.get("feeling"):
        notes["feeling"] = state.get("echo", "")
    if reading.story:
        notes["story"] = text
    return notes


def _named(notes: dict[str, str]) -> bool:
    return bool(notes.get("feeling") and notes.get("story"))


def _after_naming(notes: dict[str, str], text: str) -> Update:
    """Naming is done: on to the request, or straight to the plan when a specific, kind
    request was already made."""
    notes = {**notes, "naming": _sentence(notes.get("story") or text)}
    if notes.get("early_request"):
        notes["request"] = notes.pop("early_request")
        return _enter("plan", "plan.summary", notes=notes)
    return _enter("request", "request.start", notes=notes)


def check_in(state: ConversationState, runtime: Runtime[Context]) -> Update:
    reading = reading_of(state)
    if reading.greeting and not (reading.feeling or reading.activated or reading.story):
        return {"stage": "check_in", "kind": "check_in.greeting"}
    if reading.settled and not reading.activated:
        return _from_settled(state, reading)
    # A first message gets a body check, activated or not: regulation comes first.
    kind = "regulation.activated" if reading.activated else "regulation.body_check"
    return _enter("regulation", kind, notes=_notes_with(state, reading, naming=False))


def _from_settled(state: ConversationState, reading: Reading) -> Update:
    """Settled: on to naming, or past it when this message also names a feeling and a story."""
    notes = _notes_with(state, reading)
    notes.setdefault("cue", "")
    if _named(notes) and (reading.feeling or reading.story):
        return _after_naming(notes, state.get("user_text", ""))
    return _enter("naming", "naming.start", notes=notes)


def regulation(state: ConversationState, runtime: Runtime[Context]) -> Update:
    reading = reading_of(state)
    if (reading.settled and not reading.activated) or _wants_to_move_on(state, reading):
        return _from_settled(state, reading)
    kind = "regulation.activated" if reading.activated else "regulation.still"
    return {**_stay(state, runtime, kind), "notes": _notes_with(state, reading, naming=False)}


def naming(state: ConversationState, runtime: Runtime[Context]) -> Update:
    reading = reading_of(state)
    notes = _notes_with(state, reading)
    if _named(notes) or _wants_to_move_on(state, reading):
        return _after_naming(notes, state.get("user_text", ""))
    if notes.get("feeling"):
        update = _stay(state, runtime, "naming.need_story")
        update["echo"] = notes["feeling"]
    elif notes.get("story"):
        update = _stay(state, runtime, "naming.need_feeling")
    else:
        update = _stay(state, runtime, "naming.more")
    return {**update, "notes": notes}


def _sentence(text: str, limit: int = 240) -> str:
    """The person's own words, cut at a sentence end near ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = max(text.rfind(mark, 0, limit) for mark in ".!?")
    return text[: cut + 1] if cut > 40 else text[:limit].rsplit(" ", 1)[0] + "…"


def _answers_the_ask(reading: Reading) -> bool:
    """In the request step a plan with a time is the request, ask words or not ("dinner
    thursday 7pm, just us, phones away")."""
    return bool(reading.timing) and not reading.question and len(reading.text.split()) >= 3


def request(state: ConversationState, runtime: Runtime[Context]) -> Update:
    reading = reading_of(state)
    if state.get("blocking"):
        return _stay(state, runtime, "request.blocking")
    specific = reading.specific or _answers_the_ask(reading)
    if specific or _wants_to_move_on(state, reading):
        notes = dict(state.get("notes", {}))
        notes.pop("early_request", None)
        if specific:
            notes["request"] = _sentence(state.get("user_text", ""))
        return _enter("plan", "plan.summary", notes=notes)
    return _stay(state, runtime, "request.vague" if reading.ask else "request.no_ask")


def plan(state: ConversationState, runtime: Runtime[Context]) -> Update:
    reading = reading_of(state)
    if reading.specific and not state.get("blocking"):
        notes = {**state.get("notes", {}), "request": _sentence(state.get("user_text", ""))}
        return {"kind": "plan.summary", "notes": notes}
    return {"kind": "plan.followup"}


def pause(state: ConversationState) -> Update:
    stage = state.get("stage", "check_in")
    left = state.get("paused_from") if stage == "pause" else stage
    return {"stage": "pause", "paused_from": left, "kind": "pause.ack"}


def _back_target(state: ConversationState) -> Stage:
    stage = state.get("stage", "regulation")
    current = state.get("paused_from") if stage == "pause" else stage
    if current in (None, "check_in", "escalation", "check"):
        current = "regulation"
    return previous_step(current)


def back_discards_notes(state: ConversationState) -> bool:
    stale = _NOTES_OF.get(_back_target(state), ())
    return any(state.get("notes", {}).get(key) for key in stale)


def back(state: ConversationState) -> Update:
    target = _back_target(state)
    # Forget what the step we return to had captured, so it is asked afresh.
    stale = _NOTES_OF.get(target, ())
    notes = {k: v for k, v in state.get("notes", {}).items() if k not in stale}
    return _enter(target, f"{target}.again", prefix="back", notes=notes)


_NOTES_OF = {"naming": ("feeling", "story", "naming"), "request": ("request",)}


def empty(state: ConversationState) -> Update:
    """An empty message: a gentle prompt, and nothing about the flow changes."""
    return {"kind": "check_in.empty"}


def restart(state: ConversationState) -> Update:
    return _enter("check_in", "check_in.greeting", prefix="restart", notes={}, paused_from=None)


def confirm(state: ConversationState) -> Update:
    """Going back or starting over sets notes aside: ask first (a yes does it next turn)."""
    intent = reading_of(state).intent
    return {"pending": intent, "kind": f"{intent}.confirm"}
