"""Opening and closing a Chroma store on disk: one folder each, telemetry off, no reset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.config import secure_tree


def open_chroma(folder: Path) -> Any:
    """A Chroma store on disk in ``folder`` (0700): telemetry off, and no ``allow_reset``:
    nothing in the product may wipe a store through Chroma; the person's documents are
    forgotten by deleting their own folder."""
    import chromadb  # lazy: a heavy import
    from chromadb.config import Settings as ChromaSettings

    folder.mkdir(parents=True, exist_ok=True)
    secure_tree(folder)
    client = chromadb.PersistentClient(
        path=str(folder), settings=ChromaSettings(anonymized_telemetry=False)
    )
    secure_tree(folder)
    return client


def close_chroma(folder: Path) -> None:
    """Stop this process's Chroma system for ``folder`` (its files are then let go), leaving
    any other folder's store open."""
    from chromadb.api.shared_system_client import SharedSystemClient

    systems = SharedSystemClient._identifier_to_system  # noqa: SLF001 - no public close
    for identifier in [key for key in systems if Path(key) == folder]:
        systems.pop(identifier).stop()
