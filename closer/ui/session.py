"""What the page shows for one conversation, and the handlers that change it.

The UI keeps no conversation state of its own: each browser holds only its thread id (in
localStorage), and every view is rebuilt from the saved conversation, so a reload or a
later server start shows exactly what was saved.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.core.events import Notice, ReplyDelta, ReplyReplaced, TurnResult
from closer.ui import views

log = logging.getLogger("closer.ui")
# The shape of Store.new_session_id(): a browser's id for a conversation it has not saved yet.
THREAD_ID = re.compile(r"[0-9a-f]{12}")

PAUSE_MESSAGE = "I need a pause"
PLAN_ROUTE = "plan"  # closer/ui/plan_route.py serves PLAN_ROUTE/ID.md
EMPTY_REPLY = (
    "Your message was empty, so nothing was sent. Write a few words about what is on your "
    'mind, or press "I need a pause" if you want a break.'
)
ERROR_REPLY = (
    "Something went wrong on my side while answering. Everything said before this message "
    "is saved; please try sending it again."
)


def as_text(text: str) -> str:
    """Text the chat window shows literally.

    The chat renders no Markdown (``render_markdown=False``) but does insert HTML, so
    escaping ``& < >`` is enough for anything a person or a model writes to stay text.
    """
    return html.escape(text, quote=False)


def chat_message(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": as_text(content)}


@dataclass
class View:
    """Everything the page shows for one conversation, in the order the outputs list it."""

    thread_id: str
    chat: list[dict[str, str]]
    stage: str = "check_in"
    paused_from: str | None = None
    sources: list[dict[str, str]] = field(default_factory=list)
    help_html: str = ""
    notices: list[str] = field(default_factory=list)
    plan_url: str | None = None  # where the page downloads the plan (rendered on request)
    perspective: str = "self"


class SessionManager:
    """Builds views and runs turns on the shared services, one conversation per browser."""

    def __init__(self, services: Any) -> None:
        self.services = services
        # The reply each page (Gradio's session hash) is streaming, so its Stop can end it.
        self._streaming: dict[str, threading.Event] = {}
        self._streaming_lock = threading.Lock()

    def stop(self, page: str | None) -> bool:
        """End the reply ``page`` is streaming (what was shown stays and is saved)."""
        with self._streaming_lock:
            event = self._streaming.get(page or "")
        if event is not None:
            event.set()
        return event is not None

    # -- reading ------------------------------------------------------------------------

    def conversation(self, thread_id: str | None) -> Any:
        from graphs.runner import Conversation

        conversation = Conversation(self.services, thread_id=thread_id or None)
        conversation.origin = "page"
        return conversation

    def saved(self, thread_id: str | None) -> bool:
        return bool(thread_id) and self.services.store.exists(thread_id)

    def restore(self, thread_id: str | None) -> View:
        """The saved conversation this browser had, or a fresh one."""
        return self.view(self.conversation(thread_id if self.saved(thread_id) else None))

    def continuing(self, thread_id: str | None) -> Any:
        """The conversation a turn belongs to: the one the page shows.

        A conversation the page shows but has not saved yet keeps its id, so a second
        event queued behind its first turn (a pause) joins the same conversation.
        """
        known = self.saved(thread_id) or bool(thread_id and THREAD_ID.fullmatch(thread_id))
        return self.conversation(thread_id if known else None)

    def open(self, thread_id: str | None) -> View:
        """A saved conversation, to continue it (a fresh one if it is gone)."""
        return self.restore(thread_id)

    def view(
        self, conversation: Any, *, sources: list | None = None, notices: list[str] | None = None
    ) -> View:
        state = conversation.state()
        chat = [chat_message(m["role"], m["content"]) for m in state.get("messages", [])]
        return View(
            thread_id=conversation.thread_id,
            chat=chat,
            stage=state.get("stage", "check_in"),
            paused_from=state.get("paused_from"),
            sources=list(sources or []),
            help_html=self.help_html(state.get("escalation")),
            notices=list(notices or []),
            # Relative to the page's own path; nothing is written until it is downloaded.
            plan_url=f"{PLAN_ROUTE}/{conversation.thread_id}.md" if chat else None,
            perspective=str(state.get("perspective") or "self"),
        )

    def help_html(self, escalation: dict[str, Any] | None) -> str:
        """The resources panel for a standing escalation ('' when there is none)."""
        if not escalation:
            return ""
        from assistant.safety.resources import resources_for, verified_on

        category = str(escalation.get("category") or "support")
        locale = self.services.settings.locale
        entries = resources_for(locale, category) or resources_for(locale)
        return views.resources_html(category, entries, verified_on().isoformat())

    # -- changing -----------------------------------------------------------------------

    def new(self) -> View:
        return self.view(self.conversation(None))

    def delete(self, thread_id: str | None) -> View:
        """Remove the shown conversation (and every copy of it), then start a fresh one."""
        if thread_id:
            from closer.deleting import delete_conversation

            delete_conversation(self.services.store, self.services.settings.home, thread_id)
        return self.new()

    def send(
        self,
        text: str | None,
        thread_id: str | None,
        perspective: str | None = None,
        page: str | None = None,
    ) -> Iterator[tuple[str, Any]]:
        """One turn as a stream: ("chat", messages) while the reply grows, then ("view", View).
        ``perspective`` is taken for a conversation that has not begun; a saved one keeps its
        own."""
        conversation = self.continuing(thread_id)
        if perspective and not self.saved(conversation.thread_id):
            conversation.perspective = perspective
        before = [chat_message(m["role"], m["content"]) for m in conversation.history()]
        if not (text or "").strip():
            yield "view", self._with_reply(self.view(conversation), EMPTY_REPLY)
            return
        chat = [*before, chat_message("user", text or ""), chat_message("assistant", "")]
        yield "chat", chat
        stop = threading.Event()
        if page:
            with self._streaming_lock:
                self._streaming[page] = stop
        try:
            result, notices = yield from self._stream(conversation, text or "", chat, stop)
        except Exception:  # the person sees a plain message; the log keeps the details
            log.exception("turn failed")
            yield "view", self._with_reply(self.view(conversation), ERROR_REPLY, text)
            return
        finally:
            if page:
                with self._streaming_lock:
                    if self._streaming.get(page) is stop:
                        del self._streaming[page]
        yield "view", self.view(conversation, sources=result.sources, notices=notices)

    def _stream(
        self, conversation: Any, text: str, chat: list, stop: threading.Event | None = None
    ) -> Iterator[tuple[str, Any]]:
        reply = ""
        notices: list[str] = []
        result: TurnResult | None = None
        for event in conversation.send(text, stop=stop):
            if isinstance(event, ReplyDelta):
                reply += event.text
            elif isinstance(event, ReplyReplaced):
                # Why the draft was not shown is kept in the turn (its ``fallback``); the
                # person only sees the reply.
                reply = event.text
            elif isinstance(event, Notice):
                notices.append(event.text)
                continue
            elif isinstance(event, TurnResult):
                result = event
                continue
            chat[-1] = chat_message("assistant", reply)
            yield "chat", chat
        assert result is not None  # Conversation.send always ends with a TurnResult
        return result, notices

    @staticmethod
    def _with_reply(view: View, reply: str, user_text: str | None = None) -> View:
        """A view with a note from the app appended (not saved to the conversation)."""
        if user_text:
            view.chat.append(chat_message("user", user_text))
        view.chat.append(chat_message("assistant", reply))
        return view
