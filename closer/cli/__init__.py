"""``closer``: one command, one module per group of subcommands.

Each module in ``COMMAND_MODULES`` exposes ``register(subparsers)``, which adds its
subcommands and sets ``handler`` on them.  Heavy imports happen inside handlers, so
``closer --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "chat",
    "sessions",
    "ui",
    "model",
    "bench",
    "knowledge",
    "eval",
    "forget",
    "doctor",
    "map",  # the intimacy map
)


class UserError(Exception):
    """Something the person can fix; printed as one line, no traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="closer",
        description="A local, offline companion for talking with a partner about closeness.",
    )
    parser.add_argument("--home", help="data folder (default: CLOSER_HOME or the user data dir)")
    parser.add_argument("--locale", help="help-line locale, e.g. US (default from config)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"closer.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Everything Closer writes is private, whatever the shell's umask (Gradio and Chroma
    # create some files themselves, without an explicit mode).
    os.umask(0o077)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    from assistant.config import ConfigError
    from assistant.core.messages import ModelLoadError

    try:
        return int(args.handler(args) or 0)
    except (UserError, ConfigError, ModelLoadError) as error:
        print(f"closer: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `closer eval safety --json | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("\nStopped. Everything up to the last finished turn is saved.", file=sys.stderr)
        return 130


def settings_from(args: argparse.Namespace, **extra: object):  # -> Settings
    """Settings for a command: config file and environment, then the command's flags."""
    from assistant.config import load_settings

    overrides = {"home": args.home, "locale": args.locale}
    for flag in ("model", "model_url"):
        overrides[flag] = getattr(args, flag, None)
    overrides.update(extra)
    return load_settings(**overrides)


if __name__ == "__main__":
    sys.exit(main())
