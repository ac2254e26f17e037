"""Safety screen benchmark: milliseconds per message over the labelled dev set.

Prints one JSON object.  Baseline, measured in the same run over the same texts: one bare
``re.search`` of a single pattern per message, so ``ratio`` says how many bare regex
searches one screening costs (machine speed and load cancel out).  Target: patterns-only
p50 <= 5 ms per message.  The semantic layer (embedding each sentence with the offline
MiniLM) is reported separately, when the embedder loads.

    python benchmarks/bench_safety.py [--file FILE] [--repeat 3] [--patterns-only]

FILE defaults to evals/data/dev/safety_short_hard_negatives.jsonl.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.config import load_settings  # noqa: E402
from assistant.safety.patterns import load_rules  # noqa: E402
from assistant.safety.screen import screen  # noqa: E402
from evals.data_sets import SAFETY_DEV  # noqa: E402
from evals.safety import load_rows  # noqa: E402


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 4), "p95_ms": round(p95, 4)}


def _time_each(texts: list[str], fn: Callable[[str], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        for text in texts:
            start = time.perf_counter()
            fn(text)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def _embedder():  # -> Embedder | None
    try:
        from assistant.retrieval.embeddings import get_embedder

        return get_embedder(load_settings())
    except Exception as error:  # noqa: BLE001 -- report, don't fail, without the embedder
        print(f"semantic layer unavailable: {error}", file=sys.stderr)
        return None


def run(path: Path, repeat: int, semantic: bool = True) -> dict:
    texts = [row["text"] for row in load_rows(path)]
    start = time.perf_counter()
    load_rules()
    load_ms = (time.perf_counter() - start) * 1000
    baseline_re = re.compile(r"\b(?:he|she) (?:hit|hits) me\b")
    baseline = _percentiles(_time_each(texts, lambda t: baseline_re.search(t.casefold()), repeat))
    patterns = _percentiles(_time_each(texts, screen, repeat))
    result: dict = {
        "messages": len(texts),
        "repeat": repeat,
        "rules": len(load_rules().rules),
        "rules_load_ms": round(load_ms, 2),
        "baseline_re_search": baseline,
        "patterns": {**patterns, "ratio_p50": round(patterns["p50_ms"] / baseline["p50_ms"], 1)},
        "target_p50_ms": 5.0,
        "patterns_meet_target": patterns["p50_ms"] <= 5.0,
    }
    embedder = _embedder() if semantic else None
    if embedder is not None:
        start = time.perf_counter()
        screen("warm up the example index", embedder=embedder)
        index_ms = (time.perf_counter() - start) * 1000
        semantic = _percentiles(_time_each(texts, lambda t: screen(t, embedder=embedder), 1))
        result["semantic"] = {
            **semantic,
            "ratio_p50": round(semantic["p50_ms"] / baseline["p50_ms"], 1),
            "first_call_with_example_index_ms": round(index_ms, 1),
            "embedder": embedder.name,
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(SAFETY_DEV))
    parser.add_argument("--repeat", type=int, default=3, help="passes over the set (patterns)")
    parser.add_argument("--patterns-only", action="store_true", help="skip the semantic layer")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as home:
        import os

        os.environ.setdefault("CLOSER_HOME", home)
        print(
            json.dumps(run(Path(args.file), max(1, args.repeat), semantic=not args.patterns_only))
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
