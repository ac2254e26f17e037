"""Fit the learned layers (reading signals, safety categories) and write them beside their
training data in ``knowledge/``, named by the content hash of that data and the embedder.

    python -m scripts.fit_learned

Run it after changing ``knowledge/reading/train.jsonl`` or any source that
``knowledge/safety/train.yaml`` names (a test fails while a shipped fit is stale).  The safety
rows are read from those sources here and at run time: no training file is stored twice.
Fitting embeds every example with the bundled MiniLM: a few minutes on two cores.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from assistant.config import Settings
from assistant.learned import FitSpec
from assistant.reading.reader import FIT_SPEC as READING
from assistant.retrieval.embeddings import get_embedder
from assistant.safety.classifier import FIT_SPEC as SAFETY


def write_fit(spec: FitSpec) -> Path:
    assert spec.shipped is not None
    embedder = get_embedder(Settings(home=Path(tempfile.mkdtemp())))
    path = spec.shipped / f"{spec.name}-{spec.digest(embedder.name)}.npz"
    spec.fit(embedder).save(path)
    for stale in spec.shipped.glob(f"{spec.name}-*.npz"):
        if stale != path:
            stale.unlink()
    return path


if __name__ == "__main__":
    for spec in (READING, SAFETY):
        print(f"wrote {write_fit(spec)}")
