"""The local web page: ``closer ui`` serves it on 127.0.0.1 only, fully offline.

Environment switches that keep Gradio quiet (no analytics, no hub calls, cache in the
private data dir) are set before gradio is first imported.
"""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
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
    manager = SessionManager(services, plans_dir=home / "ui-cache" / "plans")
    return build_app(manager, secret=browser_secret(home))


def serve(services: Any, *, port: int | None = None, open_browser: bool = True) -> None:
    """Serve the page on loopback until interrupted; prints the local URL."""
    from closer.ui.theme import CSS, offline_theme

    demo = create_app(services)
    demo.queue(default_concurrency_limit=1)
    _app, local_url, _share = demo.launch(
        prevent_thread_lock=True,
        server_name=HOST,
        server_port=port,
        share=False,
        inbrowser=open_browser,
        theme=offline_theme(),
        css=CSS,
        footer_links=[],
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        allowed_paths=[str(services.settings.home / "ui-cache" / "plans")],
        quiet=True,
        show_error=False,
    )
    print(
        f"Closer is running at {local_url} (this computer only). Press Ctrl+C to stop.", flush=True
    )
    demo.block_thread()
