"""Who may talk to the page: a launch token, and Host and Origin checks, as one ASGI layer.

The page holds private conversations, and a port on 127.0.0.1 is reachable by every
process and account on the computer and, through DNS rebinding or cross-site requests, by
any website the person visits.  So, as Jupyter does:

- **Host**: only ``127.0.0.1:PORT``, ``localhost:PORT`` and ``[::1]:PORT`` are served
  (a rebound name like ``attacker.example`` gets 400).
- **Origin**: a request that carries an ``Origin`` must come from one of those; a
  state-changing request or a streaming handshake (websocket, server-sent events) without
  one must not say it is cross-site (``Sec-Fetch-Site``).  Otherwise 403.
- **Token**: a program sends the launch token as an ``Authorization: token …`` header.  A
  browser opens the printed address (``?token=``) once and is sent on to the page's
  own place, a random path fresh at every start (``/BASE/``), with a cookie scoped to that
  path (``Path=/BASE``, HttpOnly, SameSite=Strict) whose value is a per-start session key,
  not the token.  Browsers send cookies to every port of a host, but only for the path the
  cookie names: a program listening on another port of 127.0.0.1 never sees the request
  for ``/BASE/…`` and so never the cookie.  The token leaves the address bar at once.
  Anything else gets 401 and a fixed text: no page, no config.
- **Framing**: every answer says ``X-Frame-Options: DENY`` and ``frame-ancestors 'none'``,
  so no other page (another port of 127.0.0.1 included) can show the page inside its own.

It wraps the whole app (pure ASGI, so streaming and websockets pass through untouched),
so no Gradio route, static file or API can be reached around it.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.requests import HTTPConnection
from starlette.responses import HTMLResponse, PlainTextResponse

from closer.ui.texts import ui_text

TOKEN_ENV = "CLOSER_UI_TOKEN"
TOKEN_PARAM = "token"
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})
MIN_TOKEN_CHARS = 16
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_\-.~]+")  # unreserved in a URL: printable as is
# Sent with every answer: no framing by any page, no address (with its secret path) passed on.
SECURITY_HEADERS = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
)

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
    # Fresh at every start: where the page lives, and what its cookie holds (never the token,
    # which may be a fixed one from config.toml).
    base: str = field(default_factory=lambda: "/" + secrets.token_urlsafe(18))
    session: str = field(default_factory=lambda: secrets.token_urlsafe(32))

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

    def under_base(self, path: str) -> bool:
        return path == self.base or path.startswith(self.base + "/")

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

    def has_session(self, conn: HTTPConnection) -> bool:
        value = conn.cookies.get(self.cookie_name)
        return bool(value) and secrets.compare_digest(value.encode(), self.session.encode())

    def authenticated(self, conn: HTTPConnection) -> bool:
        if self.matches(self.header_token(conn)):
            return True
        if self.under_base(conn.url.path):  # the browser's place: its cookie is sent only here
            return self.has_session(conn)
        return self.matches(conn.query_params.get(TOKEN_PARAM))  # the login, sent on below

    def cookie_header(self) -> tuple[bytes, bytes]:
        """A session cookie for the page's own path only, that its scripts cannot read and
        other sites cannot send."""
        value = (
            f"{self.cookie_name}={self.session}; Path={self.base}; HttpOnly; SameSite=Strict"
        )
        return b"set-cookie", value.encode("latin-1")

    def login_page(self, conn: HTTPConnection) -> HTMLResponse:
        """The printed address's answer: the cookie, and a page of ours that moves on to the
        page's place (replacing the address with the token in the tab's history).

        Not a 303: a SameSite=Strict cookie is not sent on a redirect in a navigation that
        another site began (the ``ui-open.html`` file the browser is opened on counts as
        one), while a navigation our own page starts is same-site."""
        rest = [(k, v) for k, v in conn.query_params.multi_items() if k != TOKEN_PARAM]
        target = self.base + conn.url.path + (f"?{urlencode(rest)}" if rest else "")
        quoted = escape(target, quote=True)
        page = (
            "<!doctype html><meta charset='utf-8'><title>Closer</title>"
            f"<meta http-equiv='refresh' content='0;url={quoted}'>"
            f"<script>location.replace({json.dumps(target)})</script>"
            f"<p><a href='{quoted}'>Open Closer</a></p>\n"
        )
        response = HTMLResponse(page)
        response.raw_headers.append(self.cookie_header())
        response.headers["cache-control"] = "no-store"
        return response


def changes_state(scope: Scope, conn: HTTPConnection) -> bool:
    """Requests that act (not plain reads): any write method, and streaming handshakes."""
    if scope["type"] == "websocket":
        return True
    if scope.get("method", "GET") not in SAFE_METHODS:
        return True
    return "text/event-stream" in conn.headers.get("accept", "")


class LocalOnly:
    """ASGI middleware: refuses what ``Guard`` refuses; a browser's visit with the token
    gets the cookie and is moved to the page's path; under that path Gradio is told its
    root (``root_path``); every answer refuses framing."""

    def __init__(self, app: Callable[..., Awaitable[None]], guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):  # lifespan
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        if scope["type"] == "http":
            send = _with_headers(send, SECURITY_HEADERS)
        refusal = self.guard.refusal(conn, changes_state=changes_state(scope, conn))
        if refusal is not None:
            await self._refuse(scope, receive, send, refusal)
            return
        guard = self.guard
        if guard.under_base(conn.url.path):
            scope["root_path"] = scope.get("root_path", "") + guard.base  # Gradio's links
        elif (
            scope["type"] == "http"
            and scope.get("method") in ("GET", "HEAD")
            and guard.matches(conn.query_params.get(TOKEN_PARAM))
        ):
            await guard.login_page(conn)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, refusal: Refusal) -> None:
        if scope["type"] == "websocket":  # closing before accepting answers the handshake 403
            await send({"type": "websocket.close", "code": 1008})
            return
        response = PlainTextResponse(refusal.text, status_code=refusal.status)
        response.headers["cache-control"] = "no-store"
        await response(scope, receive, send)



def _with_headers(send: Send, headers: tuple[tuple[bytes, bytes], ...]) -> Send:
    async def send_with_headers(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *headers]
        await send(message)

    return send_with_headers
