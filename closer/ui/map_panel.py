"""The page's intimacy-map panel: seven sliders, a bar chart drawn here as inline SVG (nothing
fetched, no chart library), the thinnest kind named with one small step, which can become
the message text for the request.

``attach`` is the one call ``closer/ui/app.py`` makes inside its Blocks.  The map is saved
with the conversation (``graphs.intimacy``); moving a slider only redraws, saving is a click.
"""

from __future__ import annotations

from html import escape
from typing import Any

from assistant.coaching.intimacy_map import (
    KINDS,
    MapInputError,
    MapPaused,
    MapResult,
    kinds,
    panel_text,
    question,
    read_map,
)

DEFAULT_RATING = 3
BAR = {"width": 150, "height": 18, "gap": 8, "label": 170, "value": 40}
# Text takes the page's colour (currentColor), so it stays readable in the dark theme too.
COLOURS = {"bar": "#2563eb", "weakest": "#b45309", "track": "#cbd5e1", "text": "currentColor"}


def chart_svg(result: MapResult) -> str:
    """Horizontal bars, one per kind; the kind the suggestion is for drawn in amber."""
    step = BAR["height"] + BAR["gap"]
    width = BAR["label"] + BAR["width"] + BAR["value"]
    rows = []
    for index, info in enumerate(kinds()):
        rating = result.ratings.get(info.key, 0)
        y = index * step
        flag = ' data-neglected="true"' if info.key in result.neglected else ""
        fill = COLOURS["weakest"] if info.key == result.focus else COLOURS["bar"]
        length = BAR["width"] * rating / 5
        rows.append(
            f'<g data-kind="{info.key}" data-rating="{rating}"{flag}>'
            f'<text x="0" y="{y + 13}" font-size="13" fill="{COLOURS["text"]}">'
            f"{escape(info.label)}</text>"
            f'<rect x="{BAR["label"]}" y="{y}" width="{BAR["width"]}" '
            f'height="{BAR["height"]}" rx="4" fill="{COLOURS["track"]}"/>'
            f'<rect x="{BAR["label"]}" y="{y}" width="{length:.0f}" height="{BAR["height"]}" '
            f'rx="4" fill="{fill}"/>'
            f'<text x="{BAR["label"] + BAR["width"] + 6}" y="{y + 13}" font-size="13" '
            f'fill="{COLOURS["text"]}">{rating}/5</text></g>'
        )
    label = f"{panel_text('chart_label')} {result.summary}"
    return (
        f'<svg id="closer-map-svg" role="img" aria-label="{escape(label)}" '
        f'data-weakest="{escape(result.focus or "")}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {len(KINDS) * step}" width="100%" '
        f'style="max-width:{width}px">{"".join(rows)}</svg>'
    )


def summary_html(result: MapResult, status: str = "") -> str:
    """The thinnest kind named, the small step, and (after a save) what happened."""
    parts = [f"<p class='closer-map-weakest'><strong>{escape(result.summary)}</strong></p>"]
    if result.suggestion:
        parts.append(f"<p class='closer-map-step'>This week: {escape(result.suggestion)}</p>")
    if result.request:
        parts.append(f"<p class='closer-map-request'>As a request: “{escape(result.request)}”</p>")
    if status:
        parts.append(f"<p class='muted' role='status'>{escape(status)}</p>")
    return f'<div id="closer-map-result" data-focus="{escape(result.focus or "")}">' + (
        "".join(parts) + "</div>"
    )


def outputs_for(ratings: dict[str, int], status: str = "") -> tuple[str, str]:
    result = read_map(ratings)
    return chart_svg(result), summary_html(result, status)


def _ratings(values: tuple[Any, ...]) -> dict[str, object]:
    return {kind: value for kind, value in zip(KINDS, values, strict=True)}


