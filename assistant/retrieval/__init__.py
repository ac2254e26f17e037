"""Grounding: guidance cards (``cards``), offline embeddings (``embeddings``, ``convert``),
the Chroma index on disk (``index``) and the person's own documents in a store of their own
(``documents``)."""
