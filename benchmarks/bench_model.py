"""Runtime benchmark, same as ``closer bench --json``: prints one JSON object.

    python benchmarks/bench_model.py [--model PATH] [--turns 8]

With no model it writes a ~150 M-parameter random-weight llama GGUF (1024 dim, 12 layers) to
a temp dir.  Every figure is a ratio against a baseline measured in the same run (raw
llama-cpp-python ``create_completion``; turn 1), or a per-turn time without the model.
Targets: decode_ratio >= 0.95, turn8_over_turn1 <= 1.3, overhead_p50_ms <= 30.
"""

from __future__ import annotations

import sys

from closer.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", "--json", *sys.argv[1:]]))
