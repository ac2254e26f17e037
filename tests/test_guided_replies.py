"""Guided replies through the real graph (guided mode, no retrieval): a greeting, a direct
question, a topic acknowledged, an ended relationship, five regulation tools in a row; and
the composer's data and choices (variants, tips that fit the person, determinism)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from assistant.coaching.guided import compose
from assistant.coaching.listen import moves
from assistant.coaching.replies import parts
from assistant.coaching.tips import tip_fits_by_card
from assistant.config import Settings
from assistant.core.messages import Card, TurnBrief
from assistant.knowledge import load_yaml
from assistant.reading.reader import read
from assistant.retrieval.cards import load_cards
from evals.rubric import listening
from graphs.runner import Conversation


def _said(reply: str, lines: list[str]) -> bool:
    """One of ``lines`` is in the reply (a template: its words before the first slot)."""
    return any(line.split("{")[0].strip() in reply for line in lines)


def _check(conversation: Conversation, *messages: str) -> list:
    """Each turn's result; every coached reply passes the listening check."""
    results, previous = [], []
    for message in messages:
        result = conversation.turn(message)
        assert listening(message, result.reply, previous) == [], result.reply
        previous.append(result.reply)
        results.append(result)
    return results


def test_a_greeting_gets_a_greeting(guided_services) -> None:
    (result,) = _check(Conversation(guided_services), "hi")
    assert result.stage == "check_in"
    assert _said(result.reply.split(".")[0] + ".", parts()["greetings"])
    assert result.reply.count("?") == 1


def test_how_are_you_is_answered_before_the_step(guided_services) -> None:
    (result,) = _check(Conversation(guided_services), "hey, how are you?")
    answers = parts()["answers"][0]["say"]
    assert _said(result.reply, parts()["greetings"]) and _said(result.reply, answers)
    assert result.reply.index("?") > max(result.reply.find(a) for a in answers)


def test_a_direct_question_gets_a_short_answer_then_the_step(guided_services) -> None:
    conversation = Conversation(guided_services)
    _, asked = _check(conversation, "my chest is tight", "what should i do?")
    answers = next(a["say"] for a in parts()["answers"] if "any advice" in str(a["match"]))
    found = [a for a in answers if a in asked.reply]
    assert asked.stage == "regulation" and found
    assert asked.reply.startswith(found[0])  # the answer first, then the step's move
    assert "body" in asked.reply.lower()


def test_infidelity_is_named_in_our_words_and_not_as_a_refrain(guided_services) -> None:
    conversation = Conversation(guided_services)
    first, second = _check(
        conversation,
        "I found out he cheated on me with a girl from work and my heart is pounding",
        "still pounding, I can't believe he cheated",
    )
    assert "the cheating" in first.reply  # the situation, said back in our words
    assert "he cheated on me" not in first.reply  # not their sentence pasted back
    assert first.reply.split(".")[0] != second.reply.split(".")[0]


def test_an_ended_relationship_is_not_coached_toward_the_ex(guided_services) -> None:
    conversation = Conversation(guided_services)
    results = _check(
        conversation,
        "my ex broke up with me last month and I feel lost",
        "I feel calmer now",
        "I feel lonely and I tell myself nobody will want me",
        "I want to ask him to come back",
    )
    intro, offer = parts()["ended"]["intro"], parts()["ended"]["offer"]
    assert _said(results[0].reply, intro)
    assert "Closer" in results[0].reply
    for result in results[1:]:
        assert not _said(result.reply, intro)  # said kindly once, not every turn
    requests = [r for r in results if r.stage in ("request", "plan")]
    assert requests, "the flow still moves; only the words change"
    for result in requests:
        assert _said(result.reply, offer)
        assert "What would you like to ask for" not in result.reply
        assert "Here is your plan" not in result.reply


