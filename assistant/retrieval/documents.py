"""The person's own documents (.md, .txt, .pdf): read, chunk, de-duplicate, embed, remove.

Everything is checked before anything is written, so a file that cannot be read (missing,
binary, empty, a broken PDF) gets a clear message and leaves the index exactly as it was.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.core.messages import Card

DOCUMENTS_COLLECTION = "documents"
SUFFIXES = (".md", ".markdown", ".txt", ".pdf")
MAX_FILE_BYTES = 20 * 1024 * 1024
EMBED_BATCH = 8  # passages per call into the embedder: progress steps, and a turn's longest wait
Progress = Callable[[int, int, Path], None]  # (passages embedded, passages, file)
CHUNK_WORDS = 120  # well under the embedder's 256-token window
OVERLAP_WORDS = 20


def documents_dir(settings: Any) -> Path:
    """The person's own store: a folder beside the guidance index, never inside it."""
    return Path(settings.home) / "documents-index"


class DocumentError(ValueError):
    """A document cannot be ingested or found; the message says which and why."""


@dataclass
class IngestReport:
    added: list[dict[str, Any]] = field(default_factory=list)  # {id, path, chunks}
    skipped: list[dict[str, str]] = field(default_factory=list)  # {path, reason}: duplicates
    errors: list[dict[str, str]] = field(default_factory=list)  # {path, message}

    @property
    def ok(self) -> bool:
        return not self.errors


