"""hit@k for the guidance retrieval, over the labelled queries in
``evals/data/dev/retrieval_queries.jsonl``.

A query is a hit at k when any of its expected card ids is among the top k results.
The evals suite calls :func:`score_retrieval`; :func:`load_rows` reads the labelled set.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from assistant.core.messages import Card
from evals.data_sets import RETRIEVAL_QUERIES

RETRIEVAL_SET = RETRIEVAL_QUERIES


class Searcher(Protocol):
    def search(self, query: str, stage: str | None = None, k: int = 3) -> list[Card]: ...


def load_rows(path: Path = RETRIEVAL_SET) -> list[dict[str, Any]]:
    """The labelled queries: ``{"query", "stage", "expect": [card ids]}`` per line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not row.get("query") or not row.get("expect"):
            raise ValueError(f"{path}:{number}: each row needs 'query' and 'expect'")
        rows.append(row)
    return rows


def score_retrieval(
    kb: Searcher, rows: Iterable[dict[str, Any]], k: int = 3, use_stage: bool = True
) -> dict[str, Any]:
    """hit@1, hit@k and per-query results (top ids with scores, first expected rank)."""
    results = []
    for row in rows:
        stage = row.get("stage") if use_stage else None
        found = kb.search(row["query"], stage=stage, k=k)
        ids = [card.id for card in found]
        expected = set(row["expect"])
        rank = next((i + 1 for i, card_id in enumerate(ids) if card_id in expected), None)
        results.append(
            {
                "query": row["query"],
                "stage": row.get("stage"),
                "expect": row["expect"],
                "top": [{"id": c.id, "score": c.score} for c in found],
                "rank": rank,
                "hit@1": rank == 1,
                f"hit@{k}": rank is not None,
            }
        )
    total = len(results) or 1
    return {
        "n": len(results),
        "k": k,
        "hit@1": round(sum(r["hit@1"] for r in results) / total, 4),
        f"hit@{k}": round(sum(r[f"hit@{k}"] for r in results) / total, 4),
        "results": results,
    }
