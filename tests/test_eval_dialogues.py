"""`closer eval dialogues FILE --json`: one object per turn, then a summary."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from closer.cli.eval_language import _print_summary
from evals.dialogues import _Tally
from tests.conftest import json_rows, run_closer

ROWS = [
    {"id": "a", "turns": ["hi", "my chest is tight", "ok I feel calmer now"], "extra": 1},
    {"id": "b", "turns": ["he calls me a worthless idiot every day", "ok"]},
]


def test_each_turn_then_a_summary(tmp_path: Path, indexed_home: Path) -> None:
    source = tmp_path / "d.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    done = run_closer("eval", "dialogues", str(source), "--json", home=indexed_home)
    assert done.returncode == 0, done.stderr
    rows = json_rows(done.stdout)
    turns, summary = rows[:-1], rows[-1]
    assert len(turns) == 5 and summary["summary"] is True
    for turn in turns:
        for key in ("id", "turn", "user", "reply", "stage", "safety", "blocking", "fallback"):
            assert key in turn
        assert turn["safety"]["level"] in ("escalate", "check", "support", "continue")
    assert [t["stage"] for t in turns[:3]] == ["check_in", "regulation", "naming"]
    assert turns[3]["safety"] == {"level": "escalate", "category": "contempt"}
    assert summary["turns"] == 5 and summary["conversations_escalated"] == 1
    assert summary["furthest_step"] == {"naming": 1, "none": 1}
    assert summary["levels"]["escalate"] == 2
    # The listening check: on coached turns only, and the failures come with their text.
    assert [t["listening"] is None for t in turns] == [False, False, False, True, True]
    assert summary["coached_turns"] == 3 and summary["listening_pass_rate"] is not None
    for failure in summary["listening_failures"]:
        assert failure["listening"] and failure["reply"] and "user" in failure
    listed = run_closer("sessions", "list", home=indexed_home)
    assert "a" not in listed.stdout.split()  # an eval leaves no conversations behind


def test_the_summary_prints_listening_failures_with_their_text() -> None:
    tally = _Tally()
    turn = {"id": "a", "turn": 0, "stage": "regulation", "user": "so", "reply": 'You said "so".'}
    tally.add({"id": "a"}, [{**turn, "safety": {"level": "continue"}, "listening": ["short_echo"]}])
    summary = tally.summary()
    assert summary["listening_pass_rate"] == 0.0
    assert summary["listening_failures"][0]["reply"] == 'You said "so".'
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _print_summary(summary)
    assert "short_echo" in out.getvalue() and 'You said "so".' in out.getvalue()


def test_a_malformed_file_gets_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "turns": "not a list"}\n', encoding="utf-8")
    done = run_closer("eval", "dialogues", str(bad), home=tmp_path / "home")
    assert done.returncode == 2 and "turns" in done.stderr and "Traceback" not in done.stderr


def test_the_report_shows_each_perspective_apart() -> None:
    tally = _Tally()
    turn = {"turn": 0, "stage": "regulation", "user": "my chest is tight", "reply": "ok"}
    turn = {**turn, "safety": {"level": "continue"}, "expected_stage": "regulation"}
    tally.add({"id": "a"}, [{**turn, "id": "a", "listening": []}])
    missed = {**turn, "id": "b", "stage": "naming", "listening": ["too_long"]}
    tally.add({"id": "b", "perspective": "supporter"}, [missed])
    split = tally.summary()["by_perspective"]
    assert split == {
        "self": {"conversations": 1, "right_step_rate": 1.0, "listening_pass_rate": 1.0},
        "supporter": {"conversations": 1, "right_step_rate": 0.0, "listening_pass_rate": 0.0},
    }
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _print_summary(tally.summary())
    assert "perspective self:" in out.getvalue() and "perspective supporter:" in out.getvalue()


def test_an_unknown_perspective_in_a_row_gets_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "perspective": "partner", "turns": ["hi"]}\n', encoding="utf-8")
    done = run_closer("eval", "dialogues", str(bad), home=tmp_path / "home")
    assert done.returncode == 2 and "bad.jsonl:1" in done.stderr and "supporter" in done.stderr
    assert "Traceback" not in done.stderr
