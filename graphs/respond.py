"""The nodes around the stage logic: the safety screen first, escalation, retrieval, and the
reply (model or guided composer, streamed, checked by the output guard)."""

from __future__ import annotations

import logging
import re
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from assistant.composer import compose
from assistant.events import Notice, ReplyDelta, ReplyReplaced
from assistant.model import Card, Message, ModelRequest, TurnBrief
from assistant.prompting import build_messages, stage_instruction
from graphs.context import Context
from graphs.state import ConversationState

log = logging.getLogger("closer.respond")
Update = dict[str, Any]


def screen(state: ConversationState, runtime: Runtime[Context]) -> Update:
    """Runs on every message before anything else; its verdict cannot be talked out of."""
    screening = runtime.context.screener(state.get("user_text", ""))
    update: Update = {"screening": screening.as_json()}
    if screening.level == "escalate" and not state.get("escalation"):
        update["escalation"] = {"category": screening.category, "matched": list(screening.matched)}
    return update


def escalation(state: ConversationState, runtime: Runtime[Context]) -> Update:
    """Stop coaching: fixed text for the category, resources for the locale."""
    from assistant import safety  # our own vetted text, never generated

    standing = state.get("escalation") or {}
    locale = runtime.context.settings.locale
    first = state.get("stage") != "escalation"
    text = safety.escalation_reply(standing.get("category") or "crisis", locale, first=first)
    if not first and (state.get("blocking") or _asks_for_coaching(state)):
        text = safety.refusal_while_escalated(locale, standing.get("category") or "abuse")
    return {"stage": "escalation", "kind": "escalation", "reply": text}


def _asks_for_coaching(state: ConversationState) -> bool:
    from assistant.progress import read_signals

    signals = read_signals(state.get("user_text", ""))
    return bool(signals.ask) or signals.intent == "move_on"


def retrieve(state: ConversationState, runtime: Runtime[Context]) -> Update:
    """Top cards for the message, boosted by stage, and always one card of the stage itself
    so the reply can stay grounded in what this step is about."""
    retriever = runtime.context.retriever
    text = state.get("user_text", "")
    if retriever is None or not text:
        return {"cards": []}
    stage = state.get("stage", "check_in")
    # A short message ("I'm ready") says little; the step's own purpose says more.
    context = stage_instruction(stage) if _content_words(text) < 4 else None
    found = retriever.search(text, stage=stage, k=RETRIEVE_K + 7, context=context)
    cards = found[:RETRIEVE_K]
    if not any(stage in card.stages for card in cards):
        in_stage = [card for card in found if stage in card.stages]
        cards = cards[: RETRIEVE_K - 1] + in_stage[:1] if in_stage else cards
    return {"cards": [_card_dict(card) for card in cards]}


RETRIEVE_K = 3


def _content_words(text: str) -> int:
    return len([word for word in re.findall(r"[\w']+", text) if len(word) > 3])


def _card_dict(card: Card) -> dict[str, Any]:
    return {
        "id": card.id,
        "title": card.title,
        "source": card.source,
        "text": card.text,
        "stages": list(card.stages),
        "score": card.score,
        "tip": card.tip,
    }


def _brief(state: ConversationState) -> TurnBrief:
    kind = state.get("kind") or f"{state.get('stage', 'check_in')}.followup"
    if state.get("prefix"):
        kind = f"{kind}+{state['prefix']}"
    cards = tuple(
        Card(**{**c, "stages": tuple(c.get("stages", ()))}) for c in state.get("cards", [])
    )
    return TurnBrief(
        stage=state.get("stage", "check_in"),
        kind=kind,
        user_text=state.get("user_text", ""),
        echo=state.get("echo", ""),
        cards=cards,
        blocking=tuple(state.get("blocking", [])),
        facts=dict(state.get("notes", {})),
    )


def respond(state: ConversationState, runtime: Runtime[Context]) -> Update:
    """Write the reply, stream it, and record the finished turn (both messages at once)."""
    write = get_stream_writer()
    ctx = runtime.context
    fallback = None
    notices = list(state.get("notices", []))
    if state.get("stage") == "escalation":
        reply = state.get("reply", "")
        _stream_text(write, reply)
    else:
        brief = _brief(state)
        guided = compose(brief)
        if ctx.model.name == "guided":
            reply = guided
            _stream_text(write, reply)
        else:
            reply, fallback, notice = _model_reply(state, ctx, brief, guided, write)
            notices = [*notices, *([notice] if notice else [])]
        reply = _with_support_note(state, ctx, reply)
    user: Message = {"role": "user", "content": state.get("user_text", "")}
    assistant: Message = {"role": "assistant", "content": reply}
    return {
        "reply": reply,
        "fallback": fallback,
        "model_name": ctx.model.name,
        "messages": [user, assistant],
        "turn": state.get("turn", 0) + 1,
        "notices": notices,
    }


def _stream_text(write: Any, text: str) -> None:
    for index, word in enumerate(text.split(" ")):
        write(ReplyDelta(word if index == 0 else " " + word))


def _model_reply(
    state: ConversationState, ctx: Context, brief: TurnBrief, guided: str, write: Any
) -> tuple[str, str | None, str | None]:
    """Stream the model's reply; if the guard rejects it, the guided reply replaces it.
    Returns the reply, why it was replaced (or None), and the history-trim notice if any."""
    from assistant.guard import check_reply

    messages = build_messages(state.get("messages", []), brief)
    pieces: list[str] = []
    notice = None
    try:
        stream = ctx.model.stream(ModelRequest(messages=messages, brief=brief), ctx.options)
        # Models that fit history to their context say so on the stream: show it.
        if notice := getattr(stream, "notice", None):
            write(Notice(notice))
        for piece in stream:
            pieces.append(piece)
            write(ReplyDelta(piece))
        finished = getattr(stream, "finish_reason", "stop") != "length"
        reason = check_reply("".join(pieces), finished=finished)
    except Exception as error:  # a model failure must never cost the person their turn
        log.warning("model failed, using the guided reply: %s", error)
        reason = f"model error: {error.__class__.__name__}"
    if reason:
        log.info("model reply replaced by the guided one (%s)", reason)
        write(ReplyReplaced(guided, reason))
        return guided, reason, notice
    return "".join(pieces).strip(), None, notice


def _with_support_note(state: ConversationState, ctx: Context, reply: str) -> str:
    if state.get("screening", {}).get("level") != "support":
        return reply
    from assistant import safety

    return f"{reply}\n\n{safety.support_note(ctx.settings.locale)}"
