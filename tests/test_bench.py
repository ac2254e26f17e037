# ruff: noqa: F811  (pytest fixtures imported from tests.fixtures_gguf are parameters here)
"""``closer bench`` reports every figure it promises (the speed targets live in benchmarks/,
never in tests: here only the shape and sanity of the report are checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.runtime import SCRIPT, bench_model_file, run_bench
from graphs.timing import STAGES
from tests.conftest import run_closer
from tests.fixtures_gguf import tiny_gguf  # noqa: F401

pytestmark = pytest.mark.slow


def test_report_has_the_three_figures_and_raw_numbers(tiny_gguf: Path) -> None:
    report = run_bench(tiny_gguf, turns=3, pairs=2, repeats=1, overhead_turns=2)
    for key in ("decode_ratio", "turn8_over_turn1", "overhead_p50_ms"):
        assert report[key] > 0 and key in report["meets_targets"]
    assert report["assistant_decode_tps"] > 0 and report["raw_decode_tps"] > 0
    assert report["decode_pairs"] == 2 and len(report["assistant_runs_tps"]) == 2
    low, high = report["decode_ratio_quartiles"]
    assert low <= report["decode_ratio"] <= high
    assert len(report["turn_ms"]) == 3 and report["prompt_tokens"][2] > report["prompt_tokens"][0]
    switch = report["session_switch"]
    assert switch["with_cache_ms"] > 0 and switch["without_cache_ms"] > 0
    # Coming back to a conversation re-evaluates no more than continuing it would, and less
    # than without the saved-state cache (token counts do not depend on machine load).
    assert switch["with_cache_evaluated_tokens"] <= switch["no_switch_evaluated_tokens"] + 32
    assert switch["with_cache_evaluated_tokens"] < switch["without_cache_evaluated_tokens"]
    assert report["model"]["backend"] and report["model"]["architecture"] == "llama"
    assert report["first_words_ms"] > 0 and report["first_words_guided_ms"] > 0
    assert set(report["overhead_stages_p50_ms"]) == set(STAGES)
    assert report["screen_long_post_p50_ms"] > 0 and report["screen_long_post_patterns_p50_ms"] > 0


def test_guided_turn_embeds_once_and_long_posts_in_one_call() -> None:
    """Counts, not times: a guided turn makes one call into the embedding model for the
    message (screen, reader and retrieval share it), plus at most one per step the first
    time that step's own text is blended into a query (five steps); a long post at most one."""
    turns = 16
    report = run_bench(guided_only=True, overhead_turns=turns)
    assert "decode_ratio" not in report and report["meets_targets"] == {
        "overhead_p50_ms": report["overhead_p50_ms"] <= 30.0
    }
    assert report["overhead_embed_calls"] <= 1 + 5 / turns
    # One call a post; none for a post the patterns already call a crisis (nothing ranks
    # above it, so the learned and example layers do not run).
    assert 0 < report["screen_long_post_embed_calls"] <= 1.0


def test_cli_rejects_a_bad_model(tmp_path: Path, closer_home: Path) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_text("nope")
    done = run_closer("bench", "--model", str(bad), "--json", home=closer_home)
    assert done.returncode == 2 and "not a GGUF" in done.stderr and done.stdout == ""


def test_default_bench_model_is_about_150m(tmp_path: Path) -> None:
    from assistant.model.gguf_files import inspect_gguf

    info = inspect_gguf(bench_model_file(tmp_path))
    assert 140e6 < info["parameters"] < 170e6 and info["context_length"] == 4096
    assert len(SCRIPT) >= 8


def test_decode_rates_count_evaluated_tokens_from_the_first_eval() -> None:
    """Rates come from llama.cpp's eval calls, not from streamed pieces (released in bursts),
    and the recorder puts the model's own ``eval`` back afterwards."""
    from benchmarks.decode import _rate, recorded_evals

    class FakeLlama:
        def __init__(self) -> None:
            self.seen: list[int] = []

        def eval(self, tokens: list[int]) -> None:
            self.seen.extend(tokens)

    llm = FakeLlama()
    original = llm.eval
    with recorded_evals(llm) as calls:
        llm.eval([1, 2, 3])
        llm.eval([4])
    assert llm.seen == [1, 2, 3, 4] and llm.eval == original
    assert [count for _, count in calls] == [3, 1]
    start = calls[0][0]
    assert _rate(calls, start + 2.0) == pytest.approx(2.0)
    assert _rate(calls, None) == 0.0 and _rate([], start) == 0.0
