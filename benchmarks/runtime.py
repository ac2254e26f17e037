"""``closer bench``: the runtime's speed, measured against a baseline taken in the same run.

* ``decode_ratio``: decode tokens/s seen by a consumer of ``Conversation.send`` (graph, guard,
  streaming) ÷ decode tokens/s of raw llama-cpp-python ``create_completion`` on the same
  ``Llama``, prompt tokens, sampling and stop strings (see ``benchmarks.decode``).
* ``turn8_over_turn1``: wall time of turn 8 ÷ turn 1 of one conversation whose history grows
  (16 new tokens a turn): flat when prompts keep a stable prefix.
* ``overhead_p50_ms``: one whole turn in guided mode (no language model): safety screen,
  retrieval, graph and checkpoint; ``overhead_stages_p50_ms`` splits it (read, route,
  retrieve, compose, gate, save) and ``overhead_embed_calls`` counts the embedder's calls
  into llama.cpp per turn.
* ``screen_long_post_p50_ms``: the screen on a 2,000-character post, beside its pattern
  layer alone in the same run (``benchmarks.long_posts``).
* ``first_words_ms``: from sending a message to the first words shown, with the model (the
  gate releases whole checked sentences) and, as ``first_words_guided_ms``, in guided mode.
* ``session_switch``: a turn of conversation A after conversation B ran, with and without
  the saved-state cache.
Everything runs in a temporary data folder; nothing the person saved is touched.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.core.messages import ChatModel, GenerationOptions
from assistant.model.runtime import PrefixStates
from benchmarks.decode import measure_decode, recorded_evals
from graphs.runner import Conversation, Services

SCRIPT = (
    "my chest is tight, I keep rehearsing",
    "I breathed, I feel calmer",
    "I feel lonely, the story I'm telling myself is that I don't matter to him",
    "you never make time for me",
    "could we sit together ten minutes after dinner tonight, phones away?",
    "what if he says he is too tired tonight?",
    "okay, I think I can say it kindly",
    "thank you, I feel ready",
)
# A second, different conversation for the session-switch measurement.
OTHER_SCRIPT = (
    "I want to talk with my wife about how distant we feel lately",
    "my shoulders are tense and my jaw is tight",
    "I took three slow breaths, I'm a bit steadier now",
    "I feel hurt, the story I'm telling myself is that she is bored of me",
)
TARGETS = {"decode_ratio": 0.95, "turn8_over_turn1": 1.3, "overhead_p50_ms": 30.0}


def bench_model_file(folder: Path) -> Path:
    """The ~150 M-parameter random-weight llama (1024 dim, 12 layers) the bench runs by default."""
    from benchmarks.tiny_gguf import write_tiny_llama

    return write_tiny_llama(
        folder / "bench-150m.gguf", dim=1024, layers=12, heads=16, ctx=4096, seed=0
    )


def open_bench_services(settings: Settings, model: ChatModel, max_tokens: int) -> Services:
    from assistant.storage import Store
    from graphs.services import (
        default_embedder,
        default_reader,
        default_retriever,
        default_screener,
    )

    settings.ensure_home()
    embedder = default_embedder(settings)
    return Services(  # as ``open_services`` opens them, with the model given
        settings=settings,
        store=Store(settings.db_path),
        model=model,
        screener=default_screener(settings, embedder=embedder),
        reader=default_reader(settings, embedder=embedder),
        embedder=embedder,
        retriever=default_retriever(settings),
        options=GenerationOptions(max_tokens=max_tokens, temperature=0.8, seed=11),
    )


def timed_turn(conversation: Conversation, text: str) -> dict[str, float]:
    """Wall time of one turn."""
    start = time.perf_counter()
    for _ in conversation.send(text):
        pass
    return {"seconds": time.perf_counter() - start}


def _cold(runtime: Any) -> None:
    """Forget every cached token, so turn 1 pays for the whole prompt as in a fresh process."""
    runtime.llm.reset()
    runtime.states = PrefixStates(runtime.states.capacity_bytes)
    runtime.last_history_len = 0


def measure_turns(services: Services, model: Any, turns: int, repeats: int = 3) -> dict[str, Any]:
    """``repeats`` conversations of ``turns`` turns each, history growing; per-turn medians."""
    runs, prompt_tokens = [], []
    for _ in range(repeats):
        _cold(model.runtime)
        conversation = Conversation(services)
        seconds = []
        prompt_tokens = []
        for index in range(turns):
            seconds.append(timed_turn(conversation, SCRIPT[index % len(SCRIPT)])["seconds"])
            prompt_tokens.append(len(model.runtime.prompt_tokens_last()))
        runs.append(seconds)
    per_turn = [statistics.median(run[i] for run in runs) for i in range(turns)]
    return {
        "turn8_over_turn1": round(per_turn[-1] / per_turn[0], 3),
        "turn_ms": [round(s * 1000) for s in per_turn],
        "turn_ms_runs": [[round(s * 1000) for s in run] for run in runs],
        "prompt_tokens": prompt_tokens,
        "new_tokens_per_turn": services.options.max_tokens,
    }


def measure_overhead(settings: Settings, turns: int = 30) -> dict[str, Any]:
    """Whole turns in guided mode: everything but the language model.  The script repeats, so
    the message's cached vectors are dropped before each turn: every message costs its
    embedding, as a new message would (what stays cached, like each step's own text, would
    stay cached in a real conversation too)."""
    from assistant.coaching.guided import GuidedComposer
    from assistant.retrieval.embeddings import EmbeddingStats, get_embedder
    from graphs import timing

    services = open_bench_services(settings, GuidedComposer(), 200)
    embedder = get_embedder(settings)
    timed_turn(Conversation(services), SCRIPT[0])  # warm: embedder, index, graph
    samples: list[float] = []
    stages: dict[str, list[float]] = {stage: [] for stage in timing.STAGES}
    calls = EmbeddingStats.calls
    conversation = Conversation(services)
    for index in range(turns):
        if index % len(SCRIPT) == 0:
            conversation = Conversation(services)
        text = SCRIPT[index % len(SCRIPT)]
        if forget := getattr(embedder, "forget_recent", None):
            forget([text])
        timing.take()
        samples.append(timed_turn(conversation, text)["seconds"] * 1000)
        for stage, ms in _stage_ms(timing.take(), samples[-1]).items():
            stages[stage].append(ms)
    services.store.close()
    ordered = sorted(samples)
    return {
        "overhead_p50_ms": round(statistics.median(samples), 1),
        "overhead_p90_ms": round(ordered[int(len(ordered) * 0.9) - 1], 1),
        "overhead_turns": turns,
        "overhead_stages_p50_ms": {k: round(statistics.median(v), 1) for k, v in stages.items()},
        "overhead_embed_calls": round((EmbeddingStats.calls - calls) / turns, 2),
    }


def _stage_ms(seconds: dict[str, float], turn_ms: float) -> dict[str, float]:
    """One turn's stages in ms: the respond node's time less the gate's is ``compose``;
    whatever the turn cost outside the nodes is ``save``."""
    ms = {stage: seconds.get(stage, 0.0) * 1000 for stage in ("read", "route", "retrieve")}
    ms["gate"] = seconds.get("gate", 0.0) * 1000
    ms["compose"] = seconds.get("compose", 0.0) * 1000 - ms["gate"]
    ms["save"] = max(0.0, turn_ms - sum(ms.values()))
    return ms


def first_words_ms(services: Services, texts: tuple[str, ...] = SCRIPT[:4]) -> float:
    """Median time from sending a message to the first words the person sees (the first
    ``ReplyDelta``; with a model, the first sentence the gate let through, or the guided
    reply that replaced a rejected draft)."""
    from assistant.core.events import ReplyDelta, ReplyReplaced

    samples = []
    conversation = Conversation(services)
    for text in texts:
        start, first = time.perf_counter(), None
        for event in conversation.send(text):
            if first is None and isinstance(event, ReplyDelta | ReplyReplaced):
                first = time.perf_counter() - start
        samples.append((first if first is not None else time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)


def counted_turn(conversation: Conversation, text: str, llm: Any) -> tuple[int, int]:
    """(milliseconds, prompt tokens llama.cpp evaluated) for one turn: the token count is the
    load-independent figure; the time depends on what else the machine is doing."""
    with recorded_evals(llm) as calls:
        seconds = timed_turn(conversation, text)["seconds"]
    return round(seconds * 1000), sum(count for _, count in calls)


def measure_session_switch(services: Services, model: Any) -> dict[str, Any]:
    """Turn 5 of conversation A right after a different conversation B ran four turns,
    with the saved-state cache and without; and turn 5 of A with nothing in between."""
    runtime = model.runtime
    figures: dict[str, Any] = {}
    for label, cache_on, other in (
        ("with_cache", True, OTHER_SCRIPT),
        ("without_cache", False, OTHER_SCRIPT),
        ("no_switch", True, ()),
    ):
        _cold(runtime)
        runtime.state_cache = cache_on
        first, second = Conversation(services), Conversation(services)
        for text in SCRIPT[:4]:
            timed_turn(first, text)
        for text in other:
            timed_turn(second, text)
        ms, evaluated = counted_turn(first, SCRIPT[4], runtime.llm)
        figures[f"{label}_ms"] = ms
        figures[f"{label}_evaluated_tokens"] = evaluated
        if label == "with_cache":
            figures["saved_state_mb"] = round(runtime.states.size() / 1e6, 1)
    figures["prompt_tokens"] = len(runtime.prompt_tokens_last())
    runtime.state_cache = True
    return figures


def run_bench(
    model_path: Path | None = None,
    turns: int = 8,
    *,
    pairs: int = 24,
    repeats: int = 3,
    overhead_turns: int = 30,
    guided_only: bool = False,
) -> dict[str, Any]:
    """Every figure of ``closer bench``, as one dict (see the module docstring);
    ``guided_only`` measures what runs without a language model (a minute, not four)."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="closer-bench-") as folder:
        work = Path(folder)
        settings = Settings(home=work / "home", n_ctx=4096)
        result = _guided_figures(settings, overhead_turns)
        if not guided_only:
            result.update(_model_figures(settings, work, model_path, turns, pairs, repeats))
    result["machine"] = {
        "cpus": os.cpu_count(),
        "load_avg_start": round(load_before, 2),
        "load_avg_end": round(os.getloadavg()[0], 2),
    }
    result["targets"] = TARGETS
    result["meets_targets"] = {
        key: (result[key] >= target if key == "decode_ratio" else result[key] <= target)
        for key, target in TARGETS.items()
        if key in result
    }
    return result


