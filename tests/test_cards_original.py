"""The cards carry the seeds' ideas in our own words: no 12-word run is shared with a seed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.retrieval.cards import load_cards

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
RUN = 12
_WORD = re.compile(r"[a-z']+")


def words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return _WORD.findall(text)


def ngrams(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def shared_runs(text: str, seed_grams: set[tuple[str, ...]]) -> list[str]:
    return sorted(" ".join(gram) for gram in ngrams(text) & seed_grams)


@pytest.fixture(scope="module")
def seed_grams() -> set[tuple[str, ...]]:
    seed_files = sorted(SEEDS.glob("*.txt"))
    if not seed_files:
        pytest.fail(f"no seed articles found under {SEEDS}")
    grams: set[tuple[str, ...]] = set()
    for path in seed_files:
        grams |= ngrams(path.read_text(encoding="utf-8"))
    return grams


def test_no_card_shares_a_12_word_run_with_a_seed(seed_grams: set[tuple[str, ...]]) -> None:
    copied = {}
    for card in load_cards():
        # The whole file: title, tip, topics, body and the citation line.
        runs = shared_runs(card.path.read_text(encoding="utf-8"), seed_grams)
        if runs:
            copied[card.id] = runs[:3]
    assert copied == {}, f"cards that copy seed wording: {copied}"


def test_the_check_catches_a_copied_sentence(seed_grams: set[tuple[str, ...]]) -> None:
    """The check must be able to fail: a card quoting a seed sentence is caught."""
    seed_text = sorted(SEEDS.glob("*.txt"))[0].read_text(encoding="utf-8")
    quoted = " ".join(words(seed_text)[200:215])  # 15 consecutive seed words
    card_text = f"Our own opening words here. {quoted}. And our own closing words."
    assert shared_runs(card_text, seed_grams)
    # ...while the same ideas in other words pass.
    assert shared_runs("Closeness is a practice you build a little at a time.", seed_grams) == []
