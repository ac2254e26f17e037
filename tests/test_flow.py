"""The conversation flow: every transition, pause and resume, going back, the stuck offer."""

from __future__ import annotations

import pytest

from assistant.coaching.listen import moves
from graphs.runner import Conversation

ACCEPTANCE = [
    ("my chest is tight, I keep rehearsing", "regulation"),
    ("I breathed, I feel calmer", "naming"),
    ("I feel lonely, the story I'm telling myself is that I don't matter to him", "request"),
    ("you never make time for me", "request"),
    ("could we sit together ten minutes after dinner tonight, phones away?", "plan"),
]


def talk(conversation: Conversation, *messages: str) -> list:
    return [conversation.turn(message) for message in messages]


def test_acceptance_path(guided_services) -> None:
    conversation = Conversation(guided_services)
    results = talk(conversation, *(message for message, _ in ACCEPTANCE))
    assert [r.stage for r in results] == [stage for _, stage in ACCEPTANCE]
    assert results[3].blocking and results[3].blocking[0]["pattern"] == "absolutes"
    assert all(r.reply.strip() for r in results)
    assert [r.turn for r in results] == [1, 2, 3, 4, 5]


def test_greeting_stays_in_check_in(guided_services) -> None:
    result = Conversation(guided_services).turn("hi")
    assert result.stage == "check_in"
    assert result.reply.count("?") == 1


def test_first_message_without_activation_is_listened_to(guided_services) -> None:
    # The step is regulation, but nothing says the body is on alert: no exercise, a question.
    result = Conversation(guided_services).turn("I want to talk to my wife about us")
    assert result.stage == "regulation"
    assert "breath" not in result.reply.lower() and result.reply.endswith("?")


def test_regulation_holds_until_calmer(guided_services) -> None:
    conversation = Conversation(guided_services)
    results = talk(conversation, "my heart is racing", "I don't feel calmer yet", "I feel steadier")
    assert [r.stage for r in results] == ["regulation", "regulation", "naming"]


def test_asking_to_move_on_leaves_regulation(guided_services) -> None:
    conversation = Conversation(guided_services)
    results = talk(conversation, "I'm so tense", "can we move on please")
    assert results[-1].stage == "naming"


def test_naming_needs_a_feeling_and_a_story(guided_services) -> None:
    conversation = Conversation(guided_services)
    results = talk(
        conversation,
        "I'm tense",
        "ok I'm calmer",
        "I feel invisible",  # a feeling, no story yet
        "the story I'm telling myself is that my work matters more to her than me",
    )
    assert [r.stage for r in results] == ["regulation", "naming", "naming", "request"]
    assert "story" in results[2].reply.lower()


def test_story_without_feeling_asks_for_the_feeling(guided_services) -> None:
    conversation = Conversation(guided_services)
    results = talk(conversation, "I'm tense", "I'm calmer", "I tell myself he's bored of me")
    assert results[-1].stage == "naming"
    assert "feeling" in results[-1].reply.lower()


def test_vague_request_stays_and_asks_for_a_time(guided_services) -> None:
    conversation = Conversation(guided_services)
    talk(conversation, "I'm tense", "I'm calmer", "I feel hurt and I'm telling myself I'm a burden")
    result = conversation.turn("could we spend more time together?")
    assert result.stage == "request"
    assert "when" in result.reply.lower()


@pytest.mark.parametrize("stage_path", [("I'm tense",), ("I'm tense", "I'm calmer")])
def test_pause_and_resume_returns_to_the_stage_left(guided_services, stage_path) -> None:
    conversation = Conversation(guided_services)
    before = talk(conversation, *stage_path)[-1].stage
    paused = conversation.turn("I need a break")
    assert paused.stage == "pause"
    assert "saved" in paused.reply.lower()
    back = conversation.turn("ok, I'm here again")
    assert back.stage == before
    assert back.reply.startswith("Welcome back")
    assert len(conversation.history()) == 2 * (len(stage_path) + 2)


def test_going_back_a_stage_asks_afresh(guided_services) -> None:
    conversation = Conversation(guided_services)
    talk(
        conversation,
        "I'm tense",
        "I'm calmer",
        "I feel lonely and the story I tell myself is he's gone",
    )
    asked = conversation.turn("can we go back a step?")
    assert asked.stage == "request" and "go back" in asked.reply  # notes would be set aside
    result = conversation.turn("yes")
    assert result.stage == "naming"
    # The earlier feeling and story were forgotten, so naming needs both again.
    assert conversation.turn("I feel sad").stage == "naming"


def test_stuck_offer_after_n_turns_and_accepting_moves_on(guided_services) -> None:
    conversation = Conversation(guided_services)
    results = talk(conversation, "I'm tense", "still tense", "hmm", "still the same")
    assert [r.stage for r in results] == ["regulation"] * 4
    asks = moves()["stuck"]["regulation.stuck_offer"]["ask"]
    offers = [r for r in results if any(ask in r.reply for ask in asks)]
    assert len(offers) == 1
    assert conversation.turn("yes").stage == "naming"


def test_plan_summary_carries_the_persons_own_sentences(guided_services) -> None:
    conversation = Conversation(guided_services)
    results = talk(conversation, *(message for message, _ in ACCEPTANCE))
    plan = results[-1].reply
    assert "I don't matter to you" in plan  # their sentence, said to the partner
    assert "ten minutes after dinner tonight" in plan
    assert "come back" in plan  # the return plan


def test_restart_goes_back_to_check_in(guided_services) -> None:
    conversation = Conversation(guided_services)
    talk(conversation, "I'm tense", "I'm calmer")
    assert conversation.turn("let's start over").stage == "naming"  # asked first
    assert conversation.turn("yes").stage == "check_in"


def test_empty_message_gets_a_clear_reply_and_keeps_the_stage(guided_services) -> None:
    conversation = Conversation(guided_services)
    conversation.turn("I'm tense")
    result = conversation.turn("   ")
    assert result.stage == "regulation"
    assert "empty" in result.reply.lower()


def test_conversations_do_not_share_history(guided_services) -> None:
    first, second = Conversation(guided_services), Conversation(guided_services)
    first.turn("my chest is tight")
    assert second.history() == []
    assert second.stage == "check_in"
