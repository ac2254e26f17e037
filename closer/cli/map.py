"""``closer map ID kind=N ...``: rate seven kinds of closeness for a saved conversation.

With no ratings it shows the saved map.  Every rating is checked before anything is saved:
one bad pair (an unknown kind, a rating outside 1-5) refuses the whole command.
"""

from __future__ import annotations

import argparse
import json

from closer.cli import UserError, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    from assistant.coaching.intimacy_map import KINDS

    command = subparsers.add_parser(
        "map",
        help="rate seven kinds of closeness 1-5 and get one small step",
        description=(
            "Rate how strong each kind of closeness feels for you now, 1-5, e.g. "
            "`closer map ID emotional=3 physical=4`. Kinds: " + ", ".join(KINDS) + ". "
            "Ratings are added to the conversation's saved map; with none, it is shown."
        ),
    )
    command.add_argument("id", help="a saved conversation (see `closer sessions list`)")
    command.add_argument("ratings", nargs="*", metavar="KIND=N", help="e.g. emotional=3")
    command.add_argument("--json", action="store_true", help="print the map as one JSON object")
    command.set_defaults(handler=run_map)


def run_map(args: argparse.Namespace) -> int:
    from assistant.coaching.intimacy_map import MapInputError, MapPaused, parse_pairs
    from graphs.intimacy import map_of, save_map
    from graphs.runner import Conversation
    from graphs.services import open_history

    try:  # checked before anything opens, so bad input cannot touch the store
        ratings = parse_pairs(args.ratings)
    except MapInputError as error:
        raise UserError(f"nothing saved: {error}.") from None
    services = open_history(settings_from(args))
    try:
        if not services.store.exists(args.id):
            raise UserError(f"no saved conversation {args.id!r}; see `closer sessions list`.")
        conversation = Conversation(services, thread_id=args.id)
        result = save_map(conversation, ratings) if ratings else map_of(conversation)
    except MapPaused as paused:
        raise UserError(f"nothing saved: {paused}") from None
    finally:
        services.store.close()
    if args.json:
        print(json.dumps({"session": args.id, **result.as_json()}, ensure_ascii=False))
    else:
        print(render(result))
    return 0


def render(result) -> str:  # noqa: ANN001  # MapResult
    from assistant.coaching.intimacy_map import kinds, question, scale_label, text

    lines = [question()]
    for info in kinds():
        rating = result.ratings.get(info.key)
        bar = "#" * rating + "." * (5 - rating) if rating else "     "
        shown = f"{rating}/5 {scale_label(rating)}" if rating else "not rated"
        lines.append(f"  {info.label:<24} {bar}  {shown}")
    lines += ["", result.summary]
    if result.unrated and result.ratings:
        labels = ", ".join(info.label for info in kinds() if info.key in result.unrated)
        lines.append(text("unrated", labels=labels))
    if result.suggestion:
        lines.append(f"This week: {result.suggestion}")
    if result.request:
        lines.append(f'As a request: "{result.request}"')
    return "\n".join(lines)
