"""A model's stream read on a thread of its own, so the reply node can keep time.

llama.cpp evaluates the whole prompt before its first token, and on two busy cores that
took 10-30 s with SmolLM2: a deadline read only as pieces arrive could not cut it.  Here the
node waits on a queue with a timeout instead; when it gives up (the person stopped the
reply, or the draft ran out of time) the reading thread closes the stream at its next piece.
A generator can only be closed by the thread running it, so the reader owns it to the end.

The reader is not a daemon: an abandoned draft can still be inside llama.cpp (reading its
prompt) when the conversation ends, and a process that tore down the interpreter under it
crashed (SIGSEGV).  Python joins it at exit instead; it ends at its next piece.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

_END = object()


class Pieces:
    """``get(timeout)`` the model's next piece; None at the end; raises ``queue.Empty`` on
    timeout and re-raises the model's error.  ``abandon()`` ends generation."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self._queue: queue.Queue[Any] = queue.Queue()
        self._abandoned = threading.Event()
        self.done = threading.Event()  # the stream is closed: generation has stopped
        threading.Thread(target=self._read, name="closer-model-stream", daemon=False).start()

    def _read(self) -> None:
        try:
            for piece in self.stream:
                if self._abandoned.is_set():
                    break
                self._queue.put(piece)
        except Exception as error:  # handed to the node, which falls back to the guided reply
            self._queue.put(error)
        finally:
            try:
                getattr(self.stream, "close", lambda: None)()  # generation stops here
            finally:
                self.done.set()
                self._queue.put(_END)

    def get(self, timeout: float | None) -> str | None:
        item = self._queue.get(timeout=timeout)
        if item is _END:
            return None
        if isinstance(item, Exception):
            raise item
        return str(item)

    def abandon(self) -> None:
        self._abandoned.set()

    def __iter__(self) -> Iterator[str]:
        while (piece := self.get(None)) is not None:
            yield piece
