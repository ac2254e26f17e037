"""Retrieval benchmark: index build, cold vs warm start, and query latency.

Prints one JSON object.  "Cold" is a new process on an empty data dir (builds the index);
"warm" is a new process on the same dir afterwards (reuses it).  The ratio warm / cold is
what to watch; absolute numbers depend on the machine and its load.

    python benchmarks/bench_retrieval.py [--home DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

START_SCRIPT = """
import json, time
t0 = time.perf_counter()
from assistant.config import load_settings
from assistant.retrieval.embeddings import EmbeddingStats
from assistant.retrieval.index import KnowledgeBase
kb = KnowledgeBase(load_settings())
t1 = time.perf_counter()
built = kb.ensure_index()
t2 = time.perf_counter()
index_calls = EmbeddingStats.calls
kb.search("my chest gets tight whenever we argue", stage="regulation")
t3 = time.perf_counter()
print(json.dumps({"built": built, "index_embed_calls": index_calls, "import_s": t1 - t0,
                  "ensure_index_s": t2 - t1, "first_search_s": t3 - t2, "total_s": t3 - t0}))
"""


def start_process(home: Path) -> dict:
    env = {**os.environ, "CLOSER_HOME": str(home), "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", START_SCRIPT], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - started
    return result


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def query_latency(home: Path, repeat: int) -> dict:
    os.environ["CLOSER_HOME"] = str(home)
    from assistant.config import load_settings
    from assistant.retrieval.index import KnowledgeBase
    from evals.retrieval import load_rows, score_retrieval

    kb = KnowledgeBase(load_settings())
    kb.ensure_index()
    rows = load_rows()
    timings = []
    forget = getattr(kb.embedder, "forget_recent", None)
    for _ in range(repeat):
        for row in rows:
            if forget:  # each query pays for its embedding, as a new message would
                forget([row["query"]])
            started = time.perf_counter()
            kb.search(row["query"], stage=row.get("stage"), k=3)
            timings.append((time.perf_counter() - started) * 1000)
    scores = score_retrieval(kb, rows, k=3)
    return {
        "queries": len(rows),
        "repeat": repeat,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "hit@1": scores["hit@1"],
        "hit@3": scores["hit@3"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="data dir to use (default: a new temp dir)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the labelled queries")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="closer-bench-") as scratch:
        home = args.home or Path(scratch) / "home"
        cold = start_process(home)  # includes the one-time MiniLM conversion if not done yet
        warm = start_process(home)
        latency = query_latency(home, args.repeat)
        print(
            json.dumps(
                {
                    "cpu_count": os.cpu_count(),
                    "load_avg_1m": round(os.getloadavg()[0], 2),
                    "index_build_s": round(cold["ensure_index_s"], 3),
                    "cold_start_s": round(cold["wall_s"], 3),
                    "warm_start_s": round(warm["wall_s"], 3),
                    "warm_over_cold": round(warm["wall_s"] / cold["wall_s"], 3),
                    "warm_rebuilt_index": warm["built"],
                    "warm_index_embed_calls": warm["index_embed_calls"],
                    "cold": cold,
                    "warm": warm,
                    "retrieval": latency,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
