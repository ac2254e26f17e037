"""Context a person can correct: a past partner told about beside the present one does not
end the relationship, and saying it goes on sets an earlier "ended" reading aside."""

from __future__ import annotations

import pytest

from assistant.reading.reader import read
from graphs.runner import Conversation


@pytest.mark.parametrize(
    "text",
    [
        "my ex-wife did the silent treatment too, and now my partner goes quiet on me",
        "my boyfriend does this thing my ex used to do, shutting the door on me",
        "honestly my fiance reminds me of an ex sometimes and i hate that",
    ],
)
def test_a_past_partner_beside_the_present_one_ends_nothing(text: str) -> None:
    assert not read(text).ended


@pytest.mark.parametrize(
    "text",
    [
        "sorry i wasn't clear, we're still together, just going through a rough patch",
        "no no, not my ex. i mean my husband, the one i live with",
        "we haven't broken up, it just feels like it lately",
    ],
)
def test_saying_the_relationship_goes_on_is_read(text: str) -> None:
    reading = read(text)
    assert reading.together and not reading.ended


@pytest.mark.parametrize(
    "text", ["she moved out in march and we split up for good", "he dumped me over text"]
)
def test_an_ending_is_still_read(text: str) -> None:
    assert read(text).ended and not read(text).together


def test_a_correction_sets_an_earlier_ending_aside(guided_services) -> None:
    conversation = Conversation(guided_services)
    conversation.turn("we split up in march and i keep going over it, my chest gets so tight")
    assert conversation.state().get("relationship_ended") is True
    conversation.turn("wait, no, we're still together, it was a break. i meant we argued")
    assert conversation.state().get("relationship_ended") is False
    conversation.turn("my chest is still tight thinking about talking to him tonight")
    assert conversation.state().get("relationship_ended") is False
