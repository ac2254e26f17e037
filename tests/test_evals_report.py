"""Report files (HTML with embedded charts, Markdown, JSON) and `closer eval compare`."""

from __future__ import annotations

import argparse
import base64
import json
import re
from pathlib import Path

import pytest

from evals.compare import CompareError, compare_files, load_metrics
from evals.report import write_report
from evals.runner import summarise
from evals.suite import below_baseline, flat_metrics


def _turn(stage: str, ok: bool, fallback: str | None = None) -> dict:
    return {
        "turn": 1,
        "user": "my chest is tight",
        "reply": "Your chest. What now?",
        "stage": stage,
        "expected_stage": "regulation",
        "blocking": [],
        "escalation": None,
        "sources": [],
        "model": "tiny",
        "fallback": fallback,
        "checks": {"stage": ok, "length": True, "grounded": None},
    }


def sample_results(pass_first: bool = True) -> dict:
    scenarios = [
        {
            "id": "one",
            "turns": [_turn("regulation", pass_first, "cut off"), _turn("naming", True)],
            "conversation_checks": {"reached_request": True},
            "rate": 1.0,
        },
        {
            "id": "two",
            "turns": [_turn("regulation", False)],
            "conversation_checks": {"reached_request": False},
            "rate": 0.5,
        },
    ]
    safety = {
        "summary": True,
        "n": 10,
        "positives": 6,
        "negatives": 4,
        "true_positives": 5,
        "false_positives": 1,
        "false_negatives": 1,
        "precision": 0.8333,
        "recall": 0.8333,
        "false_positive_rate": 0.25,
        "per_category_recall": {"abuse": 1.0, "crisis": 0.5},
    }
    results = {
        "created": "2026-01-01T00:00:00+00:00",
        "model": "tiny.gguf",
        "parts": ["scenarios", "safety", "retrieval"],
        "scenarios": summarise(scenarios),
        "safety": {"summary": safety, "rows": []},
        "retrieval": {"n": 4, "k": 3, "hit@1": 0.5, "hit@3": 0.75, "results": []},
    }
    results["metrics"] = flat_metrics(results)
    return results


def test_summary_counts_checks_and_the_fallback_rate() -> None:
    summary = sample_results()["scenarios"]
    assert summary["per_check"]["stage"] == {"passed": 2, "total": 3, "rate": 0.6667}
    assert "grounded" not in summary["per_check"]  # never applied
    assert summary["fallback"]["model_turns"] == 3
    assert summary["fallback"]["replaced"] == 1
    assert summary["fallback"]["reasons"] == {"cut off": 1}


def test_report_files_are_written_with_embedded_png_charts(tmp_path: Path) -> None:
    paths = write_report(sample_results(), tmp_path / "out")
    assert all(path.is_file() for path in paths.values())
    page = paths["html"].read_text(encoding="utf-8")
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    titles = [title for title, _ in images]
    assert "Pass rate per check" in titles and "Pass rate per scenario" in titles
    assert "Safety screen: confusion matrix" in titles and "Retrieval hit@k" in titles
    for _, data in images:
        assert base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n")
    markdown = paths["md"].read_text(encoding="utf-8")
    assert "replaced by the guided reply: 1 of 3" in markdown
    assert "| two | 1 | stage |" in markdown  # the failed check is listed
    assert json.loads(paths["json"].read_text())["metrics"]["retrieval.hit@3"] == 0.75


def test_compare_prints_each_metric_with_its_delta_and_writes_a_chart(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps(sample_results(pass_first=False)))
    second.write_text(json.dumps(sample_results(pass_first=True)))
    compared = compare_files(first, second, tmp_path / "chart.png")
    rows = {name: (a, b) for name, a, b in compared["rows"]}
    assert rows["scenarios.check.stage"] == (0.3333, 0.6667)
    assert rows["retrieval.hit@3"] == (0.75, 0.75)
    line = next(x for x in compared["table"].splitlines() if x.startswith("scenarios.check.stage"))
    assert "+0.3334" in line and "better" in line
    assert (tmp_path / "chart.png").read_bytes().startswith(b"\x89PNG")


def test_compare_rejects_a_file_that_is_not_a_results_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    with pytest.raises(CompareError, match="metrics"):
        load_metrics(bad)
    with pytest.raises(CompareError, match="cannot read"):
        load_metrics(tmp_path / "missing.json")


def test_below_baseline_names_the_metric_and_respects_direction() -> None:
    baseline = {"scenarios.pass_rate": 0.95, "safety.false_positive_rate": 0.05, "x.absent": 1}
    assert (
        below_baseline({"scenarios.pass_rate": 0.95, "safety.false_positive_rate": 0.05}, baseline)
        == []
    )
    worse = below_baseline(
        {"scenarios.pass_rate": 0.9, "safety.false_positive_rate": 0.1}, baseline
    )
    assert len(worse) == 2
    assert worse[0].startswith("safety.false_positive_rate rose above")
    assert worse[1].startswith("scenarios.pass_rate dropped below")


def suite_parser() -> argparse.ArgumentParser:
    """`closer eval ...` as the lead wires it: register_suite on the eval subcommands."""
    from closer.cli.eval_suite import register_suite

    parser = argparse.ArgumentParser(prog="closer")
    parser.add_argument("--home")
    parser.add_argument("--locale")
    eval_parser = parser.add_subparsers(dest="command").add_parser("eval")
    register_suite(eval_parser.add_subparsers(dest="eval_command"))
    return parser


def test_compare_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(json.dumps(sample_results(pass_first=False)))
    second.write_text(json.dumps(sample_results(pass_first=True)))
    args = suite_parser().parse_args(["eval", "compare", str(first), str(second)])
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert "scenarios.check.stage" in out and "+0.3334" in out
    assert (tmp_path / "compare.png").is_file()
