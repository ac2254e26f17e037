"""A scripted fake model for graph-logic tests: replies come from a list, in order.

A test double: it lives under ``tests/`` and is not registered as a model scheme for users.
Built with a list (or ``from_file`` on a JSON list).  Never the only proof that something
works.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from assistant.core.messages import GenerationOptions, ModelRequest


class ScriptedModel:
    name = "fake"

    def __init__(self, replies: Sequence[str]) -> None:
        self.replies = list(replies)
        self.requests: list[ModelRequest] = []

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedModel:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def stream(self, request: ModelRequest, options: GenerationOptions) -> Iterator[str]:
        self.requests.append(request)
        reply = self.replies[(len(self.requests) - 1) % len(self.replies)] if self.replies else ""
        for index in range(0, len(reply), 7):
            yield reply[index : index + 7]

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "backend": "fake", "detail": f"{len(self.replies)} replies"}


class SlowScriptedModel(ScriptedModel):
    """A scripted model whose stream stops after its first piece until ``release()``: a
    test knows a reply is streaming (``streaming`` is set) while it fires other calls."""

    name = "fake-slow"

    def __init__(self, replies: Sequence[str]) -> None:
        import threading

        super().__init__(replies)
        self.streaming = threading.Event()
        self._go = threading.Event()

    def release(self) -> None:
        self._go.set()

    def stream(self, request: ModelRequest, options: GenerationOptions) -> Iterator[str]:
        for index, piece in enumerate(super().stream(request, options)):
            yield piece
            if index == 0:
                self.streaming.set()
                if not self._go.wait(timeout=30):
                    raise TimeoutError("the test never released the slow model")
