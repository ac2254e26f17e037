"""Which model answers: the registry's peers and the choice made from settings.

Order: ``--model-url`` / ``CLOSER_MODEL_URL``; then ``--model`` / ``CLOSER_MODEL`` / config
(a path, or ``guided``); then the first GGUF in the models folder; else guided mode.
"""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.config import Settings
from assistant.model.guided import GuidedComposer
from assistant.model.interface import (
    ChatModel,
    ModelLoadError,
    get_model,
    register_model,
    registered_schemes,
)


def _gguf(argument: str, settings: object) -> ChatModel:
    from assistant.model.llama import LlamaModel  # lazy: loads llama.cpp

    return LlamaModel(argument, settings)


def _http(argument: str, settings: object) -> ChatModel:
    from assistant.model.http_endpoint import HttpModel

    return HttpModel(argument, settings)


log = logging.getLogger("closer.models")

register_model("guided", lambda argument, settings: GuidedComposer())
register_model("gguf", _gguf)
register_model("url", _http)


def model_spec(settings: Settings) -> str:
    """The spec the settings point at (see the module docstring for the order)."""
    if settings.model_url:
        return f"url:{settings.model_url}"
    if settings.model:
        scheme = settings.model.partition(":")[0]
        return settings.model if scheme in registered_schemes() else f"gguf:{settings.model}"
    models = (
        sorted(Path(settings.models_dir).glob("*.gguf")) if settings.models_dir.is_dir() else []
    )
    return f"gguf:{models[0]}" if models else "guided"


def load_model(settings: Settings, *, fallback: bool = True) -> ChatModel:
    """The model the settings name; if it can't load, guided mode with the reason attached
    (``fallback=False`` raises instead).  The reason is logged for the terminal too."""
    try:
        return get_model(model_spec(settings), settings)
    except ModelLoadError as error:
        if not fallback:
            raise
        log.warning("%s", error)
        return GuidedComposer(note=f"Using guided mode: {error}")
