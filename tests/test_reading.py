"""One reading per message: the rule layer on real phrasing, intents only about this chat,
the learned layer's shipped fit, and the flow taking what is already said."""

from __future__ import annotations

import pytest

from assistant.reading.reader import FIT_SPEC as READING_FIT
from assistant.reading.reader import read
from assistant.retrieval.embeddings import MINILM_GGUF_NAME
from assistant.safety.classifier import FIT_SPEC as SAFETY_FIT
from graphs.runner import Conversation


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("can we stop here for now", "pause"),
        ("let's go back a step", "back"),
        ("can we start over?", "restart"),
        ("can we skip to the next part", "move_on"),
        ("my girlfriend wants to take a break.", None),
        ("Could we pause the TV for twenty minutes tonight and talk?", None),
        ("i want to go back to how we were", None),
        ("he keeps saying we should start over as a couple", None),
        ("i just want to move on from the fight", None),
    ],
)
def test_intents_are_about_this_conversation_only(text: str, intent: str | None) -> None:
    assert read(text).intent == intent


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        (
            "I've calmed down a lot since this morning, I think I'm able to talk about it.",
            "settled",
        ),
        ("ok the breathing helped, i can think now", "settled"),
        ("my chest is so tight rn i cant even type", "activation"),
        ("I'm hurt, and in my head it means I'm not a priority for her.", "story"),
        ("i keep thinking he's bored of me", "story"),
        ("feeling low. my girlfriend wants to take a break.", "feeling"),
        ("could we walk together for 20 minutes after dinner on thursday?", "specific"),
    ],
)
def test_the_rule_layer_reads_paraphrases(text: str, signal: str) -> None:
    assert read(text).signals()[signal], read(text)


def test_a_vague_ask_is_not_specific_and_a_bare_greeting_is_a_greeting() -> None:
    vague = read("I want more attention from him")
    assert not vague.specific
    assert read("hi how are u").greeting
    assert not read("hi, my chest is tight and I keep replaying the fight").greeting


@pytest.mark.parametrize("spec", [READING_FIT, SAFETY_FIT], ids=["reading", "safety"])
def test_the_shipped_fit_matches_its_training_data(spec) -> None:  # noqa: ANN001
    """Changing the labelled data without refitting (python -m scripts.fit_learned) would
    silently fit at every start: fail instead."""
    digest = spec.digest(f"llama.cpp:{MINILM_GGUF_NAME}")
    assert (spec.shipped / f"{spec.name}-{digest}.npz").is_file()
    assert len(list(spec.shipped.glob(f"{spec.name}-*.npz"))) == 1


def test_settled_with_a_feeling_and_a_story_moves_on_with_both(guided_services) -> None:  # noqa: ANN001
    conversation = Conversation(guided_services)
    conversation.turn("my chest is tight, I keep rehearsing")
    result = conversation.turn(
        "ok I've calmed down now. I feel lonely, and in my head it means I don't matter to him"
    )
    assert result.stage == "request"
    notes = conversation.state()["notes"]
    assert notes["feeling"] == "lonely" and "in my head" in notes["story"]


def test_a_specific_request_said_early_is_kept_for_the_plan(guided_services) -> None:  # noqa: ANN001
    conversation = Conversation(guided_services)
    conversation.turn("my heart is pounding")
    conversation.turn("I'm calmer now. could we cook dinner together on friday for an hour?")
    result = conversation.turn("I feel lonely and I keep thinking she's bored of me")
    assert result.stage == "plan"
    assert "friday" in conversation.state()["notes"]["request"]


def test_back_and_restart_ask_before_notes_are_set_aside(guided_services) -> None:  # noqa: ANN001
    conversation = Conversation(guided_services)
    for text in (
        "my chest is tight",
        "I feel calmer",
        "I feel hurt and I tell myself I'm a bother",
    ):
        conversation.turn(text)
    asked = conversation.turn("can we go back a step?")
    assert asked.stage == "request" and "go back" in asked.reply.lower()
    assert conversation.state()["notes"].get("story")
    kept = conversation.turn("no, not yet")
    assert kept.stage == "request" and conversation.state()["notes"].get("story")
    conversation.turn("actually can we go back a step")
    back = conversation.turn("yes")
    assert back.stage == "naming" and not conversation.state()["notes"].get("story")
    conversation.turn("let's start over")
    assert conversation.stage == "naming"
    assert conversation.turn("yes").stage == "check_in"
