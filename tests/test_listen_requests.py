"""Two things people ask of a supporter: words they could send, and no exercise once they
have said no to one."""

from __future__ import annotations

from graphs.runner import Conversation


def test_asked_for_words_to_send_it_gives_words(guided_services) -> None:  # noqa: ANN001
    conversation = Conversation(guided_services)
    conversation.turn("my husband and i barely talk since the move and i feel so lonely")
    reply = conversation.turn("could you write me a text i could send him at lunch?").reply
    assert reply.count('"') == 2, reply  # one draft, in quotes, to send as it is
    draft = reply.split('"')[1]
    assert len(draft.split()) >= 8 and "?" not in reply.split('"')[2], reply


def test_no_exercise_after_the_person_refuses_one(guided_services) -> None:  # noqa: ANN001
    conversation = Conversation(guided_services)
    conversation.turn("she went cold on me again and my heart is pounding")
    refused = conversation.turn("pls no breathing exercises, i just want to vent")
    assert "exercise" in refused.reply.lower()  # the refusal is acknowledged
    later = conversation.turn("my heart is still pounding and my hands are shaking")
    for reply in (refused.reply, later.reply):
        lowered = reply.lower()
        assert not any(w in lowered for w in ("breathe in", "feet into the floor", "name three"))
    assert conversation.state().get("no_exercises") is True
