"""Guidance cards: every card is valid, the topics the seeds cover are all there, bad cards
are refused with the file named, and the content hash follows the content."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from assistant.retrieval.cards import BLOCKING_PHRASES, CardError, cards_dir, cards_hash, load_cards

PUBLISHERS = ("OurRitual", "Soulmatcher", "Rula", "Modern Intimacy")

# Every idea the issue lists, and the card that carries it.
COVERAGE = {
    "kinds: emotional": "emotional-intimacy",
    "kinds: physical": "physical-intimacy",
    "kinds: sexual": "sexual-intimacy",
    "kinds: intellectual": "intellectual-intimacy",
    "kinds: spiritual": "spiritual-intimacy",
    "kinds: recreational": "recreational-intimacy",
    "kinds: temporal": "temporal-intimacy",
    "cause: attachment": "cause-attachment",
    "cause: trauma and expected rejection": "cause-trauma-expected-rejection",
    "cause: shame": "cause-shame",
    "cause: nervous-system overwhelm": "cause-nervous-system-overwhelm",
    "cause: low self-worth": "cause-low-self-worth",
    "pattern: pursuer-withdrawer": "pattern-pursuer-withdrawer",
    "pattern: roommates": "pattern-roommates",
    "pattern: sex as a referendum": "pattern-sex-as-referendum",
    "pattern: conflict avoidance": "pattern-conflict-avoidance",
    "pattern: performative closeness": "pattern-performative-closeness",
    "ingredient: regulation before revelation": "regulation-before-revelation",
    "ingredient: micro-vulnerability": "micro-vulnerability",
    "ingredient: specificity over mind-reading": "specific-request-over-mind-reading",
    "ingredient: softness in delivery": "softness-in-delivery",
    "ingredient: the story I'm telling myself": "story-im-telling-myself",
    "ingredient: understanding vs solution": "understanding-vs-solution",
    "practice: mapping intimacy": "map-your-intimacy",
    "practice: low-pressure rituals": "low-pressure-rituals",
    "practice: non-sexual touch": "non-sexual-touch",
    "practice: pause with a return plan": "pause-with-return-plan",
    "blocking: absolutes": "rewrite-absolutes",
    "blocking: character attacks": "rewrite-character-attacks",
    "blocking: outside judges": "rewrite-outside-judges",
    "blocking: guilt": "rewrite-guilt",
    "blocking: kitchen-sinking": "rewrite-kitchen-sinking",
    "support: balanced distance": "support-balanced-distance",
    "support: acknowledge without forcing": "support-acknowledge-dont-force",
    "support: modelling vulnerability": "support-model-vulnerability",
    "support: their pace": "support-their-pace",
    "self-work: journaling": "self-journaling",
    "self-work: mindfulness": "self-mindfulness",
    "self-work: emotional vocabulary": "self-emotional-vocabulary",
    "signs: in yourself": "signs-in-yourself",
    "signs: in a partner": "signs-in-a-partner",
    "bigger: contempt": "bigger-contempt",
    "bigger: coercion": "bigger-coercion",
    "bigger: stonewalling without repair": "bigger-stonewalling",
    "bigger: betrayal": "bigger-betrayal-secrecy",
    "bigger: power imbalance": "bigger-power-imbalance",
}


@pytest.fixture(scope="module")
def cards():
    return load_cards()


def test_the_knowledge_base_loads(cards) -> None:
    assert 45 <= len(cards) <= 70
    assert len({card.id for card in cards}) == len(cards)


def test_every_listed_idea_has_a_card(cards) -> None:
    ids = {card.id for card in cards}
    missing = {idea: card_id for idea, card_id in COVERAGE.items() if card_id not in ids}
    assert missing == {}


def test_each_guided_stage_has_at_least_three_cards(cards) -> None:
    per_stage = Counter(stage for card in cards for stage in card.stages)
    for stage in ("regulation", "naming", "request", "plan", "pause"):
        assert per_stage[stage] >= 3, stage
    assert per_stage["escalation"] >= 5


def test_cards_follow_the_rules(cards) -> None:
    for card in cards:
        assert any(name in card.source for name in PUBLISHERS), card.id
        assert 60 <= len(card.body.split()) <= 200, card.id
        assert len(card.tip.split()) <= 25 and "?" not in card.tip, card.id
        assert not any(phrase in card.tip.lower() for phrase in BLOCKING_PHRASES), card.id
        assert card.path.name == f"{card.id}.md"


GOOD = """---
id: a-test-card
title: A test card
stages: [naming]
topics: [testing]
source: "Overcoming fear of intimacy in your relationship — OurRitual blog, Jan 29, 2026"
tip: Say one small true thing.
---

""" + " ".join(["word"] * 70)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (GOOD.replace("---\nid", "id", 1), "front matter"),
        (GOOD.replace("stages: [naming]", "stages: [napping]"), "unknown stage"),
        (GOOD.replace("Say one small true thing.", "Why not ask?"), "tip"),
        (GOOD.replace("Say one small true thing.", "Tell them you always try."), "blocking"),
        (GOOD.replace("id: a-test-card", "id: Not Kebab"), "kebab-case"),
        (GOOD.replace("topics: [testing]\n", ""), "missing field"),
        (GOOD.replace("title: A test card", "title: [unclosed"), "not valid YAML"),
        (GOOD.replace(" ".join(["word"] * 70), "too short"), "words"),
    ],
)
def test_a_bad_card_is_refused_with_its_file_named(tmp_path: Path, broken: str, message: str):
    (tmp_path / "good.md").write_text(GOOD.replace("a-test-card", "good-card"), encoding="utf-8")
    (tmp_path / "bad.md").write_text(broken, encoding="utf-8")
    with pytest.raises(CardError) as caught:
        load_cards(tmp_path)
    assert "bad.md" in str(caught.value)
    assert message in str(caught.value)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "two.md").write_text(GOOD, encoding="utf-8")
    with pytest.raises(CardError, match="duplicate id"):
        load_cards(tmp_path)


def test_the_content_hash_follows_the_content(tmp_path: Path) -> None:
    copy = tmp_path / "cards"
    shutil.copytree(cards_dir(), copy)
    before = cards_hash(load_cards(copy))
    assert cards_hash(load_cards(copy)) == before  # stable when nothing changed
    card = copy / "micro-vulnerability.md"
    card.write_text(card.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    assert cards_hash(load_cards(copy)) != before
