"""Who can reach a running ``closer ui``: only the holder of the launch token (issue 18).

A real server (subprocess), started with a fixed token as someone who bookmarks would set
it; plain HTTP for what a process or a website could send, and headless Chromium for what a
person does: open the printed address, or the page file the browser is opened on.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any

import pytest

from closer.ui.server import write_opener
from tests.ui.browser import LOADED, UiServer, open_browser, send, user_texts

FIXED_TOKEN = "bookmarked-page-token-0123456789"
PRIVATE = "only the token holder hears about the green umbrella"
ATTACKER = "http://attacker.example"
JSON = {"Content-Type": "application/json"}
NO_TOKEN_PATHS = (
    "/",
    "/config",
    "/gradio_api/info",
    "/gradio_api/queue/data?session_hash=x",
    "/theme.css",
    "/favicon.ico",
)


@pytest.fixture(scope="module")
def server_options() -> dict[str, Any]:
    return {"env": {"CLOSER_UI_TOKEN": FIXED_TOKEN}}  # a bookmarked page's fixed token


@pytest.fixture(scope="module")
def conversation(playwright: Any, server: UiServer, tmp_path_factory: Any) -> str:
    """A saved conversation with PRIVATE in it, made in the page; its thread id."""
    with open_browser(playwright, tmp_path_factory.mktemp("owner"), server.url) as (context, _):
        page = context.new_page()
        page.goto(server.address)
        page.wait_for_selector(LOADED, timeout=60_000)
        send(page, PRIVATE)
        return page.get_attribute("#closer-stage nav", "data-session")


def request(
    server: UiServer, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, str]:
    """One raw request to the server (any Host header); (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


def own_host(server: UiServer) -> dict[str, str]:
    return {"Host": f"127.0.0.1:{server.port}"}


def authorised(server: UiServer) -> dict[str, str]:
    return {**own_host(server), "Authorization": f"token {server.token}"}


def test_the_printed_address_carries_the_fixed_token(server: UiServer) -> None:
    assert server.address == f"http://127.0.0.1:{server.port}/?token={FIXED_TOKEN}"
    assert "This address stays the same" in server.output()


def test_requests_without_the_token_get_nothing(server: UiServer, conversation: str) -> None:
    secret = (server.home / "ui-secret").read_text(encoding="utf-8").strip()
    file_path = f"/plan/{conversation}.md"  # the plan, rendered when downloaded
    status, text = request(server, "GET", file_path, authorised(server))
    assert status == 200 and "# My plan" in text  # the file is there for the token holder
    status, config = request(server, "GET", "/config", authorised(server))
    assert status == 200 and secret in config  # the page itself needs the key
    for path in (*NO_TOKEN_PATHS, file_path):
        status, text = request(server, "GET", path, own_host(server))
        assert status == 401, (path, status)
        assert PRIVATE not in text and secret not in text and conversation not in text
        assert "page token" in text
    load = json.dumps({"data": [""]}).encode()
    status, text = request(
        server, "POST", "/gradio_api/call/on_load", {**own_host(server), **JSON}, load
    )
    assert status == 401 and PRIVATE not in text


def test_a_foreign_host_gets_4xx_even_with_the_token(server: UiServer) -> None:
    for host in ("attacker.example", f"attacker.example:{server.port}", "127.0.0.1"):
        headers = {**authorised(server), "Host": host}
        status, text = request(server, "GET", "/config", headers)
        assert 400 <= status < 500 and "secret" not in text, (host, status)
    assert request(server, "GET", "/config", authorised(server))[0] == 200


def test_a_post_from_another_origin_is_refused(server: UiServer) -> None:
    body = json.dumps({"data": [""]}).encode()
    headers = {**authorised(server), **JSON}
    status, text = request(
        server, "POST", "/gradio_api/call/on_load", {**headers, "Origin": ATTACKER}, body
    )
    assert status == 403 and "event_id" not in text
    status, text = request(server, "POST", "/gradio_api/call/on_load", headers, body)
    assert status == 200 and "event_id" in text  # the same call from a plain client works


def test_a_stream_read_from_another_origin_is_refused(server: UiServer) -> None:
    """The server-sent events Gradio streams replies on: the stream itself checks Origin.

    (Websocket handshakes get the same check; Gradio 6 opens none, see test_ui_guard.)"""
    body = json.dumps({"data": [""]}).encode()
    status, text = request(
        server, "POST", "/gradio_api/call/on_load", {**authorised(server), **JSON}, body
    )
    stream_path = f"/gradio_api/call/on_load/{json.loads(text)['event_id']}"
    stream = {**authorised(server), "Accept": "text/event-stream"}
    status, text = request(server, "GET", stream_path, {**stream, "Origin": ATTACKER})
    assert status == 403 and "data:" not in text
    status, text = request(server, "GET", stream_path, stream)
    assert status == 200 and "event: complete" in text


def test_a_page_without_the_token_sees_nothing(
    playwright: Any, server: UiServer, tmp_path: Path, conversation: str
) -> None:
    with open_browser(playwright, tmp_path / "stranger", server.url) as (context, requests):
        page = context.new_page()
        response = page.goto(server.url)
        assert response.status == 401
        page.wait_for_timeout(1000)  # anything the page would load, it would load now
        body = page.content()
        assert "page token" in body and PRIVATE not in body and conversation not in body
        assert page.query_selector("#closer-stage") is None
        assert requests.urls == [server.url]  # no script, no config, no API call
        assert context.cookies() == []


def test_the_printed_address_logs_in_with_a_strict_httponly_cookie(
    playwright: Any, server: UiServer, tmp_path: Path
) -> None:
    with open_browser(playwright, tmp_path / "person", server.url) as (context, _requests):
        page = context.new_page()
        page.goto(server.address)
        page.wait_for_selector(LOADED, timeout=60_000)
        [cookie] = context.cookies()
        assert cookie["name"] == f"closer-ui-{server.port}" and cookie["httpOnly"]
        assert cookie["sameSite"] == "Strict" and cookie["expires"] == -1  # gone with the browser
        assert FIXED_TOKEN not in cookie["value"] and FIXED_TOKEN not in page.url
        assert page.url.startswith(server.url) and cookie["path"] in page.url
        assert FIXED_TOKEN not in page.evaluate("document.cookie")  # scripts cannot read it
        send(page, "a message in a page opened from the printed address")
        stored = page.evaluate("JSON.stringify([localStorage, sessionStorage])")
        assert "printed address" not in stored  # nothing readable kept in the browser
        assert page.goto(server.url).status == 401  # the cookie is for the page's path only
        page.goto(server.url.rstrip("/") + cookie["path"] + "/")  # the page's own address
        page.wait_for_selector(LOADED, timeout=60_000)
        assert user_texts(page) == ["a message in a page opened from the printed address"]


def test_the_page_file_the_browser_opens_logs_it_in(
    playwright: Any, server: UiServer, tmp_path: Path
) -> None:
    opener = write_opener(tmp_path, server.address)
    assert opener.stat().st_mode & 0o777 == 0o600  # it holds the token
    with open_browser(playwright, tmp_path / "opened", server.url) as (context, _requests):
        page = context.new_page()
        page.goto(opener.as_uri())
        page.wait_for_selector(LOADED, timeout=60_000)
        assert page.url.startswith(server.url)
