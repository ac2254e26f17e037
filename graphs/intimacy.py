"""The intimacy map saved with its conversation, through the checkpointer.

Why the checkpointer and not a table of its own: the map then lives in the same thread as
the turns, so deleting a conversation (``closer sessions delete``, ``closer forget``, the
page's Delete) removes it with no extra code, an export reads it from the same state, and
a killed process keeps whichever of the two checkpoints was last finished.

``update_state`` writes one new checkpoint as if the ``respond`` node had made it: that is
where every finished turn ends, so nothing is left pending and the next message starts a
normal turn from the top.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.coaching.intimacy_map import MapPaused, MapResult, read_map, text, validate
from graphs.runner import Conversation

AS_NODE = "respond"  # the last node of every turn (graphs/graph.py)


def saved_map(state: Mapping[str, Any]) -> dict[str, int]:
    """The map in a conversation's state ({} when there is none)."""
    return dict(state.get("intimacy_map") or {})


def save_map(conversation: Conversation, ratings: Mapping[str, object]) -> MapResult:
    """Check ``ratings`` first (MapInputError changes nothing), merge them onto the saved
    map, and save; the result is what the whole saved map says now."""
    checked = validate(ratings)
    state = conversation.state()
    _not_paused(state)
    merged = {**saved_map(state), **checked}
    services = conversation.services
    if not services.store.exists(conversation.thread_id):
        # A map made before the first message: the session list must know the thread, or
        # it could be neither listed nor deleted.  The first message still becomes its title.
        services.store.touch(conversation.thread_id, title="")
    services.graph.update_state(
        {"configurable": {"thread_id": conversation.thread_id}},
        {"intimacy_map": merged},
        as_node=AS_NODE,
    )
    return read_map(merged)


def map_of(conversation: Conversation) -> MapResult:
    state = conversation.state()
    _not_paused(state)
    return read_map(saved_map(state))


def _not_paused(state: Mapping[str, Any]) -> None:
    """Coaching stops on a standing escalation (crisis, abuse, coercion, contempt), and the
    map is coaching: MapPaused, with our fixed sentence."""
    if state.get("escalation"):
        raise MapPaused(text("paused"))
