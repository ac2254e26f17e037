"""The Gradio page: layout, and the small functions that turn session views into outputs.

One ``SessionManager`` (and so one set of services: store, model, screen, knowledge base)
serves every browser.  Each browser keeps only its thread id, in localStorage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from closer.ui import map_panel, views
from closer.ui.session import PAUSE_MESSAGE, SessionManager, View

STORAGE_KEY = "closer-conversation"


def view_outputs(view: View, *, clear_input: bool = True) -> tuple[Any, ...]:
    """Values for OUTPUTS (see build_app) from a whole view."""
    import gradio as gr

    return (
        view.thread_id,
        view.chat,
        views.stage_html(
            view.stage, view.paused_from, session=view.thread_id, messages=len(view.chat)
        ),
        views.sources_html(view.sources),
        gr.update(value=view.help_html, visible=bool(view.help_html)),
        views.notices_html(view.notices),
        gr.update(value=view.plan_path, interactive=bool(view.plan_path)),
        "" if clear_input else gr.skip(),
        gr.update(visible=False),
    )


def chat_outputs(chat: list[dict[str, str]]) -> tuple[Any, ...]:
    """Values for OUTPUTS while a reply streams: only the chat (and the cleared input) change."""
    import gradio as gr

    skip = gr.skip()
    return (skip, list(chat), skip, skip, skip, skip, skip, "", skip)


def stream_outputs(manager: SessionManager, text: str, thread_id: str) -> Iterator[tuple]:
    for kind, value in manager.send(text, thread_id):
        yield chat_outputs(value) if kind == "chat" else view_outputs(value)


def build_app(manager: SessionManager, *, secret: str) -> Any:
    """The Blocks app (not launched)."""
    import gradio as gr

    info = {**manager.services.model.describe(), "warnings": manager.services.warnings}
    with gr.Blocks(title="Closer", analytics_enabled=False) as demo:
        thread = gr.BrowserState("", storage_key=STORAGE_KEY, secret=secret)
        with gr.Row(elem_id="closer-top", equal_height=True):
            gr.HTML(
                "<h1>Closer</h1>", elem_id="closer-title", js_on_load=None, scale=0, min_width=110
            )
            gr.HTML(views.banner_html(info), elem_id="closer-banner", js_on_load=None, scale=5)
        stage = gr.HTML(views.stage_html("check_in"), elem_id="closer-stage", js_on_load=None)
        with gr.Row():
            with gr.Column(scale=3):
                chat, notices, message, send, pause = _chat_column()
            with gr.Column(scale=2, min_width=280):
                help_panel = gr.HTML("", visible=False, elem_id="closer-help", js_on_load=None)
                new, plan, delete, confirm, really, cancel = _session_controls()
                sources = gr.HTML(views.sources_html([]), elem_id="closer-sources", js_on_load=None)
                map_panel.attach(manager, thread=thread, message=message)  # issue 15

        outputs = [thread, chat, stage, sources, help_panel, notices, plan, message, confirm]

        def on_load(thread_id: str) -> tuple:
            return view_outputs(manager.restore(thread_id), clear_input=False)

        def on_send(text: str, thread_id: str) -> Iterator[tuple]:
            yield from stream_outputs(manager, text, thread_id)

        def on_pause(thread_id: str) -> Iterator[tuple]:
            yield from stream_outputs(manager, PAUSE_MESSAGE, thread_id)

        demo.load(on_load, inputs=[thread], outputs=outputs, show_progress="hidden")
        message.submit(on_send, inputs=[message, thread], outputs=outputs)
        send.click(on_send, inputs=[message, thread], outputs=outputs)
        pause.click(on_pause, inputs=[thread], outputs=outputs)
        new.click(lambda: view_outputs(manager.new()), outputs=outputs)
        delete.click(lambda: gr.update(visible=True), outputs=[confirm])
        cancel.click(lambda: gr.update(visible=False), outputs=[confirm])
        really.click(lambda t: view_outputs(manager.delete(t)), inputs=[thread], outputs=outputs)
    return demo


def _chat_column() -> tuple[Any, ...]:
    import gradio as gr

    chat = gr.Chatbot(
        label="Conversation",
        show_label=False,
        elem_id="closer-chat",
        height=340,
        latex_delimiters=[],
        render_markdown=False,  # what anyone types or generates is shown as text
        sanitize_html=True,
        feedback_options=None,
        buttons=[],
        placeholder="Say what is on your mind about talking with your partner.",
    )
    notices = gr.HTML("", elem_id="closer-notices", js_on_load=None)
    with gr.Row(equal_height=True, elem_id="closer-compose"):
        message = gr.Textbox(
            label="Your message (Enter sends)",
            elem_id="closer-input",
            lines=1,
            max_lines=6,
            autofocus=True,
            scale=6,
            placeholder="e.g. My chest gets tight when I bring it up…",
        )
        send = gr.Button("Send", variant="primary", elem_id="closer-send", scale=0, min_width=80)
        pause = gr.Button("I need a pause", elem_id="closer-pause", scale=0, min_width=170)
    return chat, notices, message, send, pause


def _session_controls() -> tuple[Any, ...]:
    import gradio as gr

    gr.HTML("<h2 class='closer-controls-title'>This conversation</h2>", js_on_load=None)
    with gr.Row(elem_id="closer-controls"):
        new = gr.Button("New conversation", size="sm", elem_id="closer-new", min_width=120)
        plan = gr.DownloadButton(
            "Export plan (.md)",
            size="sm",
            elem_id="closer-export",
            interactive=False,
            min_width=120,
        )
        delete = gr.Button(
            "Delete", size="sm", variant="stop", elem_id="closer-delete", min_width=70
        )
    with gr.Column(visible=False, elem_id="closer-confirm") as confirm:
        gr.HTML(
            "<p>Delete this conversation for good? It is removed from this computer.</p>",
            js_on_load=None,
        )
        with gr.Row():
            really = gr.Button(
                "Yes, delete it", variant="stop", size="sm", elem_id="closer-delete-yes"
            )
            cancel = gr.Button("Keep it", size="sm", elem_id="closer-delete-no")
    return new, plan, delete, confirm, really, cancel
