"""``closer model``: pull the recommended GGUF, list the models folder, inspect a file."""

from __future__ import annotations

import argparse
import json

from closer.cli import UserError, settings_from


def register(subparsers: argparse._SubParsersAction) -> None:
    model = subparsers.add_parser("model", help="local GGUF models: pull, list, info")
    actions = model.add_subparsers(dest="action", metavar="ACTION", required=True)

    pull = actions.add_parser("pull", help="download a GGUF (the only network step)")
    pull.add_argument("repo", nargs="?", help="Hugging Face repo (default: the recommended one)")
    pull.add_argument("file", nargs="?", help="GGUF file in that repo")
    pull.set_defaults(handler=pull_command)

    actions.add_parser("list", help="GGUF files in the models folder").set_defaults(
        handler=list_command
    )

    info = actions.add_parser("info", help="what a GGUF is and how it would run here")
    info.add_argument("path", nargs="?", help="a GGUF file (default: the model in use)")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(handler=info_command)


def pull_command(args: argparse.Namespace) -> int:
    from assistant.model.gguf_files import DEFAULT_FILE, DEFAULT_REPO, DEFAULT_SIZE, pull_model

    if bool(args.repo) != bool(args.file):
        raise UserError("give both REPO and FILE, or neither for the recommended model.")
    settings = settings_from(args)
    repo, file = args.repo or DEFAULT_REPO, args.file or DEFAULT_FILE
    if not args.repo:
        print(f"Downloading the recommended model {file} ({DEFAULT_SIZE}).")
    path = pull_model(repo, file, settings.ensure_home() / "models")
    print(f"Saved {path}. Closer uses it from now on; `closer model info` describes it.")
    return 0


def list_command(args: argparse.Namespace) -> int:
    from assistant.model.gguf_files import default_model_path, list_models

    settings = settings_from(args)
    rows = list_models(settings.models_dir)
    if not rows:
        print(f"No models in {settings.models_dir}. Get one with `closer model pull`.")
        return 0
    default = default_model_path(settings.models_dir)
    for row in rows:
        mark = "*" if default and row["path"] == str(default) else " "
        print(f"{mark} {row['bytes'] / 1e9:6.2f} GB  {row['path']}")
    return 0


def info_command(args: argparse.Namespace) -> int:
    from assistant.model.gguf_files import validate_gguf
    from assistant.model.runtime import backend_facts

    settings = settings_from(args)
    info = validate_gguf(_chosen_path(args, settings))
    run = backend_facts(settings)
    layers = int(info["layers"] or 0) + 1  # the blocks plus the output layer
    facts = {
        **{k: info[k] for k in ("path", "architecture", "parameters", "quantisation")},
        "context_length": info["context_length"],
        "chat_template": info["chat_template"],
        "backend": run["backend"],
        "threads": run["threads"],
        "layers_offloaded": f"{layers if run['gpu_offload'] else 0}/{layers}",
        "n_ctx": min(settings.n_ctx, info["context_length"] or settings.n_ctx),
    }
    if args.json:
        print(json.dumps(facts))
        return 0
    facts["parameters"] = _millions(info["parameters"])
    width = max(len(key) for key in facts)
    for key, value in facts.items():
        label = "context in use" if key == "n_ctx" else key.replace("_", " ")
        print(f"{label:<{width}}  {value}")
    return 0


def _chosen_path(args: argparse.Namespace, settings):  # noqa: ANN001, ANN202
    from pathlib import Path

    from assistant.model.gguf_files import default_model_path

    if args.path:
        return Path(args.path).expanduser()
    if settings.model and settings.model != "guided":
        return Path(settings.model.removeprefix("gguf:")).expanduser()
    found = default_model_path(settings.models_dir)
    if found is None:
        raise UserError(
            f"no model in {settings.models_dir}; run `closer model pull` or give a PATH."
        )
    return found


def _millions(count: int) -> str:
    return f"{count / 1e9:.2f} B" if count >= 1e9 else f"{count / 1e6:.1f} M"
