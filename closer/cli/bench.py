"""``closer bench``: runtime speed against a raw llama-cpp-python baseline in the same run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from closer.cli import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    bench = subparsers.add_parser(
        "bench", help="measure decode speed, history growth and per-turn overhead"
    )
    bench.add_argument(
        "--model", metavar="PATH", help="a GGUF (default: a ~150 M random-weight llama)"
    )
    bench.add_argument("--turns", type=int, default=8, help="turns in the history test")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.set_defaults(handler=run_bench_command)


def run_bench_command(args: argparse.Namespace) -> int:
    from assistant.model.gguf_files import validate_gguf
    from benchmarks.runtime import run_bench

    if args.turns < 2:
        raise UserError("--turns must be at least 2.")
    path = None
    if args.model:
        path = Path(args.model).expanduser()
        validate_gguf(path)
    if not args.json:
        print("Measuring (about four minutes on two cores)...", flush=True)
    result = run_bench(path, turns=args.turns)
    if args.json:
        print(json.dumps(result))
        return 0
    for key in ("decode_ratio", "turn8_over_turn1", "overhead_p50_ms"):
        verdict = "ok" if result["meets_targets"][key] else "MISSED"
        print(f"{key:<18} {result[key]:>8}   target {result['targets'][key]}  {verdict}")
    print(
        f"decode tokens/s    assistant {result['assistant_decode_tps']}, raw "
        f"{result['raw_decode_tps']} (median of {result['decode_pairs']} pairs; ratio "
        f"quartiles {result['decode_ratio_quartiles']})"
    )
    print(
        f"first words ms     model {result['first_words_ms']}, guided "
        f"{result['first_words_guided_ms']}"
    )
    print(f"turn ms            {result['turn_ms']}")
    print(f"session switch     {result['session_switch']}")
    return 0
