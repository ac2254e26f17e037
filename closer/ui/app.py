"""The Gradio page: layout, and the small functions that turn session views into outputs.

One ``SessionManager`` (and so one set of services: store, model, screen, knowledge base)
serves every browser.  Each browser keeps only ids, encrypted in its localStorage: the
conversation it shows, and the conversations it had; the list shows every conversation in
the data folder (closer/ui/conversations.py).

One turn at a time: while a reply streams, the page disables what would change the
conversation (send, new, delete, the list) and enables Stop, which ends the reply where it
stands (what was shown is saved).  "I need a pause" is never disabled: it stops the reply in
progress, then pauses.  Every event that writes a conversation (send, pause, delete) waits
in one queue (``TURNS``), so a pause or a delete runs after the turn has been saved, never
beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import Any

from closer.ui import conversations, map_panel, notes_panel, perspective_choice, views
from closer.ui.session import PAUSE_MESSAGE, SessionManager, View
from closer.ui.texts import ui_text

STORAGE_KEY = "closer-conversation"
LIST_KEY = "closer-conversations"
TURNS = "closer-turns"
# The controls start disabled: the page's first refresh (after it loaded its conversation)
# enables them, so nothing is sent or deleted before the page knows which conversation it is.
LOCKED: dict[str, Any] = {"interactive": False}


def view_outputs(view: View, *, clear_input: bool = True) -> tuple[Any, ...]:
    """Values for Page.outputs from a whole view."""
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
        views.plan_html(view.plan_url),
        "" if clear_input else gr.skip(),
        gr.update(visible=False),
        perspective_choice.shown(view.perspective, started=bool(view.chat)),
    )


def chat_outputs(chat: list[dict[str, str]]) -> tuple[Any, ...]:
    """Values for Page.outputs while a reply streams: only the chat (and the cleared input)."""
    import gradio as gr

    skip = gr.skip()
    return (skip, list(chat), skip, skip, skip, skip, skip, "", skip, skip)


def stream_outputs(
    manager: SessionManager,
    text: str,
    thread_id: str,
    perspective: str | None = None,
    page: str | None = None,
) -> Iterator[tuple]:
    for kind, value in manager.send(text, thread_id, perspective, page):
        yield chat_outputs(value) if kind == "chat" else view_outputs(value)


def _page_of(request: Any) -> str | None:
    """Which open page an event came from (Gradio's session hash): Stop ends only its reply."""
    return getattr(request, "session_hash", None)


@dataclass
class Page:
    """The components the handlers read and write."""

    thread: Any
    mine: Any
    chat: Any
    stage: Any
    sources: Any
    help_panel: Any
    notices: Any
    message: Any
    send: Any
    pause: Any
    side: SideControls
    who: Any  # whose side the conversation is for (perspective_choice)
    stop: Any = None  # ends a streaming reply; enabled only while one streams

    @property
    def outputs(self) -> list[Any]:
        turn = [self.thread, self.chat, self.stage, self.sources, self.help_panel]
        return [*turn, self.notices, self.side.plan, self.message, self.side.confirm, self.who]

    @property
    def controls(self) -> list[Any]:
        """What a streaming reply disables: everything that would start or end a turn, but
        "I need a pause", which is never locked (it stops the reply, then pauses)."""
        side = self.side
        return [
            self.send,
            self.message,
            side.new,
            side.delete,
            side.really,
            side.listing,
        ]


@dataclass
class SideControls:
    new: Any
    plan: Any
    delete: Any
    listing: Any
    confirm: Any
    confirm_text: Any
    really: Any
    cancel: Any


def build_app(manager: SessionManager, *, secret: str) -> Any:
    """The Blocks app (not launched)."""
    import gradio as gr

    info = {**manager.services.model.describe(), "warnings": manager.services.warnings}
    with gr.Blocks(title="Closer", analytics_enabled=False) as demo:
        thread = gr.BrowserState("", storage_key=STORAGE_KEY, secret=secret)
        mine = gr.BrowserState([], storage_key=LIST_KEY, secret=secret)
        with gr.Row(elem_id="closer-top", equal_height=True):
            gr.HTML(
                "<h1>Closer</h1>", elem_id="closer-title", js_on_load=None, scale=0, min_width=110
            )
            gr.HTML(views.banner_html(info), elem_id="closer-banner", js_on_load=None, scale=5)
        stage = gr.HTML(views.stage_html("check_in"), elem_id="closer-stage", js_on_load=None)
        with gr.Row():
            with gr.Column(scale=3):
                who = perspective_choice.build()
                chat, notices, message, send, pause, stop = _chat_column()
            with gr.Column(scale=2, min_width=280):
                help_panel = gr.HTML("", visible=False, elem_id="closer-help", js_on_load=None)
                side = _session_controls()
                sources = gr.HTML(views.sources_html([]), elem_id="closer-sources", js_on_load=None)
                map_panel.attach(manager, thread=thread, message=message)
                notes_panel.attach(manager, queue=TURNS)
        page = Page(
            thread,
            mine,
            chat,
            stage,
            sources,
            help_panel,
            notices,
            message,
            send,
            pause,
            side,
            who,
            stop,
        )
        wire(demo, manager, page)
    return demo


def wire(demo: Any, manager: SessionManager, page: Page) -> None:
    """The events: each one that changes the conversation locks the controls, runs, and ends
    by refreshing the list and unlocking them."""
    import gradio as gr

    side = page.side
    refreshed = [page.mine, *page.controls, page.pause, page.stop]

    def on_load(thread_id: str) -> tuple:
        return view_outputs(manager.restore(thread_id), clear_input=False)

    def on_send(text: str, thread_id: str, who: Any, request: Any) -> Iterator[tuple]:
        chosen = perspective_choice.chosen(who)
        yield from stream_outputs(manager, text, thread_id, chosen, _page_of(request))

    def on_pause(thread_id: str, request: Any) -> Iterator[tuple]:
        yield from stream_outputs(manager, PAUSE_MESSAGE, thread_id, page=_page_of(request))

    def on_stop(request: Any) -> None:
        manager.stop(_page_of(request))

    def stop_and_lock(request: Any) -> tuple:
        manager.stop(_page_of(request))  # a pause first ends the reply in progress
        return lock()

    def on_new() -> tuple:
        return view_outputs(manager.new())

    def on_open(thread_id: str, mine: Any) -> tuple:
        # Any saved conversation (the list shows them all); an id that is not saved (the
        # value is the browser's input) opens a fresh one.
        known = isinstance(thread_id, str) and manager.saved(thread_id)
        return view_outputs(manager.open(thread_id) if known else manager.new())

    def on_delete(thread_id: str) -> tuple:
        return view_outputs(manager.delete(thread_id))

    def lock() -> tuple:
        locked = tuple(gr.update(interactive=False) for _ in page.controls)
        return (*locked, gr.update(interactive=True))  # Stop works while the reply streams

    def refresh(thread_id: str, mine: Any) -> tuple:
        ids, listing = conversation_list(manager, thread_id, mine)
        unlocked = gr.update(interactive=True)
        rest = [unlocked] * (len(page.controls) - 1)  # the list is the last control
        return (ids, *rest, listing, unlocked, gr.update(interactive=False))  # pause, stop

    def ask_delete(thread_id: str) -> tuple:
        return gr.update(visible=True), delete_question(manager, thread_id)

    for handler in (on_send, on_pause, on_stop, stop_and_lock):
        handler.__annotations__["request"] = gr.Request  # Gradio passes the page's request

    def chain(
        trigger: Any, fn: Any, inputs: list[Any], *, queued: bool, first: Any = lock
    ) -> None:
        locking = [*page.controls, page.stop]
        step = trigger(first, None, locking, queue=False, show_progress="hidden")
        step = step.then(fn, inputs, page.outputs, concurrency_id=TURNS if queued else None)
        step.then(refresh, [page.thread, page.mine], refreshed, show_progress="hidden")

    demo.load(on_load, [page.thread], page.outputs, show_progress="hidden").then(
        refresh, [page.thread, page.mine], refreshed, show_progress="hidden"
    )
    chain(page.message.submit, on_send, [page.message, page.thread, page.who], queued=True)
    chain(page.send.click, on_send, [page.message, page.thread, page.who], queued=True)
    chain(page.pause.click, on_pause, [page.thread], queued=True, first=stop_and_lock)
    page.stop.click(on_stop, None, None, queue=False, show_progress="hidden")
    chain(side.really.click, on_delete, [page.thread], queued=True)
    chain(side.new.click, on_new, [], queued=False)
    chain(side.listing.input, on_open, [side.listing, page.mine], queued=False)
    side.delete.click(ask_delete, [page.thread], [side.confirm, side.confirm_text])
    side.cancel.click(lambda: gr.update(visible=False), outputs=[side.confirm])


def conversation_list(manager: SessionManager, thread_id: str, mine: Any) -> tuple[list, Any]:
    """The ids this browser keeps (the shown one added once saved) and the list's update:
    every conversation in the data folder."""
    import gradio as gr

    shown = thread_id if manager.saved(thread_id) else ""
    sessions = manager.services.store.list_sessions()
    remembered = conversations.remembered(mine, shown)
    ids = [info.id for info in conversations.mine_in_store(sessions, remembered)]
    empty = ui_text("conversations", "empty")
    return ids, gr.update(
        choices=conversations.choices(sessions),
        value=shown or None,
        interactive=True,
        info=None if sessions else empty,
    )


def delete_question(manager: SessionManager, thread_id: str) -> str:
    """The confirmation, naming the conversation it deletes."""
    sessions = manager.services.store.list_sessions()
    info = conversations.find(sessions, thread_id) if thread_id else None
    if info is None:
        return f"<p>{escape(ui_text('conversations', 'confirm_unsaved'))}</p>"
    question = ui_text("conversations", "confirm").format(
        title=conversations.short_title(info.title), when=conversations.when(info.updated)
    )
    return f"<p>{escape(question)}</p>"


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
        send = gr.Button(
            "Send", variant="primary", elem_id="closer-send", scale=0, min_width=80, **LOCKED
        )
        stop = gr.Button(
            "Stop", elem_id="closer-stop", scale=0, min_width=70, variant="stop", **LOCKED
        )
        pause = gr.Button(
            "I need a pause", elem_id="closer-pause", scale=0, min_width=170, **LOCKED
        )
    return chat, notices, message, send, pause, stop


def _session_controls() -> SideControls:
    import gradio as gr

    heading = escape(ui_text("conversations", "heading"))
    gr.HTML(f"<h2 class='closer-controls-title'>{heading}</h2>", js_on_load=None)
    with gr.Row(elem_id="closer-controls"):
        new = gr.Button(
            "New conversation", size="sm", elem_id="closer-new", min_width=120, **LOCKED
        )
        # A plain link to the plan route (closer/ui/plan_route.py): the plan is rendered
        # when it is downloaded, so no file of it is left in the data folder.
        plan = gr.HTML(views.plan_html(None), elem_id="closer-export-box", js_on_load=None)
        delete = gr.Button(
            "Delete", size="sm", variant="stop", elem_id="closer-delete", min_width=70, **LOCKED
        )
    with gr.Column(visible=False, elem_id="closer-confirm") as confirm:
        confirm_text = gr.HTML("", elem_id="closer-confirm-text", js_on_load=None)
        with gr.Row():
            really = gr.Button(
                "Yes, delete it", variant="stop", size="sm", elem_id="closer-delete-yes", **LOCKED
            )
            cancel = gr.Button("Keep it", size="sm", elem_id="closer-delete-no")
    listing = gr.Radio(
        choices=[],
        value=None,
        label=ui_text("conversations", "label"),
        info=ui_text("conversations", "empty"),
        elem_id="closer-list",
        **LOCKED,
    )
    return SideControls(new, plan, delete, listing, confirm, confirm_text, really, cancel)
