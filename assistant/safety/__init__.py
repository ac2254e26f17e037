"""The deterministic safety screen: its verdict type (``verdict``), the pattern layer
(``patterns``), the semantic layer (``semantic``), the screen that runs them (``screen``),
the help resources (``resources``) and our fixed escalation text (``escalation``)."""
