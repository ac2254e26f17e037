"""The output guard: which model replies may reach the person."""

from __future__ import annotations

import pytest

from assistant.model.guard import check_reply, diagnoses

pytest.importorskip("assistant.coaching.blocking")

GOOD = [
    "That sounds really hard. What do you notice in your body right now?",
    'Instead of "you never make time for me", you could try "I miss you; could we talk tonight?"',
    "You could say: I feel lonely, and the story I'm telling myself is that I don't matter.",
    "Try this: “Could we sit together ten minutes after dinner, phones away?” 🙂",
    "Rather than saying he is selfish, name the moment it happened.",
    "I can't tell whether he is a narcissist, and that isn't something I can judge.",
    "You have to add one small, specific ask. Which evening works?",
    "It sounds like he cares and is scared too.",
]


@pytest.mark.parametrize("reply", GOOD)
def test_good_replies_pass(reply: str) -> None:
    assert check_reply(reply, finished=True) is None


@pytest.mark.parametrize("reply", ["", "   ", "...", "\n\n"])
def test_empty(reply: str) -> None:
    assert check_reply(reply, finished=True) == "empty"


def test_cut_off_by_token_limit_or_mid_sentence() -> None:
    assert check_reply("That sounds hard.", finished=False) == "cut off"
    assert check_reply("That sounds hard and I think that", finished=True) == "cut off"
    assert check_reply("Would tonight work,", finished=True) == "cut off"


@pytest.mark.parametrize(
    "reply",
    [
        "You never make time for me, and that is the truth.",
        "You're so selfish.",
        "Honestly, your partner is selfish.",
        "He never listens, does he?",
        "If you really loved me you would call.",
    ],
)
def test_blocking_language_in_its_own_words(reply: str) -> None:
    assert check_reply(reply, finished=True) == "blocking language"


@pytest.mark.parametrize(
    "reply",
    [
        "He sounds like a narcissist.",
        "It sounds like you have an anxious attachment style.",
        "She has PTSD from that, clearly.",
        "Your partner is probably avoidant personality disorder material.",
        "It sounds like classic narcissism.",
        "You might be clinically depressed.",
        "He's a sociopath.",
        "Sounds like your husband has BPD.",
    ],
)
def test_diagnosis(reply: str) -> None:
    assert check_reply(reply, finished=True) == "diagnosis"
    assert diagnoses(reply)


def test_labels_not_pinned_on_anyone_pass() -> None:
    text = "Many people who live with depression find small routines help. What helps you?"
    assert check_reply(text, finished=True) is None
