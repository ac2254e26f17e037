"""The listening check and the salient clause: each problem fires on a crafted reply and
not on its twin; the clause is whole phrases of the person's own words."""

from __future__ import annotations

import pytest

from assistant.coaching.echo import clause_with, salient_clause
from assistant.gate.listening import PROBLEMS, listening_problems, words_of
from assistant.reading.reader import read
from evals import rubric

LONG = "Press your feet into the floor and name three things you can see around you."


@pytest.mark.parametrize(
    ("reply", "person", "previous", "problem"),
    [
        ('Thank you for sharing "How". What now?', "How are you", [], "short_echo"),
        ('You said "so", and that is okay.', "so i dont know", [], "short_echo"),
        ('You said "I feel it".', "I feel it", [], "short_echo"),
        (
            'You said "Can we sit on the couch for".',
            "Can we sit on the couch for ten",
            [],
            "cut_echo",
        ),
        (f"Okay. {LONG} How is it?", "ok", ["Hi.", f"Try this. {LONG}"], "repeated_sentence"),
        (" ".join(["word"] * 121), "hello there", [], "too_long"),
        ("What do you feel? And what story?", "hmm", [], "many_questions"),
    ],
)
def test_each_problem_fires(reply: str, person: str, previous: list, problem: str) -> None:
    assert problem in listening_problems(reply, person, previous)


@pytest.mark.parametrize(
    ("reply", "person", "previous"),
    [
        ('You said "my chest is so tight". What do you notice?', "my chest is so tight rn", []),
        (
            'You said "I just cannot believe he would do that".',
            "I just cannot believe he would do that",
            [],
        ),
        # An example sentence of ours in quotes is not an echo, and may hold a question.
        ('Try "Could we walk tonight?" What would you ask?', "I want more time with him", []),
        # The long sentence came back, but four replies ago.
        (f"Okay. {LONG}", "ok", [f"Try this. {LONG}", "a", "b", "c"]),
        # Their own words quoted back again (a plan does) are not the coach repeating itself.
        (
            'Then say: "i feel small and i think he sees me as a burden"',
            "ok",
            ['You said "i feel small and i think he sees me as a burden".'],
        ),
    ],
)
def test_twins_pass(reply: str, person: str, previous: list) -> None:
    assert listening_problems(reply, person, previous) == []


def test_problem_names_are_the_documented_ones() -> None:
    assert set(PROBLEMS) == {
        "short_echo",
        "cut_echo",
        "repeated_sentence",
        "too_long",
        "many_questions",
    }


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "my bf just left for work after we argued and my chest is so tight rn",
            "my chest is so tight rn",
        ),
        (
            "i feel really small. like in my head it means he thinks im a burden",
            "i feel really small",
        ),
        ("did the breathing thing you said. bit steadier now", "bit steadier now"),
        ("i'm calmer than i was", "i'm calmer than i was"),
    ],
)
def test_the_salient_clause_is_the_feeling_or_body_part_whole(message: str, expected: str) -> None:
    assert salient_clause(message, read(message)) == expected


@pytest.mark.parametrize("message", ["hey", "so", "sh", "ok", "How are you?", "yes"])
def test_no_clause_when_nothing_salient(message: str) -> None:
    assert salient_clause(message, read(message)) == ""


def test_a_long_message_is_cut_only_where_a_phrase_ends() -> None:
    message = (
        "Can we sit on the couch for ten minutes tonight and just talk about the week "
        "without phones please"
    )
    clause = salient_clause(message, read(message))
    assert clause == "Can we sit on the couch for ten minutes tonight"
    reply = f'You said "{clause}".'
    assert listening_problems(reply, message, []) == []


def test_a_blocking_quote_carries_the_phrase_around_it() -> None:
    message = "i want to tell him 'you always spring this stuff on me and i'm sick of it'"
    quote = clause_with(message, "you always")
    assert quote.startswith("you always spring") and not quote.endswith("'")
    assert len(words_of(quote)) >= 3


def test_the_rubric_scores_listening_on_coached_turns_only() -> None:
    turn = {"user": "How are you", "reply": 'Thanks for "How". Ok?', "stage": "regulation"}
    turn |= {"escalation": None, "sources": []}
    assert rubric.check_turn({}, turn, {})["listening"] is False
    escalated = {**turn, "stage": "escalation", "escalation": {"category": "crisis"}}
    assert rubric.check_turn({}, escalated, {})["listening"] is None
    # The fixed support note under a coaching reply is ours, not the coach repeating itself.
    note = rubric._support_note()
    assert note and rubric.coached_prose(f"Fine.\n\n{note}") == "Fine."
