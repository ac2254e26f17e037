"""``closer chat``: talk in the terminal, resume a conversation, or run a script (batch mode)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from closer.cli import UserError, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    from assistant.core.perspective import PERSPECTIVES

    chat = subparsers.add_parser("chat", help="talk in the terminal (or run a script of messages)")
    chat.add_argument("--resume", metavar="ID", help="continue a saved conversation")
    chat.add_argument("--model", metavar="PATH", help="a chat GGUF file (default: guided mode)")
    chat.add_argument("--model-url", metavar="URL", help="an OpenAI-compatible endpoint")
    chat.add_argument("--script", metavar="FILE", help="one message per line ('-' for stdin)")
    chat.add_argument("--json", action="store_true", help="print one JSON object per turn")
    chat.add_argument(
        "--perspective",
        choices=PERSPECTIVES,
        help="self: you are the one who pulls away (default); supporter: you are the partner "
        "who wants to support them. Set when a conversation starts.",
    )
    chat.set_defaults(handler=run_chat)


def run_chat(args: argparse.Namespace) -> int:
    from graphs.runner import Conversation
    from graphs.services import open_services

    settings = settings_from(args)
    services = open_services(settings, progress=not args.json)
    for warning in services.warnings:  # what could not load, said to the person
        print(f"closer: {warning}", file=sys.stderr, flush=True)
    if args.resume and not services.store.exists(args.resume):
        raise UserError(f"no saved conversation {args.resume!r}; see `closer sessions list`.")
    conversation = Conversation(
        services, thread_id=args.resume, perspective=_perspective(args, services)
    )
    conversation.origin = "terminal"  # the page's list says where a conversation began
    if args.script:
        return run_script(conversation, _script_lines(args.script), as_json=args.json)
    return run_interactive(conversation)


def _perspective(args: argparse.Namespace, services) -> str | None:  # noqa: ANN001
    """The perspective for a new conversation ("self" unless given); a resumed one
    keeps its saved perspective, and asking for the other one is refused."""
    from assistant.core.perspective import checked, perspective_of
    from graphs.runner import Conversation

    if not args.resume:
        return checked(args.perspective)
    saved = perspective_of(Conversation(services, thread_id=args.resume).state())
    if args.perspective and args.perspective != saved:
        raise UserError(
            f"conversation {args.resume!r} was started from the {saved!r} perspective; "
            "a perspective is chosen when a conversation starts (start a new one instead)."
        )
    return None


def _script_lines(path: str) -> Iterator[str]:
    """Lines of the script; undecodable bytes become U+FFFD rather than an error."""
    if path == "-":
        stream: Iterable[bytes] = sys.stdin.buffer
    else:
        file = Path(path)
        if not file.is_file():
            raise UserError(f"script {path!r} not found; give a text file, one message per line.")
        stream = file.open("rb")
    for raw in stream:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def run_script(conversation, lines: Iterable[str], *, as_json: bool) -> int:  # noqa: ANN001
    from assistant.core.events import TurnResult

    for line in lines:
        result: TurnResult = conversation.turn(line)
        if as_json:
            print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
        else:
            print(f"you: {result.user}\n[{result.stage}] closer: {result.reply}\n", flush=True)
    if not as_json:
        print(f"Saved as conversation {conversation.thread_id}.")
    return 0


def run_interactive(conversation) -> int:  # noqa: ANN001
    from closer.cli.render import offer_map, print_banner, print_history, stream_turn

    print_banner(conversation)
    print_history(conversation)
    offered: set[str] = set()  # the map is offered once per step, never pressed
    offer_map(conversation, conversation.stage, offered)
    while True:
        try:
            line = input(f"\n[{conversation.stage}] you: ")
        except EOFError:
            break
        if line.strip().lower() in {"/quit", "/exit", "quit", "exit"}:
            break
        result = stream_turn(conversation, line)
        if result is not None:
            offer_map(conversation, result.stage, offered)
    print(f"\nSaved. Resume with: closer chat --resume {conversation.thread_id}")
    return 0
