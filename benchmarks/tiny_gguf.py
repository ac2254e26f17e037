"""Random-weight llama GGUF files for tests and benchmarks (no weights can be downloaded here).

``write_tiny_llama`` writes a real llama-architecture GGUF with the ``gguf`` package: a
byte-fallback vocabulary (SentencePiece-style by default, or a GPT-2-style byte-level BPE),
a chat template in ``tokenizer.chat_template`` and random weights.  llama.cpp loads it, chats
through the template and streams; the text is noise, which is all a runtime test needs.
At ``dim=1024, layers=12`` it is the ~150 M-parameter benchmark model.  Tensors are generated
and written one at a time, so memory stays at one tensor however big the file is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

LLAMA3 = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
    " + message['content'] | trim + '<|eot_id|>' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
    "{% endif %}"
)

# Common English pieces, so prompts are not all byte tokens (each becomes "▁word" / "Ġword").
_WORD_TEXT = (
    "the and to of a I you it in that is was for me my he she him her we they not but with "
    "have be do this what so on at can just feel like when your about know if all out time "
    "one get how there would could want make our us are from or by as an will up no yes "
    "been had has did think them then than more some said say tell told help need really "
    "because why who where which very much still even never always ever again back after "
    "before now here today tonight night day week together talk talking listen hear heard "
    "partner love close closer afraid fear scared hurt angry sad lonely calm calmer breath "
    "breathe breathed body chest tight stomach heart story telling myself matter sorry "
    "thank thanks please could ask request ten minutes phones away dinner sit sitting "
    "walk call text message home work kids money sleep tired safe okay maybe try trying "
    "notice noticed name naming moment small kind specific each other something nothing "
    "everything anything someone feeling feelings felt things thing way right wrong good "
    "bad better hard easy new old long little big first last next"
)
WORDS = tuple(_WORD_TEXT.split())
SUFFIXES = ("ing", "ed", "er", "ly", "s", "'s", "n't", "'m", "'re", "'ll", "'ve", "tion")


@dataclass(frozen=True)
class Vocab:
    model: str  # "llama" (SentencePiece) or "gpt2" (byte-level BPE)
    tokens: list[str]
    scores: list[float]
    types: list[int]
    merges: list[str]
    bos: int
    eos: int
    unk: int | None
    add_bos: bool


def spm_vocab() -> Vocab:
    """<unk> <s> </s> <|im_start|> <|im_end|>, the 256 <0xNN> bytes, characters, word pieces."""
    from gguf import TokenType

    tokens = ["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"]
    types = [TokenType.UNKNOWN] + [TokenType.CONTROL] * 4
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [TokenType.BYTE] * 256
    pieces = ["▁"] + [chr(c) for c in range(33, 127)]
    for word in WORDS:
        for piece in (word, "▁" + word, "▁" + word.capitalize()):
            # SentencePiece only merges pairs whose join is a piece: add every prefix.
            pieces += [piece[:end] for end in range(2, len(piece) + 1)]
    pieces += list(SUFFIXES)
    pieces = list(dict.fromkeys(pieces))
    tokens += pieces
    types += [TokenType.NORMAL] * len(pieces)
    # SentencePiece merges the highest-scoring pair first: prefer longer pieces.
    scores = [0.0] * (5 + 256) + [float(len(p)) for p in pieces]
    return Vocab("llama", tokens, scores, [int(t) for t in types], [], 1, 4, 0, add_bos=False)


def _byte_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character table."""
    visible = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    table = {b: chr(b) for b in visible}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return dict(sorted(table.items()))


def bpe_vocab() -> Vocab:
    """Byte-level BPE (Llama-3 layout): 256 byte symbols, merges for the common words, specials."""
    from gguf import TokenType

    tokens = list(_byte_to_unicode().values())
    merges: list[str] = []
    known = set(tokens)
    for word in WORDS:
        piece = "Ġ" + word  # a leading space is "Ġ" in GPT-2's byte table
        left = piece[0]
        for char in piece[1:]:
            if left + char not in known:
                merges.append(f"{left} {char}")
                tokens.append(left + char)
                known.add(left + char)
            left += char
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>"]
    specials += ["<|end_header_id|>", "<|eot_id|>"]
    types = [int(TokenType.NORMAL)] * len(tokens) + [int(TokenType.CONTROL)] * len(specials)
    first_special = len(tokens)
    tokens += specials
    scores = [0.0] * len(tokens)
    bos, eot = first_special, first_special + 4
    return Vocab("gpt2", tokens, scores, types, merges, bos, eot, None, add_bos=True)


