"""Shared fixtures: every test gets its own data dir; helpers to run the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Settings

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def closer_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point everything the app writes at this test's temp dir."""
    home = tmp_path / "home"
    monkeypatch.setenv("CLOSER_HOME", str(home))
    for var in ("CLOSER_MODEL", "CLOSER_MODEL_URL", "CLOSER_LOCALE"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def settings(closer_home: Path) -> Settings:
    return Settings(home=closer_home)


@pytest.fixture
def guided_services(settings: Settings) -> Iterator[object]:
    """Guided mode, the real pattern screen and store, no retrieval (fast graph tests)."""
    from assistant.composer import GuidedComposer
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
) -> subprocess.CompletedProcess[str]:
    """Run the real ``closer`` command in a subprocess, as a person would."""
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
