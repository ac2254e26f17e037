"""Prompt assembly that keeps the prefix stable, so llama.cpp can reuse its KV cache.

The system prompt is fixed for a conversation; earlier turns are kept exactly as they were
said; the stage instruction and retrieved passages ride along with the newest user message
only.  Measured (issue 4): stage text in the system prompt made turn latency grow linearly
with history, while this layout keeps it flat.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from assistant.config import KNOWLEDGE_DIR
from assistant.knowledge import load_yaml
from assistant.model.interface import Message, TurnBrief


@cache
def system_prompt() -> str:
    return (KNOWLEDGE_DIR / "prompts" / "system.md").read_text(encoding="utf-8").strip()


def stage_instruction(stage: str) -> str:
    return " ".join(load_yaml("prompts/instructions.yaml").get(stage, "").split())


def turn_guide(brief: TurnBrief) -> str:
    """The guide appended to the newest user message."""
    lines = ["", "", "[Guide for this reply]", brief.instruction or stage_instruction(brief.stage)]
    for finding in brief.blocking:
        lines.append(
            f'Blocking language found: "{finding["quote"]}" ({finding["label"]}). '
            f"Offer: {finding['rewrite']}"
        )
    for card in brief.cards[:2]:
        lines.append(f"Guidance ({card.title}): {' '.join(card.text.split())[:600]}")
    return "\n".join(lines)


def build_messages(history: Sequence[Message], brief: TurnBrief) -> list[Message]:
    """System prompt, the untouched history, then the newest message with its guide."""
    messages: list[Message] = [{"role": "system", "content": system_prompt()}]
    messages.extend(history)
    messages.append({"role": "user", "content": brief.user_text + turn_guide(brief)})
    return messages
