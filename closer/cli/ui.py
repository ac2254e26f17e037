"""``closer ui``: the local web page (127.0.0.1 only, no share link, analytics off)."""

from __future__ import annotations

import argparse

from closer.cli import UserError, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    ui = subparsers.add_parser("ui", help="open the local web page (127.0.0.1 only)")
    ui.add_argument("--port", type=int, metavar="N", help="port to listen on (default: a free one)")
    ui.add_argument("--model", metavar="PATH", help="a chat GGUF file (default: guided mode)")
    ui.add_argument("--model-url", metavar="URL", help="an OpenAI-compatible endpoint")
    ui.add_argument("--no-browser", action="store_true", help="don't open a browser window")
    ui.set_defaults(handler=run_ui)


def run_ui(args: argparse.Namespace) -> int:
    if args.port is not None and not 1 <= args.port <= 65535:
        raise UserError(f"--port {args.port} is not a port; give a number from 1 to 65535.")
    if args.port is not None and not _port_free(args.port):
        raise UserError(_busy(args.port))
    settings = settings_from(args)
    settings.ensure_home()
    token = _page_token(settings.ui_token)  # a bad fixed token fails before the slow start
    from closer.ui import offline_environment

    offline_environment(settings.home)  # before anything imports gradio
    from closer.ui import serve, warm_up
    from closer.ui.views import model_label
    from graphs.services import open_services

    print(
        "Opening the model and the knowledge base (the first start builds the index)…", flush=True
    )
    services = open_services(settings, progress=True)
    warm_up(services)
    print(f"Model: {model_label(services.model.describe())}", flush=True)
    try:
        serve(
            services,
            port=args.port,
            open_browser=not args.no_browser,
            token=token,
            fixed_token=bool(settings.ui_token),
        )
    except OSError as error:  # the port was taken while the model loaded
        raise UserError(_busy(args.port)) from error
    return 0


def _page_token(configured: str | None) -> str:
    from closer.ui.guard import TokenError, launch_token

    try:
        return launch_token(configured)
    except TokenError as error:
        raise UserError(str(error)) from None


def _busy(port: int | None) -> str:
    return (
        f"cannot listen on 127.0.0.1:{port}: another program is using it; "
        "choose another port with --port N, or leave --port out to get a free one."
    )


def _port_free(port: int) -> bool:
    """Checked before the slow start (model, index) so a busy port fails at once."""
    import socket

    with socket.socket() as probe:
        # Like the server itself: a port left in TIME_WAIT by a previous run is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
