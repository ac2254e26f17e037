"""The safety screen on forum-length posts (2,000 characters), beside its pattern layer
alone measured on the same posts in the same run: the difference is the learned and example
layers, that is, embedding the post.  Posts come from the realistic dev set (dev data, never
a held-out set), padded with the next post to 2,000 characters when short."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from assistant.config import Settings
from evals.data_sets import DATA_DIR

POST_CHARS = 2000
DEV_POSTS = DATA_DIR / "dev" / "safety_realistic.jsonl"


def long_posts(count: int, chars: int = POST_CHARS, path: Path = DEV_POSTS) -> list[str]:
    from evals.safety import load_rows

    texts = [row["text"] for row in load_rows(path)]
    posts, current = [], ""
    for text in texts:
        current = f"{current} {text}".strip()
        if len(current) >= chars:
            posts.append(current[:chars])
            current = ""
        if len(posts) == count:
            break
    return posts


def measure_long_posts(settings: Settings, count: int = 8) -> dict[str, Any]:
    """p50 of the whole screen and of the pattern layer alone, and the embedding work one
    post costs (calls into llama.cpp and texts embedded: load-independent figures)."""
    from assistant.retrieval.embeddings import EmbeddingStats, get_embedder
    from assistant.safety.screen import screen_patterns
    from graphs.services import default_screener

    embedder = get_embedder(settings)
    screener = default_screener(settings, embedder=embedder)
    screener("warm up: the layers' fits and example vectors")
    whole, patterns = [], []
    calls, texts = EmbeddingStats.calls, EmbeddingStats.texts
    posts = long_posts(count)
    for post in posts:
        if forget := getattr(embedder, "forget_recent", None):
            forget()  # each post pays for its own vectors, as a new post would
        start = time.perf_counter()
        screener(post)
        whole.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        screen_patterns(post)
        patterns.append((time.perf_counter() - start) * 1000)
    return {
        "screen_long_post_p50_ms": round(statistics.median(whole), 1),
        "screen_long_post_patterns_p50_ms": round(statistics.median(patterns), 1),
        "screen_long_post_embed_calls": round((EmbeddingStats.calls - calls) / len(posts), 2),
        "screen_long_post_texts": round((EmbeddingStats.texts - texts) / len(posts), 2),
        "screen_long_post_chars": POST_CHARS,
    }
