"""``closer eval``: measure the assistant against labelled sets in ``evals/``.

One sub-subcommand per suite (``closer eval safety FILE``).  To add a suite, write a
``_register_<suite>(suites)`` function like ``_register_safety`` and call it from
``register``; each sets its own ``handler``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from closer.cli import UserError, settings_from
from evals.data_sets import SAFETY_HELDOUT, describe

# The acceptance bar for the safety screen; `--check` turns it into an exit status.
SAFETY_MIN_RECALL = 0.97
SAFETY_MAX_FPR = 0.08


def register(subparsers: argparse._SubParsersAction) -> None:
    evaluate = subparsers.add_parser("eval", help="run an evaluation suite from evals/")
    suites = evaluate.add_subparsers(dest="eval_command", metavar="SUITE", required=True)
    _register_safety(suites)
    from closer.cli.eval_suite import register_suite

    register_suite(suites)  # scenarios, retrieval, all, compare
    from closer.cli.eval_language import register as register_language

    register_language(suites)  # dialogues, reading
    from closer.cli.eval_pairs import register as register_pairs

    register_pairs(suites)  # pairs build, pairs score


def _register_safety(suites: argparse._SubParsersAction) -> None:
    safety = suites.add_parser(
        "safety",
        help="score the safety screen on a labelled JSONL set",
        description="Screen every row of FILE ({text, expect, category}) and report precision, "
        "recall, false-positive rate and recall per category.",
    )
    safety.add_argument(
        "file",
        nargs="?",
        default=str(SAFETY_HELDOUT),
        metavar="FILE",
        help="JSONL rows (default: the held-out set, evals/data/heldout/safety_realistic.jsonl)",
    )
    safety.add_argument(
        "--json", action="store_true", help="one JSON object per row, then the summary"
    )
    safety.add_argument(
        "--patterns-only",
        action="store_true",
        help="skip the semantic layer (default: use it when the embedder loads)",
    )
    safety.add_argument(
        "--check",
        action="store_true",
        help=f"exit 1 unless recall >= {SAFETY_MIN_RECALL} and FPR <= {SAFETY_MAX_FPR}",
    )
    safety.set_defaults(handler=run_safety)


def _safety_embedder(args: argparse.Namespace):  # -> Embedder | None
    if args.patterns_only:
        return None
    try:
        from assistant.retrieval.embeddings import get_embedder
        from assistant.safety.semantic import index_for

        settings = settings_from(args)
        embedder = get_embedder(settings)
        index_for(embedder, settings.embeddings_dir)  # reuse the examples' saved vectors
        return embedder
    except Exception as error:  # the pattern layer alone is still a complete screen
        print(
            f"closer: semantic layer off ({error}); screening with patterns only.",
            file=sys.stderr,
        )
        return None


def run_safety(args: argparse.Namespace) -> int:
    from evals.safety import EvalDataError, run_safety_eval

    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"eval file {args.file!r} not found; give a JSONL file of labelled rows.")
    embedder = _safety_embedder(args)
    try:
        cache_dir = settings_from(args).embeddings_dir if embedder else None
        results = list(run_safety_eval(path, embedder=embedder, cache_dir=cache_dir))
    except EvalDataError as error:
        raise UserError(str(error)) from error
    rows, summary = results[:-1], results[-1]
    # Which set was scored, and whether its figures measure anything (JSON mode keeps stdout
    # to JSON lines).
    print(f"scored {describe(path)}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        for item in results:
            print(json.dumps(item, ensure_ascii=False), flush=True)
    else:
        _print_table(rows, summary)
    passed = (
        summary["recall"] >= SAFETY_MIN_RECALL and summary["false_positive_rate"] <= SAFETY_MAX_FPR
    )
    return 1 if args.check and not passed else 0


def _print_table(rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    wrong = [row for row in rows if row["got"] != row["expect"]]
    print(f"{'expect':9} {'got':9} {'category':12} {'matched':28} text")
    for row in wrong:
        matched = ",".join(row["matched"])[:28]
        print(
            f"{row['expect']:9} {row['got']:9} {str(row['category']):12} {matched:28} "
            f"{row['text'][:70]}"
        )
    if not wrong:
        print("(every row as expected)")
    layer = "patterns + semantic" if summary.get("semantic") else "patterns only"
    counts = f"{summary['positives']} escalate, {summary['negatives']} continue"
    print(f"\n{summary['n']} rows ({counts}), {layer}")
    print(
        f"precision {summary['precision']:.3f}  recall {summary['recall']:.3f}  "
        f"false-positive rate {summary['false_positive_rate']:.3f}"
    )
    for name, value in summary["per_category_recall"].items():
        print(f"  recall {name:10} {value:.3f}")
