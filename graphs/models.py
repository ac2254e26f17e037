"""Which model answers: the registry of model kinds and the choice made from settings.

Order: ``--model-url`` / ``CLOSER_MODEL_URL``; then ``--model`` / ``CLOSER_MODEL`` / config
(a path, or ``guided``); then the first GGUF in the models folder; else guided mode.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from assistant.coaching.guided import GuidedComposer
from assistant.config import Settings
from assistant.core.messages import ChatModel, ModelLoadError

ModelFactory = Callable[[str, object], ChatModel]
_REGISTRY: dict[str, ModelFactory] = {}


def register_model(scheme: str, factory: ModelFactory) -> None:
    """Register a factory for specs like ``scheme`` or ``scheme:argument``."""
    _REGISTRY[scheme] = factory


def registered_schemes() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def get_model(spec: str, settings: object) -> ChatModel:
    """Build the model a spec names: ``guided``, ``url:http://...``, ``gguf:PATH``.

    A bare path is treated as ``gguf:PATH``.  Factories are imported lazily by the caller
    registering them (below) so a guided-mode start loads no llama.cpp.
    """
    scheme, _, argument = spec.partition(":")
    if scheme not in _REGISTRY:
        scheme, argument = "gguf", spec
    return _REGISTRY[scheme](argument, settings)


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
