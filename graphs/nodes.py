"""Stage nodes: each reads the person's message deterministically and returns a partial
update (the next stage, the reply kind, captured notes).  No node calls a model."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from assistant.coach import find_blocking
from assistant.progress import Signals, key_phrase, read_signals
from assistant.stages import Stage, previous_step
from graphs.context import Context
from graphs.state import ConversationState

Update = dict[str, Any]


def _signals(state: ConversationState) -> Signals:
    return read_signals(state.get("user_text", ""))


def _echo(state: ConversationState, signals: Signals) -> str:
    return key_phrase(state.get("user_text", ""), signals)


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


def _wants_to_move_on(state: ConversationState, signals: Signals) -> bool:
    return signals.intent == "move_on" or (bool(state.get("offered_move_on")) and signals.accepts)


def read_message(state: ConversationState) -> Update:
    """Blocking language and the reflected phrase, for every message; resume after a pause."""
    signals = _signals(state)
    update: Update = {"blocking": find_blocking(signals.text), "echo": _echo(state, signals)}
    if state.get("stage") == "pause" and signals.intent != "pause":
        update["stage"] = state.get("paused_from") or "regulation"
        update["prefix"] = "resume"
    return update


def check_in(state: ConversationState, runtime: Runtime[Context]) -> Update:
    signals = _signals(state)
    if signals.greeting_only:
        return {"stage": "check_in", "kind": "check_in.greeting"}
    # A first message always gets a body check, activated or not: regulation comes first.
    kind = "regulation.activated" if signals.activation else "regulation.body_check"
    return _enter("regulation", kind)


def regulation(state: ConversationState, runtime: Runtime[Context]) -> Update:
    signals = _signals(state)
    if signals.calm or _wants_to_move_on(state, signals):
        notes = {**state.get("notes", {}), "cue": _cue(signals)}
        return _enter("naming", "naming.start", notes=notes)
    kind = "regulation.activated" if signals.activation else "regulation.still"
    return _stay(state, runtime, kind)


def _cue(signals: Signals) -> str:
    if "breathed" in signals.calm or "breathing slower" in signals.calm:
        return "a few slow breaths, with the out-breath longer than the in-breath"
    return ""


def naming(state: ConversationState, runtime: Runtime[Context]) -> Update:
    signals = _signals(state)
    notes = dict(state.get("notes", {}))
    if signals.feelings:
        notes["feeling"] = signals.feelings[0]
    if signals.story:
        notes["story"] = state.get("user_text", "")
    if (notes.get("feeling") and notes.get("story")) or _wants_to_move_on(state, signals):
        notes["naming"] = _sentence(notes.get("story") or state.get("user_text", ""))
        return _enter("request", "request.start", notes=notes)
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


def request(state: ConversationState, runtime: Runtime[Context]) -> Update:
    signals = _signals(state)
    if state.get("blocking"):
        return _stay(state, runtime, "request.blocking")
    if signals.specific or _wants_to_move_on(state, signals):
        notes = dict(state.get("notes", {}))
        if signals.specific:
            notes["request"] = _sentence(state.get("user_text", ""))
        return _enter("plan", "plan.summary", notes=notes)
    return _stay(state, runtime, "request.vague" if signals.ask else "request.no_ask")


def plan(state: ConversationState, runtime: Runtime[Context]) -> Update:
    signals = _signals(state)
    if signals.specific and not state.get("blocking"):
        notes = {**state.get("notes", {}), "request": _sentence(state.get("user_text", ""))}
        return {"kind": "plan.summary", "notes": notes}
    return {"kind": "plan.followup"}


def pause(state: ConversationState) -> Update:
    stage = state.get("stage", "check_in")
    left = state.get("paused_from") if stage == "pause" else stage
    return {"stage": "pause", "paused_from": left, "kind": "pause.ack"}


def back(state: ConversationState) -> Update:
    stage = state.get("stage", "regulation")
    current = state.get("paused_from") if stage == "pause" else stage
    if current in (None, "check_in", "escalation"):
        current = "regulation"
    target = previous_step(current)
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


def read_intent(state: ConversationState) -> str | None:
    """The flow intent of this message (pause, back, restart, move_on), for the router."""
    return _signals(state).intent
