"""The body's alarm said back in a phrase that reads as English, never a label."""

from __future__ import annotations

import pytest

from assistant.coaching.listen_scene import signal_of


@pytest.mark.parametrize(
    ("activation", "said"),
    [
        (["shaky"], "feeling so shaky"),
        (["keyed up"], "feeling so keyed up"),
        (["tense"], "feeling so tense"),
        (["replaying"], "with all that replaying"),
        (["my chest is so tight"], "with that tight chest"),
        (["my hands are shaking"], "with those shaking hands"),
        (["froze"], ""),  # a verb: "feeling so froze" is not English
        (["(activation)"], ""),  # a learned signal's label, never shown
    ],
)
def test_the_alarm_reads_as_english(activation: list[str], said: str) -> None:
    assert signal_of(activation) == said


def _reflect(text: str, feeling: str) -> str:
    from assistant.coaching.listen_scene import reflection, scene_of
    from assistant.core.reading import Reading

    reading = Reading(text=text, feelings=(feeling,), feeling=True)
    return reflection(scene_of(text, reading), reading, [])


def test_missing_someone_is_said_plainly() -> None:
    said = _reflect("it's fine, i just miss him", "miss him")
    assert "feeling miss" not in said and said


def test_self_criticism_is_not_said_back_as_a_fact() -> None:
    said = _reflect("i feel pathetic", "pathetic")
    assert "pathetic" not in said and "hard on yourself" in said
