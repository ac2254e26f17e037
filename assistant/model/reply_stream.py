"""A streamed reply that also tells how it ended, for the output guard."""

from __future__ import annotations

from collections.abc import Iterator


class ReplyStream(Iterator[str]):
    """Text chunks of one reply; after the last one, ``finish_reason`` is "stop" or "length".

    ``notice`` is set when the history had to be trimmed to fit the context window.
    Consumers that stop early should call ``close()`` (it releases the model at once).
    """

    def __init__(self, chunks: Iterator[str] | None = None, notice: str | None = None) -> None:
        self._chunks: Iterator[str] = chunks if chunks is not None else iter(())
        self.finish_reason: str | None = None
        self.notice = notice

    def attach(self, chunks: Iterator[str]) -> ReplyStream:
        self._chunks = chunks
        return self

    def __iter__(self) -> ReplyStream:
        return self

    def __next__(self) -> str:
        return next(self._chunks)

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close:
            close()

    @property
    def finished(self) -> bool:
        """False when the reply hit its token limit (it is cut off)."""
        return self.finish_reason != "length"
