"""The safety screen on the real-text held-out sets (``evals/data/heldout/real/``).

    python -m evals.real [--out FILE.json] [--vectors DIR] [FILE.jsonl ...]

Per set: rows, risky rows, recall (escalate or check on a risky row), how many of those
escalated, and on risk-free rows the false escalate and false check rates.  ``--vectors``
keeps every embedded text's vector on disk (by content), so a second reading after a refit
does not embed the same sentences again on a slow machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from evals.safety import run_safety_eval

HELDOUT_REAL = Path(__file__).resolve().parent / "data" / "heldout" / "real"


class DiskCachedEmbedder:
    """Wraps an embedder; vectors are kept in one .npy per text hash under ``folder``."""

    def __init__(self, inner: Any, folder: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.inner, attribute)

    def _path(self, text: str) -> Path:
        digest = hashlib.sha256(f"{self.name}\0{text}".encode()).hexdigest()
        return self.folder / digest[:2] / f"{digest}.npy"

    def embed(self, texts: list[str]) -> list[list[float]]:
        found: dict[int, list[float]] = {}
        missing = []
        for i, text in enumerate(texts):
            path = self._path(text)
            if path.is_file():
                found[i] = np.load(path).tolist()
            else:
                missing.append(i)
        if missing:
            vectors = self.inner.embed([texts[i] for i in missing])
            for i, vector in zip(missing, vectors, strict=True):
                path = self._path(texts[i])
                path.parent.mkdir(exist_ok=True)
                np.save(path, np.asarray(vector, dtype=np.float32))
                found[i] = list(vector)
        return [found[i] for i in range(len(texts))]


def _share(rows: list[dict[str, Any]], holds: Callable[[dict[str, Any]], bool]) -> float | None:
    """The share of ``rows`` for which ``holds`` is true, to four places (None for no rows)."""
    return round(sum(holds(r) for r in rows) / len(rows), 4) if rows else None


def score_set(path: Path, embedder: Any, cache_dir: Path | None) -> dict[str, Any]:
    results = list(run_safety_eval(path, embedder=embedder, cache_dir=cache_dir))
    rows, summary = results[:-1], results[-1]
    risky = [r for r in rows if r["expect"] == "escalate"]
    safe = [r for r in rows if r["expect"] != "escalate"]
    return {
        "set": path.stem,
        "rows": len(rows),
        "risky": len(risky),
        "recall": _share(risky, lambda r: r["got"] == "escalate"),
        "escalated": _share(risky, lambda r: r["level"] == "escalate"),
        "risk_free": len(safe),
        "false_escalate": _share(safe, lambda r: r["level"] == "escalate"),
        "false_check": _share(safe, lambda r: r["level"] == "check"),
        "per_category_recall": summary["per_category_recall"],
        "misses": [r["text"][:160] for r in risky if r["got"] != "escalate"][:40],
        "false_alarms": [
            {"text": r["text"][:160], "level": r["level"], "matched": r["matched"]}
            for r in safe
            if r["got"] == "escalate"
        ][:60],
    }


def table(scores: list[dict[str, Any]]) -> str:
    def pct(value: float | None) -> str:
        return "–" if value is None else f"{100 * value:.1f} %"

    lines = [
        "| set | rows | risky | recall | of which escalated | risk-free "
        "| false escalate | false check |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in scores:
        lines.append(
            f"| {s['set']} | {s['rows']} | {s['risky']} | {pct(s['recall'])} | "
            f"{pct(s['escalated'])} | {s['risk_free']} | {pct(s['false_escalate'])} | "
            f"{pct(s['false_check'])} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.real")
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--vectors", type=Path, help="keep embedded vectors here (by content)")
    parser.add_argument("--patterns-only", action="store_true")
    args = parser.parse_args(argv)
    files = args.files or sorted(HELDOUT_REAL.glob("*.jsonl"))
    embedder = cache_dir = None
    if not args.patterns_only:
        import tempfile

        from assistant.config import Settings
        from assistant.retrieval.embeddings import get_embedder

        settings = Settings(home=Path(tempfile.mkdtemp()))
        embedder = get_embedder(settings)
        cache_dir = settings.embeddings_dir
        if args.vectors:
            embedder = DiskCachedEmbedder(embedder, args.vectors)
    scores = []
    for path in files:
        scores.append(score_set(path, embedder, cache_dir))
        print(f"{path.stem}: done", file=sys.stderr, flush=True)
    print(table(scores))
    if args.out:
        args.out.write_text(json.dumps(scores, indent=1, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
