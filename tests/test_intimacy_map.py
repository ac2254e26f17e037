"""The intimacy map: the logic (thinnest kind, ties, bad input), its data, `closer map`, the
map saved with the conversation, and its section in the exported plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.coaching import intimacy_map as imap
from assistant.knowledge import load_yaml
from assistant.retrieval.cards import load_cards
from scripts.seed_runs import load_hashes, shared_runs
from tests.conftest import run_closer

ALL_THREE = dict.fromkeys(imap.KINDS, 3)


# -- the logic ------------------------------------------------------------------------------


def test_the_one_lowest_kind_is_neglected_with_its_own_step() -> None:
    result = imap.read_map({**ALL_THREE, "physical": 1, "spiritual": 5})
    assert result.neglected == ("physical",)
    assert result.focus == "physical"
    assert "Physical" in result.summary and "1/5" in result.summary
    assert result.suggestion == imap.kind_info("physical").step
    assert result.request == imap.kind_info("physical").request


def test_a_tie_starts_with_the_first_kind_in_the_tie_order_and_says_why() -> None:
    ratings = {**ALL_THREE, "sexual": 2, "emotional": 2, "intellectual": 2}
    result = imap.read_map(ratings)
    # Every tied kind is named neglected, in the fixed kind order...
    assert result.neglected == ("emotional", "sexual", "intellectual")
    # ...and the step is for the first of them in tie_order (intellectual comes before both).
    order = load_yaml("intimacy_map.yaml")["tie_order"]
    assert result.focus == min(result.neglected, key=order.index) == "intellectual"
    assert "equally thin" in result.summary and "Intellectual" in result.summary
    # The same ratings in another order give the same answer.
    assert imap.read_map(dict(reversed(list(ratings.items())))) == result


def test_all_strong_names_nothing_neglected() -> None:
    result = imap.read_map(dict.fromkeys(imap.KINDS, 5))
    assert result.neglected == () and result.focus is None
    assert result.suggestion  # still something small to do: keep what works
    assert result.request == ""


def test_unrated_kinds_are_listed_and_not_counted() -> None:
    result = imap.read_map({"temporal": 4, "emotional": 2})
    assert result.neglected == ("emotional",)
    assert set(result.unrated) == set(imap.KINDS) - {"temporal", "emotional"}
    assert imap.read_map({}).focus is None


@pytest.mark.parametrize(
    ("pairs", "words"),
    [
        (["emotional=6"], "from 1 to 5"),
        (["emotional=0"], "from 1 to 5"),
        (["emotional=2.5"], "whole number"),
        (["emotional=lots"], "whole number"),
        (["romantic=3"], "not one of the kinds"),
        (["emotional"], "not kind=N"),
        (["emotional=3", "emotional=4"], "given twice"),
    ],
)
def test_bad_pairs_are_refused_with_a_clear_message(pairs: list[str], words: str) -> None:
    with pytest.raises(imap.MapInputError, match=words):
        imap.parse_pairs(pairs)


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(imap.MapInputError) as caught:
        imap.parse_pairs(["emotional=9", "cuddly=2", "temporal=4"])
    assert "emotional=9" in str(caught.value) and "'cuddly'" in str(caught.value)


def test_ratings_are_accepted_in_any_case_and_as_whole_floats() -> None:
    assert imap.parse_pairs(["Emotional=2", "temporal= 4"]) == {"emotional": 2, "temporal": 4}
    assert imap.validate({"physical": 3.0}) == {"physical": 3}


def test_the_map_is_offered_at_check_in_and_after_the_plan_only() -> None:
    assert imap.offer_line("check_in") and imap.offer_line("plan")
    assert imap.offer_line("naming") is None and imap.offer_line("request") is None
    assert imap.offer_line("plan", mapped=True) is None  # once saved, not offered again
    assert "Optional" in imap.offer_line("check_in")


# -- the data -------------------------------------------------------------------------------


def test_seven_kinds_each_with_a_step_a_request_and_a_real_card() -> None:
    data = load_yaml("intimacy_map.yaml")
    assert list(data["kinds"]) == list(imap.KINDS)
    assert sorted(data["tie_order"]) == sorted(imap.KINDS)
    card_ids = {card.id for card in load_cards()}
    for info in imap.kinds():
        assert info.label and info.description and info.step and info.source
        assert info.card in card_ids, f"{info.key}: no card {info.card}"


def test_each_example_request_is_specific_enough_for_the_request_step() -> None:
    from assistant.reading.reader import read

    for info in imap.kinds():
        reading = read(info.request)
        assert reading.specific and not reading.blocking, info.key


def test_the_map_data_copies_no_seed_wording() -> None:
    text = (Path(imap.__file__).parents[2] / "knowledge" / "intimacy_map.yaml").read_text()
    assert shared_runs(text, load_hashes()) == []


# -- saved with the conversation, `closer map`, the export ------------------------------------


@pytest.fixture
def session(guided_services: object) -> str:
    """A saved conversation with two turns (guided mode, no index)."""
    from graphs.runner import Conversation

    conversation = Conversation(guided_services)
    conversation.turn("hi")
    conversation.turn("my chest gets tight when I think about talking to my partner")
    return conversation.thread_id


def _map(home: Path, *args: str) -> tuple[int, dict | None, str]:
    done = run_closer("map", *args, home=home)
    data = json.loads(done.stdout) if done.returncode == 0 and "--json" in args else None
    return done.returncode, data, done.stderr


def _saved(guided_services, session: str) -> dict:  # noqa: ANN001
    from graphs.runner import Conversation

    return dict(Conversation(guided_services, thread_id=session).state().get("intimacy_map", {}))


def test_closer_map_names_the_weakest_kind_and_saves_it(
    closer_home: Path, guided_services: object, session: str
) -> None:
    pairs = [f"{kind}={n}" for kind, n in zip(imap.KINDS, (3, 4, 2, 4, 5, 1, 3), strict=True)]
    code, data, err = _map(closer_home, session, *pairs, "--json")
    assert code == 0, err
    assert data["ratings"]["recreational"] == 1 and len(data["ratings"]) == 7
    assert data["neglected"] == ["recreational"]
    assert data["suggestion"] == imap.kind_info("recreational").step
    assert _saved(guided_services, session)["recreational"] == 1
    # Shown again with no ratings; a later rating merges onto the saved map.
    code, data, _ = _map(closer_home, session, "physical=1", "--json")
    assert data["neglected"] == ["physical", "recreational"] and data["focus"] == "recreational"
    plain = run_closer("map", session, home=closer_home)
    assert plain.returncode == 0 and "Social & recreational" in plain.stdout


@pytest.mark.parametrize(
    "bad", [["emotional=7"], ["romance=2"], ["physical=2", "temporal=x"], ["emotional=-1"]]
)
def test_bad_input_changes_nothing(
    closer_home: Path, guided_services: object, session: str, bad: list[str]
) -> None:
    assert _map(closer_home, session, "emotional=4", "--json")[0] == 0
    before = _saved(guided_services, session)
    code, _data, err = _map(closer_home, session, *bad, "--json")
    assert code != 0
    assert err.startswith("closer: nothing saved:") and "Traceback" not in err
    assert _saved(guided_services, session) == before


def test_an_unknown_conversation_is_refused(closer_home: Path, session: str) -> None:
    code, _data, err = _map(closer_home, "nosuchid", "emotional=3")
    assert code != 0 and "no saved conversation 'nosuchid'" in err


def test_the_conversation_goes_on_after_a_map_and_keeps_it(
    closer_home: Path, guided_services: object, session: str
) -> None:
    from graphs.runner import Conversation

    assert _map(closer_home, session, "temporal=2")[0] == 0
    conversation = Conversation(guided_services, thread_id=session)
    turns_before = len(conversation.history())
    result = conversation.turn("I feel calmer now, my breathing slowed down")
    assert result.reply and len(conversation.history()) == turns_before + 2
    assert conversation.state()["intimacy_map"] == {"temporal": 2}


def test_the_exported_plan_holds_the_seven_kinds_and_the_step(
    closer_home: Path, tmp_path: Path, session: str
) -> None:
    out = tmp_path / "plan.md"
    run_closer("sessions", "export", session, "--out", str(out), home=closer_home)
    assert "## Your intimacy map" in out.read_text() and "Not mapped yet" in out.read_text()
    pairs = [f"{kind}={n}" for kind, n in zip(imap.KINDS, (4, 2, 3, 4, 5, 4, 3), strict=True)]
    assert _map(closer_home, session, *pairs)[0] == 0
    run_closer("sessions", "export", session, "--out", str(out), home=closer_home)
    text = out.read_text()
    section = text[text.index("## Your intimacy map") :]
    for info, rating in zip(imap.kinds(), (4, 2, 3, 4, 5, 4, 3), strict=True):
        assert f"**{info.label}**: {rating}/5" in section
    assert imap.kind_info("physical").step in section
    assert text.startswith("# My plan for the conversation")


def test_deleting_the_conversation_removes_its_map(
    closer_home: Path, guided_services: object, session: str
) -> None:
    assert _map(closer_home, session, "emotional=2")[0] == 0
    assert run_closer("sessions", "delete", session, home=closer_home).returncode == 0
    assert _saved(guided_services, session) == {}


def test_no_map_while_coaching_is_paused_for_safety(
    closer_home: Path, guided_services: object
) -> None:
    from graphs.runner import Conversation

    conversation = Conversation(guided_services)
    conversation.turn("he hits me when he gets angry and I'm scared to go home")
    assert conversation.state().get("escalation"), "the message should escalate"
    code, _data, err = _map(closer_home, conversation.thread_id, "emotional=2")
    assert code != 0 and "coaching is paused" in err
    assert _saved(guided_services, conversation.thread_id) == {}
