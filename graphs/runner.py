"""A conversation: one graph invocation per turn on a thread, as one stream of typed events.

The CLI, the UI and the evals all consume ``Conversation.send``.  Each turn is checkpointed
once, when it finishes (``durability="exit"``), so a turn is either saved whole or not at all.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.config import Settings
from assistant.core.events import Event, Notice, ReplyDelta, TurnResult
from assistant.core.messages import ChatModel, GenerationOptions, Message
from assistant.core.perspective import Perspective
from assistant.core.protocols import Embedder, Retriever
from assistant.knowledge import load_yaml
from assistant.storage import StorageError, Store, open_failure
from assistant.text import clean_message
from graphs.context import Context, Reader, Screener
from graphs.graph import build_graph
from graphs.state import turn_input

READ_WAIT_S = 30.0


@dataclass
class Services:
    """What conversations share in one process: the store, graph, model, retriever, screen."""

    settings: Settings
    store: Store
    model: ChatModel
    screener: Screener
    retriever: Retriever | None = None
    options: GenerationOptions = field(default_factory=GenerationOptions)
    graph: Any = field(default=None)
    warnings: list[str] = field(default_factory=list)  # parts that could not load, for the person
    reader: Reader | None = None  # None: the rule layer alone
    embedder: Embedder | None = None  # the one the screen and the reader use, if any

    def __post_init__(self) -> None:
        if self.graph is None:
            self.graph = build_graph(checkpointer=self.store.saver)

    @property
    def context(self) -> Context:
        return Context(
            settings=self.settings,
            model=self.model,
            screener=self.screener,
            retriever=self.retriever,
            options=self.options,
            reader=self.reader,
            embed=self.embedder.embed if self.embedder is not None else None,
            first_words_s=self.settings.first_words_s or None,  # 0: no limit
        )


class Conversation:
    """One person's conversation, identified by its ``thread_id``."""

    def __init__(
        self,
        services: Services,
        thread_id: str | None = None,
        perspective: Perspective | None = None,
    ) -> None:
        self.services = services
        self.thread_id = thread_id or services.store.new_session_id()
        # given for a new conversation, saved with its first turn; None keeps the
        # saved one (and "self" for a conversation that never had one).
        self.perspective = perspective
        self.origin = ""  # where it was started ("page", "terminal"), kept with its first turn
        # Saved before: if it is gone when a turn starts, it was deleted, and the turn must
        # not bring it back.
        self._known = bool(thread_id) and services.store.exists(self.thread_id)

    @property
    def _config(self) -> dict[str, Any]:
        return {"configurable": {"thread_id": self.thread_id}}

    def state(self) -> dict[str, Any]:
        # A read waits for a turn in flight (briefly: a read is consistent without the lock,
        # it would only show the conversation as it was before that turn).
        with self.services.store.turn_lock(self.thread_id, timeout=READ_WAIT_S):
            try:
                snapshot = self.services.graph.get_state(self._config)
            except (ValueError, TypeError, sqlite3.DatabaseError) as error:
                # A saved turn that no longer decodes (a salvaged, damaged file): one clear
                # line, and the rest of the folder stays usable.
                raise StorageError(
                    f"conversation {self.thread_id}'s saved turns are damaged and cannot be "
                    f"read ({type(error).__name__}); `closer sessions delete "
                    f"{self.thread_id}` removes it"
                ) from None
        return dict(snapshot.values) if snapshot else {}

    @property
    def stage(self) -> str:
        return self.state().get("stage", "check_in")

    def history(self) -> list[Message]:
        return list(self.state().get("messages", []))

    def send(self, text: str | bytes, stop: threading.Event | None = None) -> Iterator[Event]:
        """Run one turn, yielding notices and reply pieces as they happen, then the result.

        The conversation's turn lock is held for the whole turn, so a pause, a delete or
        another message on the same conversation waits for it; a conversation deleted before
        its turn began gets a plain answer and nothing is written.  Setting ``stop`` ends a
        model's reply where it stands: what was shown is the reply, and it is saved."""
        clean = clean_message(text, self.services.settings.max_message_chars)
        store = self.services.store
        with store.turn_lock(self.thread_id):
            if self._known and not store.exists(self.thread_id):
                yield from _deleted_answer(clean.text, self.thread_id)
                return
            for notice in clean.notices:
                yield Notice(notice)
            yield from self._run_turn(clean.text, list(clean.notices), stop)

    def _run_turn(
        self, text: str, notices: list[str], stop: threading.Event | None = None
    ) -> Iterator[Event]:
        store = self.services.store
        values: dict[str, Any] = {}
        first_turn = not self._known
        try:
            # Registered before the turn runs: a kill during a conversation's first turn must
            # not leave saved turns that no session list knows about.  Without its title: the
            # message is kept only once its reply is saved (below).
            store.touch(self.thread_id, origin=self.origin, perspective=self.perspective or "")
            self._known = True
            given = turn_input(text, notices)
            if self.perspective:
                given["perspective"] = self.perspective
            for mode, chunk in self.services.graph.stream(
                given,
                self._config,
                context=dataclasses.replace(self.services.context, stop=stop),
                stream_mode=["custom", "values"],
                durability="exit",
            ):
                if mode == "custom":
                    yield chunk
                else:
                    values = chunk
        except sqlite3.OperationalError as error:  # a full or read-only data folder
            if first_turn:  # no empty conversation left in the list
                with contextlib.suppress(sqlite3.Error):
                    store.erase(self.thread_id)
                self._known = False
            raise open_failure(store.path, error) from None
        if store.exists(self.thread_id):
            store.touch(self.thread_id, title=text)
        else:
            # Deleted while this turn ran, by something that did not wait for it: what the
            # turn just wrote goes too, so no words are left that no list shows.
            store.erase(self.thread_id)
            yield from _deleted_answer(text, self.thread_id)
            return
        yield _result(values, self.thread_id)

    def turn(self, text: str | bytes) -> TurnResult:
        """Run one turn and return only its result (batch mode, evals, tests)."""
        result = None
        for event in self.send(text):
            if isinstance(event, TurnResult):
                result = event
        assert result is not None  # send() always ends with a TurnResult
        return result


