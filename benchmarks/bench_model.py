"""Runtime benchmark, same as ``closer bench --json``: prints one JSON object.

    python -m benchmarks.bench_model [--model PATH] [--turns 8]

With no model it writes a ~150 M-parameter random-weight llama GGUF (1024 dim, 12 layers) to
a temp dir.  Every figure is a ratio against a baseline measured in the same run (raw
llama-cpp-python ``create_completion``; turn 1), or a per-turn time without the model.
Targets: decode_ratio >= 0.95, turn8_over_turn1 <= 1.3, overhead_p50_ms <= 30.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.runtime import run_bench

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--turns", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(run_bench(args.model, turns=args.turns)))
