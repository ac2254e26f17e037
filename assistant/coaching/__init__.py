"""The coaching itself: the steps (``stages``), the phrase a reply reflects back (``echo``),
blocking language (``blocking``), the model's prompt (``prompting``) and the exported plan
(``plan``).  What a message says for the flow is read once, in ``assistant.reading``."""
