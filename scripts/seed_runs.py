"""Hashes of the seed articles' 12-word runs, so the originality tests need no seed text.

The four seed articles are copyrighted and live outside the repository (``../shared/seeds``
beside a checkout).  The repository keeps only the sha256 of every lower-cased run of 12
words in them (``tests/data/seed_runs.sha256``, one hex digest a line, sorted): a card that
shares a run with a seed hashes to a line of that file, and no words can be read back from it.

    python -m scripts.seed_runs [SEEDS_DIR]     # rewrite tests/data/seed_runs.sha256

Run it when the seeds change; without SEEDS_DIR it reads ``../shared/seeds``.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO.parent / "shared" / "seeds"
HASHES = REPO / "tests" / "data" / "seed_runs.sha256"
RUN = 12
_WORD = re.compile(r"[a-z']+")


def words(text: str) -> list[str]:
    """Lower-cased words, curly apostrophes made straight (how the seeds and cards differ)."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return _WORD.findall(text)


def runs(text: str, n: int = RUN) -> list[str]:
    """Every run of ``n`` consecutive words, joined by single spaces."""
    tokens = words(text)
    return [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def run_hash(run: str) -> str:
    return hashlib.sha256(run.encode("utf-8")).hexdigest()


def hashes_of(texts: Iterable[str]) -> set[str]:
    return {run_hash(run) for text in texts for run in runs(text)}


def shared_runs(text: str, seed_hashes: set[str]) -> list[str]:
    """The runs of ``text`` (its own words) whose hash is a seed run's."""
    return sorted({run for run in runs(text) if run_hash(run) in seed_hashes})


def load_hashes(path: Path = HASHES) -> set[str]:
    return {line.strip() for line in path.read_text(encoding="ascii").splitlines() if line.strip()}


def seed_texts(folder: Path = SEEDS_DIR) -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))]


def write_hashes(folder: Path = SEEDS_DIR, out: Path = HASHES) -> int:
    texts = seed_texts(folder)
    if not texts:
        raise SystemExit(f"no seed articles (*.txt) under {folder}")
    digests = sorted(hashes_of(texts))
    out.write_text("".join(f"{digest}\n" for digest in digests), encoding="ascii")
    return len(digests)


if __name__ == "__main__":
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SEEDS_DIR
    print(f"wrote {write_hashes(source)} run hashes to {HASHES.relative_to(REPO)}")
