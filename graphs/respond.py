"""The nodes around the stage logic: the safety screen first, escalation, retrieval, and the
reply (model or guided composer, streamed, checked by the output guard)."""

from __future__ import annotations

import logging
import queue
import time
from typing import Any

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime

from assistant.coaching.guided import compose
from assistant.coaching.prompting import (
    brief_phrases,
    build_messages,
    is_fixed_kind,
    stage_instruction,
)
from assistant.core.events import Notice, ReplyDelta, ReplyReplaced
from assistant.core.messages import Card, Message, ModelRequest, TurnBrief
from assistant.core.perspective import perspective_of
from assistant.gate.sentence_gate import OUT_OF_TIME, STOPPED, GateVerdict, SentenceGate
from assistant.text import words
from graphs.context import Context
from graphs.pieces import Pieces
from graphs.state import ConversationState, reading_of
from graphs.timing import timed

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
    perspective = perspective_of(state)  # supporter cards only for supporter conversations
    found = retriever.search(
        text, stage=stage, k=RETRIEVE_K + 7, context=context, perspective=perspective
    )
    cards = found[:RETRIEVE_K]
    if not any(stage in card.stages for card in cards):
        in_stage = [card for card in found if stage in card.stages]
        cards = cards[: RETRIEVE_K - 1] + in_stage[:1] if in_stage else cards
    guidance = [_card_dict(card) for card in cards]
    return {"cards": guidance + _documents(retriever, text)}


RETRIEVE_K = 3
# The person's own notes: at most one passage, after the guidance, and only when it fits the
# message (cosine similarity; a related message scored 0.54 against a note, unrelated ones
# 0.18-0.33: see tests/test_ingest_sources.py).
DOCUMENT_K = 1
DOCUMENT_MIN_SCORE = 0.4


def _documents(retriever: Any, text: str) -> list[dict[str, Any]]:
    search = getattr(retriever, "search_documents", None)
    if search is None:
        return []
    try:
        found = search(text, k=DOCUMENT_K)
    except Exception as error:  # the person's notes are extra: never cost them the turn
        log.warning("document search failed: %s", error)
        return []
    # Saved without its text: a note removed later leaves no passage in old conversations.
    return [
        {**_card_dict(c, "document"), "text": ""} for c in found if c.score >= DOCUMENT_MIN_SCORE
    ]


def _content_words(text: str) -> int:
    return len([word for word in words(text) if len(word) > 3])


def _card_dict(card: Card, kind: str = "guidance") -> dict[str, Any]:
    return {
        "kind": kind,
        "id": card.id,
        "title": card.title,
        "source": card.source,
        "text": card.text,
        "stages": list(card.stages),
        "score": card.score,
        "tip": card.tip,
    }


def _fields(card: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in card.items() if key != "kind"}


def _brief(state: ConversationState) -> TurnBrief:
    kind = state.get("kind") or f"{state.get('stage', 'check_in')}.followup"
    if state.get("prefix"):
        kind = f"{kind}+{state['prefix']}"
    cards = tuple(  # the guidance only: nothing from the person's notes goes to a model
        Card(**{**_fields(c), "stages": tuple(c.get("stages", ()))})
        for c in state.get("cards", [])
        if c.get("kind", "guidance") == "guidance"
    )
    return TurnBrief(
        stage=state.get("stage", "check_in"),
        kind=kind,
        user_text=state.get("user_text", ""),
        echo=state.get("echo", ""),
        cards=cards,
        blocking=tuple(state.get("blocking", [])),
        facts=_facts(state),
        perspective=perspective_of(state),
    )


def _facts(state: ConversationState) -> dict[str, str]:
    """The notes for the brief, and whether the relationship has ended (conversations saved
    before that was its own field kept it in the notes)."""
    facts: dict[str, str] = dict(state.get("notes", {}))  # type: ignore[arg-type]
    if state.get("relationship_ended"):
        facts["ended"] = "yes"
    if state.get("partner_cheated"):
        facts["cheated"] = "yes"
    if state.get("no_exercises"):
        facts["no_exercises"] = "yes"
    return facts


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
        if ctx.model.name == "guided" or is_fixed_kind(brief.kind):
            reply = guided
            _stream_text(write, reply)
        else:
            reply, fallback, notice = _model_reply(state, ctx, brief, guided, write)
            notices = [*notices, *([notice] if notice else [])]
        reply = _with_support_note(state, ctx, reply)
    user: Message = {"role": "user", "content": state.get("user_text", "")}
    assistant: Message = {"role": "assistant", "content": reply}
    turn = state.get("turn", 0) + 1
    why = {"step": state.get("why_step", ""), "safety": state.get("why_safety", "")}
    return {
        "reply": reply,
        "fallback": fallback,
        "model_name": ctx.model.name,
        "messages": [user, assistant],
        "turn": turn,
        "reasons": [{"turn": str(turn), **why}],
        "notices": notices,
    }


