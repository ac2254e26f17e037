"""Convert a sentence-transformers BERT (all-MiniLM-L6-v2) to a GGUF that llama.cpp embeds with.

Follows llama.cpp's own ``convert_hf_to_gguf.py`` BERT path, with numpy + safetensors + gguf
only (no torch): WordPiece tokens are rewritten the way llama.cpp's tokenizer expects
(``##x`` -> ``x``, other non-special tokens get a leading U+2581), position and token-type
embeddings and every 1-D tensor stay f32, the rest is stored f16, and the pooling mode comes
from the sentence-transformers pooling config.  ``position_ids`` and ``pooler.*`` are dropped
because llama.cpp computes positions itself and we pool ourselves (mean), not via the pooler.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

F32_TENSORS = ("position_embd.weight", "token_types.weight")


def _pooling_type(model_dir: Path):  # -> gguf.PoolingType
    import gguf

    pooling_config = model_dir / "1_Pooling" / "config.json"
    config = json.loads(pooling_config.read_text()) if pooling_config.is_file() else {}
    if config.get("pooling_mode_cls_token"):
        return gguf.PoolingType.CLS
    return gguf.PoolingType.MEAN


def _vocab(model_dir: Path) -> tuple[list[str], list[int], dict[str, int]]:
    """Tokens in llama.cpp's spelling, their types, and the special tokens' ids."""
    import gguf

    words = (model_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    added = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))["added_tokens"]
    special = {entry["content"]: entry["id"] for entry in added if entry.get("special")}
    tokens: list[str] = []
    types: list[int] = []
    for word in words:
        if word in special:
            tokens.append(word)
            types.append(gguf.TokenType.CONTROL)
        else:
            tokens.append(word[2:] if word.startswith("##") else "\u2581" + word)
            types.append(gguf.TokenType.NORMAL)
    return tokens, types, special


def convert_bert_to_gguf(model_dir: Path, out_path: Path, name: str = "all-MiniLM-L6-v2") -> Path:
    """Write ``out_path`` (atomically: temp file in the same folder, then rename)."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    config = json.loads((model_dir / "config.json").read_text())
    n_layers = int(config["num_hidden_layers"])
    writer_path = out_path.parent
    writer_path.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".convert-", suffix=".gguf", dir=writer_path)
    os.close(fd)
    try:
        writer = gguf.GGUFWriter(tmp_name, arch="bert")
        writer.add_name(name)
        writer.add_context_length(int(config["max_position_embeddings"]))
        writer.add_embedding_length(int(config["hidden_size"]))
        writer.add_feed_forward_length(int(config["intermediate_size"]))
        writer.add_block_count(n_layers)
        writer.add_head_count(int(config["num_attention_heads"]))
        writer.add_layer_norm_eps(float(config["layer_norm_eps"]))
        writer.add_causal_attention(False)
        writer.add_pooling_type(_pooling_type(model_dir))
        writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)

        tokens, types, special = _vocab(model_dir)
        writer.add_token_type_count(int(config.get("type_vocab_size", 1)))
        writer.add_tokenizer_model("bert")
        writer.add_tokenizer_pre("default")
        writer.add_token_list(tokens)
        writer.add_token_types(types)
        writer.add_bos_token_id(special["[CLS]"])  # llama.cpp's BERT uses BOS as [CLS]
        writer.add_sep_token_id(special["[SEP]"])
        writer.add_unk_token_id(special["[UNK]"])
        writer.add_pad_token_id(special["[PAD]"])
        writer.add_mask_token_id(special["[MASK]"])

        names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.BERT, n_layers)
        for hf_name, array in load_file(str(model_dir / "model.safetensors")).items():
            hf_name = hf_name.removeprefix("bert.")
            if hf_name.endswith("position_ids") or hf_name.startswith("pooler."):
                continue
            new_name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
            if new_name is None:
                raise ValueError(f"unexpected tensor {hf_name!r} in {model_dir}")
            keep_f32 = array.ndim <= 1 or new_name.endswith(F32_TENSORS)
            writer.add_tensor(new_name, array.astype(np.float32 if keep_f32 else np.float16))

        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        os.replace(tmp_name, out_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return out_path
