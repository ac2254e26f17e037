"""`closer eval pairs build|score`: blind pairwise judging against reference replies
(``evals/pairs.py``; the protocol is in the evals README), and `closer eval shape RUN.json`:
the reply-shape figures of a dialogues run (``evals/shape.py``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from closer.cli import UserError


def register(suites: argparse._SubParsersAction) -> None:
    pairs = suites.add_parser(
        "pairs", help="blind pairwise judging: build a pair file, score judges' verdicts"
    )
    actions = pairs.add_subparsers(dest="pairs_command", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build",
        help="a blind pair file and its key from a dialogues run and reference replies",
    )
    build.add_argument("run", type=Path, metavar="RUN.json", help="closer eval dialogues --json")
    build.add_argument("refs", type=Path, metavar="REFS.jsonl", help="{id, turns, references}")
    build.add_argument("--out", type=Path, required=True, help="folder for pairs.jsonl, key.jsonl")
    build.add_argument("--seed", type=int, default=0, help="the coin and the sample (default 0)")
    build.add_argument("--per-conversation", type=int, default=4, help="turns per conversation")
    build.set_defaults(handler=run_build)
    score = actions.add_parser("score", help="Closer's wins, ties and losses against the key")
    score.add_argument("key", type=Path, metavar="KEY.jsonl")
    score.add_argument("verdicts", type=Path, nargs="+", metavar="VERDICTS.jsonl")
    score.add_argument("--json", action="store_true", help="print one JSON object")
    score.set_defaults(handler=run_score)
    shape = suites.add_parser(
        "shape", help="median words, question share and long quotes of a dialogues run"
    )
    shape.add_argument("run", type=Path, metavar="RUN.json", help="closer eval dialogues --json")
    shape.set_defaults(handler=run_shape)


def _rows(path: Path) -> list[dict[str, Any]]:
    from evals.jsonl import json_lines
    from evals.pairs import PairsDataError

    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        return [row for _, row in json_lines(path, PairsDataError)]
    except PairsDataError as error:
        raise UserError(str(error)) from error


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def run_build(args: argparse.Namespace) -> int:
    from evals.pairs import build_pairs

    pairs, key = build_pairs(
        _rows(args.run), _rows(args.refs), seed=args.seed, per_conversation=args.per_conversation
    )
    args.out.mkdir(parents=True, exist_ok=True)
    _write(args.out / "pairs.jsonl", pairs)
    _write(args.out / "key.jsonl", key)
    print(f"{len(pairs)} pairs -> {args.out / 'pairs.jsonl'} (key: {args.out / 'key.jsonl'})")
    return 0


def run_score(args: argparse.Namespace) -> int:
    from evals.pairs import PairsDataError, score_verdicts

    try:
        report = score_verdicts(_rows(args.key), [_rows(path) for path in args.verdicts])
    except PairsDataError as error:
        raise UserError(str(error)) from error
    if args.json:
        print(json.dumps(report))
        return 0
    overall = report["overall"]
    print(f"{report['pairs']} pairs, {report['judges']} judges, {overall['verdicts']} verdicts")
    print(_line("overall", overall))
    for judge, figures in report["by_judge"].items():
        print(_line(f"judge {judge}", figures))
    for found in report["agreement"]:
        one, two = found["judges"]
        print(f"judges {one}+{two}: {found['pairs']} pairs, {found['percent']} % agree, "
              f"kappa {found['kappa']}")
    for split in ("by_stage", "by_safety"):
        for name, figures in report[split].items():
            print(_line(f"{split[3:]} {name}", figures))
    return 0


def _line(label: str, figures: dict[str, Any]) -> str:
    return (
        f"{label:<22} win {figures['wins']} tie {figures['ties']} loss {figures['losses']}  "
        f"win-or-tie {figures['win_or_tie_rate']}  mean Closer {figures['closer_mean']} "
        f"vs reference {figures['reference_mean']}"
    )


def run_shape(args: argparse.Namespace) -> int:
    from evals.shape import shape_summary

    print(json.dumps(shape_summary(_rows(args.run)), indent=1))
    return 0