def _stream_text(write: Any, text: str) -> None:
    for index, word in enumerate(text.split(" ")):
        write(ReplyDelta(word if index == 0 else " " + word))


def _model_reply(
    state: ConversationState, ctx: Context, brief: TurnBrief, guided: str, write: Any
) -> tuple[str, str | None, str | None]:
    """Stream the model's reply through the sentence gate: only checked sentences reach the
    person.  If the gate rejects the draft, the guided reply is shown instead.  Returns the
    reply, why the draft was rejected (or None), and the history-trim notice if any."""
    messages = build_messages(state.get("messages", []), brief)
    said = [m["content"] for m in state.get("messages", []) if m.get("role") == "user"]
    gate = SentenceGate(
        stage=brief.stage,
        person=brief.user_text,
        echo=brief.echo,
        allowed=[*said, *brief_phrases(brief)],
        previous_replies=[
            m["content"] for m in state.get("messages", []) if m.get("role") == "assistant"
        ],
    )
    notice = None
    reason: str | None
    try:
        stream = ctx.model.stream(ModelRequest(messages=messages, brief=brief), ctx.options)
        # Models that fit history to their context say so on the stream: show it.
        if notice := getattr(stream, "notice", None):
            write(Notice(notice))
        pieces = Pieces(stream)
        try:
            ended = _pour(pieces, gate, ctx, write)
        finally:
            pieces.abandon()  # the reading thread closes the stream at its next piece
        if not ended:
            pieces.done.wait()  # finished: the stream's finish_reason is final
        if ended == STOPPED:  # the person stopped it: what they saw is the reply
            return gate.shown_so_far(), STOPPED, notice
        if ended:  # out of time before anything was shown: nothing of the draft is shown
            verdict, reason = GateVerdict(shown="", rejected=ended), ended
        else:
            finished = gate.stopped or getattr(stream, "finish_reason", "stop") != "length"
            tail, verdict = gate.finish(finished=finished)
            if tail:
                write(ReplyDelta(tail))
            reason = verdict.rejected
    except Exception as error:  # a model failure must never cost the person their turn
        log.warning("model failed, using the guided reply: %s", error)
        verdict = None
        reason = f"model error: {error.__class__.__name__}"
    if verdict is not None and verdict.repairs:
        log.info("model reply trimmed by the gate (%s)", ", ".join(verdict.repairs))
    if reason or verdict is None:
        log.info("model reply replaced by the guided one (%s)", reason)
        write(ReplyReplaced(guided, reason or "model error"))
        return guided, reason, notice
    return verdict.shown, None, notice




def _pour(pieces: Pieces, gate: SentenceGate, ctx: Context, write: Any) -> str | None:
    """Feed the model's pieces through the gate, showing what it releases.  Returns None when
    the model or the gate ended the reply, ``STOPPED`` when the person stopped it, or why the
    draft ran out of time: no checked sentence within ``ctx.first_words_s`` (kept even while
    the model is still reading its prompt: the wait for a piece is what times out)."""
    budget = ctx.first_words_s
    deadline = time.monotonic() + budget if budget is not None else None
    while True:
        if ctx.stop is not None and ctx.stop.is_set():
            return STOPPED
        wait = POLL_S if deadline is None else min(POLL_S, deadline - time.monotonic())
        if deadline is not None and wait <= 0:
            log.info("no checked sentence within %g s: the guided reply is shown", budget)
            return OUT_OF_TIME
        try:
            piece = pieces.get(timeout=wait)
        except queue.Empty:
            continue
        if piece is None:
            return None
        with timed("gate"):
            shown = gate.feed(piece)
        if shown:
            write(ReplyDelta(shown))
            deadline = None  # the first words are out: the rest may take its time
        if gate.stopped:
            return None


POLL_S = 0.1  # how often a waiting reply looks at the Stop button


def _with_support_note(state: ConversationState, ctx: Context, reply: str) -> str:
    if state.get("screening", {}).get("level") != "support":
        return reply
    from assistant.safety import escalation as safety

    note = safety.support_note(ctx.settings.locale)
    # Said once a conversation: people judging replies read it, repeated, as a form letter
    # pointing an ordinary worry at therapy (the page keeps the contacts in view anyway).
    if any(note in earlier for earlier in previous_replies(state)):
        return reply
    return f"{reply}\n\n{note}"
