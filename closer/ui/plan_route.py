"""The plan download: rendered from the saved conversation when the person asks for it.

The page used to write a plan file into its cache every time it showed a conversation, for
Gradio's download button to serve; a file like that outlives a delete made elsewhere (the
CLI) and sits on disk whether or not anyone exported.  This route writes nothing: it reads
the conversation and answers with the Markdown as an attachment, and a deleted conversation
answers 404.  It sits behind ``LocalOnly`` like every other route.
"""

from __future__ import annotations

from typing import Any

from closer.ui.session import PLAN_ROUTE, THREAD_ID


def plan_text(services: Any, thread_id: str) -> str | None:
    """The plan as Markdown, or None when there is no such saved conversation."""
    from assistant.coaching.plan import plan_markdown
    from graphs.runner import Conversation

    if not THREAD_ID.fullmatch(thread_id) or not services.store.exists(thread_id):
        return None
    state = Conversation(services, thread_id=thread_id).state()
    if not state.get("messages"):
        return None
    return plan_markdown(
        state.get("notes", {}),
        session_id=thread_id,
        stage=state.get("stage", "check_in"),
        intimacy_map=state.get("intimacy_map") or {},
        perspective=state.get("perspective") or "self",
    )


def attach(app: Any, services: Any) -> None:
    """Add ``GET /plan/ID.md`` to ``app`` (before Gradio is mounted, which takes the rest)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import PlainTextResponse, Response

    async def download(thread_id: str) -> Response:
        text = await run_in_threadpool(plan_text, services, thread_id)
        if text is None:
            return PlainTextResponse("No such conversation.", status_code=404)
        headers = {
            "Content-Disposition": f'attachment; filename="closer-plan-{thread_id}.md"',
            "Cache-Control": "no-store",
        }
        return Response(text, media_type="text/markdown; charset=utf-8", headers=headers)

    app.add_api_route(f"/{PLAN_ROUTE}/{{thread_id}}.md", download, methods=["GET"])
