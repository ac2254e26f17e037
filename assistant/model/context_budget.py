"""Fit a conversation into a model's context window: oldest exchanges out first, never an error.

The system prompt and the newest message always stay.  Whole earlier exchanges are left out
of the model's view (they stay saved), and the cut is rounded up to ``TRIM_BLOCK`` messages
so it moves only every few turns: between moves the prompt prefix is unchanged and the
llama.cpp KV cache keeps working (moving the cut every turn would re-evaluate the history
every turn).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assistant.core.messages import Message

TRIM_NOTICE = (
    "Earlier messages were left out of the model's view to fit its memory; they are still saved."
)
TRIM_BLOCK = 4  # messages (two exchanges) dropped at a time, for a stable prefix

CountTokens = Callable[[Sequence[Message]], int]


def fit_to_budget(
    messages: Sequence[Message], count_tokens: CountTokens, budget: int
) -> tuple[list[Message], str | None]:
    """``messages`` trimmed so ``count_tokens(result) <= budget``, and a notice if trimmed."""
    kept = list(messages)
    if not kept or count_tokens(kept) <= budget:
        return kept, None
    head = 0
    while head < len(kept) - 1 and kept[head]["role"] == "system":
        head += 1
    system, history, newest = kept[:head], kept[head:-1], kept[-1]

    drop = 0
    while drop < len(history) and count_tokens(system + history[drop:] + [newest]) > budget:
        drop = _next_exchange(history, drop)
    drop = min(_round_up(drop, TRIM_BLOCK), len(history))
    while drop < len(history) and history[drop]["role"] != "user":
        drop += 1  # never start the visible history with a reply
    fitted = system + history[drop:] + [newest]
    if count_tokens(fitted) > budget:
        fitted = _shorten_to_fit(system, newest, count_tokens, budget)
    return fitted, TRIM_NOTICE


def _next_exchange(history: list[Message], start: int) -> int:
    """Index after the exchange that begins at ``start`` (a user turn and its replies)."""
    index = start + 1
    while index < len(history) and history[index]["role"] != "user":
        index += 1
    return index


def _round_up(value: int, block: int) -> int:
    return -(-value // block) * block


def _shorten_to_fit(
    system: list[Message], newest: Message, count_tokens: CountTokens, budget: int
) -> list[Message]:
    """Only the system prompt and the newest message are left: cut text until they fit.

    The newest message keeps its end (the latest words matter most); the system prompt, if
    it alone is too long, keeps its beginning.  Character halving keeps this O(log n).
    """
    newest = dict(newest)  # type: ignore[assignment]
    text = newest["content"]
    keep = len(text)
    while keep > 0 and count_tokens(system + [{**newest, "content": text[-keep:]}]) > budget:
        keep //= 2
    newest["content"] = text[-keep:] if keep else ""
    fitted = system + [newest]
    while system and count_tokens(fitted) > budget and len(system[-1]["content"]) > 1:
        prompt = system[-1]["content"]
        system = system[:-1] + [{"role": "system", "content": prompt[: len(prompt) // 2]}]
        fitted = system + [newest]
    return fitted
