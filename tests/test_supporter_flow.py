"""The supporting partner's own flow: supporter replies through the real CLI (batch mode, with
retrieval), supporter cards searched only for supporters, the model's guide, and "self"
conversations left as they were."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.coaching.guided import compose
from assistant.coaching.listen import moves
from assistant.coaching.perspective import supporter_variants
from assistant.coaching.prompting import turn_guide
from assistant.core.messages import TurnBrief
from assistant.knowledge import load_yaml
from assistant.reading.blocking import blocking_rules
from assistant.retrieval.cards import load_all_cards
from tests.conftest import json_rows, run_closer

WALK = [
    ("hi", "check_in"),
    ("he goes quiet for days when I ask how he feels, and my chest is so tight", "regulation"),
    ("ok I breathed a few times, I feel calmer now", "naming"),
    ("I feel lonely, and the story I tell myself is that he doesn't want me around", "request"),
    ("we're sorting this out tonight whether you like it or not", "request"),
    ("would you like to have coffee with me on Saturday morning, if you feel up to it?", "plan"),
]
PACE_OR_SPACE = re.compile(r"\b(pace|space)\b", re.IGNORECASE)


def _batch(home: Path, tmp_path: Path, perspective: str) -> list[dict]:
    script = tmp_path / f"{perspective}.txt"
    script.write_text("\n".join(text for text, _ in WALK) + "\n", encoding="utf-8")
    done = run_closer(
        "chat", "--perspective", perspective, "--script", str(script), "--json", home=home
    )
    assert done.returncode == 0, done.stderr
    return json_rows(done.stdout)


def _fills(template: str, reply: str) -> bool:
    """The reply holds the body's longest run of fixed words (between placeholders)."""
    fixed = max(re.split(r"\{\w+\}", template), key=lambda part: len(part.split())).strip()
    return len(fixed.split()) >= 4 and fixed in reply


def _supporter_texts(kind: str) -> list[str]:
    """The supporter's wording of a reply kind: the listening moves (offers and questions)
    for the kinds they word, the plan's summary, else the older bodies."""
    steps = moves()["supporter_steps"].get(kind)
    if steps:
        return [*steps["offer"], *steps["ask"]]
    if kind == "plan.summary":
        return list(moves()["supporter_plan"]["summary"])
    return supporter_variants(kind) or []


def _offers(kind: str) -> list[str]:
    return list(moves()["supporter_steps"][kind]["offer"])


def test_a_supporter_walks_the_steps_with_supporter_replies(
    tmp_path: Path, indexed_home: Path
) -> None:
    rows = _batch(indexed_home, tmp_path, "supporter")
    assert [row["stage"] for row in rows] == [stage for _, stage in WALK]
    assert {row["perspective"] for row in rows} == {"supporter"}
    # Each step's reply is built from the supporter's moves and bodies, not the person's own.
    kinds = ["check_in.greeting", None, "naming.start", "request.start", "request.blocking"]
    kinds.append("plan.summary")
    for row, kind in zip(rows, kinds, strict=True):
        if kind:
            assert any(_fills(v, row["reply"]) for v in _supporter_texts(kind)), row["reply"]
    # The pressure draft is flagged as blocking, and the reply offers the kinder rewrite.
    pressure = rows[4]
    assert [f["pattern"] for f in pressure["blocking"]] == ["pressure"]
    rewrite = next(rule.rewrite for rule in blocking_rules() if rule.pattern == "pressure")
    assert rewrite in pressure["reply"]
    assert any(PACE_OR_SPACE.search(row["reply"]) for row in rows)
    # Supporter cards are among the sources of a supporter's turns.
    supporter_ids = {card.id for card in load_all_cards() if card.supporters_only}
    assert any(s["id"] in supporter_ids for row in rows for s in row["sources"])


def test_a_self_conversation_gets_no_supporter_text_or_cards(
    tmp_path: Path, indexed_home: Path
) -> None:
    rows = _batch(indexed_home, tmp_path, "self")
    supporter_ids = {card.id for card in load_all_cards() if card.supporters_only}
    assert not any(s["id"] in supporter_ids for row in rows for s in row["sources"])
    # (the offers: some questions are worded the same for both sides)
    bodies = [v for kind in ("naming.start", "request.start") for v in _offers(kind)]
    assert not any(_fills(v, row["reply"]) for v in bodies for row in rows)


def test_supporter_cards_are_searched_for_supporters_only(indexed_home: Path) -> None:
    from assistant.config import Settings
    from assistant.retrieval.index import KnowledgeBase

    kb = KnowledgeBase(Settings(home=indexed_home))
    query = "she pulled away again and I keep chasing her for an answer"
    as_supporter = kb.search(query, stage="regulation", k=3, perspective="supporter")
    as_self = kb.search(query, stage="regulation", k=20)
    assert as_supporter[0].id == "supporter-settle-your-own-reaction"
    assert not any(card.id.startswith("supporter-") for card in as_self)
    assert any(card.id.startswith("support-") for card in as_self)  # shared ones stay


def test_the_composer_falls_back_to_the_ordinary_variants_for_a_kind_it_lacks() -> None:
    ordinary = load_yaml("prompts/guided.yaml")["kinds"]
    missing = [kind for kind in ordinary if supporter_variants(kind) is None]
    assert "back.confirm" in missing
    brief = TurnBrief(
        stage="naming", kind="back.confirm", user_text="go back", perspective="supporter"
    )
    assert any(_fills(v, compose(brief)) for v in ordinary["back.confirm"])


@pytest.mark.parametrize("perspective", ["self", "supporter"])
def test_the_models_guide_names_the_supporter(perspective: str) -> None:
    brief = TurnBrief(
        stage="request", kind="request.start", user_text="hi", perspective=perspective
    )
    guide = turn_guide(brief)
    says = "partner who wants to support someone who pulls away" in guide
    assert says == (perspective == "supporter")
    assert ("pace" in guide) == (perspective == "supporter")
