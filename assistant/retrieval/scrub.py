"""Removing what Chroma leaves behind after deletions, so deleted words leave the disk."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path


def scrub_index(index_dir: Path) -> None:
    """Remove what Chroma leaves behind after deleting a collection.

    Chroma keeps a deleted collection's vector files (a folder named after the segment id)
    and leaves the deleted rows' text in the free pages of ``chroma.sqlite3``.  With the
    client closed, drop folders no segment refers to and vacuum the database (the same
    VACUUM ``chroma utils vacuum`` runs).
    """
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # closes this process's Chroma handles
    database = index_dir / "chroma.sqlite3"
    if not database.is_file():
        return
    connection = sqlite3.connect(database)
    try:
        segments = {row[0] for row in connection.execute("SELECT id FROM segments")}
        connection.execute("VACUUM")
    finally:
        connection.close()
    for folder in index_dir.iterdir():
        if folder.is_dir() and _is_uuid(folder.name) and folder.name not in segments:
            shutil.rmtree(folder)


def _is_uuid(name: str) -> bool:
    try:
        uuid.UUID(name)
    except ValueError:
        return False
    return True
