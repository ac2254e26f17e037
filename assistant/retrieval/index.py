"""Stage-aware retrieval over the guidance cards, in a Chroma index on disk.

The guidance collection is built on first use and rebuilt only when the cards' content hash
(or the embedding model) changes, so a normal start does no embedding work at all.  Vectors
are always computed by our own embedder and handed to Chroma explicitly; Chroma's default
embedding function would try to download a model.  The person's own documents live in a
store of their own, in another folder (see ``assistant.retrieval.documents``): this one holds
nothing about the person.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings, secure_tree
from assistant.core.messages import Card
from assistant.core.protocols import Embedder
from assistant.retrieval.cards import GuidanceCard, cards_hash, load_all_cards
from assistant.retrieval.chroma import open_chroma
from assistant.retrieval.embeddings import get_embedder

GUIDANCE_COLLECTION = "guidance"
COSINE = {"hnsw": {"space": "cosine"}}
# Added to the cosine similarity of cards tagged with the current stage.  Chosen by measuring
# hit@3 on evals/data/dev/retrieval_queries.jsonl with no stage signal, a hard filter and
# several boosts (see docs/notes-retrieval.md): a boost keeps a strong off-stage match reachable.
STAGE_BOOST = 0.1
# Added to the supporter's own cards (cards/supporter/) in a supporter's search, so the card
# written for their step comes before a shared card on the same theme.
SUPPORTER_BOOST = 0.1
VIEW_SEP = "#"


class KnowledgeBase:
    """The guidance index (``settings.index_dir``) plus the person's documents (their own
    store, in ``documents_dir(settings)``)."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._client: Any = None
        self._cards: dict[str, GuidanceCard] | None = None
        self._guidance: Any = None  # the collection, once ensure_index has checked it
        self._views: tuple[list[str], Any] | None = None  # (view ids, unit vectors) from it
        self._lock = threading.Lock()  # the UI may search from several threads at once
        self._document_store: Any = None

    # -- lazily created parts -------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self.settings)
        return self._embedder

    @property
    def client(self) -> Any:
        if self._client is None:
            self.settings.ensure_home()
            self._client = open_chroma(self.settings.index_dir)
        return self._client

    @property
    def cards(self) -> dict[str, GuidanceCard]:
        if self._cards is None:
            self._cards = {card.id: card for card in load_all_cards()}
        return self._cards

    def index_key(self) -> str:
        """What the stored vectors depend on: the cards' content and the embedding model."""
        return f"{cards_hash(list(self.cards.values()))}|{self.embedder.name}"

    # -- the guidance index ---------------------------------------------------------------
    def ensure_index(self, progress: bool = False) -> bool:
        """Build the guidance collection if missing or stale; True when it was (re)built."""
        with self._lock:
            key = self.index_key()
            existing = self._guidance_collection()
            if existing is not None and (existing.metadata or {}).get("index_key") == key:
                self._guidance = existing
                return False
            if existing is not None:
                self.client.delete_collection(GUIDANCE_COLLECTION)
            self._guidance = self._build(key, progress)
            self._views = None
            return True

    def _guidance_collection(self) -> Any | None:
        names = {getattr(c, "name", c) for c in self.client.list_collections()}
        if GUIDANCE_COLLECTION not in names:
            return None
        return self.client.get_collection(GUIDANCE_COLLECTION, embedding_function=None)

    def _build(self, key: str, progress: bool) -> Any:
        from tqdm import tqdm  # lazy

        cards = list(self.cards.values())
        collection = self.client.create_collection(
            GUIDANCE_COLLECTION,
            configuration=COSINE,
            metadata={"index_key": key, "cards": len(cards)},
            embedding_function=None,
        )
        with tqdm(
            total=len(cards), desc="Indexing guidance", unit="card", disable=not progress
        ) as bar:
            for card in cards:
                views = card.views()
                collection.add(
                    ids=[f"{card.id}{VIEW_SEP}{n}" for n in range(len(views))],
                    embeddings=self.embedder.embed(views),
                    documents=views,
                    metadatas=[{"card": card.id, "view": n} for n in range(len(views))],
                )
                bar.update(1)
        secure_tree(self.settings.index_dir)
        return collection

    def search(
        self,
        query: str,
        stage: str | None = None,
        k: int = 3,
        *,
        context: str | None = None,
        perspective: str = "self",
    ) -> list[Card]:
        """The ``k`` best cards for ``query``, with scores; ``stage`` boosts its own cards.
        The supporter's own cards are searched only when ``perspective`` is "supporter" (then
        with ``SUPPORTER_BOOST``); a "self" search never sees them.

        Every card has several vectors (see ``GuidanceCard.views``).  A card's score is the
        mean of its best view and its average view, so one lucky sentence cannot outrank a
        card that matches throughout; cards tagged with ``stage`` then get ``STAGE_BOOST``.
        ``context`` (say, what the current step is for) is blended into the query vector, half
        and half: a short message ("I'm ready") says little on its own.  Both vectors usually
        come from the embedder's recent cache, so blending costs no embedding work.
        """
        if not query.strip() or k <= 0:
            return []
        if self._guidance is None:
            self.ensure_index()
        view_ids, matrix = self._view_vectors()
        texts = [query, context] if context and context.strip() else [query]
        vector = np.asarray(self.embedder.embed(texts), dtype=np.float32).sum(axis=0)
        similarities = matrix @ (vector / max(float(np.linalg.norm(vector)), 1e-12))
        per_card: dict[str, list[float]] = {}
        for view_id, similarity in zip(view_ids, similarities.tolist(), strict=True):
            per_card.setdefault(view_id.split(VIEW_SEP)[0], []).append(similarity)
        ranked = []
        for card_id, sims in per_card.items():
            card = self.cards.get(card_id)
            if card is None or (card.supporters_only and perspective != "supporter"):
                continue
            score = (max(sims) + sum(sims) / len(sims)) / 2
            if card.supporters_only and perspective == "supporter":
                score += SUPPORTER_BOOST
            if stage and stage in card.stages:
                score += STAGE_BOOST
            ranked.append((score, card))
        ranked.sort(key=lambda pair: pair[0], reverse=True)
        return [_as_card(card, score) for score, card in ranked[:k]]

    def _view_vectors(self) -> tuple[list[str], Any]:
        """Every view's id and unit vector, read from the Chroma collection once.

        A card's score needs the similarity of *all* its views, and asking Chroma's top-k
        query for all 477 results cost 5-10 ms a turn (it fetches a row per result); the
        same exact cosines from one matrix product take well under a millisecond."""
        with self._lock:
            if self._views is None:
                got = self._guidance.get(include=["embeddings"])
                matrix = np.asarray(got["embeddings"], dtype=np.float32).reshape(
                    len(got["ids"]), -1
                )
                norms = np.linalg.norm(matrix, axis=1, keepdims=True)
                self._views = (list(got["ids"]), matrix / np.maximum(norms, 1e-12))
            return self._views

    # -- the person's documents (kept in assistant.retrieval.documents) ---------------------
    def _documents(self) -> Any:
        from assistant.retrieval.documents import DocumentStore, documents_dir

        if self._document_store is None:
            self._document_store = DocumentStore(
                documents_dir(self.settings), lambda: self.embedder
            )
        return self._document_store

    def ingest(
        self, paths: Iterable[str | Path], progress: Any = None
    ) -> Any:  # -> documents.IngestReport; progress: documents.Progress
        return self._documents().ingest(paths, progress)

    def remove(self, path_or_id: str) -> int:
        return self._documents().remove(path_or_id)

    def list_documents(self) -> list[dict[str, Any]]:
        return self._documents().list_documents()

    def forget_documents(self) -> int:
        return self._documents().forget()

    def search_documents(self, query: str, k: int = 3) -> list[Card]:
        return self._documents().search(query, k)


def _as_card(card: GuidanceCard, score: float) -> Card:
    return Card(
        id=card.id,
        title=card.title,
        source=card.source,
        text=card.body,
        stages=card.stages,
        score=round(score, 4),
        tip=card.tip,
    )
