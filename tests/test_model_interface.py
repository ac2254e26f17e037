"""The model interface: a scripted fake goes through exactly the path a real model does."""

from __future__ import annotations

import pytest

from assistant.coaching.guided import GuidedComposer
from assistant.config import Settings
from assistant.core.events import Notice, ReplyDelta, ReplyReplaced, TurnResult
from assistant.core.messages import ChatModel, ModelRequest
from graphs.models import load_model, model_spec
from graphs.runner import Conversation, Services
from graphs.services import default_screener
from tests.doubles import ScriptedModel


def services_with(settings: Settings, guided_services, model: ChatModel) -> Services:
    return Services(
        settings=settings,
        store=guided_services.store,
        model=model,
        screener=default_screener(settings, semantic=False),
        retriever=None,
    )


def test_peers_implement_the_protocol() -> None:
    assert isinstance(GuidedComposer(), ChatModel)
    assert isinstance(ScriptedModel(["hi"]), ChatModel)


def test_model_reply_streams_and_is_kept(settings, guided_services) -> None:
    reply = 'I hear "my chest is tight". Let\'s slow down together. What do you notice?'
    model = ScriptedModel([reply])
    events = list(
        Conversation(services_with(settings, guided_services, model)).send("my chest is tight")
    )
    deltas = "".join(e.text for e in events if isinstance(e, ReplyDelta))
    result = events[-1]
    assert isinstance(result, TurnResult)
    assert deltas == reply and result.reply == reply
    assert result.fallback is None and result.model == "fake"
    # The model saw the fixed system prompt first, the person's words as they wrote them, and
    # the guide after them in a system message of its own.
    request: ModelRequest = model.requests[0]
    assert request.messages[0]["role"] == "system"
    assert request.messages[-2] == {"role": "user", "content": "my chest is tight"}
    assert request.messages[-1]["role"] == "system"
    assert "Guide for this reply" in request.messages[-1]["content"]
    assert "regulation" in request.messages[-1]["content"].lower()


@pytest.mark.parametrize(
    ("bad_reply", "reason"),
    [
        ("", "empty"),
        ("You never listen to her, and you always", "blocking language"),
        ("It sounds like you have avoidant attachment disorder.", "diagnosis"),
    ],
)
def test_guard_replaces_a_bad_model_reply(settings, guided_services, bad_reply, reason) -> None:
    model = ScriptedModel([bad_reply])
    events = list(
        Conversation(services_with(settings, guided_services, model)).send("my chest is tight")
    )
    replaced = [e for e in events if isinstance(e, ReplyReplaced)]
    result = events[-1]
    assert replaced and result.fallback == reason
    assert result.reply == replaced[0].text
    assert result.stage == "regulation"  # progress never depends on the model


def test_stage_path_is_the_same_with_any_model(settings, guided_services) -> None:
    from tests.test_flow import ACCEPTANCE

    conversation = Conversation(services_with(settings, guided_services, ScriptedModel(["Ok."])))
    assert [conversation.turn(m).stage for m, _ in ACCEPTANCE] == [s for _, s in ACCEPTANCE]


def test_a_failing_model_falls_back_to_guided(settings, guided_services) -> None:
    class Broken(ScriptedModel):
        def stream(self, request, options):
            raise RuntimeError("boom")

    result = Conversation(services_with(settings, guided_services, Broken([]))).turn("hello there")
    assert result.fallback == "model error: RuntimeError" and result.reply


def test_trim_notice_from_the_model_reaches_the_person(settings, guided_services) -> None:
    from assistant.model.reply_stream import ReplyStream

    class Trimming(ScriptedModel):
        def stream(self, request, options):
            return ReplyStream(iter(["Fine."]), notice="Earlier messages were left out.")

    events = list(Conversation(services_with(settings, guided_services, Trimming([]))).send("hi"))
    assert Notice("Earlier messages were left out.") in events
    assert "Earlier messages were left out." in events[-1].notices


def test_a_bad_model_path_falls_back_to_guided_with_the_reason(tmp_path, settings) -> None:
    missing = tmp_path / "nope.gguf"
    chosen = load_model(Settings(home=settings.home, model=str(missing)))
    assert chosen.name == "guided"
    assert str(missing) in chosen.describe()["note"]


def test_model_choice_order(tmp_path, settings) -> None:
    assert model_spec(settings) == "guided"
    settings.models_dir.mkdir(parents=True)
    (settings.models_dir / "a.gguf").write_bytes(b"GGUF")
    assert model_spec(settings) == f"gguf:{settings.models_dir / 'a.gguf'}"
    assert model_spec(Settings(home=settings.home, model="guided")) == "guided"
    assert model_spec(Settings(home=settings.home, model_url="http://127.0.0.1:1")).startswith(
        "url:"
    )
