"""The coaching itself: the guided composer (``guided``, our own templates) and its parts
(``replies``: greeting, answer, reflection, topic; ``echo``: the phrase a reply reflects;
``variety``; ``tips``: which card tips fit), the model's prompt (``prompting``), the
exported ``plan``, the intimacy map (``intimacy_map``) and the supporter's data
(``perspective``).  What a message says is read once, in ``assistant.reading``."""
