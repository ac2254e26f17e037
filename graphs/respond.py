"""The nodes around the stage logic: the safety screen first, escalation, retrieval, and the
reply (model or guided composer, streamed, checked by the output guard)."""

from __future__ import annotations

import logging
import re
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from assistant.coaching.prompting import build_messages, stage_instruction
from assistant.events import Notice, ReplyDelta, ReplyReplaced
from assistant.model.guided import compose
from assistant.model.interface import Card, Message, ModelRequest, TurnBrief
from graphs.context import Context
from graphs.read import reading_of
from graphs.state import ConversationState

log = logging.getLogger("closer.respond")
Update = dict[str, Any]


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


def previous_replies(state: ConversationState) -> list[str]:
    """The conversation's replies before this turn, oldest first (the guided composer
    varies its words by them, and the listening check looks back over them)."""
    return [m["content"] for m in state.get("messages", []) if m["role"] == "assistant"]


def respond(state: ConversationState, runtime: Runtime[Context]) -> Update:
    """Write the reply, stream it, and record the finished turn (both messages at once)."""
    write = get_stream_writer()
    ctx = runtime.context
    fallback = None
    notices = list(state.get("notices", []))
    if state.get("stage") in ("escalation", "check") or state.get("kind", "").startswith("safety."):
        reply = state.get("reply", "")  # our fixed text, never a model's
        _stream_text(write, reply)
    else:
        brief = _brief(state)
        guided = compose(brief, reading_of(state), previous_replies(state))
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
    from assistant.model.guard import check_reply

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
    from assistant.safety import escalation as safety

    return f"{reply}\n\n{safety.support_note(ctx.settings.locale)}"