def _tensor_shapes(
    vocab_size: int, dim: int, layers: int, heads: int, kv_heads: int, ff: int
) -> Iterator[tuple[str, tuple[int, ...]]]:
    """Names and numpy shapes (rows, columns) of a llama model's tensors, in file order."""
    kv_dim = dim // heads * kv_heads
    yield "token_embd.weight", (vocab_size, dim)
    for i in range(layers):
        yield f"blk.{i}.attn_norm.weight", (dim,)
        yield f"blk.{i}.attn_q.weight", (dim, dim)
        yield f"blk.{i}.attn_k.weight", (kv_dim, dim)
        yield f"blk.{i}.attn_v.weight", (kv_dim, dim)
        yield f"blk.{i}.attn_output.weight", (dim, dim)
        yield f"blk.{i}.ffn_norm.weight", (dim,)
        yield f"blk.{i}.ffn_gate.weight", (ff, dim)
        yield f"blk.{i}.ffn_up.weight", (ff, dim)
        yield f"blk.{i}.ffn_down.weight", (dim, ff)
    yield "output_norm.weight", (dim,)
    yield "output.weight", (vocab_size, dim)


def _add_vocab(writer: object, vocab: Vocab, chat_template: str | None) -> None:
    writer.add_tokenizer_model(vocab.model)
    if vocab.model == "gpt2":
        writer.add_tokenizer_pre("llama-bpe")
        writer.add_token_merges(vocab.merges)
    else:
        writer.add_add_space_prefix(False)
    writer.add_token_list(vocab.tokens)
    writer.add_token_scores(vocab.scores)
    writer.add_token_types(vocab.types)
    writer.add_bos_token_id(vocab.bos)
    writer.add_eos_token_id(vocab.eos)
    if vocab.unk is not None:
        writer.add_unk_token_id(vocab.unk)
    writer.add_add_bos_token(vocab.add_bos)
    if chat_template:
        writer.add_chat_template(chat_template)


def write_tiny_llama(
    path: str | Path,
    *,
    dim: int = 64,
    layers: int = 2,
    heads: int = 4,
    kv_heads: int | None = None,
    ff: int | None = None,
    ctx: int = 2048,
    seed: int = 0,
    chat_template: str | None = CHATML,
    tokenizer: Literal["spm", "bpe"] = "spm",
    dtype: Literal["f16", "f32"] = "f16",
    name: str = "closer-tiny-random",
) -> Path:
    """Write a random-weight llama GGUF to ``path`` and return the path.

    ``chat_template=None`` writes no template (the runtime then falls back to ChatML).
    """
    import gguf

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    kv_heads = kv_heads or heads
    ff = ff or _feed_forward_size(dim)
    vocab = spm_vocab() if tokenizer == "spm" else bpe_vocab()
    np_dtype = np.float16 if dtype == "f16" else np.float32

    writer = gguf.GGUFWriter(path, "llama")
    writer.add_name(name)
    writer.add_file_type(
        gguf.LlamaFileType.MOSTLY_F16 if dtype == "f16" else gguf.LlamaFileType.ALL_F32
    )
    writer.add_context_length(ctx)
    writer.add_embedding_length(dim)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(ff)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_dimension_count(dim // heads)
    writer.add_rope_freq_base(10000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(len(vocab.tokens))
    _add_vocab(writer, vocab, chat_template)

    shapes = list(_tensor_shapes(len(vocab.tokens), dim, layers, heads, kv_heads, ff))
    for tensor_name, shape in shapes:
        tensor_type = np.float32 if len(shape) == 1 else np_dtype  # norms stay f32
        nbytes = int(np.prod(shape)) * np.dtype(tensor_type).itemsize
        writer.add_tensor_info(tensor_name, shape, np.dtype(tensor_type), nbytes)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    rng = np.random.default_rng(seed)
    for _, shape in shapes:
        writer.write_tensor_data(_random_tensor(rng, shape, np_dtype))
    writer.close()
    return path


def _feed_forward_size(dim: int) -> int:
    """Llama's 8/3 * dim, rounded up to a multiple of 32."""
    return (8 * dim // 3 + 31) // 32 * 32


def _random_tensor(rng: np.random.Generator, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    if len(shape) == 1:
        return np.ones(shape, dtype=np.float32)  # RMS-norm gains
    scale = 1.0 / np.sqrt(shape[1])
    return (rng.standard_normal(shape, dtype=np.float32) * scale).astype(dtype)


def parameter_count(dim: int, layers: int, heads: int = 16, vocab_size: int | None = None) -> int:
    """Parameters of the model ``write_tiny_llama`` writes with these sizes (kv_heads=heads)."""
    vocab_size = vocab_size or len(spm_vocab().tokens)
    shapes = _tensor_shapes(vocab_size, dim, layers, heads, heads, _feed_forward_size(dim))
    return sum(int(np.prod(shape)) for _, shape in shapes)
