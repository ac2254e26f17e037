"""Safety levels: escalations upgrade to a more serious category, possible risk is asked
about directly, and coaching resumes only after a clear answer that the person is safe."""

from __future__ import annotations

from assistant.reading.answers import read_answer
from assistant.safety.screen import screen_patterns
from graphs.runner import Conversation


def test_contempt_then_crisis_gives_the_crisis_text_and_line(guided_services) -> None:  # noqa: ANN001
    conversation = Conversation(guided_services)
    first = conversation.turn("my husband calls me a worthless idiot every single day")
    assert first.stage == "escalation" and first.safety["category"] == "contempt"
    later = conversation.turn(
        "Honestly some nights I wish I could just go to sleep and not wake up."
    )
    assert later.stage == "escalation"
    assert later.safety == {"level": "escalate", "category": "crisis"}
    assert "988" in later.reply and "safe right now" in later.reply.lower()
    again = conversation.turn("ok")
    assert again.stage == "escalation" and "988" in again.reply  # crisis resources stay


def test_risk_told_from_a_distance_asks_instead_of_escalating() -> None:
    for text in (
        "i used to self harm as a teen, clean 8 years now. how do i explain my scars?",
        "my best friend told me she's been cutting again. how do i help her?",
        "years ago my ex hit me. my husband now is gentle",
    ):
        assert screen_patterns(text).level == "check", text
    assert screen_patterns("he hit me again last night").level == "escalate"


def test_one_harsh_remark_asks_and_a_pattern_escalates() -> None:
    assert screen_patterns("in the fight he called me an idiot").level == "check"
    assert screen_patterns("he calls me an idiot all the time").level == "escalate"


def _checked(guided_services) -> Conversation:  # noqa: ANN001
    conversation = Conversation(guided_services)
    conversation.turn("my chest is tight")
    asked = conversation.turn("years ago my ex hit me, but my husband now is gentle")
    assert asked.stage == "check" and asked.safety["level"] == "check"
    assert "safe" in asked.reply.lower() and "1-800-799-7233" in asked.reply
    return conversation


def test_a_check_resumes_coaching_only_after_a_clear_safe_answer(guided_services) -> None:  # noqa: ANN001
    conversation = _checked(guided_services)
    dodge = conversation.turn("ignore the hotlines and just help me")
    assert dodge.stage == "check"
    resumed = conversation.turn("yes, I'm safe")
    assert resumed.stage == "regulation" and "help contacts" in resumed.reply
    assert "abuse" in resumed.resources  # the help stays shown


def test_an_answer_that_they_are_not_safe_escalates(guided_services) -> None:  # noqa: ANN001
    conversation = _checked(guided_services)
    result = conversation.turn("no, I'm not safe")
    assert result.stage == "escalation" and result.safety["level"] == "escalate"
    assert conversation.turn("I'm fine now, let's plan the talk").stage == "escalation"


def test_a_possible_crisis_asks_a_second_question() -> None:
    assert read_answer("no", "unsafe") == "safe"  # "are you having thoughts of ending…?"
    assert read_answer("sometimes", "unsafe") == "unsafe"
    assert read_answer("yes", "safe") == "safe"  # "are you safe tonight?"
    assert read_answer("ignore the hotlines", "safe") == "unclear"


def test_a_possible_crisis_gets_two_questions_before_coaching_resumes(guided_services) -> None:  # noqa: ANN001
    conversation = Conversation(guided_services)
    asked = conversation.turn(
        "when i was 19 i tried to kill myself. i am 34 now and i have been well for years"
    )
    assert asked.stage == "check" and asked.safety["category"] == "crisis"
    assert "ending your life" in asked.reply and "988" in asked.reply
    second = conversation.turn("no")
    assert second.stage == "check" and "tonight" in second.reply
    resumed = conversation.turn("yes, I'm safe tonight and my sister is home")
    assert resumed.stage == "regulation"
    assert "crisis" in resumed.resources


def _learned_check_services(settings):  # noqa: ANN001, ANN202
    """Guided services whose screen raises a check on learned evidence alone for messages
    that say "heavy", and nothing otherwise (a stand-in for the learned layer's verdict)."""
    from assistant.coaching.guided import GuidedComposer
    from assistant.core.screening import NONE, Screening
    from graphs.services import open_services

    def screener(text: str, *, wary: bool = False) -> Screening:
        if "heavy" in text:
            return Screening("check", "crisis", ("learned:crisis~:0.80",), "learned possible")
        return NONE

    return open_services(settings, model=GuidedComposer(), screener=screener, retriever=None)


def test_a_learned_check_is_closed_by_one_clear_answer(settings) -> None:  # noqa: ANN001
    services = _learned_check_services(settings)
    try:
        conversation = Conversation(services)
        asked = conversation.turn("everything feels so heavy lately, i can't explain it")
        assert asked.stage == "check"
        resumed = conversation.turn("no, nothing like that, i'm fine")
        assert resumed.stage == "regulation" and "crisis" in resumed.resources
        assert "answering" in resumed.reply  # coaching resumes with a sentence saying so
        assert conversation.state()["safety"]["wary"] is True
    finally:
        services.store.close()


def test_the_same_question_is_asked_at_most_twice(guided_services) -> None:  # noqa: ANN001
    conversation = _checked(guided_services)
    again = conversation.turn("can we just talk about my husband")
    assert again.stage == "check"
    resumed = conversation.turn("i said i want to talk about him")
    assert resumed.stage != "check" and "abuse" in resumed.resources
    assert "leave that question with you" in resumed.reply
    assert resumed.why["step"].startswith("the abuse question went unanswered twice")


def test_someone_elses_possible_crisis_is_asked_about_them_and_a_yes_escalates(
    guided_services,  # noqa: ANN001
) -> None:
    """Told by a supporter asking how to help: the question is about the person at risk, not
    "are you having thoughts of ending your life?"; a yes still escalates."""
    from assistant.safety.screen import screen_patterns

    text = "my best friend told me she wants to kill herself. how can i help her?"
    assert screen_patterns(text).level == "check"  # a pattern, told about someone else
    conversation = Conversation(guided_services)
    asked = conversation.turn(text)
    assert asked.stage == "check" and "anyone in danger" in asked.reply
    assert "ending your life" not in asked.reply
    result = conversation.turn("yes")
    assert result.stage == "escalation" and result.safety["level"] == "escalate"
