"""The plan a person takes to their partner, as Markdown for export."""

from __future__ import annotations

import time
from collections.abc import Mapping

from assistant.knowledge import load_yaml


def plan_markdown(
    notes: dict[str, str],
    *,
    session_id: str,
    stage: str,
    intimacy_map: Mapping[str, int] | None = None,
    perspective: str = "self",
) -> str:
    """A short, printable plan from what the conversation captured (defaults fill gaps).

    ``intimacy_map``: the saved ratings ({} when none yet: the section offers the map in one
    line); None leaves the section out.  ``perspective`` "supporter" adds what they will do
    if the partner is not ready, and how they will go first with openness."""
    defaults = load_yaml("prompts/guided.yaml")["plan"]
    cue = notes.get("cue") or defaults["default_cue"]
    from assistant.coaching.script import ask_line, say_line

    # The script in their own voice, to the partner: no chat noise, no question to us.
    naming = "(not written yet: finish the naming step)"
    if notes.get("naming"):
        naming = say_line(notes.get("feeling", ""), notes.get("story", ""), notes["naming"])
    request = "(not written yet: finish the request step)"
    if notes.get("request"):
        request = ask_line(notes["request"], notes["request"])
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
    if perspective == "supporter":
        from assistant.coaching.perspective import supporter_plan_lines

        lines += supporter_plan_lines()
    if intimacy_map is not None:  # "Your intimacy map"
        from assistant.coaching.intimacy_map import plan_section

        lines += plan_section(intimacy_map, session=session_id)
    return "\n".join(lines)
