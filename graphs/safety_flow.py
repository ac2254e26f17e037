"""The safety nodes: a standing escalation (fixed text, never a model), and a safety check
(possible risk: ask directly, coaching resumes only after a clear answer that they are safe).

Levels only go up within a conversation: an escalation is sticky and upgrades to a more
serious category (crisis > abuse > coercion > contempt); no answer ever closes it.
"""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from assistant.safety import escalation as texts  # our own vetted text, never generated
from assistant.safety.verdict import rank
from graphs.context import Context
from graphs.state import ConversationState, SafetyCheck, SafetyWatch, reading_of

Update = dict[str, Any]


def escalation_update(state: ConversationState, screening: dict[str, Any]) -> Update:
    """A new escalation, or an upgrade of the standing one to a more serious category."""
    standing = state.get("escalation")
    category = screening.get("category")
    if not standing:
        return {"escalation": {"category": category, "matched": screening.get("matched", [])}}
    if rank(category) < rank(standing.get("category")):
        upgraded = {"category": category, "matched": screening.get("matched", [])}
        return {"escalation": {**upgraded, "upgraded_from": standing.get("category")}}
    return {}


def escalation(state: ConversationState, runtime: Runtime[Context]) -> Update:
    """Stop coaching: fixed text for the category, resources for the locale.  A new or
    upgraded category gets its full text (crisis: the crisis line and a direct question)."""
    standing = state.get("escalation") or {}
    locale = runtime.context.settings.locale
    category = standing.get("category") or "crisis"
    fresh = state.get("stage") != "escalation" or standing.get("upgraded_from") is not None
    first_upgrade_turn = standing.get("upgraded_turn") in (None, state.get("turn", 0))
    first = fresh and first_upgrade_turn
    text = texts.escalation_reply(category, locale, first=first)
    reading = state.get("reading") or {}
    if not first and (state.get("blocking") or reading.get("ask") or reading.get("intent")):
        text = texts.refusal_while_escalated(locale, category)
    why = f"escalation {category} stands: coaching stays stopped"
    update: Update = {"stage": "escalation", "kind": "escalation", "reply": text, "why_step": why}
    if standing.get("upgraded_from") is not None and standing.get("upgraded_turn") is None:
        update["escalation"] = {**standing, "upgraded_turn": state.get("turn", 0)}
    return _with_shown(state, update, category)


def _with_shown(state: ConversationState, update: Update, category: str) -> Update:
    watch = dict(update.get("safety") or state.get("safety") or {})
    shown = list(watch.get("shown", []))
    if category not in shown:
        shown.append(category)
    update["safety"] = {**watch, "shown": shown}
    return update


_RESUME_KIND = {"check_in": "check_in.greeting", "plan": "plan.followup"}


def start_check(state: ConversationState, runtime: Runtime[Context]) -> Update:
    """Possible risk: acknowledge, ask directly and kindly, show the resources."""
    watch = state.get("safety") or {}
    checking = watch.get("checking") or {}
    category = checking.get("category") or "crisis"
    about = checking.get("about") or "self"
    reply = texts.check_reply(category, runtime.context.settings.locale, about=about)
    why = f"possible {category}: asks directly before coaching goes on"
    update: Update = {"stage": "check", "kind": "safety.check", "reply": reply, "why_step": why}
    return _with_shown(state, update, category)


def safety_check(state: ConversationState, runtime: Runtime[Context]) -> Update:
    """Read the answer to the question asked last turn."""
    watch = SafetyWatch(**(state.get("safety") or {}))
    checking = SafetyCheck(**(watch.get("checking") or {}))
    category = checking.get("category") or "crisis"
    locale = runtime.context.settings.locale
    second = checking.get("step") == 2
    about = checking.get("about") or "self"
    answer = reading_of(state).answer or "unclear"  # read once, by the read node
    if answer == "unsafe":
        screening = {"category": category, "matched": [f"answer:{category}"]}
        update = {**escalation_update(state, screening), "safety": {**watch, "checking": None}}
        update["why_safety"] = f"escalate {category}: the answer to the check said not safe"
        return {**update, **escalation({**state, **update}, runtime)}  # type: ignore[typeddict-item]
    if answer == "unclear" and checking.get("asked", 1) >= MAX_ASKS:
        # Asked twice and not answered: no one is held in a check.  The help stays in the
        # panel, and a later sign is asked about sooner ("wary").
        why = f"the {category} question went unanswered twice: coaching resumes, help stays shown"
        return _resume(state, watch, checking, "unanswered", why)
    if answer == "unclear":
        reply = texts.check_again(category, locale, second=second, about=about)
        why = f"the answer to the {category} question was unclear: asks again"
        checking["asked"] = checking.get("asked", 1) + 1
        update = {"stage": "check", "kind": "safety.check_again", "reply": reply, "why_step": why}
        return {**update, "safety": {**watch, "checking": checking}}
    # A second question only when the evidence was a pattern told at a distance; a check
    # raised by the learned layer alone is closed by a clear safe answer.
    learned_only = checking.get("source") == "learned"
    if not second and texts.has_second_question(category, about) and not learned_only:
        reply = texts.check_reply(category, locale, second=True)
        checking["step"], checking["asked"] = 2, 1
        update = {"stage": "check", "kind": "safety.check", "reply": reply}
        why = f"a safe answer to the first {category} question: the second one"
        return {**update, "safety": {**watch, "checking": checking}, "why_step": why}
    why = f"a clear safe answer to the {category} check"
    return _resume(state, watch, checking, "cleared", why)


MAX_ASKS = 2  # the same question is asked at most twice


def _resume(
    state: ConversationState, watch: SafetyWatch, checking: SafetyCheck, prefix: str, why: str
) -> Update:
    """Coaching resumes where it stopped, saying so; the resources stay in the panel."""
    resume = checking.get("resume") or "regulation"
    if resume == "pause":
        resume = state.get("paused_from") or "regulation"
    kind = _RESUME_KIND.get(resume, f"{resume}.again")
    cleared = {**watch, "checking": None, "wary": True}
    why = f"{why}: coaching resumes at {resume}"
    return {"stage": resume, "kind": kind, "prefix": prefix, "safety": cleared, "why_step": why}
