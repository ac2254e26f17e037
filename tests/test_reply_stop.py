"""A reply can be stopped mid-stream (what was shown stays and is saved as the reply), and
a model's draft that shows nothing checked within its time budget is cancelled for the
guided reply, with the reason in the turn's ``fallback``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace

from assistant.config import Settings
from assistant.core.events import ReplyDelta, ReplyReplaced, TurnResult
from assistant.core.messages import GenerationOptions, ModelRequest
from assistant.gate.sentence_gate import OUT_OF_TIME, STOPPED

REPLY = (
    "It sounds like your chest tightens when you think about raising this with your "
    "partner. That makes sense. What would help you feel a little steadier right now?"
)
MESSAGE = "my chest is tight, I keep rehearsing"


class PacedModel:
    """Streams ``REPLY`` a word at a time, ``delay`` seconds apart; counts what it yielded
    and whether the app closed the stream (generation stopped)."""

    name = "fake-paced"

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.yielded = 0
        self.closed = threading.Event()

    def stream(self, request: ModelRequest, options: GenerationOptions) -> Iterator[str]:
        try:
            for index, word in enumerate(REPLY.split(" ")):
                time.sleep(self.delay)
                self.yielded += 1
                yield word if index == 0 else " " + word
        finally:
            self.closed.set()

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "backend": "fake"}


def _services(settings: Settings, model: PacedModel):  # noqa: ANN202
    from graphs.services import default_screener, open_services

    screener = default_screener(settings, semantic=False)
    return open_services(settings, model=model, screener=screener, retriever=None)


def test_stop_ends_generation_and_saves_what_was_shown(closer_home) -> None:  # noqa: ANN001
    from graphs.runner import Conversation

    model = PacedModel(delay=0.05)
    services = _services(replace(Settings(home=closer_home), first_words_s=0), model)
    stop, shown = threading.Event(), []
    result = None
    conversation = Conversation(services)
    for event in conversation.send(MESSAGE, stop=stop):
        if isinstance(event, ReplyDelta):
            shown.append(event.text)
            stop.set()  # the person presses Stop as the first sentence appears
        assert not isinstance(event, ReplyReplaced)
        if isinstance(event, TurnResult):
            result = event
    assert result is not None and shown and result.fallback == STOPPED
    assert result.reply == "".join(shown).strip() and len(result.reply) < len(REPLY)
    assert model.closed.wait(5) and model.yielded < len(REPLY.split(" "))
    saved = Conversation(services, conversation.thread_id).history()
    assert [m["content"] for m in saved] == [MESSAGE, result.reply]
    services.store.close()


def test_a_draft_with_nothing_checked_in_its_budget_gives_way_to_the_guided_reply(
    closer_home,  # noqa: ANN001
) -> None:
    from graphs.runner import Conversation

    model = PacedModel(delay=0.2)  # the first sentence needs ~3 s
    services = _services(replace(Settings(home=closer_home), first_words_s=0.5), model)
    events = list(Conversation(services).send(MESSAGE))
    result = events[-1]
    assert isinstance(result, TurnResult)
    assert result.fallback == OUT_OF_TIME
    assert not any(isinstance(e, ReplyDelta) for e in events)  # nothing of the draft shown
    [replaced] = [e for e in events if isinstance(e, ReplyReplaced)]
    assert result.reply == replaced.text and "partner. That makes sense" not in result.reply
    assert model.closed.wait(5) and model.yielded < 8  # generation was cancelled early
    services.store.close()


class PromptBoundModel(PacedModel):
    """Busy before its first piece (as llama.cpp is while it reads a long prompt)."""

    def stream(self, request: ModelRequest, options: GenerationOptions) -> Iterator[str]:
        time.sleep(8.0)
        yield from super().stream(request, options)


def test_the_budget_holds_while_the_model_is_still_reading_its_prompt(closer_home) -> None:  # noqa: ANN001
    from graphs.runner import Conversation

    model = PromptBoundModel(delay=0.01)
    services = _services(replace(Settings(home=closer_home), first_words_s=0.5), model)
    result = Conversation(services).turn(MESSAGE)
    assert model.yielded == 0  # the turn ended (guided reply shown and saved) before it
    assert result.fallback == OUT_OF_TIME
    assert model.closed.wait(30) and model.yielded <= 1  # then closed at its first piece
    services.store.close()
