"""The shared vocabulary every other piece speaks, importing nothing else of ours: the steps
(``stages``), messages, cards, the turn brief and the model interface (``messages``), the
reading of a message (``reading``), the safety verdict (``screening``), whose side a
conversation is for (``perspective``), the protocols pieces need of each other
(``protocols``: an embedder, a retriever) and the typed event stream (``events``)."""
