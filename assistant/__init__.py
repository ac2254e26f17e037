"""Closer's building blocks, one sub-package per concept: ``model`` (who writes a reply),
``safety`` (the screen and our fixed text), ``retrieval`` (cards, embeddings, the index, the
person's documents) and ``coaching`` (steps, reading the flow, blocking language, prompts,
the plan); beside them ``config``, ``events``, ``storage``, ``knowledge`` (the rule data) and
``text`` (cleaning and the one normal form).

Nothing in this package imports from ``graphs``, ``evals``, ``benchmarks`` or ``closer``:
data flows one way.
"""
