"""Serving the page: the Blocks mounted on a FastAPI app behind ``LocalOnly``, run by uvicorn.

Why not ``Blocks.launch``: it builds and starts its own app, and Starlette refuses new
middleware once an app has started, so there is no place to put a check in front of every
route.  ``gr.mount_gradio_app`` on our own FastAPI app takes the same options (theme, css,
allowed paths, no SSR, no PWA, no MCP, no footer links) and leaves the outer app, and so
the middleware that wraps every request, to us.  Gradio's ``auth_dependency`` is checked
per route and not on static files; the middleware covers all of them.
"""

from __future__ import annotations

import socket
import threading
import webbrowser
from contextlib import closing
from html import escape
from pathlib import Path
from typing import Any

from closer.ui.guard import Guard, LocalOnly

HOST = "127.0.0.1"
OPENER_NAME = "ui-open.html"
# The opener holds the token: it goes once the browser has surely read it (and at stop, and
# a stale one a killed run left goes at the next start).
OPENER_LIFETIME_S = 120.0


def listening_socket(port: int | None) -> socket.socket:
    """A socket on 127.0.0.1 (``port`` or a free one), bound before anything is printed."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # Like uvicorn's own bind: a port left in TIME_WAIT by a previous run is free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port or 0))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def build_server_app(
    demo: Any, guard: Guard, *, allowed_paths: list[str], services: Any = None
) -> Any:
    """The FastAPI app that serves ``demo`` at ``/``, every request through ``LocalOnly``
    (which also serves it under the per-start path, see closer/ui/guard.py)."""
    import gradio as gr
    from fastapi import FastAPI

    from closer.ui import plan_route
    from closer.ui.theme import CSS, offline_theme

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    if services is not None:
        plan_route.attach(app, services)
    app = gr.mount_gradio_app(
        app,
        demo,
        path="/",
        server_name=HOST,
        server_port=guard.port,
        footer_links=[],
        run_history=False,  # Gradio would otherwise keep every turn in the browser's storage
        allowed_paths=allowed_paths,
        show_error=False,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        theme=offline_theme(),
        css=CSS,
    )
    # Gradio checks a file input's path (only files uploaded to its cache may be inputs)
    # only once a Blocks "has launched", which mount_gradio_app never marks.
    demo.has_launched = True
    app.add_middleware(LocalOnly, guard=guard)
    return app


def write_opener(home: Path, address: str) -> Path:
    """A private (0600) page that forwards to ``address``.

    The browser is opened on this file, not on the address itself, so the token never
    shows in a process list (``ps`` shows every account the browser's command line).
    """
    import os

    path = home / OPENER_NAME
    quoted = escape(address, quote=True)
    page = (
        "<!doctype html><meta charset='utf-8'>"
        f"<meta http-equiv='refresh' content='0;url={quoted}'>"
        f"<title>Closer</title><p><a href='{quoted}'>Open Closer</a></p>\n"
    )
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(page)
    return path


def run_server(app: Any, sock: socket.socket, *, opener: Path | None) -> None:
    """Serve until Ctrl+C (uvicorn handles the signal and shuts down cleanly)."""
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    if opener is not None:
        webbrowser.open(opener.as_uri())
        timer = threading.Timer(OPENER_LIFETIME_S, opener.unlink, kwargs={"missing_ok": True})
        timer.daemon = True
        timer.start()
    with closing(sock):
        try:
            server.run(sockets=[sock])
        finally:
            if opener is not None:
                opener.unlink(missing_ok=True)
