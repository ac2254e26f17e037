"""The local web page: ``closer ui`` serves it on 127.0.0.1 only, fully offline.

Environment switches that keep Gradio quiet (no analytics, no hub calls, cache in the
private data dir) are set before gradio is first imported.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from closer.ui.server import HOST

log = logging.getLogger("closer.ui")


def offline_environment(home: Path) -> None:
    """Gradio and huggingface_hub settings that keep every request on this machine."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["GRADIO_SERVER_NAME"] = HOST
    # Uploaded and exported files stay in the private (0700) data dir, not in /tmp.
    cache = home / "ui-cache"
    cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ["GRADIO_TEMP_DIR"] = str(cache)


def browser_secret(home: Path) -> str:
    """The key that encrypts each browser's thread id; kept so a restart can still read it."""
    path = home / "ui-secret"
    if path.is_file():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    value = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(value)
    return value


def warm_up(services: Any) -> None:
    """Load the lazy parts (embedder, index) now, so the first message is not the slow one."""
    try:
        services.screener("hello")
        if services.retriever is not None:
            services.retriever.search("warm up", k=1)
    except Exception as error:  # a cold start is slower, not broken
        log.warning("warm-up skipped: %s", error)


def create_app(services: Any) -> Any:
    """The Blocks app for ``services`` (shared by every browser session)."""
    from closer.ui.app import build_app
    from closer.ui.session import SessionManager

    home = services.settings.home
    offline_environment(home)
    manager = SessionManager(services)
    return build_app(manager, secret=browser_secret(home))


def serve(
    services: Any,
    *,
    port: int | None = None,
    open_browser: bool = True,
    token: str | None = None,
    fixed_token: bool = False,
) -> None:
    """Serve the page on loopback behind the launch token until interrupted.

    ``token``: the one ``closer ui`` chose (None: a fresh one); ``fixed_token``: it came
    from config.toml or ``CLOSER_UI_TOKEN``.  Prints the address that logs a browser in.
    """
    from closer.ui.guard import Guard, launch_token
    from closer.ui.server import (
        OPENER_NAME,
        build_server_app,
        listening_socket,
        run_server,
        write_opener,
    )

    token = token or launch_token(None)
    demo = create_app(services)
    demo.queue(default_concurrency_limit=1)
    sock = listening_socket(port)
    guard = Guard(token=token, port=sock.getsockname()[1])
    home = services.settings.home
    (home / OPENER_NAME).unlink(missing_ok=True)  # a killed run's, with its old token
    app = build_server_app(demo, guard, allowed_paths=[], services=services)
    again = (
        "This address stays the same (ui_token is set)."
        if fixed_token
        else "The address changes at every start; set ui_token in config.toml to keep one."
    )
    print(
        f"Closer is running at {guard.address()} (this computer only). Press Ctrl+C to stop.\n"
        f"To open the page again, open that address. {again}",
        flush=True,
    )
    run_server(app, sock, opener=write_opener(home, guard.address()) if open_browser else None)
    print("\nStopped. Everything up to the last finished turn is saved.", file=sys.stderr)
