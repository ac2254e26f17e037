"""`closer eval scenarios|retrieval|all|compare`: the evals suite and its reports.

``register_suite`` adds these actions to the ``closer eval`` subcommands (``safety`` is
registered by ``closer.cli.eval``).  Progress bars go to stderr; ``--json`` prints one JSON
object on stdout; reports land in ``--out`` (default ./eval-out).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from closer.cli import UserError, settings_from

DEFAULT_OUT = Path("eval-out")


def register_suite(actions: argparse._SubParsersAction) -> None:
    for name, parts, help_text in (
        ("scenarios", ("scenarios",), "run the conversation scenarios and score every reply"),
        ("retrieval", ("retrieval",), "hit@1 and hit@3 on the labelled retrieval set"),
        ("all", ("scenarios", "safety", "retrieval"), "scenarios, safety and retrieval"),
    ):
        parser = actions.add_parser(name, help=help_text, description=help_text)
        _common(parser, with_model=name != "retrieval")
        parser.add_argument(
            "--save-baseline",
            type=Path,
            metavar="FILE",
            help="write this run's metrics as a baseline file (e.g. evals/baseline.json)",
        )
        if name == "all":
            parser.add_argument(
                "--safety-file",
                type=Path,
                help="labelled safety JSONL "
                "(default evals/data/dev/safety_short_hard_negatives.jsonl)",
            )
        parser.set_defaults(handler=run_suite_command, eval_parts=parts)

    compare = actions.add_parser(
        "compare",
        help="compare two results.json files",
        description="Print each metric side by side with its delta.",
    )
    compare.add_argument("first", type=Path, metavar="A.json")
    compare.add_argument("second", type=Path, metavar="B.json")
    compare.add_argument(
        "--chart", type=Path, help="where to write the chart (default: compare.png next to B.json)"
    )
    compare.add_argument("--json", action="store_true", help="print the rows as JSON")
    compare.set_defaults(handler=run_compare)


def _common(parser: argparse.ArgumentParser, *, with_model: bool) -> None:
    if with_model:
        parser.add_argument("--model", metavar="PATH", help="a GGUF chat model (default: guided)")
        parser.add_argument(
            "--judge",
            metavar="PATH",
            help="a GGUF model that scores empathy (EPITOME); off by default",
        )
        parser.add_argument(
            "--scenarios",
            type=Path,
            metavar="DIR",
            help="scenario folder (default evals/scenarios)",
        )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="report folder (default ./eval-out)"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="fail (exit 1) when a metric is worse than in this results file",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON summary on stdout")


def _user_errors() -> tuple[type[Exception], ...]:
    from evals.compare import CompareError
    from evals.runner import ScenarioError
    from evals.safety import EvalDataError

    return (CompareError, ScenarioError, EvalDataError, FileNotFoundError)


def run_suite_command(args: argparse.Namespace) -> int:
    from evals.compare import load_metrics
    from evals.report import fallback_line, write_report
    from evals.suite import below_baseline, run_suite

    settings = settings_from(args)
    baseline = None
    try:
        if args.baseline:
            baseline = load_metrics(args.baseline)[1]
        results = run_suite(
            settings,
            tuple(args.eval_parts),
            model_path=getattr(args, "model", None),
            judge_path=getattr(args, "judge", None),
            scenario_dir=getattr(args, "scenarios", None),
            safety_file=getattr(args, "safety_file", None),
        )
    except _user_errors() as error:
        raise UserError(str(error)) from error
    worse = below_baseline(results["metrics"], baseline) if baseline is not None else []
    results["below_baseline"] = worse
    paths = write_report(results, args.out)
    if args.save_baseline:
        save_baseline(results, args.save_baseline)
    if args.json:
        print(json.dumps(_summary(results, paths), ensure_ascii=False))
    else:
        _print_summary(results, paths, fallback_line(results))
    for line in worse:
        print(f"closer: {line}", file=sys.stderr)
    return 1 if worse else 0


# Properties of the scenario set rather than of quality: reported, never a baseline gate.
NOT_GATED = ("scenarios.mean_turns_to_request",)


def save_baseline(results: dict[str, Any], path: Path) -> None:
    metrics = {k: v for k, v in results["metrics"].items() if k not in NOT_GATED}
    baseline = {
        "model": results["model"],
        "created": results["created"],
        "note": "closer eval all --baseline FILE fails when a metric is worse than this. "
        "Refresh deliberately: closer eval all --save-baseline evals/baseline.json",
        "metrics": metrics,
    }
    path.write_text(json.dumps(baseline, indent=1) + "\n", encoding="utf-8")


def _summary(results: dict[str, Any], paths: dict[str, Path]) -> dict[str, Any]:
    scenarios = results.get("scenarios") or {}
    return {
        "model": results["model"],
        "parts": results["parts"],
        "metrics": results["metrics"],
        "scenarios": scenarios.get("scenarios"),
        "fallback": scenarios.get("fallback"),
        "judge": {k: v for k, v in (results.get("judge") or {}).items() if k != "rows"} or None,
        "below_baseline": results["below_baseline"],
        "files": {kind: str(path) for kind, path in paths.items()},
    }


def _print_summary(results: dict[str, Any], paths: dict[str, Path], fallback: str | None) -> None:
    for name, value in sorted(results["metrics"].items()):
        print(f"{name:<40} {value:.4f}")
    if fallback:
        print(fallback)
    print(f"Reports: {paths['html']}, {paths['md']}, {paths['json']}")


def run_compare(args: argparse.Namespace) -> int:
    from evals.compare import compare_files

    chart = args.chart or args.second.parent / "compare.png"
    try:
        compared = compare_files(args.first, args.second, chart)
    except _user_errors() as error:
        raise UserError(str(error)) from error
    if args.json:
        rows = [
            {"metric": m, "a": a, "b": b, "delta": None if a is None or b is None else b - a}
            for m, a, b in compared["rows"]
        ]
        print(
            json.dumps(
                {"labels": compared["labels"], "rows": rows, "chart": str(compared["chart"])}
            )
        )
    else:
        print(compared["table"])
        if compared["chart"]:
            print(f"Chart: {compared['chart']}")
    return 0
