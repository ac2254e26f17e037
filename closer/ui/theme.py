"""Look of the page: system fonts only (no web-font requests), readable contrast, visible focus."""

from __future__ import annotations

from typing import Any

SYSTEM_FONTS = [
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Roboto",
    "Helvetica Neue",
    "Arial",
    "sans-serif",
]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]

CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto; }
#closer-top { gap: 8px; }
#closer-title h1 { font-size: 1.35rem; margin: 0; line-height: 2.2rem; }
.closer-controls-title { font-size: 1.05rem; margin: 0; }
#closer-chat button[aria-label="Clear"] { display: none; }
.closer-steps li { margin: 0 !important; }
.closer-banner { padding: 4px 10px; border-radius: 6px; font-size: 0.88rem;
  background: #eef2ff; color: #1e1b4b; border: 1px solid #c7d2fe; }
.closer-banner code { background: #ffffff; color: #1e1b4b; padding: 0 4px; border-radius: 4px; }
.closer-steps { display: flex; flex-wrap: wrap; align-items: center; gap: 12px;
  margin: 0; padding: 4px 0; }
.closer-step-list, .closer-side-list { display: flex; flex-wrap: wrap; gap: 6px;
  list-style: none; margin: 0; padding: 0; }
.closer-step, .closer-side { padding: 5px 12px; border-radius: 999px; font-size: 0.95rem;
  border: 2px solid #94a3b8; color: #1f2937; background: #ffffff; }
.closer-step .num { font-weight: 700; margin-right: 2px; color: inherit; }
.closer-step.current, .closer-side.current { background: #1e3a8a; border-color: #1e3a8a;
  color: #ffffff; font-weight: 700; box-shadow: 0 0 0 3px #bfdbfe; }
.closer-step.was { border-style: dashed; border-color: #1e3a8a; }
.closer-side { border-style: dotted; color: #374151; }
.closer-side-list::before { content: "Beside the steps:"; font-size: 0.85rem;
  color: #374151; align-self: center; margin-right: 2px; }
.closer-sources h2, .closer-resources h2 { font-size: 1.05rem; margin: 0 0 6px 0; }
.closer-sources ul, .closer-resources ul { margin: 0; padding-left: 18px; }
.closer-card { margin-bottom: 8px; }
.closer-card-source { display: block; font-size: 0.88rem; color: #374151; }
.dark .closer-card-source, .dark .closer-side, .dark .closer-side-list::before { color: #e5e7eb; }
.dark .closer-step, .dark .closer-side { background: #111827; color: #f9fafb; }
.closer-resources { padding: 12px; border-radius: 8px; border: 2px solid #b91c1c;
  background: #fef2f2; color: #450a0a; }
.closer-resources a { color: #7f1d1d; text-decoration: underline; }
.closer-resources #closer-chat .message-content .md { white-space: pre-wrap; }
.muted { color: #5b1a1a; }
#closer-chat .message-content .md { white-space: pre-wrap; }
.muted { color: #4b5563; font-size: 0.9rem; }
.closer-notices { margin: 0; padding: 6px 10px 6px 24px; background: #fffbeb; color: #451a03;
  border: 1px solid #f59e0b; border-radius: 6px; }
#closer-confirm { border: 2px solid #b91c1c; border-radius: 8px; padding: 6px; }
button:focus-visible, a:focus-visible, textarea:focus-visible, input:focus-visible,
[tabindex]:focus-visible { outline: 3px solid #1d4ed8 !important; outline-offset: 2px; }
"""


def offline_theme() -> Any:
    """Gradio's base theme with system fonts: nothing is fetched from a font host."""
    import gradio as gr

    theme = gr.themes.Base(
        primary_hue="blue",
        neutral_hue="slate",
        font=SYSTEM_FONTS,
        font_mono=MONO_FONTS,
    )
    # Darker primary buttons: white text on blue-700 is about 6.7:1 (WCAG AA needs 4.5).
    return theme.set(
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="#ffffff",
        button_primary_background_fill_dark="*primary_700",
        button_primary_text_color_dark="#ffffff",
    )
