"""The safety screen's pattern layer, its replies, and the raise-only layering."""

from __future__ import annotations

import pytest

from assistant.core.screening import Screening
from assistant.safety import escalation as safety
from assistant.safety.screen import screen
from assistant.safety.verdict import combine
from assistant.text import screen_form

POSITIVES = {
    "crisis": [
        "I keep thinking about killing myself.",
        "Honestly I'd rather be dead than keep feeling like this.",
        "I've been cutting my wrists again.",
        "My husband says he'll kill himself if I go to my sister's.",
        "She threatens suicide whenever I want to see my friends.",
    ],
    "abuse": [
        "My husband punched me in the stomach.",
        "She threw a plate at my head during the argument.",
        "I'm terrified of my boyfriend.",
        "He smashed my laptop to scare me.",
        "He said he would break my neck if I told anyone.",
    ],
    "coercion": [
        "He pressures me into sex when I'm exhausted.",
        "She won't let me see my family anymore.",
        "He took my paycheck and gives me an allowance.",
        "He put a tracker on my car.",
        "She says she'll take the kids and I'll never see them again.",
        "He sulks for days until I give in and sleep with him.",
    ],
    "contempt": [
        "My wife calls me a worthless loser.",
        "He mocks me in front of his friends.",
        "My husband is a pathetic idiot.",  # contempt by the person writing
        "Help me tell him he's a useless moron.",
        "She looks at me with disgust and I can't stand her either.",
    ],
}

FIGURATIVE = [
    "I'm dying to see her tonight.",
    "This argument is killing me.",
    "I killed it at work today!",
    "She'll kill me if she finds out I forgot the milk.",
    "My legs are killing me after the hike.",
    "He hit me up last night about dinner.",
    "Reality hit me: we haven't had a date in months.",
    "I could murder a burger right now.",
]

NEGATED = [
    "He never hit me, he just goes quiet.",
    "He has never once laid a hand on me.",
    "I'm not suicidal, only tired and sad.",
    "She would never threaten me.",
    "It's not like he's abusive, he's just distracted.",
    "I've never wanted to hurt myself.",
]

OTHER_PEOPLE = [
    "My wife is a nurse and treats overdose patients every night.",
    "He's a cop and takes domestic violence calls.",
    "We watched a documentary about abuse and talked for hours.",
    "I'm reading a novel about a violent marriage.",
    "She volunteers for a suicide prevention charity.",
]

TEASING = [
    "We make fun of each other all day and both laugh.",
    "He jokingly called me an idiot and I laughed too.",
    "She laughs at my terrible puns.",
]

# The coach handles blocking language; it must never escalate.
BLOCKING = [
    "You always leave your socks on the floor.",
    "You never listen to me.",
    "You're selfish and lazy.",
    "My friends agree that you're wrong.",
    "If you loved me you would call more.",
    "And another thing, you forgot the anniversary.",
]

SUPPORT = [
    "He gives me the silent treatment for days and we never talk about it.",
    "I found out she has a secret credit card.",
    "He makes all the financial decisions and I have no say.",
]


@pytest.mark.parametrize(
    ("category", "text"), [(c, t) for c, texts in POSITIVES.items() for t in texts]
)
def test_each_category_escalates(category: str, text: str) -> None:
    result = screen(text)
    assert result.level == "escalate", text
    assert result.category == category
    assert result.matched and all(m.startswith(f"{category}.") or "." in m for m in result.matched)


@pytest.mark.parametrize("text", FIGURATIVE + NEGATED + OTHER_PEOPLE + TEASING + BLOCKING)
def test_hard_negatives_continue(text: str) -> None:
    assert screen(text).level != "escalate", text


@pytest.mark.parametrize("text", SUPPORT)
def test_support_level_suggests_help_without_stopping(text: str) -> None:
    result = screen(text)
    assert (result.level, result.category) == ("support", "support")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Dan hit me last night.", "abuse"),
        ("Mark threatened to kill me.", "abuse"),
        ("Tom won't let me see my friends.", "coercion"),
        ("Mike forced me to have sex.", "coercion"),
        ("Jess calls me a worthless idiot.", "contempt"),
    ],
)
def test_a_partner_named_by_first_name_counts(text: str, category: str) -> None:
    assert screen(text).category == category


@pytest.mark.parametrize(
    "text",
    [
        "It hit me that we never talk.",
        "The ball hit me in the face at football.",
        "No one has ever hit me.",
        "Nobody calls me names.",
        "Honestly it just hit me how lonely I am.",
    ],
)
def test_things_and_abstractions_are_not_people(text: str) -> None:
    assert screen(text).level == "none"


def test_negation_is_scoped_to_its_clause() -> None:
    assert screen("He has never hit me, but he choked me last week.").level == "escalate"
    assert screen("He didn't just yell, he hit me.").level == "escalate"
    assert screen("I can't tell anyone he hits me.").level == "escalate"


