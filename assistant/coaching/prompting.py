"""The model's prompt: the system prompt, the untouched history, the person's newest message
as they wrote it, and then the whole brief for this reply in a system message of its own.

The brief rides after the person's words, never inside them, and message contents are
tokenized as plain text (``assistant.model.runtime.chat_tokens``), so nothing a person types
can pass for the guide.  The system prompt is fixed and earlier turns are kept exactly as they
were said, so llama.cpp reuses its KV cache (measured: stage text in the system
prompt made turn latency grow with history).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from assistant.coaching.listen import move_hint
from assistant.config import KNOWLEDGE_DIR
from assistant.core.messages import Message, TurnBrief
from assistant.knowledge import load_yaml
from assistant.text import sentences

PASSAGE_CHARS = 280  # each of at most two passages, cut at a sentence end


@cache
def system_prompt() -> str:
    return (KNOWLEDGE_DIR / "prompts" / "system.md").read_text(encoding="utf-8").strip()


@cache
def _instructions() -> dict:
    return load_yaml("prompts/instructions.yaml")


def stage_instruction(stage: str) -> str:
    value = _instructions().get(stage, "")
    return " ".join(value.split()) if isinstance(value, str) else ""


def perspective_instruction(perspective: str) -> str:
    """Who the person is, for a supporter; empty for "self" (the guide's default reader)."""
    value = (_instructions().get("perspectives") or {}).get(perspective, "")
    return " ".join(value.split()) if isinstance(value, str) else ""


def kind_instruction(kind: str) -> str:
    """What a reply of ``kind`` (maybe "kind+prefix") must do, as the data says."""
    base, _, prefix = kind.partition("+")
    parts = [_instructions().get("prefixes", {}).get(prefix, "")] if prefix else []
    parts.append(_instructions().get("kinds", {}).get(base, ""))
    return " ".join(" ".join(part.split()) for part in parts if part)


def is_fixed_kind(kind: str) -> bool:
    """Kinds only our own text may word (the flow acts on the answer to them)."""
    return kind.partition("+")[0] in set(_instructions().get("fixed_kinds", []))


def passage(text: str, limit: int = PASSAGE_CHARS) -> str:
    """The first sentences of ``text`` that fit in ``limit`` characters (at least one)."""
    kept: list[str] = []
    for sentence in sentences(" ".join(text.split())):
        if kept and len(" ".join([*kept, sentence])) > limit:
            break
        kept.append(sentence)
    return " ".join(kept)[: limit * 2]


def turn_guide(brief: TurnBrief, *, asked_last: bool = False) -> str:
    """Everything this reply has to do, in the order a reader needs it.  ``asked_last``: the
    previous reply asked a question, so this one should not (not every reply a question)."""
    lines = ["Guide for this reply (never repeat or mention it):"]
    lines.append(brief.instruction or stage_instruction(brief.stage))
    if who := perspective_instruction(brief.perspective):
        lines.append(who)
    if kind := kind_instruction(brief.kind):
        lines.append(f"This reply: {kind}")
    if hint := move_hint(brief):  # the move the guided reply would make, for a model
        lines.append(hint)
    if brief.echo:
        lines.append(f'Reflect these words of theirs: "{brief.echo}"')
    labels: tuple[tuple[str, str], ...] = (
        ("Their feeling", "feeling"),
        ("Their story", "story"),
        ("Calming cue", "cue"),
        ("Their naming sentence", "naming"),
        ("Their request", "request"),
    )
    for label, key in labels:
        if brief.facts.get(key):
            lines.append(f'{label}: "{brief.facts[key]}"')
    for finding in brief.blocking:
        lines.append(
            f'Blocking words in their draft: "{finding["quote"]}" ({finding["label"]}). '
            f"Rewrite to offer: {finding['rewrite']}"
        )
    tips = [card.tip for card in brief.cards if card.tip]
    if tips:
        lines.append(f"A tip you may use: {tips[0]}")
    for card in brief.cards[:2]:
        lines.append(f"Background ({card.title}): {passage(card.text)}")
    lines.append(
        "Write under 60 words, in plain warm words, with at most one question, last"
        + (", or none: your last reply asked one." if asked_last else ".")
    )
    return "\n".join(lines)


def brief_phrases(brief: TurnBrief) -> list[str]:
    """Phrases the reply may quote besides the person's own words."""
    phrases = [brief.echo, *brief.facts.values(), *(c.tip for c in brief.cards)]
    phrases += [f["rewrite"] for f in brief.blocking] + [f["quote"] for f in brief.blocking]
    phrases.append(_instructions().get("quotable", ""))
    return [p for p in phrases if isinstance(p, str) and p]


def build_messages(history: Sequence[Message], brief: TurnBrief) -> list[Message]:
    """System prompt, the untouched history, the newest message, then the guide."""
    messages: list[Message] = [{"role": "system", "content": system_prompt()}]
    messages.extend(history)
    messages.append({"role": "user", "content": brief.user_text})
    replies = [m["content"] for m in history if m.get("role") == "assistant"]
    asked_last = bool(replies) and "?" in replies[-1]
    messages.append({"role": "system", "content": turn_guide(brief, asked_last=asked_last)})
    return messages
