"""Settings: one data root (``CLOSER_HOME``) that everything else hangs off.

Precedence, highest first: explicit arguments (CLI flags), environment variables,
``<home>/config.toml``, defaults.  Tests set ``CLOSER_HOME`` to ``tmp_path`` and every
file the app writes lands there.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


def _packaged_knowledge() -> Path:
    """The ``knowledge/`` folder installed beside the code (package data of the data-only
    ``knowledge`` package), found without importing anything from it.  A stray folder named
    ``knowledge`` elsewhere on ``sys.path`` is skipped: ours is the one with the cards."""
    import importlib.util

    spec = importlib.util.find_spec("knowledge")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "escalation.yaml").is_file():
            return Path(location)
    return Path(__file__).resolve().parent.parent / "knowledge"


KNOWLEDGE_DIR = Path(os.environ.get("CLOSER_KNOWLEDGE") or _packaged_knowledge())

DIR_MODE = 0o700
FILE_MODE = 0o600


def default_home() -> Path:
    """The user data dir, unless ``CLOSER_HOME`` says otherwise."""
    if env := os.environ.get("CLOSER_HOME"):
        return Path(env).expanduser()
    from platformdirs import user_data_dir  # lazy: only needed without CLOSER_HOME

    return Path(user_data_dir("closer", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about where things are and how to behave."""

    home: Path = field(default_factory=default_home)
    model: str | None = None  # a GGUF path, "guided", or None (auto: models folder, else guided)
    model_url: str | None = None  # an OpenAI-compatible endpoint
    embedding_model: str | None = None  # a GGUF embedding model; None: the bundled MiniLM
    locale: str = "US"
    n_ctx: int = 4096
    n_threads: int | None = None
    # llama.cpp CPU kernels: "auto" probes each GGUF once in a child process (a crash there
    # costs nothing), "default" or "safe" (no extra CPU buffer types) skip the probe.
    kernels: str = "auto"
    stuck_after: int = 3  # turns in one stage before we offer to move on
    max_message_chars: int = 8000
    ui_token: str | None = None  # a fixed page token (bookmarkable); None: fresh per start
    # Seconds a model's draft has to show its first checked sentence before the guided reply
    # is shown instead; 0: no limit (a slow endpoint that must be heard out).
    first_words_s: float = 2.0

    @property
    def db_path(self) -> Path:
        return self.home / "conversations.sqlite"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def embeddings_dir(self) -> Path:
        """The converted embedding model and the vectors derived from it."""
        return self.models_dir / "embeddings"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    def ensure_home(self) -> Path:
        """Create the data dir (0700) if needed and return it.  A folder that was already
        there (``--home`` on a folder of the person's own) keeps its mode: changing it
        behind their back is not ours to do, and Closer's files in it are private anyway."""
        if not self.home.is_dir():
            self.home.mkdir(parents=True, exist_ok=True)
            os.chmod(self.home, DIR_MODE)
        elif _only_closers(self.home):  # empty, or holding nothing but what Closer writes
            os.chmod(self.home, DIR_MODE)
        return self.home

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the non-None overrides applied (CLI flags)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


_ENV_KEYS = {
    "model": "CLOSER_MODEL",
    "model_url": "CLOSER_MODEL_URL",
    "embedding_model": "CLOSER_EMBEDDING_MODEL",
    "locale": "CLOSER_LOCALE",
    "n_ctx": "CLOSER_N_CTX",
    "kernels": "CLOSER_KERNELS",
    "ui_token": "CLOSER_UI_TOKEN",
    "first_words_s": "CLOSER_FIRST_WORDS_S",
}


def load_settings(**overrides: Any) -> Settings:
    """Settings from defaults, then config.toml, then the environment, then ``overrides``."""
    home = Path(overrides.pop("home", None) or default_home())
    values: dict[str, Any] = {}
    config_file = home / "config.toml"
    if config_file.is_file():
        try:
            values.update(tomllib.loads(config_file.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(
                f"{config_file} is not valid TOML ({error}); fix or delete it."
            ) from None
    for key, env in _ENV_KEYS.items():
        if env in os.environ:
            values[key] = os.environ[env]
    known = {f for f in Settings.__dataclass_fields__ if f != "home"}
    typed = {k: _typed(k, v, config_file) for k, v in values.items() if k in known}
    return Settings(home=home, **typed).with_overrides(**overrides)


_INT_SETTINGS = ("n_ctx", "n_threads", "stuck_after", "max_message_chars")


def _typed(key: str, value: Any, source: Path) -> Any:
    """A setting's value as its field expects it; a wrong one is named, not a traceback."""
    if key in _INT_SETTINGS:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number < 1 or isinstance(value, bool):
            raise ConfigError(f"{key} must be a whole number above 0, not {value!r} ({source}).")
        return number
    if key == "first_words_s":
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = -1.0
        if seconds < 0 or isinstance(value, bool):
            raise ConfigError(f"{key} must be seconds, 0 or more, not {value!r} ({source}).")
        return seconds
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be text in quotes, not {value!r} ({source}).")
    return value


# What Closer writes at the top of its data folder: a folder holding only these is Closer's.
_OWN_ENTRIES = re.compile(
    r"conversations\.sqlite.*|index|documents-index|models|ui-cache|ui-secret|ui-open\.html"
    r"|config\.toml|model-kernels\.json"
)


def _only_closers(folder: Path) -> bool:
    try:
        return all(_OWN_ENTRIES.fullmatch(entry.name) for entry in folder.iterdir())
    except OSError:
        return False


class ConfigError(Exception):
    """A setting is wrong in a way the person can fix; the message says how."""


def private_dirs(*folders: Path) -> None:
    """Create each folder that is missing, owner-only (0700), parents first."""
    for folder in folders:
        if not folder.is_dir():
            folder.mkdir(parents=True)
        os.chmod(folder, DIR_MODE)


def secure_file(path: Path) -> None:
    """Make a file we wrote readable by its owner only (conversations are private)."""
    if path.exists():
        os.chmod(path, FILE_MODE)


def secure_tree(root: Path) -> None:
    """Owner-only permissions on everything under ``root`` (the index holds private text)."""
    if not root.exists():
        return
    os.chmod(root, DIR_MODE)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(folder, name), DIR_MODE)
        for name in files:
            os.chmod(os.path.join(folder, name), FILE_MODE)
