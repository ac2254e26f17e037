"""The first node of every turn: the message is read once — its safety verdict and its
reading — and what that means for the conversation's safety is recorded.  Every later node
and router reads ``state["reading"]``; nothing parses the message again."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from assistant.coaching.echo import key_phrase
from assistant.coaching.listen import refuses_exercise
from assistant.core.screening import Screening
from assistant.reading.reader import message_parts as reading_parts
from assistant.reading.reader import read as read_rules_only
from assistant.safety.classifier import message_parts as safety_parts
from assistant.safety.escalation import check_question
from assistant.safety.semantic import message_parts as example_parts
from assistant.text import normalise, screen_form
from graphs.context import Context
from graphs.safety_flow import escalation_update
from graphs.state import ConversationState, SafetyWatch

Update = dict[str, Any]


def read(state: ConversationState, runtime: Runtime[Context]) -> Update:
    ctx = runtime.context
    text = state.get("user_text", "")
    watch = SafetyWatch(**(state.get("safety") or {}))
    if ctx.embed is not None and text.strip():
        ctx.embed(message_texts(text))  # one call; the layers below find the vectors cached
    screening = ctx.screener(text, wary=bool(watch.get("wary")))
    reader = ctx.reader or read_rules_only
    reading = reader(text, safety=screening, yes_means=_waiting_question(watch))
    update: Update = {
        "why_safety": _safety_why(screening),
        "screening": screening.as_json(),
        "reading": reading.as_json(),
        "blocking": list(reading.blocking),
        "echo": key_phrase(text, reading),
    }
    if screening.level == "escalate":
        update.update(escalation_update(state, screening.as_json()))
    elif screening.level == "check" and not state.get("escalation") and not watch.get("checking"):
        checking = {
            "category": screening.category,
            "step": 1,
            "asked": 1,
            "asked_turn": state.get("turn", 0),
            "source": _evidence(screening),
            "about": "other" if "other" in screening.matched else "self",
        }
        update["safety"] = {**watch, "checking": {**checking, "resume": state.get("stage")}}
    if refuses_exercise(reading.text):
        update["no_exercises"] = True
    # A "yes" to "go back / start over?" confirms it; anything else lets it go.
    update["pending"] = None
    if state.get("pending") and reading.accepts:
        update["confirmed"] = state["pending"]
    if state.get("stage") == "pause" and reading.intent != "pause" and "safety" not in update:
        update["stage"] = state.get("paused_from") or "regulation"
        update["prefix"] = "resume"
    return update


def _waiting_question(watch: SafetyWatch) -> str | None:
    """How a plain yes reads, when a safety question asked earlier waits for its answer."""
    checking = watch.get("checking")
    if not checking:
        return None
    category = checking.get("category") or "crisis"
    about = checking.get("about") or "self"
    _, yes_means = check_question(category, second=checking.get("step") == 2, about=about)
    return yes_means


def _evidence(screening: Screening) -> str:
    """"learned" when only the learned or example layers saw the risk, else "pattern"."""
    layers = {m.split(":", 1)[0] for m in screening.matched if m not in ("distance", "once")}
    return "learned" if layers and layers <= {"learned", "semantic"} else "pattern"


def message_texts(text: str) -> list[str]:
    """Every text the screen's learned and example layers, the reader's learned layer and
    retrieval's query embed for ``text``, each once.  Embedded together they cost one call
    into the model, where each layer asking for its own parts cost up to three."""
    normalized = screen_form(text)
    parts = [text, *safety_parts(normalized), *example_parts(normalized)]
    parts += reading_parts(normalise(text))
    return list(dict.fromkeys(parts))


def _safety_why(screening: Screening) -> str:
    """The level this message's verdict set, and the layer that set it."""
    if screening.level == "none":
        return "continue: no layer fired"
    return f"{screening.level} {screening.category}: {screening.why or 'pattern'}"
