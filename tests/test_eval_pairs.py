"""`closer eval pairs`: the blind pair file and its key, and scoring judges' verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from closer.cli import main
from evals.pairs import build_pairs, cohen_kappa, plain, score_verdicts


def _run() -> list[dict]:
    rows = []
    for conversation in ("c1", "c2"):
        for turn in range(6):
            rows.append(
                {
                    "id": conversation,
                    "turn": turn,
                    "user": f"{conversation} message {turn}",
                    "reply": f"**Closer** reply {turn}\n- one point\n- two",
                    "stage": "naming" if turn < 4 else "request",
                    "safety": {"level": "support" if turn == 5 else "none"},
                }
            )
    return [*rows, {"summary": True}]


def _refs() -> list[dict]:
    return [
        {
            "id": c,
            "turns": [f"{c} message {t}" for t in range(6)],
            "references": [f"human reply {t}" for t in range(6)],
        }
        for c in ("c1", "c2")
    ]


def test_pairs_are_blind_sampled_after_the_first_two_turns_and_keyed() -> None:
    pairs, key = build_pairs(_run(), _refs(), seed=3, per_conversation=4)
    assert len(pairs) == len(key) == 8
    assert {p["pair_id"] for p in pairs} == {k["pair_id"] for k in key}
    assert set(pairs[0]) == {"pair_id", "context", "reply_A", "reply_B"}
    assert all(k["turn"] >= 2 for k in key)
    secrets = {k["pair_id"]: k for k in key}
    for pair in pairs:
        secret = secrets[pair["pair_id"]]
        ours = pair[f"reply_{secret['closer']}"]
        assert ours == f"Closer reply {secret['turn']}. one point. two."
        lines = pair["context"].splitlines()
        assert len(lines) == 3 and lines[-1] == f"Person: {secret['id']} message {secret['turn']}"
        assert "*" not in pair["reply_A"] + pair["reply_B"]
    assert {k["closer"] for k in key} == {"A", "B"}  # a coin, not a fixed side
    again, _ = build_pairs(_run(), _refs(), seed=3, per_conversation=4)
    assert again == pairs  # the seed decides everything


def test_plain_turns_markdown_and_bullets_into_sentences() -> None:
    assert plain("# Plan\n1. breathe\n* say **it**\nthen [ask](http://x)") == (
        "Plan. breathe. say it. then ask."
    )


def _key() -> list[dict]:
    return [
        {"pair_id": "p1", "closer": "A", "stage": "naming", "safety": "none"},
        {"pair_id": "p2", "closer": "B", "stage": "naming", "safety": "none"},
        {"pair_id": "p3", "closer": "A", "stage": "request", "safety": "support"},
    ]


def _verdict(pair: str, winner: str, a: int, b: int) -> dict:
    return {"pair_id": pair, "winner": winner, "score_A": a, "score_B": b, "why": "."}


def test_scores_count_wins_ties_losses_and_split_by_step_and_safety() -> None:
    one = [_verdict("p1", "A", 4, 2), _verdict("p2", "A", 4, 3), _verdict("p3", "tie", 3, 3)]
    two = [_verdict("p1", "A", 5, 3), _verdict("p2", "B", 2, 4), _verdict("p3", "B", 2, 4)]
    report = score_verdicts(_key(), [one, two])
    overall = report["overall"]
    assert (overall["wins"], overall["ties"], overall["losses"]) == (3, 1, 2)
    assert overall["win_or_tie_rate"] == 0.6667
    assert overall["closer_mean"] == round((4 + 3 + 3 + 5 + 4 + 2) / 6, 3)
    assert report["by_stage"]["request"]["verdicts"] == 2
    assert report["by_safety"]["support"]["ties"] == 1
    (agree,) = report["agreement"]
    assert agree["pairs"] == 3 and agree["percent"] == pytest.approx(33.3)


def test_kappa() -> None:
    assert cohen_kappa(["A", "B", "A", "B"], ["A", "B", "A", "B"]) == 1.0
    assert cohen_kappa(["A", "A", "B", "B"], ["A", "B", "A", "B"]) == 0.0
    assert cohen_kappa([], []) is None


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_cli_builds_and_scores(tmp_path: Path, capsys) -> None:
    run = _write(tmp_path / "run.json", _run())
    refs = _write(tmp_path / "refs.jsonl", _refs())
    out = tmp_path / "pairs"
    assert main(["eval", "pairs", "build", str(run), str(refs), "--out", str(out)]) == 0
    key = [json.loads(line) for line in (out / "key.jsonl").read_text().splitlines()]
    verdicts = [_verdict(k["pair_id"], k["closer"], 4, 3) for k in key]
    judge = _write(tmp_path / "v1.jsonl", verdicts)
    capsys.readouterr()
    assert main(["eval", "pairs", "score", str(out / "key.jsonl"), str(judge), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["overall"]["win_or_tie_rate"] == 1.0


def test_shape_counts_words_questions_and_long_quotes(tmp_path: Path, capsys) -> None:
    from evals.shape import shape_summary

    said = "my husband never listens to me when i talk about work"
    rows = [
        {"stage": "naming", "user": said, "reply": "That sounds lonely. What happened?"},
        {"stage": "naming", "user": said, "reply": 'You said "never listens to me when i talk".'},
        {"stage": "plan", "user": said, "reply": "Here's your plan. Say it."},
        {"stage": "escalation", "user": said, "reply": "fixed text " * 40},
        {"summary": True},
    ]
    found = shape_summary(rows)
    assert found["all"]["replies"] == 3
    assert found["without_plan"] == {
        "replies": 2, "median_words": 7.0, "question_rate": 0.5, "quote5_rate": 0.5
    }
    run = _write(tmp_path / "run.json", rows)
    assert main(["eval", "shape", str(run)]) == 0
    assert json.loads(capsys.readouterr().out)["all"]["replies"] == 3
