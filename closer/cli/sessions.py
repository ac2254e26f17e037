"""``closer sessions``: list, show, delete and export saved conversations."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from closer.cli import UserError, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    sessions = subparsers.add_parser("sessions", help="saved conversations")
    actions = sessions.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="list conversations").set_defaults(handler=list_sessions)
    for name, handler, text in (
        ("show", show_session, "print a conversation"),
        ("delete", delete_session, "delete a conversation for good"),
        ("export", export_session, "write the plan as Markdown"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("id")
        action.set_defaults(handler=handler)
        if name == "export":
            action.add_argument("--out", help="file to write (default: plan-ID.md here)")
        if name == "show":
            action.add_argument(
                "--why", action="store_true", help="after each reply, why the step and safety level"
            )


def _open(args: argparse.Namespace):  # -> Services
    from graphs.services import open_history

    return open_history(settings_from(args))


def _existing(services, session_id: str) -> None:  # noqa: ANN001
    if not services.store.exists(session_id):
        raise UserError(f"no saved conversation {session_id!r}; see `closer sessions list`.")


def list_sessions(args: argparse.Namespace) -> int:
    services = _open(args)
    rows = services.store.list_sessions()
    if not rows:
        print("No saved conversations yet. Start one with `closer chat`.")
    for info in rows:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.updated))
        print(f"{info.id}  {when}  {info.title}")
    return 0


def show_session(args: argparse.Namespace) -> int:
    from graphs.runner import Conversation

    services = _open(args)
    _existing(services, args.id)
    conversation = Conversation(services, thread_id=args.id)
    state = conversation.state()
    reasons = list(state.get("reasons", []))
    replies = 0
    for message in state.get("messages", []):
        who = "you" if message["role"] == "user" else "closer"
        print(f"{who}: {message['content']}\n")
        if who == "closer" and getattr(args, "why", False):
            _print_why(reasons[replies] if replies < len(reasons) else {})
            replies += 1
    print(f"(step: {state.get('stage', 'check_in')})")
    return 0


def _print_why(reason: dict[str, str]) -> None:
    """One turn's reasons; conversations saved before reasons were kept have none."""
    if not reason:
        print("  why: (not recorded for this turn)\n")
        return
    print(f"  why step: {reason.get('step') or '-'}")
    print(f"  why safety: {reason.get('safety') or '-'}\n")


def delete_session(args: argparse.Namespace) -> int:
    from closer.deleting import delete_conversation

    services = _open(args)
    _existing(services, args.id)
    delete_conversation(services.store, services.settings.home, args.id)
    print(f"Deleted conversation {args.id}.")
    return 0


def export_session(args: argparse.Namespace) -> int:
    from assistant.coaching.plan import plan_markdown
    from graphs.runner import Conversation

    services = _open(args)
    _existing(services, args.id)
    state = Conversation(services, thread_id=args.id).state()
    text = plan_markdown(
        state.get("notes", {}),
        session_id=args.id,
        stage=state.get("stage", ""),
        intimacy_map=state.get("intimacy_map") or {},
        perspective=state.get("perspective") or "self",
    )
    out = Path(args.out or f"plan-{args.id}.md")
    out.write_text(text, encoding="utf-8")
    print(f"Wrote {out}")
    return 0
