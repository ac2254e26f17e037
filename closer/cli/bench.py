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
    bench.add_argument(
        "--guided-only",
        action="store_true",
        help="only what runs without a language model: turn overhead by stage, long posts",
    )
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
    result = run_bench(path, turns=args.turns, guided_only=args.guided_only)
    if args.json:
        print(json.dumps(result))
        return 0
    _print_guided(result)
    if args.guided_only:
        return 0
    for key in ("decode_ratio", "turn8_over_turn1"):
        verdict = "ok" if result["meets_targets"][key] else "MISSED"
        print(f"{key:<18} {result[key]:>8}   target {result['targets'][key]}  {verdict}")
    print(
        f"decode tokens/s    assistant {result['assistant_decode_tps']}, raw "
        f"{result['raw_decode_tps']} (median of {result['decode_pairs']} pairs; ratio "
        f"quartiles {result['decode_ratio_quartiles']})"
    )
    print(f"first words ms     model {result['first_words_ms']}")
    print(f"turn ms            {result['turn_ms']}")
    print(f"session switch     {result['session_switch']}")
    return 0


def _print_guided(result: dict) -> None:
    verdict = "ok" if result["meets_targets"]["overhead_p50_ms"] else "MISSED"
    target = result["targets"]["overhead_p50_ms"]
    print(f"{'overhead_p50_ms':<18} {result['overhead_p50_ms']:>8}   target {target}  {verdict}")
    stages = ", ".join(f"{k} {v}" for k, v in result["overhead_stages_p50_ms"].items())
    print(f"  stages p50 ms    {stages}; embed calls/turn {result['overhead_embed_calls']}")
    print(
        f"long post screen   {result['screen_long_post_p50_ms']} ms, patterns alone "
        f"{result['screen_long_post_patterns_p50_ms']} ms ({result['screen_long_post_chars']} "
        f"chars, {result['screen_long_post_texts']} texts embedded a post)"
    )
    print(f"first words ms     guided {result['first_words_guided_ms']}")
    print(f"machine            {result['machine']}")
