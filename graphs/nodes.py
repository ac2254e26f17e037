"""Stage nodes: each reads this turn's reading (``state["reading"]``, made once by the read
node) and returns a partial update (the next stage, the reply kind, captured notes).  No
node calls a model or parses the message again."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from assistant.core.reading import Reading
from assistant.core.stages import Stage, previous_step
from graphs.context import Context
from graphs.state import ConversationState, Notes, reading_of

Update = dict[str, Any]


def _enter(stage: Stage, kind: str, why: str, **extra: Any) -> Update:
    """Move to ``stage``: the per-stage counters start again.  ``why`` says what moved it."""
    return {
        "stage": stage,
        "kind": kind,
        "turns_in_stage": 0,
        "offered_move_on": False,
        "why_step": why,
        **extra,
    }


def _stay(state: ConversationState, runtime: Runtime[Context], kind: str, why: str) -> Update:
    """Stay in the stage; after enough turns, offer (once) to move on instead."""
    turns = state.get("turns_in_stage", 0) + 1
    stage = state["stage"]
    if turns >= runtime.context.settings.stuck_after and not state.get("offered_move_on"):
        why = f"{turns} turns in {stage}: offered to move on"
        return {
            "kind": f"{stage}.stuck_offer",
            "turns_in_stage": turns,
            "offered_move_on": True,
            "why_step": why,
        }
    return {"kind": kind, "turns_in_stage": turns, "why_step": why}


def _moving_on_why(reading: Reading) -> str:
    return "asked to move on" if reading.intent == "move_on" else "said yes to moving on"


def _wants_to_move_on(state: ConversationState, reading: Reading) -> bool:
    return reading.intent == "move_on" or (bool(state.get("offered_move_on")) and reading.accepts)


def _notes_with(
    state: ConversationState, reading: Reading, *, naming: bool = True
) -> Notes:
    """The notes, plus whatever this message already gives for later steps: a feeling, a
    story (not while still settling: "I'm tense" is the body, not yet the naming), and a
    specific, kind request said early (kept for the plan)."""
    notes = Notes(**state.get("notes", {}))
    text = state.get("user_text", "")
    if reading.specific and not reading.blocking:
        notes["early_request"] = _sentence(text)
    if not naming:
        return notes
    if reading.feelings:
        notes["feeling"] = reading.feelings[0]
    elif reading.feeling and not notes.get("feeling"):
        notes["feeling"] = state.get("echo", "")
    if reading.story:
        notes["story"] = text
    return notes


def _ended(reading: Reading) -> Update:
    """An ended relationship, once read in a step, is kept: no later reply coaches a request
    toward an ex, until the person says the relationship goes on ("no, we're still
    together").  So is a partner who cheated: no reply pushes them to ask that partner for
    something.  Read in a step only: a message that starts a safety check sets nothing."""
    update: Update = {"partner_cheated": True} if reading.topic == "infidelity" else {}
    if reading.together:
        return {**update, "relationship_ended": False}
    return {**update, "relationship_ended": True} if reading.ended else update


def _named(notes: Notes) -> bool:
    return bool(notes.get("feeling") and notes.get("story"))


def _after_naming(notes: Notes, text: str, why: str) -> Update:
    """Naming is done: on to the request, or straight to the plan when a specific, kind
    request was already made."""
    notes = {**notes, "naming": _sentence(notes.get("story") or text)}
    if notes.get("early_request"):
        notes["request"] = notes.pop("early_request")
        why = f"{why}; a specific request said earlier"
        return _enter("plan", "plan.summary", why, notes=notes)
    return _enter("request", "request.start", why, notes=notes)


def _named_why(reading: Reading, notes: Notes) -> str:
    """Which signals completed the naming: this message's, or notes from an earlier one."""
    parts = [
        reading.why(signal) if getattr(reading, signal) else f"{signal} said earlier"
        for signal in ("feeling", "story")
    ]
    return "; ".join(parts)


def check_in(state: ConversationState, runtime: Runtime[Context]) -> Update:
    reading = reading_of(state)
    if reading.greeting and not (reading.feeling or reading.activated or reading.story):
        return {"stage": "check_in", "kind": "check_in.greeting", "why_step": "greeting (rule)"}
    if reading.settled and not reading.activated:
        return _from_settled(state, reading, reading.why("settled"))
    # A first message gets a body check, activated or not: regulation comes first.
    if reading.activated:
        kind, why = "regulation.activated", reading.why("activation")
    else:
        kind, why = "regulation.body_check", "a first message: regulation comes first"
    notes = _notes_with(state, reading, naming=False)
    return _enter("regulation", kind, why, notes=notes, **_ended(reading))


def _from_settled(state: ConversationState, reading: Reading, why: str) -> Update:
    """Settled: on to naming, or past it when this message also names a feeling and a story."""
    notes = _notes_with(state, reading)
    notes.setdefault("cue", "")
    if _named(notes) and (reading.feeling or reading.story):
        why = f"{why}; {_named_why(reading, notes)}"
        return {**_after_naming(notes, state.get("user_text", ""), why), **_ended(reading)}
    return _enter("naming", "naming.start", why, notes=notes, **_ended(reading))


def regulation(state: ConversationState, runtime: Runtime[Context]) -> Update:
    reading = reading_of(state)
    if reading.settled and not reading.activated:
        return _from_settled(state, reading, reading.why("settled"))
    if _wants_to_move_on(state, reading):
        return _from_settled(state, reading, _moving_on_why(reading))
    if reading.activated:
        kind, why = "regulation.activated", reading.why("activation")
    else:
        kind, why = "regulation.still", "not settled yet"
    update = _stay(state, runtime, kind, why)
    return {**update, "notes": _notes_with(state, reading, naming=False), **_ended(reading)}


def naming(state: ConversationState, runtime: Runtime[Context]) -> Update:
    reading = reading_of(state)
    notes = _notes_with(state, reading)
    if _named(notes):
        why = _named_why(reading, notes)
        return {**_after_naming(notes, state.get("user_text", ""), why), **_ended(reading)}
    if _wants_to_move_on(state, reading):
        why = _moving_on_why(reading)
        return {**_after_naming(notes, state.get("user_text", ""), why), **_ended(reading)}
    if notes.get("feeling"):
        update = _stay(state, runtime, "naming.need_story", "a feeling, no story yet")
        update["echo"] = notes["feeling"]
    elif notes.get("story"):
        update = _stay(state, runtime, "naming.need_feeling", "a story, no feeling yet")
    else:
        update = _stay(state, runtime, "naming.more", "no feeling or story yet")
    return {**update, "notes": notes, **_ended(reading)}


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
    if blocking := state.get("blocking"):
        patterns = ", ".join(sorted({finding["pattern"] for finding in blocking}))
        return _stay(state, runtime, "request.blocking", f"blocking language: {patterns}")
    specific = reading.specific or _answers_the_ask(reading)
    if specific or _wants_to_move_on(state, reading):
        notes = dict(state.get("notes", {}))
        notes.pop("early_request", None)
        if specific:
            notes["request"] = _sentence(state.get("user_text", ""))
        why = _specific_why(reading) if specific else _moving_on_why(reading)
        return _enter("plan", "plan.summary", why, notes=notes)
    if reading.ask:
        return _stay(state, runtime, "request.vague", f"{reading.why('ask')}, no time or day")
    return _stay(state, runtime, "request.no_ask", "no ask yet")


def _specific_why(reading: Reading) -> str:
    timing = f"'{reading.timing[0]}'" if reading.timing else "a time"
    if reading.specific:
        return f"a specific ask: {reading.why('ask')} with {timing} (rule)"
    return f"a plan with {timing} (rule) answers the ask"


def plan(state: ConversationState, runtime: Runtime[Context]) -> Update:
    reading = reading_of(state)
    if reading.specific and not state.get("blocking"):
        notes = {**state.get("notes", {}), "request": _sentence(state.get("user_text", ""))}
        return {"kind": "plan.summary", "notes": notes, "why_step": _specific_why(reading)}
    return {"kind": "plan.followup", "why_step": "the plan is made: a follow-up"}


def pause(state: ConversationState) -> Update:
    stage = state.get("stage", "check_in")
    left = state.get("paused_from") if stage == "pause" else stage
    why = "intent pause (rule)"
    return {"stage": "pause", "paused_from": left, "kind": "pause.ack", "why_step": why}


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
    why = "intent back (rule)" + ("; confirmed" if state.get("confirmed") == "back" else "")
    return _enter(target, f"{target}.again", why, prefix="back", notes=notes)


_NOTES_OF = {"naming": ("feeling", "story", "naming"), "request": ("request",)}


def empty(state: ConversationState) -> Update:
    """An empty message: a gentle prompt, and nothing about the flow changes."""
    return {"kind": "check_in.empty", "why_step": "an empty message"}


def restart(state: ConversationState) -> Update:
    why = "intent restart (rule); confirmed"
    return _enter(
        "check_in", "check_in.greeting", why, prefix="restart", notes={}, paused_from=None
    )


def confirm(state: ConversationState) -> Update:
    """Going back or starting over sets notes aside: ask first (a yes does it next turn)."""
    intent = reading_of(state).intent
    why = f"intent {intent} (rule): sets notes aside, so asks first"
    return {"pending": intent, "kind": f"{intent}.confirm", "why_step": why}
