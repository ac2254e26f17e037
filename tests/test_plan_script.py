"""The plan's script (``assistant.coaching.script``) on messages seen in a dev run: said to
the partner in the person's voice, without chat to us, doubled words or broken grammar."""

from __future__ import annotations

import pytest

from assistant.coaching.script import ask_line, say_line, to_you

STORY = "I feel {}, and the story I tell myself is that {}."


def test_a_feeling_typed_as_a_sentence_is_not_doubled() -> None:
    say = say_line("I feel pressured and kind of guilty", "he never asks how I am", "")
    assert say == STORY.format("pressured and kind of guilty", "you never ask how I am")


@pytest.mark.parametrize(
    ("feeling", "story", "feels", "clause"),
    [
        (
            "gutted",
            "i'm gutted. keep thinking she only stays because of the flat",
            "gutted",
            "you only stay because of the flat",
        ),
        (
            "rejected",
            "I think she's decided I'm not worth the effort anymore",
            "rejected",
            "you've decided I'm not worth the effort anymore",
        ),
        (
            "scared",
            "i keep thinking she's given up on us having a family",
            "scared",
            "you've given up on us having a family",
        ),
        (
            "clingy",
            "i think he thinks im clingy and thats why hes pulling away",
            "clingy",
            "you think I'm clingy and that's why you're pulling away",
        ),
        (
            "furious",
            "furious and hurt, and i think he's decided his mates matter more than me",
            "furious and hurt",
            "you've decided your mates matter more than me",
        ),
        (
            "lonely",
            "i feel lonely when she goes quiet for days, and my brain says she's falling out "
            "of love. can we skip ahead to the asking bit",
            "lonely",
            "you're falling out of love",
        ),
        (
            "hurt",
            "i'm hurt. and i keep thinking a month means she's already left in her head",
            "hurt",
            "a month means you've already left in your head",
        ),
    ],
)
def test_the_story_is_said_to_the_partner(
    feeling: str, story: str, feels: str, clause: str
) -> None:
    assert say_line(feeling, story, "") == STORY.format(feels, clause)


def test_a_story_that_only_says_the_feeling_is_not_a_story() -> None:
    assert say_line("hurt", "i'm hurt", "") == "I feel hurt, and I want us to feel close."


@pytest.mark.parametrize(
    ("wanted", "ask"),
    [
        (
            "could we spend 20 minutes on Sunday evening talking about how we reconnect after "
            "he goes quiet",
            "Could we spend 20 minutes on Sunday evening talking about how we reconnect after "
            "you go quiet?",
        ),
        (
            "ok: could his mum have her for two hours next saturday",
            "Could your mum have her for two hours next saturday?",
        ),
        (
            "'could you leave the pub by 10 on friday and come home so we can have a late dinner'",
            "Could you leave the pub by 10 on friday and come home so we can have a late dinner?",
        ),
        (
            "i want to ask if we can call tmrw at lunch for like 15 min",
            "Can we call tmrw at lunch for 15 min?",
        ),
        (
            "i want ask her if we can eat together without tv, on sunday lunch",
            "Can we eat together without TV, on sunday lunch?",
        ),
        ("I'll ask her if we can go for a walk", "Can we go for a walk?"),
        ("I'd like to ask him if he could call me at lunch", "Could you call me at lunch?"),
        (
            "can i ask her to put her phone away at dinner",
            "Could you put your phone away at dinner?",
        ),
        ("Cinema on friday night, her pick of film", "Cinema on friday night, your pick of film?"),
    ],
)
def test_the_request_is_asked_of_the_partner(wanted: str, ask: str) -> None:
    assert ask_line(wanted, "") == ask


def test_third_person_verbs_agree_with_you() -> None:
    assert to_you("he goes quiet and she does the dishes") == "you go quiet and you do the dishes"
    assert to_you("she's gone and he's been distant") == "you've gone and you've been distant"
    assert to_you("she's tired") == "you're tired"
    assert to_you("he's always stopped listening") == "you've always stopped listening"