def test_most_serious_category_names_the_reply() -> None:
    result = screen("He calls me pathetic and last night he hit me. I want to die.")
    assert result.category == "crisis"
    assert {m.split(".")[0] for m in result.matched} >= {"crisis", "abuse", "contempt"}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("I want to K1LL mys3lf", "i want to kill myself"),
        ("he h\u200bi\u200dts me", "he hits me"),
        ("ｈｅ ｃｈｏｋｅｄ ｍｅ", "he choked me"),
        ("s u i c i d e", "suicide"),
        ("k.i.l.l myself", "kill myself"),
        ("He\u2019s   a\tpathetic idiot", "he's a pathetic idiot"),
        ("hе hіts me", "he hits me"),  # Cyrillic е and і
    ],
)
def test_normalisation_undoes_obfuscation(raw: str, clean: str) -> None:
    assert screen_form(raw) == clean
    assert screen_form("me! 24/7 call 741741") == "me! 24/7 call 741741"


def test_empty_and_odd_input_is_screened_quietly() -> None:
    assert screen("").level == "none"
    assert screen("   \n").level == "none"
    assert screen("\x00\ufffd" * 50).level == "none"
    assert screen("hit " * 5000).level == "none"


def test_screening_json_shape() -> None:
    result = screen("He slapped me.")
    assert result.as_json() == {
        "level": "escalate",
        "category": "abuse",
        "matched": list(result.matched),
        "why": "pattern abuse.partner-hits, abuse.any-strong-violence",
    }
    assert Screening("none", None, ()).as_json() == {
        "level": "none",
        "category": None,
        "matched": [],
        "why": "",
    }
    assert Screening.from_json(result.as_json()) == result


def test_layers_only_raise() -> None:
    hit = Screening("escalate", "abuse", ("abuse.partner-hits",))
    assert combine(hit, Screening("none", None, ())) == hit
    assert combine(hit, Screening("support", "support", ("x",))).level == "escalate"
    raised = combine(Screening("none", None, ()), Screening("escalate", "crisis", ("model:x",)))
    assert (raised.level, raised.category) == ("escalate", "crisis")


WORD_LIMIT = 120


@pytest.mark.parametrize("category", ["crisis", "abuse", "coercion", "contempt"])
def test_escalation_reply_is_fixed_text_with_resources(category: str) -> None:
    reply = safety.escalation_reply(category, "US", first=True)
    body, resources = reply.split("People who can help:")
    assert len(body.split()) <= WORD_LIMIT
    assert "beyond what a coaching tool" in body
    assert ("safe right now" in body) == (category in ("crisis", "abuse"))
    assert "- " in resources
    assert reply == safety.escalation_reply(category, "US", first=True)  # deterministic
    later = safety.escalation_reply(category, "US", first=False)
    assert "still here" in later and later != reply and "People who can help:" in later


def test_crisis_reply_lists_988_and_abuse_reply_lists_the_hotline() -> None:
    assert "988" in safety.escalation_reply("crisis", "US", first=True)
    abuse = safety.escalation_reply("abuse", "US", first=True)
    assert "1-800-799-7233" in abuse
    assert "ICEEFT" not in abuse  # couples therapy is not offered while there is violence


def test_unknown_locale_and_category_fall_back() -> None:
    reply = safety.escalation_reply("something-else", "ZZ", first=True)
    assert "findahelpline.com" in reply and "safe right now" in reply
    assert "988" not in reply


def test_support_note_and_refusal() -> None:
    note = safety.support_note("US")
    assert "therapist" in note.lower() and "ICEEFT" in note
    assert len(note.split("People who can help:")[0].split()) <= WORD_LIMIT
    refusal = safety.refusal_while_escalated("US")
    assert "can't help you plan what to say to your partner" in refusal
    assert "1-800-799-7233" in refusal


def test_the_support_note_is_not_repeated_under_every_reply(guided_services) -> None:
    from graphs.runner import Conversation

    conversation = Conversation(guided_services)
    note = safety.support_note("US")
    replies = [conversation.turn(text).reply for text in (*SUPPORT, *SUPPORT)]
    assert [note in reply for reply in replies] == [True] + [False] * (2 * len(SUPPORT) - 1)
    assert all(r.level == "support" for r in map(screen, SUPPORT))


def test_a_check_shows_the_contacts_that_fit_its_question_and_escalation_shows_all() -> None:
    asked = safety.check_reply("crisis", "US").split("People who can help:")[1]
    assert "988" in asked and "911" not in asked and "Domestic Violence" not in asked
    abuse = safety.check_reply("abuse", "US").split("People who can help:")[1]
    assert "Domestic Violence" in abuse and "988" not in abuse
    full = safety.escalation_reply("crisis", "US", first=True).split("People who can help:")[1]
    assert "911" in full and "988" in full  # escalation keeps every contact


def test_warning_signs_in_everyday_words_ask_and_giving_things_away_escalates() -> None:
    from assistant.safety.screen import screen_patterns

    assert screen_patterns("fine. just tying up loose ends").level == "check"
    assert screen_patterns("tying up loose ends at work before my holiday").level == "none"
    given = screen_patterns("been giving my stuff away. my guitar went to my cousin yesterday")
    assert (given.level, given.category) == ("escalate", "crisis")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("I said 'aw thanks'. AW THANKS. I want to die of embarrassment", "none"),
        ("i want to die", "escalate"),
        ("i want to die of embarrassment and honestly i want to die", "escalate"),
    ],
)
def test_an_idiom_of_dying_is_not_a_wish_to_die(text: str, level: str) -> None:
    from assistant.safety.screen import screen_patterns

    assert screen_patterns(text).level == level
