# ruff: noqa: F811  (pytest fixtures imported from tests.fixtures_gguf are parameters here)
"""The OpenAI-compatible HTTP backend against a real local llama.cpp server."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.core.messages import (
    ChatModel,
    GenerationOptions,
    ModelLoadError,
    ModelRequest,
    TurnBrief,
)
from assistant.model.http_endpoint import HttpModel, api_base
from tests.fixtures_gguf import tiny_gguf  # noqa: F401

BRIEF = TurnBrief(stage="naming", kind="naming.first", user_text="")
MESSAGES = [
    {"role": "system", "content": "You help people talk with their partner."},
    {
        "role": "user",
        "content": "I feel lonely, the story I'm telling myself is that I don't matter",
    },
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_llama_server(model: Path, port: int) -> subprocess.Popen[bytes]:
    """``python -m llama_cpp.server`` on 127.0.0.1, returned once it answers /v1/models."""
    pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python[server] not installed")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(server.stderr.read().decode()[-2000:] if server.stderr else "")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=1).close()
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("llama_cpp.server did not start in 90 s")


@pytest.fixture(scope="module")
def server_url(tiny_gguf: Path) -> Iterator[str]:
    port = free_port()
    server = start_llama_server(tiny_gguf, port)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def test_streams_a_chat_from_llama_cpp_server(server_url: str, settings: Settings) -> None:
    model = HttpModel(server_url, settings)
    assert isinstance(model, ChatModel)
    stream = model.stream(ModelRequest(MESSAGES, BRIEF), GenerationOptions(max_tokens=12, seed=4))
    pieces = list(stream)
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert stream.finish_reason == "length"  # random weights never say they are done
    assert model.describe() == {
        "backend": "http",
        "url": f"{server_url}/v1",
        "server_model": model.server_model,
    }


def test_same_seed_same_reply(server_url: str, settings: Settings) -> None:
    model = HttpModel(f"{server_url}/v1/", settings)
    options = GenerationOptions(max_tokens=8, temperature=0.0, seed=1)
    first = "".join(model.stream(ModelRequest(MESSAGES, BRIEF), options))
    assert first == "".join(model.stream(ModelRequest(MESSAGES, BRIEF), options))


def test_connection_refused_is_one_clear_error(settings: Settings) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ModelLoadError, match=f"could not reach the model server at {url}/v1"):
        HttpModel(url, settings)
    unprobed = HttpModel(url, settings, probe=False)
    with pytest.raises(ModelLoadError, match="Connection refused|could not reach"):
        list(unprobed.stream(ModelRequest(MESSAGES, BRIEF), GenerationOptions(max_tokens=4)))


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1"),
        ("http://localhost:11434/v1", "http://localhost:11434/v1"),
        ("https://gpu.box/v1/chat/completions", "https://gpu.box/v1"),
    ],
)
def test_api_base(given: str, base: str) -> None:
    assert api_base(given) == base


@pytest.mark.parametrize("bad", ["file:///etc/passwd", "127.0.0.1:8080", "ftp://x/v1"])
def test_only_http_urls(bad: str, settings: Settings) -> None:
    with pytest.raises(ModelLoadError, match="not an http"):
        HttpModel(bad, settings)