def read_text(path: Path) -> str:
    """The text of one file, or a DocumentError that says plainly what is wrong with it."""
    if not path.exists():
        raise DocumentError(f"{path}: no such file")
    if not path.is_file():
        raise DocumentError(f"{path}: not a regular file")
    if path.suffix.lower() not in SUFFIXES:
        raise DocumentError(f"{path}: unsupported type; use {', '.join(SUFFIXES)}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DocumentError(f"{path}: too large ({size // 1_000_000} MB; limit 20 MB)")
        text = _read_pdf(path) if path.suffix.lower() == ".pdf" else _read_plain(path)
    except PermissionError as error:
        raise DocumentError(f"{path}: cannot be read (permission denied)") from error
    except OSError as error:
        raise DocumentError(f"{path}: cannot be read ({error.strerror or error})") from error
    if not text.strip():
        raise DocumentError(f"{path}: contains no text")
    return text


def _read_plain(path: Path) -> str:
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        raise DocumentError(f"{path}: looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(f"{path}: is not UTF-8 text ({error.reason})") from error


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader  # lazy
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        raise DocumentError(f"{path}: is not a readable PDF ({error})") from error


def chunk_text(text: str, size: int = CHUNK_WORDS, overlap: int = OVERLAP_WORDS) -> list[str]:
    """Overlapping word windows, so a passage cut at a boundary is still found whole."""
    words = text.split()
    if len(words) <= size:
        return [" ".join(words)]
    step = size - overlap
    return [" ".join(words[i : i + size]) for i in range(0, len(words) - overlap, step)]


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


class DocumentStore:
    """The person's documents in a Chroma store of their own, in its own folder: forgetting
    them is deleting that folder, and removing one rebuilds the folder without it, so no
    removed word stays in a log or a free page.  Chunk ids are ``<document id>:<n>``."""

    def __init__(self, folder: Path, embedder: Callable[[], Any]) -> None:
        self.folder = Path(folder)
        self._embedder = embedder  # called when vectors are needed: listing needs none
        self._client: Any = None
        # Writes (add, rebuild) and searches take turns; embedding a note holds no lock, so
        # a turn can search the notes while a long one is being embedded.
        self._writing = threading.RLock()

    def _embed(self, texts: list[str]) -> Any:
        return self._embedder().embed(texts)

    @property
    def client(self) -> Any:
        if self._client is not None and not (self.folder / "chroma.sqlite3").is_file():
            # Deleted under us (`closer forget --all` while the page runs): let go of the
            # deleted files and start a fresh store, rather than write into an unlinked one.
            self.close()
        if self._client is None:
            from assistant.retrieval.chroma import open_chroma

            self._client = open_chroma(self.folder)
        return self._client

    def _collection(self) -> Any:
        return self.client.get_or_create_collection(
            DOCUMENTS_COLLECTION,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=None,
        )

    def _secure(self) -> None:
        from assistant.config import secure_tree

        secure_tree(self.folder)

    def ingest(
        self, paths: Iterable[str | Path], progress: Progress | None = None
    ) -> IngestReport:
        report = IngestReport()
        checked = []
        for path in _expand(paths):
            try:
                checked.append((path, read_text(path)))
            except DocumentError as error:
                report.errors.append({"path": str(path), "message": str(error)})
        if not checked:  # nothing to add: the store is not even created
            return report
        collection = self._collection()
        for path, text in checked:
            digest = content_hash(text)
            doc_id = digest[:16]
            if collection.get(where={"doc_id": doc_id}, limit=1, include=[])["ids"]:
                report.skipped.append({"path": str(path), "reason": f"already indexed as {doc_id}"})
                continue
            chunks = list(dict.fromkeys(chunk_text(text)))  # drop repeated chunks, keep order
            vectors = self._embed_batches(chunks, path, progress)
            with self._writing:
                # Same file, new content: the new version replaces the old one.
                old = collection.get(where={"path": str(path)}, include=[])["ids"]
                if old:
                    self._rebuild_without(set(old))
                    collection = self._collection()
                numbers = range(len(chunks))
                collection.add(
                    ids=[f"{doc_id}:{n}" for n in numbers],
                    embeddings=vectors,
                    documents=chunks,
                    metadatas=[_chunk_metadata(path, doc_id, digest, n) for n in numbers],
                )
            report.added.append({"id": doc_id, "path": str(path), "chunks": len(chunks)})
        self._secure()
        return report

    def _embed_batches(self, chunks: list[str], path: Path, progress: Progress | None) -> Any:
        """The chunks' vectors, ``EMBED_BATCH`` at a time, outside the store's lock: the
        embedder is shared with the turns, so a turn's message waits for one batch at most,
        never for a whole note; ``progress`` hears (done, total, path) after each batch."""
        embedder = self._embedder()
        vectors: list[Any] = []
        for start in range(0, len(chunks), EMBED_BATCH):
            batch = chunks[start : start + EMBED_BATCH]
            try:  # a note's passages are seen once: kept out of the turn's vector cache
                vectors += embedder.embed(batch, remember=False)
            except TypeError:  # an embedder without a cache
                vectors += embedder.embed(batch)
            if progress is not None:
                progress(len(vectors), len(chunks), path)
        return vectors

    def remove(self, path_or_id: str) -> int:
        """Delete one document (by id, by name, or by the path it was ingested from);
        returns how many passages went."""
        with self._writing:
            if self.folder.is_dir():
                collection = self._collection()
                path = str(Path(path_or_id).expanduser().resolve())
                for where in ({"doc_id": path_or_id}, {"path": path}, {"title": path_or_id}):
                    found = collection.get(where=where, include=[])["ids"]
                    if found:
                        self._rebuild_without(set(found))
                        return len(found)
        raise DocumentError(
            f"no ingested document matches {path_or_id!r}; see `closer knowledge list`"
        )

    def _rebuild_without(self, removed: set[str]) -> None:
        """Delete chunks by writing the store anew without them: a plain delete leaves their
        text in Chroma's write-ahead log and free pages, and removed words must leave the
        disk.  Only the person's documents are in this folder, so this costs little."""
        kept = self._collection().get(include=["embeddings", "documents", "metadatas"])
        rows = [
            (id_, vector, text, meta)
            for id_, vector, text, meta in zip(
                kept["ids"], kept["embeddings"], kept["documents"], kept["metadatas"], strict=True
            )
            if id_ not in removed
        ]
        self.forget()
        if rows:
            ids, vectors, texts, metas = (list(column) for column in zip(*rows, strict=True))
            self._collection().add(ids=ids, embeddings=vectors, documents=texts, metadatas=metas)
            self._secure()

    def close(self) -> None:
        """Let go of the store's files (Chroma keeps one system per folder per process)."""
        from assistant.retrieval.chroma import close_chroma

        if self._client is not None:
            client, self._client = self._client, None
            client.close()
        close_chroma(self.folder)  # another client on this folder in this process: stopped too

    def list_documents(self) -> list[dict[str, Any]]:
        with self._writing:
            if not self.folder.is_dir():
                return []
            metadatas = self._collection().get(include=["metadatas"])["metadatas"] or []
        documents: dict[str, dict[str, Any]] = {}
        for meta in metadatas:
            entry = documents.setdefault(
                meta["doc_id"],
                {
                    "id": meta["doc_id"],
                    "title": meta["title"],
                    "path": meta["path"],
                    "added": meta["added"],
                    "chunks": 0,
                },
            )
            entry["chunks"] += 1
        return sorted(documents.values(), key=lambda d: (d["added"], d["id"]))

    def forget(self) -> int:
        """Delete every ingested document and its vectors: the folder goes; returns how many."""
        with self._writing:
            if not self.folder.exists():
                return 0
            count = len(self.list_documents())
            self.close()
            shutil.rmtree(self.folder)
            return count

    def search(self, query: str, k: int = 3) -> list[Card]:
        if not self.folder.is_dir() or not query.strip() or k <= 0:
            return []
        vector = self._embed([query])  # before the lock: a note being written waits for no one
        with self._writing:
            if not self.folder.is_dir():
                return []
            collection = self._collection()
            total = collection.count()
            if total == 0:
                return []
            result = collection.query(
                query_embeddings=vector,
                n_results=min(k, total),
                include=["distances", "metadatas", "documents"],
            )
        return [
            Card(
                id=chunk_id,
                title=meta["title"],
                source=meta["path"],
                text=text,
                score=round(1.0 - float(distance), 4),
            )
            for chunk_id, meta, text, distance in zip(
                result["ids"][0],
                result["metadatas"][0],
                result["documents"][0],
                result["distances"][0],
                strict=True,
            )
        ]


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a folder contributes its supported files, recursively."""
    expanded: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser().resolve()
        if path.is_dir():
            expanded += sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES)
        else:
            expanded.append(path)
    return list(dict.fromkeys(expanded))


def _chunk_metadata(path: Path, doc_id: str, digest: str, n: int) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "path": str(path),
        "title": path.name,
        "sha256": digest,
        "chunk": n,
        "added": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
