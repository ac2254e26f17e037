"""The page's "Your notes" panel: upload a .md or .txt note, see the notes added, remove one.

``attach`` is the one call ``closer/ui/app.py`` makes inside its Blocks.  The notes go to the
same knowledge base the turns search (``manager.services.retriever``), so a note added here
can show in the next reply's sources as the person's own.  Nothing from a note leaves this
computer; the uploaded copy Gradio keeps (in the private ``GRADIO_TEMP_DIR``) is deleted once
the note is in the store, so removing a note leaves no copy of it behind.
"""

from __future__ import annotations

import contextlib
from html import escape
from pathlib import Path
from typing import Any

from closer.ui.texts import ui_text

PAGE_SUFFIXES = (".md", ".txt")
NOTES_QUEUE = "closer-notes"  # one note at a time, beside the turns, not behind them


def text(key: str, **values: str) -> str:
    return ui_text("notes", key).format(**values)


def knowledge_base(manager: Any) -> Any | None:
    """The services' retriever when it keeps the person's documents (it is None when the
    index could not open, or a test's stand-in without documents)."""
    retriever = getattr(manager.services, "retriever", None)
    needed = ("ingest", "remove", "list_documents")
    return retriever if all(hasattr(retriever, name) for name in needed) else None


def when(added: str) -> str:
    """``2026-12-02T02:24:12Z`` as ``2026-12-02 02:24 UTC``."""
    return f"{added[:16].replace('T', ' ')} UTC" if len(added) >= 16 else added


def notes_of(manager: Any) -> list[dict[str, Any]]:
    kb = knowledge_base(manager)
    return kb.list_documents() if kb is not None else []


def list_html(notes: list[dict[str, Any]]) -> str:
    if not notes:
        return f"<p class='muted' id='closer-notes-empty'>{escape(text('empty'))}</p>"
    rows = "".join(
        f"<li data-doc='{escape(note['id'])}'><strong>{escape(note['title'])}</strong> "
        f"<span class='muted'>{escape(text('added_on', when=when(note['added'])))}</span></li>"
        for note in notes
    )
    return f"<ul class='closer-notes-list'>{rows}</ul>"


def status_html(message: str) -> str:
    return f"<p role='status'>{escape(message)}</p>" if message else ""


def listing(manager: Any, message: str = "") -> tuple[str, str, Any]:
    """The status line, the list, and the remove choice (nothing chosen)."""
    import gradio as gr

    notes = notes_of(manager)
    choices = [(f"{note['title']} ({when(note['added'])})", note["id"]) for note in notes]
    return status_html(message), list_html(notes), gr.update(choices=choices, value=None)


def _discard(upload: Path) -> None:
    """Delete Gradio's copy of the upload (and its folder, when that is now empty)."""
    with contextlib.suppress(OSError):
        upload.unlink()
        upload.parent.rmdir()


def add_note(manager: Any, upload: str | None, progress: Any = None) -> str:
    """Ingest one uploaded file; the message to show.  Bad input changes nothing.
    ``progress`` hears (passages embedded, passages, file) as the note is embedded."""
    if not upload:
        return ""
    path = Path(upload)
    name = path.name
    kb = knowledge_base(manager)
    try:
        if kb is None:
            return text("off")
        if path.suffix.lower() not in PAGE_SUFFIXES:
            return text("refused", reason=text("wrong_type", name=name))
        report = kb.ingest([path], progress=progress)
    finally:
        _discard(path)
    if report.errors:
        failed = report.errors[0]
        reason = failed["message"].replace(failed["path"], f"“{name}”")
        return text("refused", reason=reason)
    if report.skipped:
        return text("already", name=name)
    return text("added", name=name)


def on_upload(manager: Any, upload: str | None, progress: Any = None) -> tuple[Any, ...]:
    """Add the note, showing how far its embedding has come (Gradio passes ``progress``)."""

    def show(done: int, total: int, path: Path) -> None:
        if progress is not None:
            progress((done, total), desc=text("embedding"), unit="passages")

    return (None, *listing(manager, add_note(manager, upload, show)))


