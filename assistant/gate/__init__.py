"""The reply gate: what may reach the person.  Rules for a model's draft, sentence by sentence
(``draft_checks``, with the shared lexicons in ``guard``: diagnoses, blocking language in the
reply's own voice), the gate that releases checked sentences as a draft streams
(``sentence_gate``) and the listening check every reply passes (``listening``).  One limits
table, ``knowledge/rules/gate.yaml``, serves them and the evals rubric."""
