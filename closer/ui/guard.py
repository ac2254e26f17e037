"""Who may talk to the page: a launch token, and Host and Origin checks, as one ASGI layer.

The page holds private conversations, and a port on 127.0.0.1 is reachable by every
process and account on the computer and, through DNS rebinding or cross-site requests, by
any website the person visits.  So, as Jupyter does:

- **Host**: only ``127.0.0.1:PORT``, ``localhost:PORT`` and ``[::1]:PORT`` are served
  (a rebound name like ``attacker.example`` gets 400).
- **Origin**: a request that carries an ``Origin`` must come from one of those; a
  state-changing request or a streaming handshake (websocket, server-sent events) without
  one must not say it is cross-site (``Sec-Fetch-Site``).  Otherwise 403.
- **Token**: every request needs the launch token, as ``?token=`` (the printed address),
  an ``Authorization: token …`` header, or the cookie the first visit sets (HttpOnly,
  SameSite=Strict, named per port).  Otherwise 401 and a fixed text: no page, no config.

It wraps the whole app (pure ASGI, so streaming and websockets pass through untouched),
so no Gradio route, static file or API can be reached around it.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse

from closer.ui.texts import ui_text

TOKEN_ENV = "CLOSER_UI_TOKEN"
TOKEN_PARAM = "token"
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})
MIN_TOKEN_CHARS = 16
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-.~]+")  # unreserved in a URL: printable as is

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class TokenError(ValueError):
    """A fixed token from config.toml or the environment cannot be used; says why."""


def launch_token(configured: str | None) -> str:
    """The fixed token when one is configured (checked), else a fresh random one."""
    if configured is None or configured == "":
        return secrets.token_urlsafe(32)
    token = str(configured).strip()
    if len(token) < MIN_TOKEN_CHARS or not TOKEN_SHAPE.fullmatch(token):
        raise TokenError(
            f"the page token (ui_token in config.toml or {TOKEN_ENV}) must be at least "
            f"{MIN_TOKEN_CHARS} characters of letters, digits, '-', '_', '.' or '~'; "
            "remove it to get a fresh token at every start."
        )
    return token


@dataclass(frozen=True)
class Refusal:
    status: int
    text: str


@dataclass(frozen=True)
class Guard:
    """The rules for one running page: its port and its token."""

    token: str
    port: int

    @property
    def cookie_name(self) -> str:
        # Cookies are shared across the ports of one host: one name per port keeps two
        # running pages (or a test's several servers) from overwriting each other's.
        return f"closer-ui-{self.port}"

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset(f"{name}:{self.port}" for name in LOCAL_NAMES)

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(f"http://{host}" for host in self.hosts)

    def address(self, host: str = "127.0.0.1") -> str:
        """The address to open: it logs the browser in."""
        return f"http://{host}:{self.port}/?{TOKEN_PARAM}={self.token}"

    def refusal(self, conn: HTTPConnection, *, changes_state: bool) -> Refusal | None:
        """Why this request may not be served (None: serve it)."""
        if conn.headers.get("host", "").lower() not in self.hosts:
            return Refusal(400, ui_text("refused", "host"))
        if not self.origin_allowed(conn, changes_state=changes_state):
            return Refusal(403, ui_text("refused", "origin"))
        if not self.authenticated(conn):
            return Refusal(401, ui_text("refused", "token"))
        return None

    def origin_allowed(self, conn: HTTPConnection, *, changes_state: bool) -> bool:
        origin = conn.headers.get("origin")
        if origin is not None:
            return origin.lower() in self.origins
        if changes_state:  # no Origin: a browser still says where a request came from
            return conn.headers.get("sec-fetch-site", "none") in SAME_SITE_FETCHES
        return True

    def matches(self, value: str | None) -> bool:
        return bool(value) and secrets.compare_digest(str(value).encode(), self.token.encode())

    def header_token(self, conn: HTTPConnection) -> str | None:
        scheme, _, value = conn.headers.get("authorization", "").partition(" ")
        return value.strip() if scheme.lower() in ("token", "bearer") else None

    def authenticated(self, conn: HTTPConnection) -> bool:
        return (
            self.matches(conn.cookies.get(self.cookie_name))
            or self.matches(conn.query_params.get(TOKEN_PARAM))
            or self.matches(self.header_token(conn))
        )

    def cookie_header(self) -> tuple[bytes, bytes]:
        """A session cookie the page's own scripts cannot read and other sites cannot send."""
        value = f"{self.cookie_name}={self.token}; Path=/; HttpOnly; SameSite=Strict"
        return b"set-cookie", value.encode("latin-1")


def changes_state(scope: Scope, conn: HTTPConnection) -> bool:
    """Requests that act (not plain reads): any write method, and streaming handshakes."""
    if scope["type"] == "websocket":
        return True
    if scope.get("method", "GET") not in SAFE_METHODS:
        return True
    return "text/event-stream" in conn.headers.get("accept", "")


class LocalOnly:
    """ASGI middleware: refuses what ``Guard`` refuses; the first visit with the token
    gets the cookie."""

    def __init__(self, app: Callable[..., Awaitable[None]], guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):  # lifespan
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        refusal = self.guard.refusal(conn, changes_state=changes_state(scope, conn))
        if refusal is not None:
            await self._refuse(scope, receive, send, refusal)
            return
        if scope["type"] == "http" and not self.guard.matches(
            conn.cookies.get(self.guard.cookie_name)
        ):
            send = self._with_cookie(send)
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, refusal: Refusal) -> None:
        if scope["type"] == "websocket":  # closing before accepting answers the handshake 403
            await send({"type": "websocket.close", "code": 1008})
            return
        response = PlainTextResponse(refusal.text, status_code=refusal.status)
        response.headers["cache-control"] = "no-store"
        await response(scope, receive, send)

    def _with_cookie(self, send: Send) -> Send:
        async def send_with_cookie(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), self.guard.cookie_header()]
            await send(message)

        return send_with_cookie
