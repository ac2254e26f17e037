"""Grounding: guidance cards (``cards``), offline embeddings (``embeddings``, ``convert``),
the Chroma index on disk (``index``), the person's own documents (``documents``) and the
clean-up that keeps deleted words off the disk (``scrub``)."""
