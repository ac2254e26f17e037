"""The llama.cpp model: a local GGUF file behind the ``ChatModel`` interface.

One ``Llama`` per process per file, shared by every session and guarded by one lock (a
llama.cpp context is not thread-safe).  The chat template comes from the GGUF metadata
(ChatML when there is none).  Prompts are tokenized here, so the runtime knows exactly which
tokens are in the KV cache: a session continuing its own conversation re-evaluates only the
new turn (llama-cpp-python's prefix match), and a session coming back after another one ran
gets its saved state back from ``PrefixStates`` instead of re-evaluating its whole history.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.core.messages import GenerationOptions, Message, ModelRequest
from assistant.model.context_budget import fit_to_budget
from assistant.model.gguf_files import validate_gguf
from assistant.model.reply_stream import ReplyStream
from assistant.model.runtime import LlamaRuntime, load_runtime

DEFAULT_RESERVE = 256  # tokens kept free for the reply when fitting history


_RUNTIMES: dict[str, LlamaRuntime] = {}
_RUNTIMES_LOCK = threading.Lock()


def shared_runtime(path: Path, settings: Any) -> LlamaRuntime:
    """The one runtime for ``path`` in this process, loaded on first use."""
    key = str(path.resolve())
    with _RUNTIMES_LOCK:
        if key not in _RUNTIMES:
            _RUNTIMES[key] = load_runtime(path, settings)
        return _RUNTIMES[key]


class LlamaModel:
    """A GGUF chat model run in-process by llama-cpp-python."""

    def __init__(self, path: str | Path, settings: Any) -> None:
        self.path = Path(path).expanduser()
        self.info = validate_gguf(self.path)
        self.runtime = shared_runtime(self.path, settings)
        self.name = f"gguf:{self.path.name}"

    @property
    def n_ctx(self) -> int:
        return self.runtime.n_ctx

    def count_tokens(self, messages: Sequence[Message]) -> int:
        return len(self.runtime.prompt_tokens(messages))

    def fit_messages(
        self, messages: Sequence[Message], reserve_tokens: int = DEFAULT_RESERVE
    ) -> tuple[list[Message], str | None]:
        """Messages that leave ``reserve_tokens`` free in the context, and a notice if trimmed."""
        budget = max(self.n_ctx - reserve_tokens, 1)
        return fit_to_budget(messages, self.count_tokens, budget)

    def stream(self, request: ModelRequest, options: GenerationOptions) -> ReplyStream:
        """Stream the reply; trims history itself if the caller did not (never an error)."""
        reserve = min(options.max_tokens, self.n_ctx // 2)
        messages, notice = self.fit_messages(request.messages, reserve)
        stream = ReplyStream(notice=notice)
        return stream.attach(self._generate(messages, options, stream))

    def _generate(
        self, messages: list[Message], options: GenerationOptions, out: ReplyStream
    ) -> Iterator[str]:
        runtime = self.runtime
        tokens = runtime.prompt_tokens(messages)
        history_len = runtime.history_length(messages, tokens)
        max_tokens = max(1, min(options.max_tokens, self.n_ctx - len(tokens)))
        with runtime.lock:  # held while streaming: one generation at a time per model
            runtime.restore_prefix(tokens)
            completion = runtime.llm.create_completion(
                tokens,
                max_tokens=max_tokens,
                temperature=options.temperature,
                top_p=options.top_p,
                repeat_penalty=options.repeat_penalty,
                seed=options.seed,
                stop=[*options.stop, *runtime.stop],
                stream=True,
            )
            try:
                for chunk in completion:
                    choice = chunk["choices"][0]
                    if choice.get("finish_reason"):
                        out.finish_reason = choice["finish_reason"]
                    if choice["text"]:
                        yield choice["text"]
            finally:
                completion.close()
                runtime.finished(tokens, history_len)

    def describe(self) -> dict[str, object]:
        facts = self.runtime.facts()
        facts.update(
            path=str(self.path),
            architecture=self.info["architecture"],
            parameters=self.info["parameters"],
            quantisation=self.info["quantisation"],
        )
        return facts
