"""No egress: a whole conversation (UI server, graph, retrieval, a real GGUF) stays on loopback.

The socket guard (tests/privacy_helpers.py) is injected into the server process itself with a
``sitecustomize.py``, so any outside connection or DNS lookup made anywhere in the app, by any
library, is recorded and fails the test.  The first tests prove the guard catches things.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.privacy_helpers import (
    EgressBlocked,
    EgressGuard,
    UiServer,
    describe_attempts,
    guard_env,
    guarded_pids,
    listening_addresses,
    read_attempts,
    run_tiny_chat,
    tiny_model,
)

OUTSIDE_IP = ("93.184.216.34", 80)  # any public address; the guard stops it before the wire


def test_guard_blocks_outside_connections_and_lookups_in_process() -> None:
    with EgressGuard() as guard:
        with pytest.raises(EgressBlocked):
            socket.create_connection(OUTSIDE_IP, timeout=1)
        with pytest.raises(EgressBlocked):
            socket.getaddrinfo("example.com", 443)
        with pytest.raises(EgressBlocked), socket.socket() as sock:
            sock.connect(OUTSIDE_IP)
        with pytest.raises(EgressBlocked), socket.socket(socket.AF_INET6) as sock:
            sock.connect_ex(("2606:2800:220:1::", 80, 0, 0))
        with pytest.raises((EgressBlocked, urllib.error.URLError)):
            urllib.request.urlopen("http://example.com/", timeout=1)
    kinds = [attempt["kind"] for attempt in guard.attempts]
    # urlopen's attempt is recorded too, although urllib wrapped the error in its own.
    assert kinds == [
        "create_connection",
        "getaddrinfo",
        "connect",
        "connect_ex",
        "create_connection",
    ]
    assert "install" not in socket.getaddrinfo.__qualname__  # the guard is gone again


def test_guard_lets_loopback_through() -> None:
    with socket.socket() as listener, EgressGuard() as guard:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname(), timeout=5):
            pass
        socket.getaddrinfo("localhost", 80)
    assert guard.attempts == []


def test_guard_in_a_subprocess_records_even_swallowed_attempts(tmp_path: Path) -> None:
    env, log = guard_env(tmp_path / "guard")
    code = (
        "import socket\n"
        "try:\n    socket.getaddrinfo('example.com', 443)\nexcept OSError:\n    pass\n"
        "try:\n    socket.create_connection(('93.184.216.34', 80), timeout=1)\n"
        "except OSError:\n    pass\n"
        "print('survived')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "survived", result.stderr
    assert [a["kind"] for a in read_attempts(log)] == ["getaddrinfo", "create_connection"]


def test_batch_conversation_with_retrieval_and_gguf_stays_local(
    tmp_path: Path, indexed_home: Path
) -> None:
    closer_home = indexed_home
    env, log = guard_env(tmp_path / "guard")
    _, rows = run_tiny_chat(closer_home, tmp_path / "script.txt", env=env)
    assert len(rows) == 2
    assert rows[0]["model"].startswith("gguf:"), rows[0]  # the real llama.cpp path ran
    assert any(row["sources"] for row in rows)  # retrieval ran
    assert guarded_pids(log), "the guard was not installed in the closer process"
    attempts = read_attempts(log)
    assert attempts == [], describe_attempts(attempts)


@pytest.mark.slow
def test_ui_conversation_with_retrieval_and_gguf_stays_local(
    tmp_path: Path, indexed_home: Path
) -> None:
    closer_home = indexed_home
    env, log = guard_env(tmp_path / "guard")
    with UiServer(closer_home, tiny_model(), tmp_path / "server.log", env) as server:
        assert server.pid in guarded_pids(log), "the guard is not installed in the server"
        assert listening_addresses(server.pid) == [f"127.0.0.1:{server.url.rsplit(':', 1)[1]}"]
        with server.open("/") as page:
            assert page.status == 200
        thread, outputs, streamed = server.turn("my chest is tight, I keep rehearsing")
        assert len([s for s in streamed if s]) > 1, "the reply should stream in pieces"
        assert "closer-source" in str(outputs) or "sources" in str(outputs).lower()
        thread_again, _, _ = server.turn("I breathed, I feel calmer now", thread)
        assert thread_again == thread
        shown = str(server.load(thread))
        assert "rehearsing" in shown and "calmer" in shown
        assert "Traceback" not in server.log_text()
    attempts = read_attempts(log)
    assert attempts == [], describe_attempts(attempts)


def test_chroma_telemetry_is_off_by_configuration(settings) -> None:  # noqa: ANN001
    from assistant.retrieval.index import KnowledgeBase

    knowledge = KnowledgeBase(settings, embedder=object())  # type: ignore[arg-type]
    assert knowledge.client.get_settings().anonymized_telemetry is False


def test_gradio_analytics_are_off_by_configuration(
    guided_services,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    # Start from the opposite, so the app's own configuration is what turns them off.
    for name, value in (
        ("GRADIO_ANALYTICS_ENABLED", "True"),
        ("HF_HUB_OFFLINE", "0"),
        ("GRADIO_SERVER_NAME", "0.0.0.0"),
    ):
        monkeypatch.setenv(name, value)
    from closer.ui import create_app

    demo = create_app(guided_services)
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["GRADIO_SERVER_NAME"] == "127.0.0.1"
    assert demo.analytics_enabled is False
    from gradio import analytics

    assert analytics.analytics_enabled() is False
