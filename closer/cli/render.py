"""Terminal rendering of the event stream: banner, history, streamed replies, stage line."""

from __future__ import annotations

import sys

from assistant.core.events import Notice, ReplyDelta, ReplyReplaced, TurnResult
from assistant.core.stages import STEP_LABELS, STEPS


def stage_line(stage: str) -> str:
    """The five steps with the current one marked, e.g. ``check-in > [Naming] > request``."""
    parts = [f"[{STEP_LABELS[s]}]" if s == stage else STEP_LABELS[s].lower() for s in STEPS]
    line = " > ".join(parts)
    if stage in ("pause", "escalation"):
        line += f"   ({STEP_LABELS[stage]})"
    return line


def print_banner(conversation) -> None:  # noqa: ANN001
    from closer.ui.views import model_label  # plain text helpers, no gradio import

    info = conversation.services.model.describe()
    print(f"Closer · {model_label(info)} · conversation {conversation.thread_id}")
    if info.get("note"):  # why a requested model isn't loaded
        print(info["note"])
    print("Type your message and press Enter. 'I need a break' pauses; 'exit' leaves.")


def print_history(conversation) -> None:  # noqa: ANN001
    for message in conversation.history():
        who = "you" if message["role"] == "user" else "closer"
        print(f"{who}: {message['content']}")


def stream_turn(conversation, text: str) -> TurnResult | None:  # noqa: ANN001
    result = None
    print("closer: ", end="", flush=True)
    for event in conversation.send(text):
        if isinstance(event, ReplyDelta):
            print(event.text, end="", flush=True)
        elif isinstance(event, ReplyReplaced):
            print(f"\n(replaced: {event.reason})\ncloser: {event.text}", end="", flush=True)
        elif isinstance(event, Notice):
            print(f"\n(note: {event.text})", file=sys.stderr, flush=True)
        elif isinstance(event, TurnResult):
            result = event
    print()
    if result is not None:
        print(stage_line(result.stage))
    return result


def offer_map(conversation, stage: str, offered: set[str]) -> None:  # noqa: ANN001
    """The intimacy map's one optional line, at check-in and once the plan is
    reached, each at most once per sitting and never once a map is saved."""
    from assistant.coaching.intimacy_map import command_example, offer_line

    mapped = bool(conversation.state().get("intimacy_map"))
    line = None if stage in offered else offer_line(stage, mapped=mapped)
    if line:
        offered.add(stage)
        print(f"({line} `{command_example(conversation.thread_id)}`)")