def _layout() -> tuple[list[Any], Any, Any, Any, Any]:
    """The accordion's components: seven sliders, the chart, the summary, two buttons."""
    import gradio as gr

    with gr.Accordion(panel_text("title"), open=False, elem_id="closer-map"):
        gr.HTML(
            f"<p>{escape(panel_text('intro'))}</p><p><em>{escape(question())}</em></p>",
            js_on_load=None,
        )
        sliders = [
            gr.Slider(
                minimum=1,
                maximum=5,
                step=1,
                value=DEFAULT_RATING,
                label=info.label,
                info=info.description,
                elem_id=f"closer-map-{info.key}",
            )
            for info in kinds()
        ]
        start_chart, start_summary = outputs_for(dict.fromkeys(KINDS, DEFAULT_RATING))
        chart = gr.HTML(start_chart, elem_id="closer-map-chart", js_on_load=None)
        summary = gr.HTML(start_summary, elem_id="closer-map-summary", js_on_load=None)
        with gr.Row():
            save = gr.Button(panel_text("save"), size="sm", elem_id="closer-map-save")
            use = gr.Button(panel_text("use"), size="sm", elem_id="closer-map-use")
    return sliders, chart, summary, save, use


def redraw(*values: Any) -> tuple[Any, str]:
    """A slider moved: draw the map anew (nothing is saved)."""
    import gradio as gr

    try:
        return outputs_for(_ratings(values))  # type: ignore[arg-type]
    except MapInputError as error:  # a slider cannot send this; a crafted request can
        return gr.skip(), summary_html(read_map({}), f"Not shown: {error}.")


def save_for(manager: Any, thread_id: str, *values: Any) -> tuple[Any, str]:
    """Save the sliders' map with this browser's conversation; bad input saves nothing."""
    import gradio as gr

    from graphs.intimacy import save_map

    if not thread_id:
        return gr.skip(), summary_html(read_map({}), panel_text("no_conversation"))
    try:
        result = save_map(manager.conversation(thread_id), _ratings(values))
    except MapInputError as error:
        return gr.skip(), summary_html(read_map({}), f"Nothing saved: {error}.")
    except MapPaused as paused:
        return gr.skip(), summary_html(read_map({}), f"Nothing saved: {paused}")
    return chart_svg(result), summary_html(result, panel_text("saved"))


def load_for(manager: Any, thread_id: str) -> tuple[Any, ...]:
    """The saved map of the conversation the page now shows (defaults when none)."""
    from graphs.intimacy import saved_map

    saved = saved_map(manager.conversation(thread_id).state()) if thread_id else {}
    ratings = {kind: saved.get(kind, DEFAULT_RATING) for kind in KINDS}
    return (*ratings.values(), *outputs_for(ratings))


def request_text(*values: Any) -> Any:
    """The example request for the message box (the person still decides to send it)."""
    import gradio as gr

    try:
        request = read_map(_ratings(values)).request
    except MapInputError:
        return gr.skip()
    return request or gr.skip()


def attach(manager: Any, *, thread: Any, message: Any) -> None:
    """Build the panel where it is called (inside the page's Blocks) and wire its events:
    ``thread`` is the page's BrowserState thread id, ``message`` its message box."""
    import functools

    import gradio as gr

    sliders, chart, summary, save, use = _layout()
    for slider in sliders:
        # "input": what the person does (drag or type), not the loads below; only the last
        # value of a drag is drawn.
        slider.input(
            redraw,
            inputs=sliders,
            outputs=[chart, summary],
            show_progress="hidden",
            trigger_mode="always_last",
        )
    on_save = functools.partial(save_for, manager)
    save.click(on_save, inputs=[thread, *sliders], outputs=[chart, summary])
    use.click(request_text, inputs=sliders, outputs=[message])
    # No triggers: on page load (a reload keeps the stored thread id, so no change event
    # comes) and whenever the thread changes (new conversation, delete).
    on_thread = functools.partial(load_for, manager)
    gr.on(None, on_thread, inputs=[thread], outputs=[*sliders, chart, summary])
