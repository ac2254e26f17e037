"""Closer's building blocks: config, model interface, composer, coach, safety, retrieval, storage.

Nothing in this package imports from ``graphs`` or ``evals``: data flows one way.
"""
