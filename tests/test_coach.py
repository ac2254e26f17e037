"""The blocking-language coach: every pattern fires on its example and not on its twin."""

from __future__ import annotations

import pytest

from assistant.reading.blocking import BLOCKING_PATTERNS, blocking_rules, find_blocking

# (pattern, blocking example, negative twin that says something similar without blocking)
CASES = [
    ("absolutes", "You never make time for me", "I never told you how much time with you matters"),
    ("absolutes", "you're always on your phone at dinner", "I always feel better after our walks"),
    ("character_attack", "you're so selfish", "I felt alone in that moment"),
    ("character_attack", "You are lazy about the house", "I'm feeling lazy today, can we rest?"),
    ("outside_judges", "my friends agree with me about this", "my friends are coming on Saturday"),
    ("outside_judges", "everyone thinks you're distant", "this matters to me and I want to talk"),
    ("guilt", "if you loved me you would put the phone down", "I love you and I'd like a walk"),
    ("guilt", "after everything I've done for you", "it would mean a lot to me if we walked"),
    ("kitchen_sinking", "and another thing, the dishes", "could we focus on this one moment?"),
    ("kitchen_sinking", "not to mention last Christmas", "I'd love another walk this weekend"),
    # issue 15: the supporter's traps
    ("pressure", "we're sorting this out tonight whether you like it or not", "we're out tonight"),
    ("demand_to_open_up", "why won't you just open up?", "I'd love to hear it when you're ready"),
    ("distance_as_proof", "you obviously don't love me", "I feel lonely when you pull away"),
]


@pytest.mark.parametrize(("pattern", "blocking", "twin"), CASES)
def test_pattern_fires_and_twin_does_not(pattern: str, blocking: str, twin: str) -> None:
    found = find_blocking(blocking)
    assert pattern in [f["pattern"] for f in found]
    assert find_blocking(twin) == []


def test_every_pattern_has_a_rewrite_and_a_case() -> None:
    rules = {rule.pattern: rule for rule in blocking_rules()}
    assert set(rules) == set(BLOCKING_PATTERNS)
    assert all(rules[name].rewrite for name in BLOCKING_PATTERNS)
    assert {case[0] for case in CASES} == set(BLOCKING_PATTERNS)


def test_finding_quotes_the_words_and_offers_the_rewrite() -> None:
    (finding,) = find_blocking("If you really cared about me you'd call")
    assert finding["quote"] == "if you really cared about me"
    assert "matter to me" in finding["rewrite"]


def test_curly_apostrophes_are_read_like_straight_ones() -> None:
    assert find_blocking("You\u2019re so selfish")[0]["pattern"] == "character_attack"


def test_several_patterns_in_one_message_are_all_reported() -> None:
    found = find_blocking("You never listen, you're selfish, and another thing: my mom agrees")
    assert {f["pattern"] for f in found} == {
        "absolutes",
        "character_attack",
        "kitchen_sinking",
        "outside_judges",
    }
