"""The evals on a real (tiny, random-weight) GGUF: fallback rate and the empathy judge."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evals.judge import DIMENSIONS, EmpathyJudge, valid_scores
from evals.runner import SCENARIO_DIR
from tests.fixtures_gguf import tiny_gguf  # noqa: F401
from tests.test_evals_report import suite_parser

SUBSET = ("01-acceptance-path", "09-pause-resume-regulation", "22-escalation-abuse")


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scenarios")
    for name in SUBSET:
        shutil.copy(SCENARIO_DIR / f"{name}.yaml", folder)
    return folder


def test_judge_output_always_parses_as_the_schema(tiny_gguf: Path) -> None:  # noqa: F811
    judge = EmpathyJudge(tiny_gguf)
    for reply in ("That sounds really hard. What happened next?", "ok", ""):
        verdict = judge.score("I feel lonely when he works late", reply)
        assert valid_scores(json.loads(verdict["raw"])), verdict["raw"]
        assert set(verdict["scores"]) == set(DIMENSIONS)


def test_schema_check_rejects_out_of_range_or_missing_scores() -> None:
    assert valid_scores({"emotional_reactions": 2, "interpretations": 0, "explorations": 1})
    assert not valid_scores({"emotional_reactions": 3, "interpretations": 0, "explorations": 1})
    assert not valid_scores({"emotional_reactions": 1, "interpretations": 0})
    assert not valid_scores({"emotional_reactions": True, "interpretations": 0, "explorations": 1})


def test_scenarios_on_the_tiny_gguf_report_the_fallback_rate(
    tiny_gguf: Path,  # noqa: F811
    scenario_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, home = tmp_path / "out", tmp_path / "home"
    home.mkdir()
    # One llama.cpp thread: on a small, busy CI machine, thread barriers are what cost time.
    (home / "config.toml").write_text("n_threads = 1\n")
    argv = [
        "--home",
        str(home),
        "eval",
        "scenarios",
        "--model",
        str(tiny_gguf),
        "--judge",
        str(tiny_gguf),
        "--scenarios",
        str(scenario_dir),
        "--out",
        str(out),
        "--json",
    ]
    args = suite_parser().parse_args(argv)
    assert args.handler(args) == 0
    summary = json.loads(capsys.readouterr().out)
    fallback = summary["fallback"]
    # Escalation turns are fixed text and never ask the model; every other turn does.
    assert fallback["model_turns"] == 5 + 4 + 3
    assert 0 <= fallback["replaced"] <= fallback["model_turns"]
    assert summary["metrics"]["scenarios.fallback_rate"] == fallback["rate"]
    assert sum(fallback["reasons"].values()) == fallback["replaced"]
    results = json.loads((out / "results.json").read_text())
    turns = [t for r in results["scenarios"]["results"] for t in r["turns"]]
    assert all(t["model"] != "guided" for t in turns if t["stage"] != "escalation")
    # The stage path never depends on the model: the same stages as in guided mode.
    assert results["scenarios"]["per_check"]["stage"]["rate"] == 1.0
    assert "replaced by the guided reply" in (out / "report.md").read_text()
    judge = summary["judge"]
    assert judge["replies"] == judge["parsed"] == fallback["model_turns"]
    assert all(0 <= judge["means"][name] <= 2 for name in DIMENSIONS)
