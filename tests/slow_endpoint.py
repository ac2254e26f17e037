"""A slow OpenAI-compatible endpoint on 127.0.0.1, for tests that act while a reply streams.

``closer ui --model-url`` talks to it like to any local server: ``/v1/models`` and
``/v1/chat/completions`` with ``stream: true``.  Each reply comes a word at a time with a
pause between words, so a reply streams for a few seconds: long enough to click during it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLY = (
    "It sounds like your chest tightens when you think about raising this with your "
    "partner. That makes sense. What would help you feel a little steadier right now?"
)


@dataclass
class Endpoint:
    """The running endpoint: its URL, and how many replies are streaming right now."""

    url: str
    streaming: int = 0
    served: int = 0  # replies begun: numbers each reply, so no two replies share a sentence
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, change: int) -> None:
        with self.lock:
            self.streaming += change

    def wait_idle(self, timeout: float = 120) -> None:
        """Until no reply streams (a turn the app still runs would be asking for one)."""
        deadline = time.monotonic() + timeout
        while self.streaming and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.streaming == 0, "a reply was still streaming"


def handler(words: list[str], delay: float, endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:  # quiet in test output
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            body = json.dumps({"data": [{"id": "slow-test-model"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            endpoint.count(+1)
            with endpoint.lock:
                endpoint.served += 1
                number = endpoint.served
            reply = _listening_reply(body, number) or words
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for index, word in enumerate(reply):
                    self._event({"delta": {"content": word if index == 0 else " " + word}})
                    time.sleep(delay)
                self._event({"delta": {}, "finish_reason": "stop"})
                self.wfile.write(b"data: [DONE]\n\n")
            finally:
                endpoint.count(-1)

        def _event(self, choice: dict) -> None:
            payload = json.dumps({"choices": [{"index": 0, **choice}]})
            self.wfile.write(f"data: {payload}\n\n".encode())
            self.wfile.flush()

    return Handler


def _listening_reply(body: bytes, number: int) -> list[str]:
    """A reply that passes Closer's sentence gate, as a listening model's would: it takes up
    a few of the person's newest words, does the step's work (breath, body, pause), asks one
    question, and shares no run of eight words with an earlier reply (each sentence carries the
    reply's number in its middle)."""
    try:
        messages = json.loads(body)["messages"]
        said = next(m["content"] for m in reversed(messages) if m["role"] == "user")
    except (ValueError, KeyError, StopIteration):
        return []
    # A few of their words, not a run of them: the gate holds back a sentence that repeats
    # more than four consecutive words of the person.
    long_words = [w.strip(".,!?") for w in said.split() if len(w.strip(".,!?")) > 3]
    words = ", ".join(dict.fromkeys(long_words[:3])) or "this"
    text = (
        f"Breathe slowly with this: {words}, and pause. "
        f"Notice your feet now, turn {number}, and let them rest. "
        f"Let your shoulders drop, round {number}, as the breath slows. "
        f"What do you notice, step {number}, in your body now?"
    )
    return text.split()


@contextmanager
def slow_endpoint(delay: float = 0.25, reply: str = REPLY) -> Iterator[Endpoint]:
    """Serve the slow endpoint; its ``url`` is the base URL (``http://127.0.0.1:PORT/v1``)."""
    endpoint = Endpoint(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(reply.split(), delay, endpoint))
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
