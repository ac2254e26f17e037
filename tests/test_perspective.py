"""The supporting partner's groundwork: the perspective saved with the conversation and on
every batch row, the supporter's traps in the blocking data, its cards and guided templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.coaching.perspective import supporter_data, supporter_variants
from assistant.core.perspective import PerspectiveError, checked, perspective_of
from assistant.knowledge import load_yaml
from assistant.reading.blocking import blocking_rules, find_blocking
from assistant.retrieval.cards import load_all_cards, load_cards
from graphs.runner import Conversation
from scripts.seed_runs import load_hashes, shared_runs
from tests.conftest import json_rows, run_closer

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"
SUPPORTER_WALK = [
    ("my heart is pounding, she pulled away again tonight", "regulation"),
    ("I breathed, I feel calmer", "naming"),
    ("I feel lonely, the story I'm telling myself is that I don't matter to her", "request"),
    ("we're sorting this out tonight whether you like it or not", "request"),
    (
        "would you like to take a walk with me on Saturday morning, only if you feel like it?",
        "plan",
    ),
]


# -- the perspective, saved and on every row ------------------------------------------------


def test_checked_perspectives() -> None:
    assert checked(None) == "self" and checked(" Supporter ") == "supporter"
    with pytest.raises(PerspectiveError, match="self, supporter"):
        checked("partner")
    assert perspective_of({}) == "self" and perspective_of({"perspective": "x"}) == "self"


def test_a_supporter_conversation_keeps_its_perspective(guided_services: object) -> None:
    conversation = Conversation(guided_services, perspective="supporter")
    results = [conversation.turn(message) for message, _ in SUPPORTER_WALK]
    assert [r.stage for r in results] == [stage for _, stage in SUPPORTER_WALK]
    assert {r.perspective for r in results} == {"supporter"}
    assert all(r.as_json()["perspective"] == "supporter" for r in results)
    # The pressure draft is flagged, with the kinder rewrite the coach offers.
    assert [f["pattern"] for f in results[3].blocking] == ["pressure"]
    # Reopened without saying, it is still a supporter conversation.
    again = Conversation(guided_services, thread_id=conversation.thread_id)
    assert perspective_of(again.state()) == "supporter"
    assert again.turn("thank you").perspective == "supporter"


def test_self_is_the_default(guided_services: object) -> None:
    assert Conversation(guided_services).turn("hi").perspective == "self"


def test_batch_rows_carry_the_perspective(tmp_path: Path, indexed_home: Path) -> None:
    script = tmp_path / "talk.txt"
    script.write_text("\n".join(m for m, _ in SUPPORTER_WALK[:2]) + "\n", encoding="utf-8")
    done = run_closer(
        "chat", "--perspective", "supporter", "--script", str(script), "--json", home=indexed_home
    )
    assert done.returncode == 0, done.stderr
    rows = json_rows(done.stdout)
    assert len(rows) == 2 and {row["perspective"] for row in rows} == {"supporter"}
    session = rows[0]["session"]
    # Resuming keeps it; asking for the other perspective is refused and changes nothing.
    refused = run_closer(
        "chat",
        "--resume",
        session,
        "--perspective",
        "self",
        "--script",
        str(script),
        "--json",
        home=indexed_home,
    )
    assert refused.returncode != 0 and "'supporter' perspective" in refused.stderr
    assert "Traceback" not in refused.stderr and json_rows(refused.stdout) == []
    resumed = run_closer(
        "chat", "--resume", session, "--script", str(script), "--json", home=indexed_home
    )
    assert {row["perspective"] for row in json_rows(resumed.stdout)} == {"supporter"}
    default = run_closer("chat", "--script", str(script), "--json", home=indexed_home)
    assert {row["perspective"] for row in json_rows(default.stdout)} == {"self"}


def test_an_unknown_perspective_is_refused(closer_home: Path) -> None:
    done = run_closer("chat", "--perspective", "partner", "--script", "-", home=closer_home)
    assert done.returncode == 2 and "invalid choice: 'partner'" in done.stderr


# -- the supporter's traps ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "pattern"),
    [
        ("We're sorting this out tonight whether you like it or not.", "pressure"),
        ("If you don't talk to me tonight I'm done.", "pressure"),
        ("This is your last chance to explain yourself.", "pressure"),
        ("You need to open up to me.", "demand_to_open_up"),
        ("Why won't you just talk to me?", "demand_to_open_up"),
        ("Stop shutting me out.", "demand_to_open_up"),
        ("You obviously don't love me.", "distance_as_proof"),
        ("This proves you don't really care.", "distance_as_proof"),
        ("You don't even love me anymore.", "distance_as_proof"),
    ],
)
def test_supporter_traps_are_flagged(draft: str, pattern: str) -> None:
    assert pattern in [f["pattern"] for f in find_blocking(draft)]


@pytest.mark.parametrize(
    "kind",
    [
        "Would you like to take a walk on Saturday morning? It's fine to say not yet.",
        "I wish I could open up more easily.",
        "We are having dinner tonight with friends.",
        "When you pull away I feel lonely, and I know it may be about feeling safe.",
        "Whenever you feel like sharing, I'd love to hear it.",
    ],
)
def test_kind_supporter_words_are_not_flagged(kind: str) -> None:
    assert find_blocking(kind) == []


def test_each_supporter_trap_has_a_rewrite_that_is_not_itself_blocking() -> None:
    data = load_yaml("rules/blocking.yaml")["patterns"]
    supporter = [name for name, entry in data.items() if entry.get("perspective") == "supporter"]
    assert supporter == ["pressure", "demand_to_open_up", "distance_as_proof"]
    for rule in blocking_rules():
        assert rule.rewrite and find_blocking(rule.rewrite) == [], rule.pattern


# -- supporter cards and templates ----------------------------------------------------------


SUPPORTER_CARDS = KNOWLEDGE / "cards" / "supporter"


def test_supporter_cards_cover_the_four_steps_and_are_tagged_apart() -> None:
    cards = load_cards(SUPPORTER_CARDS)  # the loader's own checks: fields, length, tip
    assert {stage for card in cards for stage in card.stages} >= {
        "regulation",
        "naming",
        "request",
        "plan",
    }
    for card in cards:
        text = card.path.read_text(encoding="utf-8")
        assert "perspective: supporter" in text and card.source
    # Apart from the shared cards; the index reads both, each tagged with its perspective.
    shared = {card.id for card in load_cards()}
    assert shared and not shared & {card.id for card in cards}
    tagged = {card.id: card.supporters_only for card in load_all_cards()}
    assert {tagged[card.id] for card in cards} == {True}
    assert {tagged[card_id] for card_id in shared} == {False}


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_supporter_templates_fit_the_composer() -> None:
    """Every supporter kind exists for the person too, has at least two body variants, and
    needs no placeholder the ordinary variants lack, so the composer can fill it from the
    same values; no body quotes the person (the composer reflects them itself)."""
    ordinary = load_yaml("prompts/guided.yaml")["kinds"]
    kinds = supporter_data()["kinds"]
    assert {"regulation.activated", "naming.start", "request.start", "plan.summary"} <= set(kinds)
    for kind in kinds:
        variants = supporter_variants(kind)
        assert kind in ordinary and len(variants) >= 2, kind
        allowed = set().union(*(_placeholders(v) for v in ordinary[kind])) | {"tip"}
        for template in variants:
            assert _placeholders(template) <= allowed, (kind, template)
            assert "{echo}" not in template and not template.startswith("Thank you for"), kind
            # A regulation body ends with the tool's own question ({tool_ask}).
            assert template.count("?") <= 1 and template.endswith(("?", "{tool_ask}")), kind
            assert find_blocking(template.replace("{quote}", "")) == [], kind
    assert supporter_variants("no.such.kind") is None
    spoken = " ".join(" ".join(supporter_variants(k)) for k in kinds).lower()
    assert "pace" in spoken and "space" in spoken


def test_supporter_data_copies_no_seed_wording() -> None:
    seed_hashes = load_hashes()
    files = ["guided_supporter.yaml", "rules/blocking.yaml"]
    files += [f"cards/supporter/{path.name}" for path in sorted(SUPPORTER_CARDS.glob("*.md"))]
    assert len(files) >= 6
    for name in files:
        assert shared_runs((KNOWLEDGE / name).read_text(encoding="utf-8"), seed_hashes) == [], name


def test_a_supporter_plan_says_what_happens_if_the_partner_is_not_ready() -> None:
    from assistant.coaching.plan import plan_markdown

    supporter = plan_markdown({}, session_id="s1", stage="plan", perspective="supporter")
    ordinary = plan_markdown({}, session_id="s1", stage="plan")
    heading = supporter_data()["plan"]["not_ready_heading"]
    assert heading in supporter and heading not in ordinary
    assert supporter_data()["plan"]["openness_heading"] in supporter
