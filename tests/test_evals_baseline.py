"""The CI check: guided-mode evals must not fall below the checked-in baseline.

Runs every scenario, the safety dev set and the retrieval set in guided mode through the real
graph, screen and index (once for the module), then compares with ``evals/baseline.json``.
Refresh the baseline deliberately: ``closer eval all --save-baseline evals/baseline.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from evals.suite import below_baseline, run_suite
from tests.test_evals_report import suite_parser

BASELINE = Path(__file__).resolve().parent.parent / "evals" / "baseline.json"
# Every scenario, the safety set with its embeddings and the retrieval set, once for the
# module: minutes on two cores.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("eval-home")


@pytest.fixture(scope="module")
def guided_results(home: Path) -> dict[str, Any]:
    return run_suite(Settings(home=home), progress=False)


def baseline_metrics() -> dict[str, float]:
    return json.loads(BASELINE.read_text(encoding="utf-8"))["metrics"]


def test_guided_mode_is_not_below_the_baseline(guided_results: dict[str, Any]) -> None:
    baseline = baseline_metrics()
    assert set(baseline) <= set(guided_results["metrics"]), "a baseline metric was not measured"
    assert below_baseline(guided_results["metrics"], baseline) == []


def test_guided_mode_passes_at_least_90_percent_of_rubric_checks(
    guided_results: dict[str, Any],
) -> None:
    scenarios = guided_results["scenarios"]
    assert scenarios["scenarios"] >= 25
    assert scenarios["pass_rate"] >= 0.9
    assert guided_results["model"] == "guided"
    assert scenarios["fallback"]["model_turns"] == 0  # guided mode never asks a model


def test_the_command_exits_non_zero_and_names_the_metric_that_dropped(
    home: Path, guided_results: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    raised = tmp_path / "raised.json"
    hit = guided_results["metrics"]["retrieval.hit@3"]
    raised.write_text(json.dumps({"metrics": {"retrieval.hit@3": hit + 0.01}}))
    argv = ["--home", str(home), "eval", "retrieval", "--out", str(tmp_path / "out")]
    args = suite_parser().parse_args([*argv, "--baseline", str(raised)])
    assert args.handler(args) == 1
    assert "retrieval.hit@3 dropped below its baseline" in capsys.readouterr().err
    args = suite_parser().parse_args([*argv, "--baseline", str(BASELINE)])
    assert args.handler(args) == 0
    assert (tmp_path / "out" / "report.html").is_file()
