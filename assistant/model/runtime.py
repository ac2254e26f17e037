"""The shared llama.cpp state behind ``LlamaModel``: the ``Llama``, its lock, its chat template,
the backend facts and a prefix-state cache for switching between sessions.

llama_cpp is imported lazily (inside functions) so that a guided-mode start never loads it.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.messages import Message, ModelLoadError
from assistant.model.kernels import KernelChoice, choose_kernels, kernel_params

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
STATE_CACHE_BYTES = 512 << 20  # saved session states kept in RAM, least recently used out first
MIN_SWITCH_TOKENS = 16  # a saved state must spare at least this many tokens to be worth loading


def backend_facts(settings: Any) -> dict[str, Any]:
    """The backend llama.cpp would use here: CPU/CUDA/Metal/Vulkan/..., threads, offload."""
    import llama_cpp

    gpu = bool(llama_cpp.llama_supports_gpu_offload())
    info = llama_cpp.llama_print_system_info().decode("utf-8", "replace")
    backend = "CPU"
    if gpu:
        names: tuple[tuple[str, str], ...] = (
            ("CUDA", "CUDA"),
            ("Metal", "Metal"),
            ("MTL", "Metal"),
            ("Vulkan", "Vulkan"),
            ("HIP", "ROCm"),
            ("SYCL", "SYCL"),
            ("OpenCL", "OpenCL"),
        )
        backend = next((name for key, name in names if key in info), "GPU")
    threads = int(getattr(settings, "n_threads", None) or os.cpu_count() or 1)
    return {"backend": backend, "gpu_offload": gpu, "threads": threads}


class PrefixStates:
    """Saved llama.cpp states keyed by the tokens they hold; LRU within a byte budget."""

    def __init__(self, capacity_bytes: int = STATE_CACHE_BYTES) -> None:
        self.capacity_bytes = capacity_bytes
        self._states: OrderedDict[tuple[int, ...], Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self._states)

    def best(self, tokens: Sequence[int]) -> tuple[tuple[int, ...] | None, int]:
        """The saved key sharing the longest prefix with ``tokens``, and that length."""
        best_key, best_len = None, 0
        for key in self._states:
            shared = common_prefix(key, tokens)
            if shared > best_len:
                best_key, best_len = key, shared
        return best_key, best_len

    def take(self, key: tuple[int, ...]) -> Any:
        self._states.move_to_end(key)
        return self._states[key]

    def put(self, key: tuple[int, ...], state: Any) -> None:
        for old in [k for k in self._states if len(k) <= len(key) and key[: len(k)] == k]:
            del self._states[old]  # a longer state of the same conversation supersedes it
        self._states[key] = state
        while len(self._states) > 1 and self.size() > self.capacity_bytes:
            self._states.popitem(last=False)

    def size(self) -> int:
        """Bytes the saved states really hold: llama.cpp's state plus the logits and token
        arrays llama-cpp-python copies beside it."""
        return sum(state_bytes(state) for state in self._states.values())


def state_bytes(state: Any) -> int:
    arrays = (getattr(state, "scores", None), getattr(state, "input_ids", None))
    return int(state.llama_state_size) + sum(int(getattr(a, "nbytes", 0)) for a in arrays)


def compact_state(state: Any) -> Any:
    """``state`` with only the last row of logits kept.  llama-cpp-python saves one row per
    token in the context (n_tokens x n_vocab floats: 200 MB for 1,000 tokens of a 49k
    vocabulary), but without ``logits_all`` only the last row is ever read, and
    ``load_state`` broadcasts a single row back into place."""
    scores = getattr(state, "scores", None)
    if scores is not None and getattr(scores, "ndim", 0) == 2 and len(scores) > 1:
        state.scores = scores[-1:].copy()
    return state


_SEGMENT = re.compile("\u27e6closer-segment-([0-9]+)\u27e7")  # survives | trim


def chat_tokens(llm: Any, formatter: Any, messages: Sequence[Message]) -> list[int]:
    """``messages`` through the chat template, tokenized with the contents as plain text.

    Each content is swapped for a marker, the template is applied, and the prompt is cut at
    the markers: template text is tokenized with special tokens parsed, contents without."""
    listed: list[dict[str, str]] = [{"role": m["role"], "content": m["content"]} for m in messages]
    try:
        rendered = formatter(messages=[_marked(m, i) for i, m in enumerate(listed)])
    except Exception:  # templates that refuse a system turn after a user turn (Gemma, ...)
        listed = merge_trailing_system(listed)
        rendered = formatter(messages=[_marked(m, i) for i, m in enumerate(listed)])
    parts = _SEGMENT.split(rendered.prompt)
    if parts[1::2] != [str(i) for i in range(len(listed))]:
        raise ModelLoadError("this chat template rewrites message text; Closer cannot use it")
    tokens: list[int] = []
    for index, part in enumerate(parts):
        if not part:
            continue
        if index % 2:  # a message's content: plain text, whatever it says
            text, special = listed[int(part)]["content"].strip(), False
        else:
            text, special = part, True
        add_bos = not tokens and not rendered.added_special  # BOS, if the model wants one
        tokens.extend(llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=special))
    return tokens


def _marked(message: dict[str, str], index: int) -> dict[str, str]:
    return {**message, "content": f"\u27e6closer-segment-{index}\u27e7"}


def merge_trailing_system(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """A system message after the newest user message, folded into that user message."""
    if len(messages) >= 2 and messages[-1]["role"] == "system" and messages[-2]["role"] == "user":
        merged = f"{messages[-2]['content']}\n\n{messages[-1]['content']}"
        return [*messages[:-2], {"role": "user", "content": merged}]
    return messages


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


@dataclass
class LlamaRuntime:
    llm: Any
    path: Path
    template_source: str
    formatter: Any
    history_formatter: Any  # the same template without the generation prompt
    stop: list[str]
    backend: dict[str, Any]
    n_layers: int
    kernels: KernelChoice = field(default_factory=lambda: KernelChoice(True, ""))
    lock: threading.Lock = field(default_factory=threading.Lock)
    states: PrefixStates = field(default_factory=PrefixStates)
    state_cache: bool = True  # off only to measure what it saves (closer bench)
    last_history_len: int = 0  # tokens before the newest message in the last prompt
    state_loads: int = 0
    state_saves: int = 0
    _last_prompt: tuple[tuple[tuple[str, str], ...], list[int]] | None = None

    @property
    def n_ctx(self) -> int:
        return int(self.llm.n_ctx())

    def prompt_tokens(self, messages: Sequence[Message]) -> list[int]:
        """The chat template applied to ``messages``, tokenized: the template's own text with
        its special tokens, every message's content as plain text (``special=False``), so a
        typed ``<|im_start|>`` stays characters and cannot open a turn of its own.

        The last answer is remembered: a turn asks for the same prompt up to three times
        (fit, stream, generate)."""
        key = tuple((m["role"], m["content"]) for m in messages)
        cached = self._last_prompt
        if cached is not None and cached[0] == key:
            return list(cached[1])
        tokens = chat_tokens(self.llm, self.formatter, messages)
        self._last_prompt = (key, tokens)
        return list(tokens)

    def history_length(self, messages: Sequence[Message], tokens: Sequence[int]) -> int:
        """How many of ``tokens`` come before the newest message (the conversation so far)."""
        if len(messages) < 2:
            return 0
        try:
            history = chat_tokens(self.llm, self.history_formatter, messages[:-1])
        except Exception:  # a template that insists on ending with a user turn
            return 0
        return common_prefix(history, tokens)

    def restore_prefix(self, tokens: Sequence[int]) -> None:
        """Before a generation (lock held): keep the live session's state if we are leaving
        it, and load a saved state if one covers more of ``tokens`` than the live context."""
        llm = self.llm
        if not self.state_cache:
            return
        live_tokens = llm.input_ids[: llm.n_tokens].tolist()
        live = common_prefix(live_tokens, tokens)
        # Continuing a conversation rewrites at most its newest message (the turn guide is
        # dropped from history); diverging before that means another conversation is taking
        # over the context: save the live one before it is overwritten.
        if live + MIN_SWITCH_TOKENS < self.last_history_len and len(live_tokens) > live:
            self.states.put(tuple(live_tokens), compact_state(llm.save_state()))
            self.state_saves += 1
        key, saved = self.states.best(tokens)
        if key is not None and saved > live + MIN_SWITCH_TOKENS:
            llm.load_state(self.states.take(key))
            self.state_loads += 1

    def finished(self, tokens: Sequence[int], history_len: int) -> None:
        self.last_history_len = history_len
        self._last_generated = list(tokens)

    def prompt_tokens_last(self) -> list[int]:
        """The prompt tokens of the last generation (for benchmarks and diagnostics)."""
        return list(getattr(self, "_last_generated", []))

    def facts(self) -> dict[str, object]:
        offloaded = self.n_layers + 1 if self.backend["gpu_offload"] else 0
        return {
            "backend": self.backend["backend"],
            "threads": self.backend["threads"],
            "layers_offloaded": f"{offloaded}/{self.n_layers + 1}",
            "n_ctx": self.n_ctx,
            "chat_template": self.template_source,
            "kernels": self.kernels.label,
        }


def load_runtime(path: Path, settings: Any) -> LlamaRuntime:
    """Load ``path`` into llama.cpp with the settings' context size and threads."""
    import llama_cpp
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    backend = backend_facts(settings)
    from assistant.model.gguf_files import inspect_gguf

    n_ctx = int(getattr(settings, "n_ctx", 4096) or 4096)
    trained = inspect_gguf(path)["context_length"]
    if isinstance(trained, int) and trained > 0:
        n_ctx = min(n_ctx, trained)  # past its trained length a model only degrades
    home = getattr(settings, "home", None)
    mode = str(getattr(settings, "kernels", "auto") or "auto")
    kernels = choose_kernels(path, home if isinstance(home, Path) else None, mode)
    try:
        with kernel_params(kernels.extra_bufts):
            llm = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=backend["threads"],
                n_threads_batch=backend["threads"],
                n_gpu_layers=-1 if backend["gpu_offload"] else 0,
                verbose=False,
            )
    except (ValueError, RuntimeError, OSError) as error:
        raise ModelLoadError(
            f"llama.cpp could not load {path} ({error}); the file may be damaged or made for "
            "a newer llama.cpp. Run `closer model pull` or pass --model PATH to another GGUF."
        ) from None
    metadata = llm.metadata
    template = metadata.get("tokenizer.chat_template")
    eos = _token_text(llm, llm.token_eos())
    formatters = [
        Jinja2ChatFormatter(
            template=template or CHATML_TEMPLATE,
            eos_token=eos,
            bos_token=_token_text(llm, llm.token_bos()),
            add_generation_prompt=generation_prompt,
        )
        for generation_prompt in (True, False)
    ]
    stop = [eos] if eos else []
    if not template:
        stop.append("<|im_end|>")
    arch = metadata.get("general.architecture", "")
    return LlamaRuntime(
        llm=llm,
        path=path,
        template_source="metadata" if template else "fallback (ChatML)",
        formatter=formatters[0],
        history_formatter=formatters[1],
        stop=stop,
        backend=backend,
        n_layers=int(metadata.get(f"{arch}.block_count", 0) or 0),
        kernels=kernels,
    )


def _token_text(llm: Any, token: int) -> str:
    if token < 0:
        return ""
    return llm._model.token_get_text(token)