@pytest.fixture
def patient_services(settings: Settings) -> Iterator[object]:
    """Guided services that never offer to move on, to watch regulation turn after turn."""
    from assistant.coaching.guided import GuidedComposer
    from graphs.services import default_screener, open_services

    services = open_services(
        replace(settings, stuck_after=99),
        model=GuidedComposer(),
        screener=default_screener(settings, semantic=False),
        retriever=None,
    )
    yield services
    services.store.close()


def test_five_regulation_turns_get_five_different_tools(patient_services) -> None:
    messages = [
        "my heart is racing",
        "still racing",
        "my chest is still tight",
        "still tense",
        "still shaky",
    ]
    results = _check(Conversation(patient_services), *messages)
    assert [r.stage for r in results] == ["regulation"] * 5
    offers = moves()["tools"]
    tools = [next(t for t in offers if offers[t] in result.reply) for result in results]
    assert len(set(tools)) == 5, tools


def test_the_same_conversation_gets_the_same_words(guided_services, settings) -> None:
    messages = ["hi", "my chest is tight", "still tight"]
    first = [r.reply for r in _check(Conversation(guided_services), *messages)]
    second = [r.reply for r in _check(Conversation(guided_services), *messages)]
    assert first == second


def test_every_reply_kind_has_four_variants() -> None:
    kinds = load_yaml("prompts/guided.yaml")["kinds"]
    short = [k for k, v in kinds.items() if not k.endswith(".prefix") and len(v) < 4]
    assert short == []
    assert all(len(v) >= 4 for v in load_yaml("prompts/guided.yaml")["defaults"].values())
    ended = parts()["ended"]
    assert len(ended["intro"]) >= 4 and len(ended["offer"]) >= 4
    assert all(len(t["say"]) >= 4 for t in parts()["topics"].values())


def test_tools_come_from_cards_and_supporter_tips_are_tagged() -> None:
    cards = {card.id: card for card in load_cards()}
    assert all(tool["card"] in cards for tool in parts()["tools"])
    assert len({tool["id"] for tool in parts()["tools"]}) >= 5
    fits = tip_fits_by_card()
    supporter = {card for card, fit in fits.items() if fit.perspective == "supporter"}
    assert {c for c in cards if c.startswith("support-")} <= supporter
    assert all(card in fits for card in parts()["ended"]["tips"])


def _card(card_id: str, stages: tuple[str, ...]) -> Card:
    return Card(card_id, "t", "s", "text", stages, 1.0, tip_fits_by_card()[card_id].tip)


def test_a_tip_for_the_supporting_partner_is_never_used_for_the_person() -> None:
    supporter = _card("support-model-vulnerability", ("naming", "check_in"))
    own = _card("micro-vulnerability", ("naming",))
    text = "I'm calmer now"
    brief = TurnBrief("naming", "naming.start", text, cards=(supporter, own))
    reply = compose(brief, read(text))
    # No card tip at all now: a tip in a listening reply was advice nobody asked for.
    assert supporter.tip not in reply and own.tip not in reply


def test_a_tip_is_used_only_in_the_steps_it_fits() -> None:
    camera = _card("facts-apart-from-meaning", ("naming", "regulation"))
    text = "my chest is tight"
    reply = compose(
        TurnBrief("regulation", "regulation.activated", text, cards=(camera,)), read(text)
    )
    assert camera.tip not in reply


def test_without_history_or_reading_the_reply_is_still_whole() -> None:
    reply = compose(TurnBrief("regulation", "regulation.body_check", "I want to talk"))
    assert reply.endswith("?") and reply.count("?") == 1


def test_a_few_words_are_said_back_in_a_sentence_not_quoted() -> None:
    for text, said in (("still tense", "tense"), ("I'm ready", "you sound ready")):
        kind = "regulation.still" if "tense" in text else "naming.start"
        reply = compose(TurnBrief(kind.partition(".")[0], kind, text), read(text))
        assert said in reply and f'"{text}"' not in reply
    reply = compose(TurnBrief("regulation", "regulation.still", "ok"), read("ok"))
    assert "ok." not in reply.casefold()  # "Okay, ok." says nothing
