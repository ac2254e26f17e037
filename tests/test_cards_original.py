"""The cards carry the seeds' ideas in our own words: no 12-word run is shared with a seed.

The seeds are copyrighted and stay outside the repository; the check reads only the hashes of
their runs (``tests/data/seed_runs.sha256``, written by ``python -m scripts.seed_runs``), so a
clone on its own runs it.  Where ``../shared/seeds`` is beside the checkout, one more test
proves the shipped hashes are those of the seeds.
"""

from __future__ import annotations

import pytest

from assistant.retrieval.cards import load_cards
from scripts.seed_runs import (
    HASHES,
    RUN,
    SEEDS_DIR,
    hashes_of,
    load_hashes,
    seed_texts,
    shared_runs,
)


@pytest.fixture(scope="module")
def seed_hashes() -> set[str]:
    return load_hashes()


def test_the_hash_file_holds_only_digests(seed_hashes: set[str]) -> None:
    lines = HASHES.read_text(encoding="ascii").splitlines()
    assert len(seed_hashes) == len(lines) > 1000  # four articles: thousands of runs
    assert all(len(line) == 64 and set(line) <= set("0123456789abcdef") for line in lines)
    assert lines == sorted(lines)


def test_no_card_shares_a_12_word_run_with_a_seed(seed_hashes: set[str]) -> None:
    copied = {}
    for card in load_cards():
        # The whole file: title, tip, topics, body and the citation line.
        runs = shared_runs(card.path.read_text(encoding="utf-8"), seed_hashes)
        if runs:
            copied[card.id] = runs[:3]
    assert copied == {}, f"cards that copy seed wording: {copied}"


def test_the_check_catches_a_copied_sentence() -> None:
    """The check must be able to fail: text quoting 15 words of a source is caught, with
    curly apostrophes and capitals as the seeds have them; other words pass."""
    source = (
        "When a partner pulls away it isn\u2019t always a verdict on you; Often it is an old "
        "habit of keeping safe that was learned long before the two of you ever met."
    )
    hashes = hashes_of([source])
    quoted = "it isn't always a verdict on you; often it is an old habit of keeping"
    assert len(quoted.split()) > RUN
    assert shared_runs(f"Our own opening words. {quoted}. Our own close.", hashes)
    assert shared_runs("Closeness is a practice you build a little at a time.", hashes) == []


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="the seed articles are not beside this clone")
def test_the_shipped_hashes_are_the_seeds_runs(seed_hashes: set[str]) -> None:
    assert seed_hashes == hashes_of(seed_texts()), "run: python -m scripts.seed_runs"
