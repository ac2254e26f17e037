"""Shared fixtures: every test gets its own data dir; helpers to run the real CLI."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings
from tests.fixtures_gguf import no_template_gguf, outside_gguf, tiny_gguf  # noqa: F401

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def embedding_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The bundled MiniLM converted to GGUF once per test session (None if not installed)."""
    from assistant.retrieval.embeddings import EmbeddingModelError, ensure_minilm_gguf

    try:
        return ensure_minilm_gguf(Settings(home=tmp_path_factory.mktemp("embedding-home")))
    except EmbeddingModelError:
        return None


@pytest.fixture(autouse=True)
def closer_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedding_gguf: Path | None
) -> Path:
    """Point everything the app writes at this test's temp dir (the converted embedding
    model is shared, so each test doesn't convert it again)."""
    home = tmp_path / "home"
    monkeypatch.setenv("CLOSER_HOME", str(home))
    if embedding_gguf is not None:
        monkeypatch.setenv("CLOSER_EMBEDDING_MODEL", str(embedding_gguf))
    for var in ("CLOSER_MODEL", "CLOSER_MODEL_URL", "CLOSER_LOCALE"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture(scope="session")
def guidance_index(tmp_path_factory: pytest.TempPathFactory, embedding_gguf: Path | None) -> Path:
    """The guidance index, built once per test session (embedding every card is the slow
    part of a first start; tests of the build itself use their own empty dirs)."""
    from assistant.retrieval.index import KnowledgeBase

    home = tmp_path_factory.mktemp("index-home")
    model = str(embedding_gguf) if embedding_gguf else None
    KnowledgeBase(Settings(home=home, embedding_model=model)).ensure_index()
    return home / "index"


@pytest.fixture
def indexed_home(closer_home: Path, guidance_index: Path) -> Path:
    """This test's data dir with a copy of the session's guidance index already in it, so a
    real ``closer`` start skips the build (it checks the cards' content hash)."""
    closer_home.mkdir(parents=True, exist_ok=True)
    shutil.copytree(guidance_index, closer_home / "index")
    return closer_home


@pytest.fixture
def settings(closer_home: Path) -> Settings:
    return Settings(home=closer_home)


@pytest.fixture
def guided_services(settings: Settings) -> Iterator[object]:
    """Guided mode, the real pattern screen and store, no retrieval (fast graph tests)."""
    from assistant.coaching.guided import GuidedComposer
    from graphs.services import default_screener, open_services

    services = open_services(
        settings,
        model=GuidedComposer(),
        screener=default_screener(settings, semantic=False),
        retriever=None,
    )
    yield services
    services.store.close()


def run_closer(
    *args: str,
    home: Path,
    stdin: str | bytes | None = None,
    timeout: float = 300,
    env: dict[str, str] | None = None,
    process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run the real ``closer`` command: its ``main`` in this process (the same parser,
    handlers, output and exit code a person gets, without re-importing langgraph, chromadb
    and llama.cpp for every call), or, with ``process=True``, in a subprocess — for what only
    a real process shows (a kill, a native crash, the network a process opens)."""
    if process:
        return _run_subprocess(args, home, stdin, timeout, env)
    return _run_in_process(args, home, stdin, env)


def _run_in_process(
    args: tuple[str, ...], home: Path, stdin: str | bytes | None, env: dict[str, str] | None
) -> subprocess.CompletedProcess[str]:
    from closer.cli import main

    data = stdin if isinstance(stdin, bytes) else (stdin or "").encode("utf-8")
    saved_env, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
    saved_umask = os.umask(0o077)  # main() sets it too; put the test's back afterwards
    os.environ.update({"CLOSER_HOME": str(home), **(env or {})})
    out, err = io.StringIO(), io.StringIO()
    try:
        os.chdir(REPO)
        sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse errors and --help
                code = (
                    exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
                )
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.umask(saved_umask)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def _run_subprocess(
    args: tuple[str, ...],
    home: Path,
    stdin: str | bytes | None,
    timeout: float,
    env: dict[str, str] | None,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "CLOSER_HOME": str(home), "PYTHONUNBUFFERED": "1", **(env or {})}
    data = stdin.decode("utf-8", "replace") if isinstance(stdin, bytes) else stdin
    return subprocess.run(
        [sys.executable, "-m", "closer", *args],
        input=data,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=REPO,
    )


def json_rows(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]
