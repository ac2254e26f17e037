"""Entry points that sit on top of everything: the ``closer`` CLI and the Gradio UI."""
