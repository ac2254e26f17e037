"""The gate's sentence rules: which sentences of a model's draft may reach the person."""

from __future__ import annotations

import pytest

from assistant.gate.draft_checks import sentence_problem
from assistant.gate.guard import diagnoses
from assistant.gate.sentence_gate import SentenceGate


def check_reply(text: str, *, finished: bool) -> str | None:
    """Why ``text`` must not be shown, through the gate's live entry points: the sentence rules
    (the person's words are the reply itself, so quoting is never "invented"), then the
    streaming gate for an empty or cut-off draft."""
    if problem := sentence_problem(text, [text]):
        return problem
    gate = SentenceGate(stage="regulation", person="", echo="", allowed=[text])
    gate.feed(text)
    _, verdict = gate.finish(finished=finished)
    return verdict.rejected if verdict.rejected in ("empty", "cut off") else None

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
    assert check_reply("Would tonight work, or", finished=False) == "cut off"


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


@pytest.mark.parametrize("category", ["crisis", "abuse", "coercion", "contempt"])
def test_asking_again_is_the_bare_question_not_the_whole_first_text(category: str) -> None:
    from assistant.safety.escalation import check_again, check_question

    again = check_again(category, None).split("\n\n")[0]
    first, _ = check_question(category)
    assert again.endswith("?") and "Thank you" not in again
    assert again.split(": ", 1)[1].lower() in first.lower()  # the question, without preface
