"""The listening-first guided reply: small talk met in kind, questions answered, the
feeling and situation reflected in our words, a step's tool only where it fits, at most
one question and not every time; and the plan's script in the person's own voice."""

from __future__ import annotations

import pytest

from assistant.coaching.guided import compose
from assistant.coaching.listen import listening_reply, moves
from assistant.coaching.script import ask_line, say_line, to_you
from assistant.core.messages import TurnBrief
from assistant.reading.reader import read
from evals.shape import longest_shared_run


def _reply(kind: str, text: str, previous: tuple[str, ...] = (), **facts: str) -> str:
    stage = kind.partition(".")[0]
    return compose(TurnBrief(stage, kind, text, facts=dict(facts)), read(text), previous)


def _tool_offered(reply: str) -> bool:
    return any(tool in reply for tool in moves()["tools"].values())


@pytest.mark.parametrize(
    "text", ["thanks so much", "haha yeah", "ok bye, gotta go", "we talked and it went well!"]
)
def test_small_talk_gets_no_exercise_and_no_question(text: str) -> None:
    for kind in ("regulation.still", "naming.more", "plan.followup"):
        reply = _reply(kind, text, ("It sounds hard. What happened?",))
        assert not _tool_offered(reply), reply
        assert "?" not in reply and "body" not in reply, reply
        assert len(reply.split()) <= 25


def test_a_goodbye_after_a_plan_offers_the_plan() -> None:
    reply = _reply("plan.followup", "ok thank u, bye", request="could we walk sunday?")
    assert any(line in reply for line in moves()["social"]["bye"]["with_plan"])


def test_a_tool_is_offered_only_where_activation_was_read() -> None:
    tense = _reply("regulation.activated", "my chest is tight and my heart is racing")
    assert _tool_offered(tense)
    calm = _reply("regulation.body_check", "we're like roommates now, we only talk about bills")
    assert not _tool_offered(calm) and calm.endswith("?")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("what do i even say to him??", '"'),  # example words, in quotes
        ("are you in the US?", "device"),
        ("can you make it shorter", "short"),
    ],
)
def test_questions_to_us_are_answered_first(text: str, expected: str) -> None:
    reply = _reply("regulation.still", text)
    assert expected in reply.split(".")[0].casefold(), reply
    assert not _tool_offered(reply)


def test_shorter_please_keeps_the_reply_short_and_asks_nothing() -> None:
    reply = _reply("naming.more", "too long, shorter please")
    assert len(reply.split()) <= 12 and "?" not in reply


def test_a_reflection_names_the_feeling_and_situation_without_parroting() -> None:
    text = "i feel so lonely, my husband has been so distant since the baby came"
    reply = _reply("naming.need_story", text)
    assert "lonely" in reply and "husband" in reply
    assert longest_shared_run(reply, text) <= 4


def test_not_every_reply_asks() -> None:
    asked = _reply("naming.more", "he forgot our anniversary again")
    assert asked.count("?") == 1
    after = _reply("naming.more", "he forgot our anniversary again", (asked,))
    assert "?" not in after


def test_the_supporter_perspective_is_heard_the_same_way() -> None:
    text = "thanks, that helps"
    brief = TurnBrief("naming", "naming.more", text, perspective="supporter")
    reply = listening_reply(brief, read(text), ())
    assert reply and "?" not in reply and not _tool_offered(reply)


def test_the_script_is_in_their_voice_to_the_partner() -> None:
    story = "ugh ok. i feel small, like in my head it means he thinks im a burden"
    say = say_line("small", story, "")
    assert say == "I feel small, and the story I tell myself is that you think I'm a burden."
    ask = ask_line("ok maybe this: can we talk on sunday evening lol, what do i even say?", "")
    assert ask == "Can we talk on sunday evening?"
    assert to_you("she never asks how my day was") == "you never ask how my day was"


def test_the_plan_summary_holds_the_script_not_the_chat() -> None:
    reply = _reply(
        "plan.summary",
        "could we go for a walk saturday morning, just an hour, no phones?",
        feeling="small",
        story="idk. i feel small. in my head it means he thinks im a burden",
        request="ugh ok. could we go for a walk saturday morning, just an hour, no phones?",
        naming="idk. i feel small. in my head it means he thinks im a burden",
    )
    assert '"I feel small, and the story I tell myself is that you think I\'m a burden."' in reply
    assert "ugh" not in reply and "idk" not in reply and "come back" in reply


def test_a_model_gets_the_same_move_in_its_turn_guide() -> None:
    from assistant.coaching.prompting import turn_guide

    bye = turn_guide(TurnBrief("plan", "plan.followup", "thanks so much, bye!"))
    assert "small talk" in bye and "no exercise" in bye
    asked = turn_guide(TurnBrief("regulation", "regulation.still", "are you in the US?"))
    assert "answer it briefly" in asked
    plain = turn_guide(TurnBrief("naming", "naming.more", "he forgot our anniversary again"))
    assert "small talk" not in plain and "answer it briefly" not in plain


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is that needy?", "isn't needy"),
        ("should i tell him now or wait till the weekend", "moment"),
        ("should i just leave her be?", "space"),
        ("i don't even know what i'd ask for", "small"),
    ],
)
def test_a_question_in_the_middle_is_answered_and_nothing_is_asked_back(
    text: str, expected: str
) -> None:
    reply = _reply("regulation.still", text)
    assert expected in reply.casefold() and "?" not in reply.split('"')[0], reply


def test_longer_good_news_is_met_as_good_news() -> None:
    text = "so we talked last night and honestly it went really well, he listened, we made a plan"
    reply = _reply("regulation.still", text)
    assert any(w in reply.casefold() for w in ("glad", "good to hear", "lovely", "wonderful"))
    assert "?" not in reply and not _tool_offered(reply), reply
