# ruff: noqa: F811  (pytest fixtures imported from tests.fixtures_gguf are parameters here)
"""The llama.cpp model on real (tiny, random-weight) GGUF files."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.core.messages import (
    ChatModel,
    GenerationOptions,
    ModelLoadError,
    ModelRequest,
    TurnBrief,
)
from assistant.model.context_budget import TRIM_NOTICE
from assistant.model.llama import LlamaModel, shared_runtime
from assistant.model.runtime import load_runtime
from tests.fixtures_gguf import no_template_gguf, outside_gguf, tiny_gguf  # noqa: F401

BRIEF = TurnBrief(stage="regulation", kind="regulation.first", user_text="")
SYSTEM = {"role": "system", "content": "You help people talk with their partner."}
GREEDY = GenerationOptions(max_tokens=12, temperature=0.0, seed=1)


def ask(model: LlamaModel, messages: list, options: GenerationOptions = GREEDY) -> str:
    return "".join(model.stream(ModelRequest(messages, BRIEF), options))


def history(turns: int) -> list[dict[str, str]]:
    messages = [SYSTEM]
    for i in range(turns):
        messages.append({"role": "user", "content": f"turn {i}: I feel lonely and tired tonight"})
        messages.append(
            {"role": "assistant", "content": f"reply {i}: that sounds hard, I hear you"}
        )
    return messages


def test_is_a_chat_model_and_describes_its_backend(tiny_gguf: Path, settings: Settings) -> None:
    model = LlamaModel(tiny_gguf, settings)
    assert isinstance(model, ChatModel)
    facts = model.describe()
    assert facts["backend"] in ("CPU", "CUDA", "Metal", "Vulkan", "ROCm", "SYCL", "GPU")
    assert facts["threads"] >= 1 and facts["layers_offloaded"].endswith("/3")
    assert facts["n_ctx"] == 2048  # settings ask 4096; the file was trained for 2048
    assert facts["chat_template"] == "metadata" and facts["architecture"] == "llama"


def test_streams_pieces_and_reports_cut_off(tiny_gguf: Path, settings: Settings) -> None:
    model = LlamaModel(tiny_gguf, settings)
    stream = model.stream(ModelRequest([SYSTEM, {"role": "user", "content": "hi"}], BRIEF), GREEDY)
    pieces = list(stream)
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert stream.finish_reason == "length" and not stream.finished  # random weights: no EOS


def test_one_llama_per_file_shared_by_models(tiny_gguf: Path, settings: Settings) -> None:
    first, second = LlamaModel(tiny_gguf, settings), LlamaModel(tiny_gguf, settings)
    assert first.runtime is second.runtime is shared_runtime(tiny_gguf, settings)


def test_concurrent_sessions_are_serialised(tiny_gguf: Path, settings: Settings) -> None:
    model = LlamaModel(tiny_gguf, settings)
    prompts = [[SYSTEM, {"role": "user", "content": f"session {i} says hello"}] for i in range(4)]
    expected = [ask(model, p) for p in prompts]
    results: dict[int, str] = {}

    def run(i: int) -> None:
        results[i] = ask(model, prompts[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[i] for i in range(4)] == expected


def test_closing_a_stream_early_releases_the_model(tiny_gguf: Path, settings: Settings) -> None:
    model = LlamaModel(tiny_gguf, settings)
    stream = model.stream(ModelRequest([SYSTEM, {"role": "user", "content": "hi"}], BRIEF), GREEDY)
    next(stream)
    stream.close()
    assert not model.runtime.lock.locked()
    assert ask(model, [SYSTEM, {"role": "user", "content": "again"}])


def test_template_from_metadata_or_chatml_fallback(
    tiny_gguf: Path, no_template_gguf: Path, outside_gguf: Path, settings: Settings
) -> None:
    def prompt_text(path: Path) -> str:
        model = LlamaModel(path, settings)
        tokens = model.runtime.prompt_tokens([SYSTEM, {"role": "user", "content": "hi"}])
        return model.runtime.llm.detokenize(tokens, special=True).decode()

    assert prompt_text(tiny_gguf).endswith("<|im_start|>assistant\n")
    fallback = LlamaModel(no_template_gguf, settings)
    assert fallback.describe()["chat_template"] == "fallback (ChatML)"
    assert prompt_text(no_template_gguf).count("<|im_start|>") == 3
    outside = prompt_text(outside_gguf)
    assert outside.startswith("<|begin_of_text|><|start_header_id|>system")
    assert ask(LlamaModel(outside_gguf, settings), [SYSTEM, {"role": "user", "content": "hi"}])


def test_session_switch_restores_saved_state(tiny_gguf: Path, settings: Settings) -> None:
    model = LlamaModel(tiny_gguf, settings)
    runtime = model.runtime
    a, b = history(6), history(5)
    b[1] = {"role": "user", "content": "a different conversation entirely, about work"}
    ask(model, a + [{"role": "user", "content": "first"}])
    ask(model, b + [{"role": "user", "content": "other"}])  # leaves A: A's state is saved
    loads = runtime.state_loads
    again = ask(model, a + [{"role": "user", "content": "second"}])
    assert runtime.state_loads == loads + 1
    # The restored state gives the same reply as a fresh evaluation of the whole prompt.
    fresh = load_runtime(tiny_gguf, settings)
    model.runtime = fresh
    assert ask(model, a + [{"role": "user", "content": "second"}]) == again


def test_continuing_a_conversation_saves_nothing(tiny_gguf: Path, settings: Settings) -> None:
    """The newest message carries a turn guide that history later drops: still the same
    conversation, so no state is saved (saving would copy the whole KV cache every turn)."""
    model = LlamaModel(tiny_gguf, settings)
    model.runtime = load_runtime(tiny_gguf, settings)
    messages = history(2)
    for turn in range(4):
        guide = " [Guide for this reply] name the feeling, then one small ask. " * 3
        sent = messages + [{"role": "user", "content": f"next {turn}{guide}"}]
        reply = ask(model, sent)
        messages += [{"role": "user", "content": f"next {turn}"}]
        messages += [{"role": "assistant", "content": reply}]
    assert model.runtime.state_saves == 0 and model.runtime.state_loads == 0


def test_fit_messages_trims_oldest_exchanges_with_notice(
    tiny_gguf: Path, settings: Settings
) -> None:
    model = LlamaModel(tiny_gguf, settings)
    short = history(2) + [{"role": "user", "content": "now"}]
    assert model.fit_messages(short, 256) == (short, None)
    long = history(150) + [{"role": "user", "content": "newest words"}]
    fitted, notice = model.fit_messages(long, 256)
    assert notice == TRIM_NOTICE
    assert model.count_tokens(fitted) <= model.n_ctx - 256
    assert fitted[0] == SYSTEM and fitted[-1] == long[-1]
    assert fitted[1]["role"] == "user" and fitted[1:] == long[len(long) - len(fitted) + 1 :]
    # One more exchange moves the cut only every few turns, so the prefix stays cached.
    longer = long[:-1] + [{"role": "assistant", "content": "ok"}, {"role": "user", "content": "x"}]
    assert model.fit_messages(longer, 256)[0][1] == fitted[1]


def test_huge_message_is_shortened_not_an_error(tiny_gguf: Path, settings: Settings) -> None:
    model = LlamaModel(tiny_gguf, settings)
    huge = [SYSTEM, {"role": "user", "content": "words " * 6000 + "the end"}]
    fitted, notice = model.fit_messages(huge, 256)
    assert notice and fitted[-1]["content"].endswith("the end")
    assert model.count_tokens(fitted) <= model.n_ctx - 256
    assert ask(model, huge)  # stream() fits by itself too


def test_file_llama_cpp_cannot_load_is_a_model_load_error(
    tmp_path: Path, settings: Settings
) -> None:
    import gguf

    from benchmarks.tiny_gguf import spm_vocab

    path = tmp_path / "no-tensors.gguf"
    writer = gguf.GGUFWriter(path, "llama")
    vocab = spm_vocab()
    writer.add_tokenizer_model("llama")
    writer.add_token_list(vocab.tokens)
    writer.add_block_count(1)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    with pytest.raises(ModelLoadError, match="llama.cpp could not load .*no-tensors.gguf"):
        LlamaModel(path, settings)
