"""What the pieces need of each other, as protocols: an embedder and a retriever."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from assistant.core.messages import Card
from assistant.core.perspective import Perspective


@runtime_checkable
class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> list[list[float]]: ...


class Retriever(Protocol):
    def search(
        self,
        query: str,
        stage: str | None = None,
        k: int = 3,
        *,
        context: str | None = None,
        perspective: Perspective = "self",
    ) -> list[Card]: ...
