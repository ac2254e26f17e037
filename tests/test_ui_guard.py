"""The page's gatekeeper (closer/ui/guard.py) on a tiny app: token, cookie, Host, Origin."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from closer.ui.guard import Guard, LocalOnly, TokenError, launch_token
from tests.conftest import run_closer

TOKEN = "t0ken-for-the-tests-0123456789"
PORT = 7861
HOST = f"127.0.0.1:{PORT}"
SECRET = "private words from a conversation"
GUARD = Guard(token=TOKEN, port=PORT)
BASE = GUARD.base


async def page(_request: object) -> PlainTextResponse:
    return PlainTextResponse(SECRET)


async def socket_echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_text(SECRET)
    await websocket.close()


@pytest.fixture
def client() -> TestClient:
    app = Starlette(
        routes=[
            Route("/{path:path}", page, methods=["GET", "POST"]),
            WebSocketRoute("/ws", socket_echo),
        ]
    )
    app.add_middleware(LocalOnly, guard=GUARD)
    return TestClient(app, base_url=f"http://{HOST}")


def test_without_the_token_nothing_is_served(client: TestClient) -> None:
    for path in ("/", "/config", "/gradio_api/info", "/gradio_api/file=x", "/assets/a.js"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert SECRET not in response.text and "page token" in response.text
    assert client.get("/", params={"token": TOKEN + "x"}).status_code == 401
    assert client.get("/", headers={"Cookie": f"closer-ui-{PORT}=wrong"}).status_code == 401
    assert client.post("/gradio_api/queue/join", json={}).status_code == 401


def test_the_token_sends_the_browser_on_with_a_cookie_for_the_page_path(
    client: TestClient,
) -> None:
    first = client.get("/", params={"token": TOKEN, "x": "1"})
    assert first.status_code == 200 and f'location.replace("{BASE}/?x=1")' in first.text
    assert SECRET not in first.text and TOKEN not in first.text
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"closer-ui-{PORT}={GUARD.session};") and TOKEN not in cookie
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and f"Path={BASE}" in cookie
    assert len(BASE) > 20 and Guard(token=TOKEN, port=PORT).base != BASE  # fresh per start
    again = client.get(f"{BASE}/config")  # the client keeps the cookie, as a browser does
    assert again.status_code == 200 and again.text == SECRET
    assert "set-cookie" not in again.headers
    assert client.get("/config").status_code == 401  # the cookie is for the page path only
    client.cookies.clear()
    assert client.get(f"{BASE}/x").status_code == 401  # the path alone opens nothing
    assert client.get("/x", headers={"Authorization": f"token {TOKEN}"}).status_code == 200
    replay = {"Cookie": f"closer-ui-{PORT}={TOKEN}"}  # the token is not a session
    assert client.get(f"{BASE}/x", headers=replay).status_code == 401


def test_every_answer_refuses_framing(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/", params={"token": TOKEN})):
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["content-security-policy"] == "frame-ancestors 'none'"


@pytest.mark.parametrize(
    "host",
    [
        "attacker.example",
        f"attacker.example:{PORT}",
        "127.0.0.1",  # no port
        "127.0.0.1:9999",
        f"127.0.0.1.attacker.example:{PORT}",
        f"0.0.0.0:{PORT}",
        "",
    ],
)
def test_a_foreign_host_is_refused_even_with_the_token(client: TestClient, host: str) -> None:
    response = client.get("/", params={"token": TOKEN}, headers={"Host": host})
    assert response.status_code == 400 and SECRET not in response.text
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("host", [HOST, f"localhost:{PORT}", f"[::1]:{PORT}", f"LOCALHOST:{PORT}"])
def test_the_local_names_are_served(client: TestClient, host: str) -> None:
    assert client.get("/", params={"token": TOKEN}, headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://attacker.example"},
        {"Origin": "null"},
        {"Origin": f"http://127.0.0.1:{PORT + 1}"},
        {"Origin": f"https://127.0.0.1:{PORT}"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_a_foreign_origin_cannot_act(client: TestClient, headers: dict[str, str]) -> None:
    client.get("/", params={"token": TOKEN})  # logged in: the refusal is about the origin
    response = client.post("/gradio_api/queue/join", json={}, headers=headers)
    assert response.status_code == 403 and SECRET not in response.text
    stream = client.get(
        "/gradio_api/queue/data", headers={**headers, "Accept": "text/event-stream"}
    )
    assert stream.status_code == 403


def test_the_own_origin_and_plain_clients_can_act(client: TestClient) -> None:
    client.get("/", params={"token": TOKEN})
    x = f"{BASE}/x"
    for origin in (f"http://{HOST}", f"http://localhost:{PORT}", f"http://[::1]:{PORT}"):
        assert client.post(x, json={}, headers={"Origin": origin}).status_code == 200
    assert client.post(x, json={}, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    assert client.post(x, json={}).status_code == 200  # curl with the cookie: no Origin


def test_websocket_handshakes_need_the_token_and_our_origin(client: TestClient) -> None:
    url = f"ws://{HOST}/ws"  # the test client would say Host: testserver otherwise
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(url):
        pass
    with (
        pytest.raises(WebSocketDisconnect),
        client.websocket_connect(
            f"{url}?token={TOKEN}", headers={"Origin": "http://attacker.example"}
        ),
    ):
        pass
    with client.websocket_connect(
        f"{url}?token={TOKEN}", headers={"Origin": f"http://{HOST}"}
    ) as ws:
        assert ws.receive_text() == SECRET


def test_launch_token_fresh_or_fixed() -> None:
    fresh = {launch_token(None) for _ in range(3)}
    assert len(fresh) == 3 and all(len(token) >= 40 for token in fresh)
    assert launch_token(TOKEN) == TOKEN
    for bad in ("short", "has space in the middle!", "x" * 15, "a/b?c=d&e" * 3):
        with pytest.raises(TokenError, match="at least 16 characters"):
            launch_token(bad)


def test_ui_command_rejects_a_bad_fixed_token_plainly(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('ui_token = "too short"\n', encoding="utf-8")
    from_file = run_closer("ui", "--no-browser", home=tmp_path)
    assert from_file.returncode == 2, from_file.stderr
    assert "ui_token in config.toml" in from_file.stderr and "Traceback" not in from_file.stderr
    (tmp_path / "config.toml").unlink()
    from_env = run_closer("ui", "--no-browser", home=tmp_path, env={"CLOSER_UI_TOKEN": "a b"})
    assert from_env.returncode == 2 and "CLOSER_UI_TOKEN" in from_env.stderr
