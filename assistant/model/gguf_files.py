"""GGUF model files: inspect, validate, list and pull (the one explicit network step).

Everything here reads the file with ``gguf.GGUFReader`` (a memory map, so even a multi-GB
file is inspected in milliseconds) and never loads weights.  Every failure becomes one
``ModelLoadError`` whose message names the path and the fix.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from assistant.core.messages import ModelLoadError

# A small instruct model that runs on a laptop CPU: ~1.1 GB on disk, ~2 GB of RAM at n_ctx 4096.
DEFAULT_REPO = "Qwen/Qwen2.5-1.5B-Instruct-GGUF"
DEFAULT_FILE = "qwen2.5-1.5b-instruct-q4_k_m.gguf"
DEFAULT_SIZE = "about 1.1 GB download, about 2 GB of RAM"

GGUF_MAGIC = b"GGUF"
FIX = "run `closer model pull` or pass --model PATH to a chat GGUF file"
REDOWNLOAD = "download it again (`closer model pull` resumes) or pass --model PATH to another GGUF"

# Encoder-only / embedding / vision-projector architectures: llama.cpp loads them, but they
# cannot write a chat reply.
NOT_CHAT_ARCHITECTURES = frozenset(
    {
        "bert",
        "modern-bert",
        "nomic-bert",
        "nomic-bert-moe",
        "neo-bert",
        "jina-bert-v2",
        "jina-bert-v3",
        "eurobert",
        "gemma-embedding",
        "llama-embed",
        "t5encoder",
        "clip",
        "wavtokenizer-dec",
    }
)


def _read(path: Path) -> Any:
    """The GGUFReader for ``path`` after the cheap checks, or a ModelLoadError."""
    if not path.exists():
        raise ModelLoadError(f"model file {path} does not exist; {FIX}.")
    if path.is_dir():
        raise ModelLoadError(f"{path} is a folder, not a model file; {FIX}.")
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as error:
        raise ModelLoadError(f"cannot read {path} ({error.strerror}); {FIX}.") from None
    if magic != GGUF_MAGIC:
        raise ModelLoadError(
            f"{path} is not a GGUF model file (it does not start with 'GGUF'); {FIX}."
        )
    from gguf import GGUFReader

    try:
        return GGUFReader(path)
    except Exception as error:  # the reader raises ValueError, IndexError, struct errors...
        raise ModelLoadError(
            f"{path} is truncated or damaged ({type(error).__name__}); {REDOWNLOAD}."
        ) from None


def _field(reader: Any, key: str) -> Any:
    """A scalar or string metadata value, or None."""
    field = reader.fields.get(key)
    if field is None or not field.types:
        return None
    try:
        return field.contents()
    except Exception:  # a damaged field reads as absent
        return None


def _data_end(reader: Any) -> int:
    return max((t.data_offset + t.n_bytes for t in reader.tensors), default=0)


def _quantisation(reader: Any) -> str:
    from gguf import GGMLQuantizationType, LlamaFileType

    file_type = _field(reader, "general.file_type")
    if isinstance(file_type, int):
        try:
            return LlamaFileType(file_type).name.removeprefix("MOSTLY_").removeprefix("ALL_")
        except ValueError:
            pass
    counts = Counter(GGMLQuantizationType(t.tensor_type).name for t in reader.tensors)
    return counts.most_common(1)[0][0] if counts else "unknown"


def inspect_gguf(path: str | Path) -> dict[str, Any]:
    """What ``closer model info`` shows about a file, read from its metadata alone."""
    path = Path(path).expanduser()
    reader = _read(path)
    arch = _field(reader, "general.architecture") or "unknown"
    template = _field(reader, "tokenizer.chat_template")
    size = path.stat().st_size
    return {
        "path": str(path),
        "name": _field(reader, "general.name") or path.stem,
        "architecture": arch,
        "parameters": sum(int(t.n_elements) for t in reader.tensors),
        "quantisation": _quantisation(reader),
        "context_length": _field(reader, f"{arch}.context_length"),
        "layers": _field(reader, f"{arch}.block_count"),
        "chat_template": "metadata" if template else "fallback (ChatML)",
        "tokenizer": _field(reader, "tokenizer.ggml.model"),
        "file_bytes": size,
        "complete": size >= _data_end(reader),
    }


def validate_gguf(path: str | Path) -> dict[str, Any]:
    """Inspect ``path`` and fail with one clear message unless it is a usable chat GGUF."""
    info = inspect_gguf(path)
    where = info["path"]
    if not info["complete"]:
        raise ModelLoadError(
            f"{where} is truncated (the file is shorter than its tensor data); {REDOWNLOAD}."
        )
    arch = info["architecture"]
    if arch in NOT_CHAT_ARCHITECTURES:
        raise ModelLoadError(
            f"{where} is a '{arch}' model (embedding/encoder only), which cannot write chat "
            f"replies; {FIX}."
        )
    if arch == "unknown":
        raise ModelLoadError(f"{where} names no architecture in its metadata; {FIX}.")
    if not info["tokenizer"]:
        raise ModelLoadError(f"{where} has no tokenizer vocabulary; {FIX}.")
    return info


def list_models(models_dir: str | Path) -> list[dict[str, Any]]:
    """The GGUF files in the models folder (finished downloads only), largest first."""
    folder = Path(models_dir)
    if not folder.is_dir():
        return []
    rows = []
    for path in sorted(folder.rglob("*.gguf")):
        parts = path.relative_to(folder).parts
        if any(part.startswith(".") for part in parts):
            continue  # huggingface_hub keeps partial downloads under .cache/
        if parts[0] == "embeddings":
            continue  # the converted embedding model is not a chat model
        rows.append({"path": str(path), "name": path.name, "bytes": path.stat().st_size})
    return sorted(rows, key=lambda row: (-row["bytes"], row["name"]))


def default_model_path(models_dir: str | Path) -> Path | None:
    """The model to use when none is named: the recommended file, else the largest GGUF."""
    folder = Path(models_dir)
    if (folder / DEFAULT_FILE).is_file():
        return folder / DEFAULT_FILE
    models = list_models(folder)
    return Path(models[0]["path"]) if models else None


def pull_model(
    repo: str = DEFAULT_REPO, filename: str = DEFAULT_FILE, models_dir: str | Path = "."
) -> Path:
    """Download ``filename`` from the Hugging Face repo into the models folder and validate it.

    huggingface_hub shows a progress bar and resumes an interrupted download (it keeps the
    partial file under ``<models_dir>/.cache``).  This is the only network call Closer makes.
    """
    from huggingface_hub import hf_hub_download

    folder = Path(models_dir)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        local = hf_hub_download(repo_id=repo, filename=filename, local_dir=folder)
    except Exception as error:  # network, 404, auth: all become one line
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelLoadError(
            f"could not download {filename} from {repo} into {folder}: {reason}. Check the "
            "repo and file names and your connection, then run the command again (it resumes)."
        ) from None
    path = Path(local)
    validate_gguf(path)
    return path
