"""The page's two clear choices: is this conversation for the person who pulls away, or for
the partner who wants to support them?  Chosen before the first message; from then on it is
the conversation's own (saved in its state) and the choice only shows it."""

from __future__ import annotations

from typing import Any

from closer.ui.texts import ui_text

CHOICES = ("self", "supporter")


def build() -> Any:
    import gradio as gr

    return gr.Radio(
        choices=[(ui_text("perspective", key), key) for key in CHOICES],
        value="self",
        label=ui_text("perspective", "label"),
        elem_id="closer-perspective",
    )


def shown(perspective: str, started: bool) -> Any:
    """The choice for a conversation: its own perspective, locked once it has begun."""
    import gradio as gr

    value = perspective if perspective in CHOICES else "self"
    return gr.update(value=value, interactive=not started)


def chosen(value: Any) -> str | None:
    """What the page sends back, checked (it is the browser's input)."""
    return value if value in CHOICES else None
