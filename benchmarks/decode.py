"""``decode_ratio`` for ``closer bench``: decode speed through the assistant ÷ raw llama-cpp-python.

How a rate is taken, on both sides alike: from the start of the first ``Llama.eval`` call of
the generation (the prompt is already cached, so that is one token) to the arrival of the
last streamed piece, divided into the number of tokens evaluated.  Counting streamed
*pieces* instead would mislead: llama-cpp-python holds back pieces (partial UTF-8, possible
stop strings) and releases them in bursts, so the first arrival wanders by several tokens.

This machine's speed drifts by ±10 % over seconds, so one pair of runs proves little: the
bench runs many pairs, alternating which side goes first (ABBA), and reports the median of
the pair ratios with its quartiles.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from assistant.core.events import ReplyDelta, ReplyReplaced
from assistant.core.messages import GenerationOptions
from graphs.runner import Conversation, Services


@contextmanager
def recorded_evals(llm: Any) -> Iterator[list[tuple[float, int]]]:
    """(start time, token count) of every ``llm.eval`` call made inside the block."""
    calls: list[tuple[float, int]] = []
    original = llm.eval

    def recording(tokens: Any) -> None:
        calls.append((time.perf_counter(), len(tokens)))
        original(tokens)

    llm.eval = recording
    try:
        yield calls
    finally:
        llm.eval = original


def _rate(calls: list[tuple[float, int]], last_arrival: float | None) -> float:
    if not calls or last_arrival is None or last_arrival <= calls[0][0]:
        return 0.0
    return sum(count for _, count in calls) / (last_arrival - calls[0][0])


def assistant_rate(services: Services, llm: Any, text: str) -> float:
    """Tokens/s as a consumer of ``Conversation.send`` sees them (graph, guard, streaming)."""
    last = None
    with recorded_evals(llm) as calls:
        for event in Conversation(services).send(text):
            # The gate may hold a draft back and replace it: the replacement arrives when
            # the model's last token has been read, so it ends the measurement just the same.
            if isinstance(event, ReplyDelta | ReplyReplaced):
                last = time.perf_counter()
    return _rate(calls, last)


def raw_rate(llm: Any, tokens: list[int], options: GenerationOptions, stop: list[str]) -> float:
    """The baseline: llama-cpp-python's own streaming ``create_completion``, same prompt
    tokens, sampling and stop strings.  It runs on a worker thread, as generation does inside
    the graph: with llama.cpp's spinning threads, which thread calls in matters on 2 cores."""
    last: list[float] = []

    def run() -> None:
        for chunk in llm.create_completion(
            tokens,
            max_tokens=options.max_tokens,
            temperature=options.temperature,
            top_p=options.top_p,
            repeat_penalty=options.repeat_penalty,
            seed=options.seed,
            stop=stop,
            stream=True,
        ):
            if chunk["choices"][0]["text"]:
                last[:] = [time.perf_counter()]

    with recorded_evals(llm) as calls:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    return _rate(calls, last[0] if last else None)


def measure_decode(services: Services, model: Any, text: str, pairs: int = 24) -> dict[str, Any]:
    """``pairs`` pairs of runs on one prompt, alternating order; the median of pair ratios."""
    runtime = model.runtime
    stop = [*services.options.stop, *runtime.stop]

    def raw() -> float:
        with runtime.lock:
            return raw_rate(runtime.llm, runtime.prompt_tokens_last(), services.options, stop)

    assistant_rate(services, runtime.llm, text)  # warm: load pages, fill the KV cache
    assistant, baseline = [], []
    for index in range(pairs):
        if index % 2 == 0:
            assistant.append(assistant_rate(services, runtime.llm, text))
            baseline.append(raw())
        else:
            baseline.append(raw())
            assistant.append(assistant_rate(services, runtime.llm, text))
    ratios = [a / r for a, r in zip(assistant, baseline, strict=True) if r > 0]
    quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    return {
        "decode_ratio": round(statistics.median(ratios), 3),
        "decode_ratio_quartiles": [round(q, 3) for q in (quartiles[0], quartiles[2])],
        "decode_pairs": len(ratios),
        "assistant_decode_tps": round(statistics.median(assistant), 1),
        "raw_decode_tps": round(statistics.median(baseline), 1),
        "assistant_runs_tps": [round(x, 1) for x in assistant],
        "raw_runs_tps": [round(x, 1) for x in baseline],
        "decode_tokens": services.options.max_tokens,
    }
