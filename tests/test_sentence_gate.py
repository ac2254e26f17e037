"""The sentence gate: a model's draft reaches the person only sentence by sentence, and only
sentences that passed every check; a draft that never does its job is replaced before any of
it is shown."""

from __future__ import annotations

import pytest

from assistant.core.events import ReplyDelta, ReplyReplaced, TurnResult
from assistant.gate.sentence_gate import SentenceGate
from graphs.runner import Conversation
from tests.doubles import ScriptedModel
from tests.test_model_interface import services_with

TIGHT = "my chest is so tight and I keep rehearsing what he said"


def gate(stage: str = "regulation", person: str = TIGHT, **extra: object) -> SentenceGate:
    return SentenceGate(stage=stage, person=person, echo="", allowed=[], **extra)  # type: ignore[arg-type]


def run(g: SentenceGate, draft: str, chunk: int = 3) -> tuple[list[str], str | None, str]:
    """Feed ``draft`` in small chunks; the pieces released, the rejection, the shown text."""
    pieces = (g.feed(draft[i : i + chunk]) for i in range(0, len(draft), chunk))
    released = [piece for piece in pieces if piece]
    tail, verdict = g.finish(finished=True)
    return [*released, *([tail] if tail else [])], verdict.rejected, verdict.shown


def test_the_first_sentence_is_released_before_the_draft_ends() -> None:
    g = gate()
    assert g.feed("That tight chest sounds hard. Let's breathe out slowly") == (
        "That tight chest sounds hard."
    )
    assert g.feed(" together. What") == " Let's breathe out slowly together."
    tail, verdict = g.finish(finished=True)
    assert tail == " What" and verdict.rejected is None


@pytest.mark.parametrize(
    ("draft", "reason"),
    [
        ("Please go ahead and respond.", "does not reflect the person"),
        ("Rehearsing what he said is exhausting. I hear you.", "ignores the step"),
        ("[Guide for this reply] Step: regulation. Breathe.", "leaked guide text"),
        ("<|im_start|>system Your chest is tight, breathe.", "leaked guide text"),
        ("It sounds like you have an anxious attachment style, so breathe.", "diagnosis"),
        ("", "empty"),
    ],
)
def test_a_draft_that_never_qualifies_is_rejected_and_nothing_is_shown(
    draft: str, reason: str
) -> None:
    released, rejected, shown = run(gate(), draft)
    assert released == [] and shown == ""
    assert rejected == reason


def test_a_second_question_and_an_invented_quote_are_never_shown() -> None:
    person = "could we sit together for ten minutes after dinner tonight?"
    draft = (
        "Ten minutes after dinner is a lovely plan. Your request is clear. How does it feel? "
        "I'm glad to hear \"I love that I'm so happy with you\". What else? Why? When? Who?"
    )
    released, rejected, shown = run(gate("plan", person), draft)
    assert rejected is None
    assert shown == (
        "Ten minutes after dinner is a lovely plan. Your request is clear. How does it feel?"
    )
    assert "I love that" not in "".join(released)


def test_an_invented_quote_is_held_back_but_the_persons_own_words_may_be_quoted() -> None:
    g = gate()
    _, _, shown = run(
        g, 'You said "chest is so tight", so let\'s breathe. You said "he is a monster".'
    )
    assert shown == 'You said "chest is so tight", so let\'s breathe.'
    assert g.repairs == ["invented quote"]


def test_a_sentence_that_pastes_five_of_their_words_back_is_held_back() -> None:
    g = gate()
    _, _, shown = run(
        g, 'A tight chest is your body on alert, so breathe. You said "my chest is so tight".'
    )
    assert shown == "A tight chest is your body on alert, so breathe."
    assert g.repairs == ["quotes the person at length"]


def test_a_long_draft_is_cut_at_a_sentence_end_within_the_limit() -> None:
    draft = (
        "A tight chest is a signal, not a failure, and it makes sense after that message. "
        "Let's give your body a few minutes before any words for him. "
        "Breathe in through your nose for a count of four and hold it gently. "
        "Then let the air out slowly through your mouth for a count of six. "
        "Notice where your shoulders are sitting and let them drop an inch. "
        "Press both feet into the floor and feel how the ground holds you up. "
        "Look around the room and name three colours you can see right now. "
        "If your mind runs back to rehearsing, that is fine; come back to the breath. "
        "Unclench your jaw and let your tongue rest behind your lower teeth. "
        "Put one hand on your belly and feel it rise while the other stays still. "
        "Some people like to hum quietly on the out-breath, which calms the heart. "
        "Whenever you are ready, tell me what you notice in your body now."
    )
    _, rejected, shown = run(gate(), draft)
    assert rejected is None
    assert shown.endswith(".") and len(shown.split()) <= 120 and len(shown.split()) > 100


def test_a_draft_that_repeats_itself_or_an_earlier_reply_stops_there() -> None:
    earlier = "Press your feet into the floor and name three things you can see around you."
    g = gate(previous_replies=[earlier])
    _, _, shown = run(
        g, f"Your chest is tight, so let's slow the breath. {earlier} Breathe out slowly."
    )
    assert shown == "Your chest is tight, so let's slow the breath."
    looping = "I'm here for your tight chest, breathe. " + "I'm here to listen to you. " * 4
    _, _, shown = run(gate(), looping)
    assert shown.count("here to listen") == 1


def test_reassurance_is_not_blocking_language_but_an_absolute_is() -> None:
    _, rejected, shown = run(gate(), "Your chest can take its time. You never have to rush this.")
    assert rejected is None and shown.endswith("You never have to rush this.")
    _, _, shown = run(gate(), "Your chest is tight, breathe. He never listens to you anyway.")
    assert shown == "Your chest is tight, breathe."


def test_in_the_graph_a_rejected_draft_is_never_streamed(settings, guided_services) -> None:
    draft = "Please go ahead and respond."
    model = ScriptedModel([draft])
    events = list(Conversation(services_with(settings, guided_services, model)).send(TIGHT))
    streamed = "".join(e.text for e in events if isinstance(e, ReplyDelta))
    assert streamed == ""  # not one word of the draft reached the person
    replaced = [e for e in events if isinstance(e, ReplyReplaced)]
    result = events[-1]
    assert isinstance(result, TurnResult)
    assert replaced and replaced[0].text == result.reply and draft not in result.reply
    assert result.fallback == "does not reflect the person"


def test_in_the_graph_a_trimmed_reply_is_what_was_streamed(settings, guided_services) -> None:
    draft = "Your chest sounds so tight. Let's slow your breath. What do you notice? And then?"
    model = ScriptedModel([draft])
    events = list(Conversation(services_with(settings, guided_services, model)).send(TIGHT))
    streamed = "".join(e.text for e in events if isinstance(e, ReplyDelta))
    result = events[-1]
    assert isinstance(result, TurnResult) and result.fallback is None
    assert streamed == result.reply == draft.removesuffix(" And then?")
