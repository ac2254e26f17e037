"""The page's credentials stay with the page: another program listening on 127.0.0.1 gets
no token and no cookie that opens it, the page cannot be framed, and the token leaves the
address bar after the first load.

A spy server on another 127.0.0.1 port (stopped at the end of the module) records every
header the browser sends it, after the page was opened and used in Chromium.
"""

from __future__ import annotations

import http.client
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.browser import (
    BROWSER_MARKS,
    LOADED,
    SETTLED,
    UiServer,
    open_browser,
    send,
    shared_home,
    user_texts,
)

pytestmark = BROWSER_MARKS


class Spy(http.server.ThreadingHTTPServer):
    """Listens on 127.0.0.1 only; keeps every request's headers; serves a page that tries
    to frame ``frame_url`` and to fetch it with the browser's credentials."""

    frame_url = ""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SpyHandler)
        self.seen: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class SpyHandler(http.server.BaseHTTPRequestHandler):
    server: Spy

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.seen.append(f"{self.requestline}\n{self.headers}")
        body = (
            "<!doctype html><title>spy</title>"
            f"<iframe id='victim' src='{self.server.frame_url}'></iframe>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UiServer]:
    ui = UiServer(shared_home(tmp_path_factory))
    ui.start()
    yield ui
    ui.stop()


@pytest.fixture(scope="module")
def spy() -> Iterator[Spy]:
    spy = Spy()
    thread = threading.Thread(target=spy.serve_forever, daemon=True)
    thread.start()
    yield spy
    spy.shutdown()
    spy.server_close()


def status_of(server: UiServer, path: str, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{server.port}", **headers})
        return connection.getresponse().status
    finally:
        connection.close()


def test_another_port_gets_nothing_that_opens_the_page(
    playwright: Any, server: UiServer, spy: Spy, tmp_path: Path
) -> None:
    with open_browser(playwright, tmp_path / "person", server.url) as (context, requests):
        page = context.new_page()
        page.goto(server.address)
        page.wait_for_selector(LOADED, timeout=60_000)
        page.wait_for_selector(SETTLED, timeout=60_000)
        assert server.token not in page.url and "token" not in page.url  # out of the bar
        base = page.url.removeprefix(server.url.rstrip("/")).rstrip("/")
        assert len(base) > 20, page.url  # the page lives under its per-start path
        send(page, "a private word: Thimbleweed, said in the page")
        [cookie] = context.cookies()
        assert cookie["path"] == base and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert server.token not in cookie["value"]
        # Now the browser visits the other program, as any link or tab could make it do,
        # at its root and at the page's own path on that port.
        Spy.frame_url = page.url
        other = context.new_page()
        for path in ("/", "/anything", "/?token=x"):
            other.goto(spy.url + path)
        other.evaluate("fetch(location.origin + '/fetched', {credentials: 'include'})")
        other.wait_for_timeout(500)
        assert spy.seen, "the spy heard nothing"
        heard = "\n".join(spy.seen)
        assert server.token not in heard and cookie["value"] not in heard
        assert "closer-ui" not in heard
        # The page refused to be framed: nothing of it rendered inside the spy's page.
        frame = other.frame_locator("#victim")
        assert frame.locator("#closer-stage").count() == 0
        assert user_texts(page) == ["a private word: Thimbleweed, said in the page"]
        other.close()
        # The spy's own address was visited on purpose; anything else still fails the test.
        requests.urls[:] = [url for url in requests.urls if not url.startswith(spy.url)]
    assert all(server.token not in url for url in requests.urls[1:])  # only the first load


def test_every_answer_refuses_framing(server: UiServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        for path in ("/", server.address.split(str(server.port), 1)[1]):
            connection.request("GET", path, headers={"Host": f"127.0.0.1:{server.port}"})
            response = connection.getresponse()
            response.read()
            assert response.getheader("x-frame-options") == "DENY", path
            assert "frame-ancestors 'none'" in response.getheader("content-security-policy")
    finally:
        connection.close()


def test_the_cookie_opens_nothing_outside_the_page_path(server: UiServer) -> None:
    """What a replay of the cookie could reach: only the per-start path, never the root."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request(
            "GET",
            server.address.split(str(server.port), 1)[1],
            headers={"Host": f"127.0.0.1:{server.port}"},
        )
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 200  # a page of ours that moves the browser on
    cookie, *attributes = response.getheader("set-cookie").split("; ")
    [base] = [item.split("=", 1)[1] for item in attributes if item.startswith("Path=")]
    assert status_of(server, base + "/config", {"Cookie": cookie}) == 200
    for path in ("/", "/config", "/gradio_api/info"):
        assert status_of(server, path, {"Cookie": cookie}) == 401, path
    assert status_of(server, base + "/config", {}) == 401  # the path alone is not enough
