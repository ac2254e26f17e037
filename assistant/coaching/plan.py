"""The plan a person takes to their partner, as Markdown for export."""

from __future__ import annotations

import time

from assistant.knowledge import load_yaml


def plan_markdown(notes: dict[str, str], *, session_id: str, stage: str) -> str:
    """A short, printable plan from what the conversation captured (defaults fill gaps)."""
    defaults = load_yaml("prompts/guided.yaml")["plan"]
    cue = notes.get("cue") or defaults["default_cue"]
    naming = notes.get("naming") or "(not written yet: finish the naming step)"
    request = notes.get("request") or "(not written yet: finish the request step)"
    return_plan = " ".join(defaults["return_plan"].split())
    lines = [
        "# My plan for the conversation",
        "",
        f"_Session {session_id} · exported {time.strftime('%Y-%m-%d %H:%M')} · step: {stage}_",
        "",
        "## 1. Calm first",
        f"Before I start, {cue}.",
        "",
        "## 2. What I'll say",
        f"> {naming}",
        "",
        "## 3. My request",
        f"> {request}",
        "",
        "## 4. If it gets hard",
        f"I'll {return_plan}",
        "",
    ]
    return "\n".join(lines)
