"""One reading of each message, computed once per turn: what it says for the flow
(activation, settling, feelings, a story, an ask and how specific it is, flow intents,
greeting, question, an ended relationship, the topic), its blocking language
(``blocking``), and the safety verdict.  Two layers, both offline and deterministic: rules
kept as data (``rules``) and small classifiers on the message embedding the turn already
computes (``assistant.learned``); ``reader`` combines them into a ``Reading``
(``assistant.core.reading``)."""
