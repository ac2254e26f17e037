"""The reply rubric: every check fails on a crafted bad reply and passes on a good one."""

from __future__ import annotations

from evals import rubric

STAGES = {"notice-body-signals": ("regulation",), "temporal-intimacy": ("plan", "request")}
GOOD = (
    'Thank you for telling me about "my chest is tight". When the body is stirred up, words '
    "come out sharper than we mean them. Breathe in for four, out for six. What do you notice "
    "in your chest now?"
)


def result(reply: str = GOOD, **overrides: object) -> dict:
    base = {
        "user": "my chest is tight and I keep rehearsing",
        "reply": reply,
        "stage": "regulation",
        "escalation": None,
        "sources": [{"id": "notice-body-signals", "title": "t", "source": "s"}],
    }
    return {**base, **overrides}


def check(spec: dict | None = None, **overrides: object) -> dict:
    return rubric.check_turn(spec or {"stage": "regulation"}, result(**overrides), STAGES)


def test_a_good_reply_passes_every_check() -> None:
    spec = {"stage": "regulation", "must": ["breathe"], "must_not": ["you never"]}
    checks = check(spec)
    assert set(checks) == set(rubric.TURN_CHECKS)
    assert all(value is True for value in checks.values()), checks


def test_stage_fails_on_the_wrong_stage() -> None:
    assert check(stage="naming")["stage"] is False
    assert check({"user": "x"})["stage"] is None  # no expectation, no check


def test_escalation_fails_when_missed_or_unexpected_or_wrong_category() -> None:
    escalation = {"category": "abuse", "matched": [], "level": "escalate"}
    assert check({"stage": "escalation", "escalate": True})["escalation"] is False
    assert check(escalation=escalation)["escalation"] is False  # not expected
    spec = {"stage": "escalation", "escalate": True, "category": "crisis"}
    assert check(spec, stage="escalation", escalation=escalation)["escalation"] is False
    spec["category"] = "abuse"
    assert check(spec, stage="escalation", escalation=escalation)["escalation"] is True


def test_blocking_language_in_the_replys_own_words_fails_but_quoted_passes() -> None:
    assert (
        check(reply="You always do this. What do you notice in your chest?")["no_blocking"] is False
    )
    assert (
        check(reply="If you loved me, you'd breathe with me. Notice your chest.")["no_blocking"]
        is False
    )
    quoted = 'The words "you always" are an absolute. What could you ask about your chest?'
    assert check(reply=quoted)["no_blocking"] is True


def test_more_than_one_question_fails_quoted_questions_do_not_count() -> None:
    assert check(reply="How is your chest? And your jaw?")["one_question"] is False
    quoted = 'Try "Could we talk tonight?" and "Can we pause?" How does your chest feel?'
    assert check(reply=quoted)["one_question"] is True


def test_length_over_120_words_fails_resources_list_is_not_counted() -> None:
    long_reply = "Your chest matters. " + "word " * 118
    assert rubric.word_count(long_reply) == 121
    assert check(reply=long_reply)["length"] is False
    body = "Thank you for telling me about your chest. Are you safe right now?"
    with_list = body + "\n\nPeople who can help:\n" + "- a line of resources here\n" * 40
    assert check(reply=with_list)["length"] is True
    assert rubric.without_resources(with_list) == body


def test_reflection_fails_when_none_of_their_words_come_back() -> None:
    generic = "It is good to slow down before talking. What do you notice right now?"
    assert check(reply=generic)["reflects"] is False
    assert check(reply="Your chest sounds tight. What do you notice?")["reflects"] is True
    # Plurals and -ing forms still count as their word.
    assert rubric.reflects("I keep rehearsing arguments", "That argument replay is hard.")
    assert rubric.reflects("um ok", "anything") is None  # nothing of theirs to reflect


def test_grounded_needs_a_card_tagged_with_the_stage() -> None:
    off_stage = [{"id": "temporal-intimacy", "title": "t", "source": "s"}]
    assert check(sources=off_stage)["grounded"] is False
    assert check(sources=[])["grounded"] is False
    assert check(sources=off_stage, stage="plan", reply=GOOD)["grounded"] is True
    escalation = {"category": "abuse", "matched": [], "level": "escalate"}
    assert check(stage="escalation", escalation=escalation, sources=[])["grounded"] is None


def test_diagnostic_labels_fail_quoted_labels_do_not() -> None:
    assert (
        check(reply="It sounds like he is a narcissist. How is your chest?")["no_diagnosis"]
        is False
    )
    assert check(reply="Maybe you have an anxious attachment style.")["no_diagnosis"] is False
    assert check(reply='You called him "a narcissist". How is your chest?')["no_diagnosis"] is True


def test_must_and_must_not_patterns() -> None:
    assert check({"stage": "regulation", "must": ["988"]})["must"] is False
    assert check({"stage": "regulation", "must_not": ["breathe"]})["must_not"] is False
    assert check({"stage": "regulation"})["must"] is None


def test_conversation_checks_reach_request_and_plan() -> None:
    scenario = {"turns": [{"stage": "regulation"}, {"stage": "request"}, {"stage": "plan"}]}
    stuck = [{"stage": "regulation"}, {"stage": "regulation"}, {"stage": "naming"}]
    done = [{"stage": "regulation"}, {"stage": "request"}, {"stage": "plan"}]
    assert rubric.check_conversation(scenario, stuck) == {
        "reached_request": False,
        "reached_plan": False,
    }
    assert rubric.check_conversation(scenario, done) == {
        "reached_request": True,
        "reached_plan": True,
    }
    assert rubric.turns_to("request", done) == 2
    # A scenario that must not reach the plan (escalation) fails if it does.
    escalating = {"turns": [{"stage": "escalation"}], "expect": {"reached_plan": False}}
    assert rubric.check_conversation(escalating, done)["reached_plan"] is False


def test_tally_skips_checks_that_do_not_apply() -> None:
    rows = [{"a": True, "b": None}, {"a": False, "b": True}]
    assert rubric.tally(rows) == {
        "a": {"passed": 1, "total": 2, "rate": 0.5},
        "b": {"passed": 1, "total": 1, "rate": 1.0},
    }