def _deleted_answer(text: str, session: str) -> Iterator[Event]:
    """The answer to a message on a deleted conversation: said plainly, nothing saved."""
    reply = load_yaml("storage.yaml")["deleted_conversation"].strip()
    yield Notice(reply)
    yield ReplyDelta(reply)
    yield TurnResult(
        turn=0, user=text, reply=reply, stage="check_in", notices=[reply], session=session
    )


def _result(values: dict[str, Any], session: str) -> TurnResult:
    escalation = values.get("escalation")
    if escalation is not None:
        escalation = {**escalation, "level": "escalate"}
    return TurnResult(
        turn=values.get("turn", 0),
        user=values.get("user_text", ""),
        reply=values.get("reply", ""),
        stage=values.get("stage", "check_in"),
        blocking=[
            {"pattern": f["pattern"], "quote": f["quote"]} for f in values.get("blocking", [])
        ],
        escalation=escalation,
        sources=[
            {
                "id": c["id"],
                "title": c["title"],
                "source": c["source"],
                "kind": c.get("kind", "guidance"),
            }
            for c in values.get("cards", [])
        ],
        notices=list(values.get("notices", [])),
        model=values.get("model_name", "guided"),
        fallback=values.get("fallback"),
        session=session,
        safety=_safety(values),
        resources=list((values.get("safety") or {}).get("shown", [])),
        perspective=values.get("perspective") or "self",
        why={"step": values.get("why_step", ""), "safety": values.get("why_safety", "")},
    )


def _safety(values: dict[str, Any]) -> dict[str, Any]:
    """This turn's verdict as batch rows and evals name it; a standing escalation or a check
    in progress is what the person meets, whatever this one message said."""
    from assistant.core.screening import public_level

    screening = values.get("screening") or {}
    if values.get("stage") == "escalation" and values.get("escalation"):
        return {"level": "escalate", "category": values["escalation"].get("category")}
    checking = (values.get("safety") or {}).get("checking")
    if values.get("stage") == "check" and checking:
        return {"level": "check", "category": checking.get("category")}
    level = public_level(screening.get("level", "none"))
    return {"level": level, "category": screening.get("category")}
