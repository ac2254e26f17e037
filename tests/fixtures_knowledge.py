"""Fixtures for the knowledge-base tests (imported by those modules; conftest stays the lead's).

The MiniLM GGUF is converted once per session and one guidance index is built once; tests
that change an index work on their own copy of it.
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.config import Settings

__all__ = ["built_home", "kb_settings", "minilm_gguf", "network_guard", "no_network"]


@pytest.fixture(scope="session")
def minilm_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """all-MiniLM-L6-v2 converted to GGUF by our converter (once per session)."""
    from assistant.retrieval.embeddings import EmbeddingModelError, ensure_minilm_gguf

    try:
        with network_guard() as blocked:
            path = ensure_minilm_gguf(Settings(home=tmp_path_factory.mktemp("minilm-home")))
    except EmbeddingModelError as error:  # a missing install step must fail loudly, not skip
        pytest.fail(str(error))
    assert blocked == [], f"the conversion tried to reach the network: {blocked}"
    return path


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory, minilm_gguf: Path) -> Path:
    """A data dir whose guidance index has been built (once per session)."""
    from assistant.retrieval.index import KnowledgeBase

    home = tmp_path_factory.mktemp("built-home")
    with network_guard() as blocked:  # building the index must not touch the network
        KnowledgeBase(Settings(home=home, embedding_model=str(minilm_gguf))).ensure_index()
    assert blocked == [], f"index build tried to reach the network: {blocked}"
    return home


@pytest.fixture
def kb_settings(tmp_path: Path, built_home: Path, minilm_gguf: Path) -> Settings:
    """Settings for a private copy of the built index, so a test may change it freely."""
    home = tmp_path / "kb-home"
    shutil.copytree(built_home / "index", home / "index")
    return Settings(home=home, embedding_model=str(minilm_gguf))


def _is_loopback(host: object) -> bool:
    if host is None:  # getaddrinfo(None, port): a local bind address, no lookup
        return True
    if not isinstance(host, str):
        return False
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@contextmanager
def network_guard() -> Iterator[list[object]]:
    """Fail any non-loopback connection or name lookup; yields the attempts it blocked."""
    blocked: list[object] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def allowed(sock: socket.socket, address: object) -> bool:
        if sock.family == getattr(socket, "AF_UNIX", None):
            return True
        return isinstance(address, tuple) and _is_loopback(address[0])

    def connect(sock: socket.socket, address: object) -> None:
        if not allowed(sock, address):
            blocked.append(address)
            raise OSError(f"network access blocked in tests: {address!r}")
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: object) -> int:
        if not allowed(sock, address):
            blocked.append(address)
            raise OSError(f"network access blocked in tests: {address!r}")
        return real_connect_ex(sock, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if not _is_loopback(host.decode() if isinstance(host, bytes) else host):
            blocked.append(host)
            raise socket.gaierror(f"name lookup blocked in tests: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex = connect, connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    try:
        yield blocked
    finally:
        socket.socket.connect, socket.socket.connect_ex = real_connect, real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo  # type: ignore[assignment]


@pytest.fixture
def no_network() -> Iterator[list[object]]:
    with network_guard() as blocked:
        yield blocked