def ask_remove(manager: Any, doc_id: str | None) -> tuple[Any, str, str]:
    """Show the confirmation naming the note, or say to choose one first."""
    import gradio as gr

    note = next((n for n in notes_of(manager) if n["id"] == doc_id), None)
    if note is None:
        return gr.update(visible=False), "", status_html(text("pick_first"))
    question = text("confirm", name=note["title"], when=when(note["added"]))
    return gr.update(visible=True), f"<p>{escape(question)}</p>", ""


def on_remove(manager: Any, doc_id: str | None) -> tuple[Any, ...]:
    """Remove the chosen note (by its id, so a same-named note elsewhere is not touched)."""
    import gradio as gr

    from assistant.retrieval.documents import DocumentError

    kb = knowledge_base(manager)
    note = next((n for n in notes_of(manager) if n["id"] == doc_id), None)
    if kb is None or note is None:
        message = text("gone") if kb is not None else text("off")
    else:
        try:
            kb.remove(note["id"])
            message = text("removed", name=note["title"])
        except DocumentError:
            message = text("gone")
    return (gr.update(visible=False), *listing(manager, message))


def _layout() -> dict[str, Any]:
    import gradio as gr

    parts: dict[str, Any] = {}
    with gr.Accordion(text("title"), open=False, elem_id="closer-notes"):
        gr.HTML(f"<p>{escape(text('intro'))}</p>", js_on_load=None)
        parts["upload"] = gr.File(
            label=text("upload"),
            file_types=list(PAGE_SUFFIXES),
            file_count="single",
            type="filepath",
            elem_id="closer-notes-upload",
        )
        parts["status"] = gr.HTML("", elem_id="closer-notes-status", js_on_load=None)
        parts["list"] = gr.HTML(list_html([]), elem_id="closer-notes-list", js_on_load=None)
        with gr.Row(equal_height=True):
            parts["choice"] = gr.Dropdown(
                choices=[], value=None, label=text("choose"), elem_id="closer-notes-choice"
            )
            parts["remove"] = gr.Button(
                text("remove"), size="sm", variant="stop", elem_id="closer-notes-remove"
            )
        with gr.Column(visible=False, elem_id="closer-notes-confirm") as parts["confirm"]:
            parts["question"] = gr.HTML("", elem_id="closer-notes-question", js_on_load=None)
            with gr.Row():
                parts["really"] = gr.Button(
                    text("really"), size="sm", variant="stop", elem_id="closer-notes-yes"
                )
                parts["keep"] = gr.Button(text("keep"), size="sm", elem_id="closer-notes-no")
    return parts


def attach(manager: Any, *, queue: str | None = None) -> None:
    """Build the panel where it is called (inside the page's Blocks) and wire its events.
    ``queue`` is the page's turn queue: removing a note waits for a streaming reply to be
    saved.  Adding one runs in its own queue (``NOTES_QUEUE``) with a progress bar."""
    import functools

    import gradio as gr

    parts = _layout()
    shown = [parts["status"], parts["list"], parts["choice"]]
    def upload(note: str | None, progress: Any = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        return on_upload(manager, note, progress)

    # Not in the turn queue: embedding a long note takes minutes, and the store's own lock
    # keeps a turn's search and the note's write apart (only the write waits, briefly).
    parts["upload"].upload(
        upload,
        inputs=[parts["upload"]],
        outputs=[parts["upload"], *shown],
        concurrency_id=NOTES_QUEUE,
    )
    parts["remove"].click(
        functools.partial(ask_remove, manager),
        inputs=[parts["choice"]],
        outputs=[parts["confirm"], parts["question"], parts["status"]],
    )
    parts["really"].click(
        functools.partial(on_remove, manager),
        inputs=[parts["choice"]],
        outputs=[parts["confirm"], *shown],
        concurrency_id=queue,
    )
    parts["keep"].click(lambda: gr.update(visible=False), outputs=[parts["confirm"]])
    # No triggers and no inputs: the list is read when the page loads.
    gr.on(None, functools.partial(listing, manager), outputs=shown, show_progress="hidden")
