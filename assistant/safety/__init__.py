"""The deterministic safety screen: how opinions combine (``verdict``; the types are in
``assistant.core.screening``), the pattern layer (``patterns``), the learned layer
(``classifier``), the semantic layer (``semantic``), the screen that runs them (``screen``),
reading a reply to a safety question (``answers``), the help resources (``resources``) and
our fixed escalation text (``escalation``)."""
