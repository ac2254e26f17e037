"""Helpers for driving ``closer ui`` in Debian's headless Chromium with Playwright.

``UiServer`` runs the real command in a subprocess and reads the address it prints (with
the launch token): tests open that address, as a person would.  ``open_browser`` starts
Chromium with a fresh profile and records every request the page makes, so a test can fail
on any host other than the app's own.  ``open_app``, ``send`` and the readers below act on
the page as a person does.  The fixtures that use them are in ``tests/ui/conftest.py``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# What every test under tests/ui/ is marked with (tests/ui/conftest.py adds them).
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = REPO / "tests" / "artifacts"
LOCAL_SCHEMES = {"data", "blob", "about", "file"}
PRINTED_ADDRESS = re.compile(r"running at (http://127\.0\.0\.1:\d+/\?token=[\w.~-]+)")
# The page is loaded once the step bar knows its messages, and settled once the controls are
# enabled (the page has its conversation and its list).
LOADED = "#closer-stage nav:not([data-messages='-1'])"
SETTLED = "#closer-send:not([disabled])"
CURRENT = "#closer-stage [aria-current='step']"
TURN_TIMEOUT = 120_000


_SHARED: dict[str, Path] = {}


def shared_home(tmp_path_factory: Any) -> Path:
    """One data dir for every UI test module in this run, so the index is built once.

    ``CLOSER_UI_TEST_HOME`` names an existing data dir instead (a developer's shortcut).
    """
    if "home" not in _SHARED:
        reuse = os.environ.get("CLOSER_UI_TEST_HOME")
        _SHARED["home"] = Path(reuse) if reuse else tmp_path_factory.mktemp("ui") / "home"
    return _SHARED["home"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class UiServer:
    """``python -m closer ui`` on a port, with its own data dir; restartable on the same port."""

    def __init__(
        self,
        home: Path,
        port: int | None = None,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.home = home
        self.port = port or free_port()
        self.args = args
        self.env = dict(env or {})  # set for the command on top of a clean environment
        self.url = f"http://127.0.0.1:{self.port}/"  # the bare origin: no token
        self.log_path = home.parent / f"ui-server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        """The address this start printed: it carries the launch token."""
        found = PRINTED_ADDRESS.findall(self.output())
        if not found:
            raise AssertionError(f"closer ui printed no address:\n{self.output()}")
        return found[-1]  # the latest start's

    @property
    def token(self) -> str:
        return self.address.split("token=", 1)[1]

    def start(self, timeout: float = 900) -> None:
        env = {**os.environ, "CLOSER_HOME": str(self.home), "PYTHONUNBUFFERED": "1"}
        for var in ("CLOSER_MODEL", "CLOSER_MODEL_URL", "CLOSER_LOCALE", "CLOSER_UI_TOKEN"):
            env.pop(var, None)
        env.update(self.env)
        log = self.log_path.open("ab")
        self._log_start = len(self.output())  # a restart appends to the same log
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "closer",
                "ui",
                "--port",
                str(self.port),
                "--no-browser",
                *self.args,
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self._wait_until_up(timeout)

    def _wait_until_up(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"closer ui exited early:\n{self.output()}")
            if PRINTED_ADDRESS.search(self._this_start()) and self._answers():
                return
            time.sleep(0.5)
        raise TimeoutError(f"closer ui did not answer within {timeout}s:\n{self.output()}")

    def _this_start(self) -> str:
        return self.output()[self._log_start :]

    def _answers(self) -> bool:
        try:
            # The printed address sends a browser on to the page's path with a cookie; a
            # program says the token in a header instead.
            header = {"Authorization": f"token {self.token}"}
            ready = urllib.request.Request(self.url, headers=header)
            with urllib.request.urlopen(ready, timeout=5) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGINT)  # our own process group only
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def output(self) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class RequestLog:
    """Every URL the browser asked for, and the ones that left the app's origin."""

    origin: str
    urls: list[str] = field(default_factory=list)

    def record(self, url: str) -> None:
        self.urls.append(url)

    def foreign(self) -> list[str]:
        app = urlsplit(self.origin)
        outside = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES:
                continue
            if (parts.hostname, parts.port) != (app.hostname, app.port):
                outside.append(url)
        return outside


@contextlib.contextmanager
def open_browser(playwright: Any, profile: Path, origin: str) -> Iterator[tuple[Any, RequestLog]]:
    """A Chromium context with a fresh profile; yields (context, request log)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1366, "height": 768},
        accept_downloads=True,
    )
    requests = RequestLog(origin)
    context.on("request", lambda request: requests.record(request.url))
    context.on("websocket", lambda ws: requests.record(ws.url))
    try:
        yield context, requests
    finally:
        context.close()
    assert not requests.foreign(), f"requests left the machine: {requests.foreign()}"


def save_screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def watch_reply_lengths(page: Any) -> None:
    """Record the length of the last bot reply each time the chat changes (streaming proof)."""
    page.evaluate(
        """() => { window.replyLengths = [];
        new MutationObserver(() => {
          const bots = document.querySelectorAll('#closer-chat [data-testid=bot]');
          if (bots.length) window.replyLengths.push(bots[bots.length - 1].innerText.length);
        }).observe(document.querySelector('#closer-chat'),
                   {subtree: true, childList: true, characterData: true}); }"""
    )


def reply_lengths(page: Any) -> list[int]:
    """The distinct non-zero lengths the last reply had while it streamed, ascending."""
    return sorted({n for n in page.evaluate("window.replyLengths") if n > 0})


def open_app(context: Any, url: str) -> Any:
    """The page at ``url`` (with the token), loaded and ready for a message; every alert or
    confirm it tries to open is dismissed and kept in ``page.dialogs``."""
    page = context.pages[0] if context.pages else context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    page.wait_for_selector(LOADED, timeout=60_000)
    page.wait_for_selector(SETTLED, timeout=60_000)
    return page


def shown(page: Any) -> int:
    return int(page.get_attribute("#closer-stage nav", "data-messages"))


def send(page: Any, text: str, *, expect: int = 2) -> None:
    """Type and press Enter, then wait until the finished turn is on the page."""
    before = shown(page)
    page.fill("#closer-input textarea", text)
    page.press("#closer-input textarea", "Enter")
    page.wait_for_selector(
        f"#closer-stage nav[data-messages='{before + expect}']", timeout=TURN_TIMEOUT
    )


def current_step(page: Any) -> str:
    return page.inner_text(CURRENT).strip()


def bot_texts(page: Any) -> list[str]:
    return [el.inner_text() for el in page.query_selector_all("#closer-chat [data-testid=bot]")]


def user_texts(page: Any) -> list[str]:
    return [el.inner_text() for el in page.query_selector_all("#closer-chat [data-testid=user]")]
