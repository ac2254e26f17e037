"""HTML for the parts of the page that are not plain components: steps, sources, help, banner.

Everything that came from a person, a model or a data file is escaped here, so nothing
typed or generated can inject markup into the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from assistant.core.stages import STEP_LABELS, STEPS
from closer.ui.texts import ui_text

SIDE_STAGES = ("pause", "escalation")
HOW_VERBS = {"phone": "Call", "text": "Text", "web": "Web"}


def stage_html(
    stage: str, paused_from: str | None = None, *, session: str = "", messages: int = -1
) -> str:
    """The five steps by name, the current one marked; pause and support sit beside them.

    ``data-session`` and ``data-messages`` say which saved state the page shows (tests wait
    on them; -1 means the page has not loaded a conversation yet).
    """
    items = []
    for index, step in enumerate(STEPS, start=1):
        current = step == stage
        marked = (
            ' aria-current="step" class="closer-step current"'
            if current
            else (' class="closer-step was"' if step == paused_from else ' class="closer-step"')
        )
        items.append(f"<li{marked}><span class='num'>{index}</span> {STEP_LABELS[step]}</li>")
    side = []
    for extra in SIDE_STAGES:
        current = extra == stage
        attrs = (
            ' aria-current="step" class="closer-side current"'
            if current
            else (' class="closer-side"')
        )
        side.append(f"<li{attrs}>{STEP_LABELS[extra]}</li>")
    return (
        '<nav class="closer-steps" aria-label="Conversation steps" '
        f'data-stage="{escape(stage)}" data-session="{escape(session)}" '
        f'data-messages="{messages}">'
        f'<ol class="closer-step-list">{"".join(items)}</ol>'
        f'<ul class="closer-side-list" aria-label="Beside the steps">{"".join(side)}</ul>'
        "</nav>"
    )


def sources_html(sources: Sequence[Mapping[str, str]]) -> str:
    """The sources behind the last reply: title, then the article it came from, or "your
    note" for the person's own document (``"kind": "document"``)."""
    if not sources:
        return (
            '<section class="closer-sources" aria-label="Sources">'
            "<h2>Sources</h2><p class='muted'>The guidance behind each reply shows here.</p>"
            "</section>"
        )
    cards = "".join(
        f"<li class='closer-card' data-card='{escape(card.get('id', ''))}' "
        f"data-kind='{escape(card.get('kind', 'guidance'))}'>"
        f"<strong>{escape(card.get('title', ''))}</strong>"
        f"<span class='closer-card-source'>{escape(_source_label(card))}</span></li>"
        for card in sources
    )
    return (
        '<section class="closer-sources" aria-label="Sources">'
        f"<h2>Sources for the last reply</h2><ul>{cards}</ul></section>"
    )


def _source_label(card: Mapping[str, str]) -> str:
    """Where a source came from: the article, or (for the person's own note) that it is
    theirs; the note's file path is not shown (a page upload's path is a temporary copy)."""
    if card.get("kind") == "document":
        return ui_text("notes", "source_label")
    return card.get("source", "")


def _how_html(how: Mapping[str, str]) -> str:
    parts = []
    for kind, value in how.items():
        label = HOW_VERBS.get(kind, kind.title())
        if kind == "web" and value.startswith(("https://", "http://")):
            link = f"<a href='{escape(value)}' target='_blank' rel='noopener noreferrer'>"
            parts.append(f"{label}: {link}{escape(value)}</a>")
        else:
            parts.append(f"{label}: <span class='closer-contact'>{escape(value)}</span>")
    return " · ".join(parts)


def resources_html(category: str, resources: Sequence[Any], verified_on: str) -> str:
    """The help panel: who to contact, how, and when the list was last checked."""
    rows = "".join(
        f"<li><strong>{escape(r.name)}</strong><br>{_how_html(dict(r.how))}"
        f"<br><span class='muted'>{escape(r.purpose)}</span></li>"
        for r in resources
    )
    return (
        '<section class="closer-resources" role="region" aria-label="Help and support">'
        "<h2>People who can help</h2>"
        "<p>If you are in danger right now, call your local emergency number. "
        "Coaching is paused for this conversation; these contacts stay here.</p>"
        f"<ul>{rows}</ul>"
        f"<p class='muted'>Contacts checked on {escape(verified_on)} · "
        f"topic: {escape(category)}</p></section>"
    )


def is_guided(info: Mapping[str, Any]) -> bool:
    return info.get("backend") == "guided" or info.get("name") == "guided"


def model_label(info: Mapping[str, Any]) -> str:
    """A one-line name for the model in use, whatever kind of model describes itself."""
    if is_guided(info):
        return "guided mode — no model loaded"
    name = info.get("name") or info.get("server_model") or info.get("path") or info.get("url")
    name = Path(str(name)).name if info.get("path") and not info.get("name") else str(name or "")
    facts = [f"backend: {info.get('backend') or 'unknown'}"]
    shown = (("threads", "threads"), ("layers_offloaded", "GPU layers"), ("kernels", "kernels"))
    for key, label in shown:
        if info.get(key) not in (None, ""):
            facts.append(f"{label}: {info[key]}")
    if info.get("detail"):
        facts.append(str(info["detail"]))
    return f"{name or 'model'} · " + " · ".join(facts)


def banner_html(info: Mapping[str, Any]) -> str:
    """Which model and backend answer, or how to add one when none is loaded."""
    if is_guided(info):
        body = (
            "<strong>Guided mode — no model loaded.</strong> Replies come from built-in "
            "guidance. To add a model: <code>closer model pull</code>, or "
            "<code>closer ui --model PATH</code> with a chat GGUF file."
        )
    else:
        body = f"<strong>Model:</strong> {escape(model_label(info))}"
    if info.get("note"):
        body += f"<br><span class='closer-banner-note'>{escape(str(info['note']))}</span>"
    for warning in info.get("warnings") or ():
        body += f"<br><span class='closer-banner-warning'>{escape(str(warning))}</span>"
    return f'<div class="closer-banner" role="status">{body}</div>'


def notices_html(notices: Sequence[str]) -> str:
    if not notices:
        return ""
    items = "".join(f"<li>{escape(n)}</li>" for n in notices)
    return f'<ul class="closer-notices" role="status">{items}</ul>'


def plan_html(url: str | None) -> str:
    """The export control: a download link once there is a plan, else a disabled button."""
    label = "Export plan (.md)"
    if not url:
        return f"<button id='closer-export' class='closer-export' disabled>{label}</button>"
    href = escape(url, quote=True)
    return f"<a id='closer-export' class='closer-export' href='{href}' download>{label}</a>"