def _guided_figures(settings: Settings, overhead_turns: int) -> dict[str, Any]:
    from assistant.coaching.guided import GuidedComposer
    from benchmarks.long_posts import measure_long_posts

    overhead = measure_overhead(settings, overhead_turns)
    guided_first = first_words_ms(open_bench_services(settings, GuidedComposer(), 200))
    return {
        "overhead_p50_ms": overhead["overhead_p50_ms"],
        "first_words_guided_ms": guided_first,
        **overhead,
        **measure_long_posts(settings),
    }


def _model_figures(
    settings: Settings, work: Path, model_path: Path | None, turns: int, pairs: int, repeats: int
) -> dict[str, Any]:
    from assistant.model.llama import LlamaModel

    started = time.perf_counter()
    path = model_path or bench_model_file(work)
    written_s = time.perf_counter() - started
    model = LlamaModel(path, settings)
    _cold(model.runtime)
    model_first = first_words_ms(open_bench_services(settings, model, 200))
    decode = measure_decode(open_bench_services(settings, model, 64), model, SCRIPT[0], pairs)
    services = open_bench_services(settings, model, 16)
    history = measure_turns(services, model, turns, repeats)
    switch = measure_session_switch(services, model)
    services.store.close()
    facts = model.describe()
    return {
        "decode_ratio": decode["decode_ratio"],
        "turn8_over_turn1": history["turn8_over_turn1"],
        "first_words_ms": model_first,
        **decode,
        **history,
        "session_switch": switch,
        "model": {**facts, "written_s": round(written_s, 1) if model_path is None else None},
    }
