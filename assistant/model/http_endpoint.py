"""An OpenAI-compatible chat endpoint (llama.cpp's server, Ollama, vLLM) as a ``ChatModel``.

Standard library only: ``urllib`` posts to ``/v1/chat/completions`` with ``stream: true``
and reads the server-sent events.  It talks to the URL the person gave and nothing else.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from assistant.core.messages import GenerationOptions, Message, ModelLoadError, ModelRequest
from assistant.model.context_budget import fit_to_budget
from assistant.model.reply_stream import ReplyStream

PROBE_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 120.0  # between bytes: a big prompt on a slow server takes a while to start
CHARS_PER_TOKEN = 3.5  # no tokenizer here: a cautious estimate for trimming history


def api_base(url: str) -> str:
    """``http://host:port`` or ``.../v1`` or ``.../v1/chat/completions`` -> ``.../v1``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ModelLoadError(
            f"--model-url {url!r} is not an http(s) URL; give the server's address, "
            "e.g. http://127.0.0.1:8000"
        )
    path = parts.path.rstrip("/").removesuffix("/chat/completions")
    if not path.endswith("/v1"):
        path += "/v1"
    return f"{parts.scheme}://{parts.netloc}{path}"


class HttpModel:
    """A chat model served over HTTP by an OpenAI-compatible server."""

    def __init__(self, url: str, settings: Any, *, probe: bool = True) -> None:
        self.url = url
        self.base = api_base(url)
        self.n_ctx = int(getattr(settings, "n_ctx", 4096) or 4096)
        self.server_model = "default"
        self.name = f"url:{self.base}"
        if probe:
            self.server_model = self._probe()

    def _probe(self) -> str:
        """Fail at start, with one clear line, when nothing answers at the URL."""
        try:
            with urllib.request.urlopen(f"{self.base}/models", timeout=PROBE_TIMEOUT_S) as reply:
                listing = json.loads(reply.read().decode("utf-8") or "{}")
        except urllib.error.HTTPError:
            return "default"  # it answers; some servers just have no /models
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise ModelLoadError(self._unreachable(error)) from None
        models = listing.get("data") or []
        return str(models[0].get("id", "default")) if models else "default"

    def _unreachable(self, error: Exception) -> str:
        reason = getattr(error, "reason", error)
        return (
            f"could not reach the model server at {self.base} ({reason}); start it "
            "(e.g. `python -m llama_cpp.server --model PATH`) or fix --model-url."
        )

    def describe(self) -> dict[str, object]:
        return {"backend": "http", "url": self.base, "server_model": self.server_model}

    def count_tokens(self, messages: Sequence[Message]) -> int:
        return int(sum(len(m["content"]) + 16 for m in messages) / CHARS_PER_TOKEN) + 1

    def fit_messages(
        self, messages: Sequence[Message], reserve_tokens: int = 256
    ) -> tuple[list[Message], str | None]:
        return fit_to_budget(messages, self.count_tokens, max(self.n_ctx - reserve_tokens, 1))

    def stream(self, request: ModelRequest, options: GenerationOptions) -> ReplyStream:
        messages, notice = self.fit_messages(request.messages, options.max_tokens)
        stream = ReplyStream(notice=notice)
        return stream.attach(self._events(messages, options, stream))

    def _body(self, messages: list[Message], options: GenerationOptions) -> bytes:
        body: dict[str, Any] = {
            "model": self.server_model,
            "messages": [dict(m) for m in messages],
            "stream": True,
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "top_p": options.top_p,
        }
        if options.seed is not None:
            body["seed"] = options.seed
        if options.stop:
            body["stop"] = list(options.stop)
        return json.dumps(body).encode("utf-8")

    def _events(
        self, messages: list[Message], options: GenerationOptions, out: ReplyStream
    ) -> Iterator[str]:
        post = urllib.request.Request(
            f"{self.base}/chat/completions",
            data=self._body(messages, options),
            headers={"Content-Type": "application/json", "Accept": "text/event-stream"},
            method="POST",
        )
        try:
            reply = urllib.request.urlopen(post, timeout=READ_TIMEOUT_S)
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:200]
            raise ModelLoadError(
                f"the model server at {self.base} refused the request (HTTP {error.code}: "
                f"{detail}); check --model-url and the server's log."
            ) from None
        except (urllib.error.URLError, OSError) as error:
            raise ModelLoadError(self._unreachable(error)) from None
        with reply:
            yield from _read_sse(reply, out)


def _read_sse(reply: Any, out: ReplyStream) -> Iterator[str]:
    """Text deltas from an OpenAI-style event stream; sets ``out.finish_reason``."""
    for raw in reply:
        line = raw.decode("utf-8", "replace").strip()
        if not line.startswith("data:"):
            continue  # blank separators, comments (": ping"), event names
        data = line[5:].strip()
        if data == "[DONE]":
            break
        try:
            event = json.loads(data)
        except ValueError:
            continue
        for choice in event.get("choices") or []:
            if choice.get("finish_reason"):
                out.finish_reason = choice["finish_reason"]
            text = (choice.get("delta") or {}).get("content") or choice.get("text") or ""
            if text:
                yield text

    # A stream that ended without a finish reason was cut by the server or the network.
    if out.finish_reason is None:
        out.finish_reason = "length"
