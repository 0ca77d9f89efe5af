#!/usr/bin/python3
"""hf_reference.py: the independent PyTorch reference for sllm's Hugging Face import and export.

`transformers` and `safetensors` are not available (Debian ships python3-torch 1.13 and numpy
only), so this file implements what they would do, from their published definitions:

- safetensors files, written and read here (8-byte little-endian header length, JSON header of
  {"dtype", "shape", "data_offsets"} per tensor, then the data), F32, F16 and BF16, and
  sharded checkpoints with model.safetensors.index.json;
- GPT2LMHeadModel's forward (modeling_gpt2.py): Conv1D weights stored (in, out), c_attn a fused
  q|k|v projection, attention scaled by 1/sqrt(head_dim), gelu_new (tanh GELU), LayerNorm, the
  output head tied to wte;
- LlamaForCausalLM's forward (modeling_llama.py): RMSNorm, rotary embeddings with rotate_half on
  the two halves of each head and inv_freq = 1/rope_theta^(2i/head_dim), grouped-query attention
  by repeat_kv (query head h reads key/value head h // (heads/kv_heads)), a SwiGLU MLP
  (down(silu(gate(x)) * up(x))), tied or untied lm_head.

Two commands (run with Debian's python3: /usr/bin/python3):

  hf_reference.py fixtures [DIR]   builds tiny random models as Hugging Face folders (config.json,
      safetensors, tokenizer.json, tokenizer_config.json with a chat template,
      generation_config.json) and reference.json (a token batch and its logits, computed in
      float64) under DIR (default native-tests/fixtures/hf): gpt2 (F32, GPT2Model-style names
      with attention-mask buffers, as openai-community/gpt2), gpt2-f16-sharded (F16, three shards,
      transformer.* names, lm_head.weight stored), llama (F32, grouped-query attention, untied,
      rope_theta 500000) and llama-bf16 (BF16, tied, vocabulary padded past the tokenizer's).

  hf_reference.py check DIR...     the way back: loads each Hugging Face folder DIR that sllm
      exported, runs its forward here on the batch in DIR/sllm_logits.json ({"tokens": [[...]],
      "logits": [...]}) and compares with the logits sllm computed. Exits 1 when any has
      max|diff| / max|logit| > 1e-4.
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

DT = torch.float64
DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2)}
BYTES_DTYPE = {4: torch.int32, 2: torch.int16}

# ---- safetensors ------------------------------------------------------------------------------


def safetensors_bytes(tensors, metadata=None):
    """tensors: list of (name, dtype name, torch tensor); values are cast to the dtype."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, t in tensors:
        torch_dtype, size = DTYPES[dtype]
        raw = t.detach().to(torch_dtype).contiguous().view(BYTES_DTYPE[size]).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def read_safetensors(path):
    """{name: float64 tensor} of one file (F32, F16, BF16)."""
    data = open(path, "rb").read()
    (n,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        torch_dtype, size = DTYPES[info["dtype"]]
        a, b = info["data_offsets"]
        raw = bytearray(data[8 + n + a:8 + n + b])
        t = torch.frombuffer(raw, dtype=BYTES_DTYPE[size]).view(torch_dtype) if raw else torch.zeros(0, dtype=torch_dtype)
        out[name] = t.reshape(info["shape"]).to(DT)
    return out


def read_checkpoint(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        out = {}
        for shard in sorted(set(json.load(open(index))["weight_map"].values())):
            out.update(read_safetensors(os.path.join(folder, shard)))
        return out
    return read_safetensors(os.path.join(folder, "model.safetensors"))


# ---- the two architectures, as transformers defines them ---------------------------------------


def layer_norm(x, w, b, eps):
    return F.layer_norm(x, (x.shape[-1],), w, b, eps)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def causal_attention(q, k, v):
    """q (B, H, T, D), k/v (B, H, T, D): softmax(q k^T / sqrt(D) + causal mask) v."""
    T, D = q.shape[-2], q.shape[-1]
    att = (q @ k.transpose(-1, -2)) / math.sqrt(D)
    mask = torch.ones(T, T, dtype=torch.bool).tril()
    att = att.masked_fill(~mask, float("-inf"))
    return torch.softmax(att, dim=-1) @ v


def gpt2_forward(cfg, w, tokens):
    # GPT2Model checkpoints (openai-community/gpt2) name tensors without "transformer."
    p = "transformer." if "transformer.wte.weight" in w else ""
    C, H = cfg["n_embd"], cfg["n_head"]
    eps = cfg.get("layer_norm_epsilon", 1e-5)
    B, T = tokens.shape
    x = w[p + "wte.weight"][tokens] + w[p + "wpe.weight"][torch.arange(T)]
    for i in range(cfg["n_layer"]):
        b = f"{p}h.{i}."
        h = layer_norm(x, w[b + "ln_1.weight"], w[b + "ln_1.bias"], eps)
        qkv = h @ w[b + "attn.c_attn.weight"] + w[b + "attn.c_attn.bias"]  # Conv1D: x W + b, W (in, out)
        q, k, v = qkv.split(C, dim=-1)
        heads = lambda t: t.view(B, T, H, C // H).transpose(1, 2)
        a = causal_attention(heads(q), heads(k), heads(v)).transpose(1, 2).reshape(B, T, C)
        x = x + a @ w[b + "attn.c_proj.weight"] + w[b + "attn.c_proj.bias"]
        h = layer_norm(x, w[b + "ln_2.weight"], w[b + "ln_2.bias"], eps)
        h = gelu_new(h @ w[b + "mlp.c_fc.weight"] + w[b + "mlp.c_fc.bias"])
        x = x + h @ w[b + "mlp.c_proj.weight"] + w[b + "mlp.c_proj.bias"]
    x = layer_norm(x, w[p + "ln_f.weight"], w[p + "ln_f.bias"], eps)
    return x @ w[p + "wte.weight"].T  # GPT2LMHeadModel ties lm_head to wte


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    b, kv, t, d = x.shape
    return x[:, :, None, :, :].expand(b, kv, n_rep, t, d).reshape(b, kv * n_rep, t, d)


def llama_forward(cfg, w, tokens):
    C, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg.get("num_key_value_heads") or cfg["num_attention_heads"]
    D = cfg.get("head_dim") or C // H
    eps, theta = cfg["rms_norm_eps"], cfg.get("rope_theta", 10000.0)
    B, T = tokens.shape
    inv_freq = 1.0 / (theta ** (torch.arange(0, D, 2, dtype=DT) / D))
    freqs = torch.outer(torch.arange(T, dtype=DT), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    x = w["model.embed_tokens.weight"][tokens]
    for i in range(cfg["num_hidden_layers"]):
        b = f"model.layers.{i}."
        h = rms_norm(x, w[b + "input_layernorm.weight"], eps)
        q = (h @ w[b + "self_attn.q_proj.weight"].T).view(B, T, H, D).transpose(1, 2)
        k = (h @ w[b + "self_attn.k_proj.weight"].T).view(B, T, KV, D).transpose(1, 2)
        v = (h @ w[b + "self_attn.v_proj.weight"].T).view(B, T, KV, D).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        a = causal_attention(q, repeat_kv(k, H // KV), repeat_kv(v, H // KV)).transpose(1, 2).reshape(B, T, H * D)
        x = x + a @ w[b + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[b + "post_attention_layernorm.weight"], eps)
        gate, up = h @ w[b + "mlp.gate_proj.weight"].T, h @ w[b + "mlp.up_proj.weight"].T
        x = x + (F.silu(gate) * up) @ w[b + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x @ head.T


def forward(cfg, weights, tokens):
    arch = cfg["architectures"][0]
    if arch == "GPT2LMHeadModel":
        return gpt2_forward(cfg, weights, tokens)
    if arch == "LlamaForCausalLM":
        return llama_forward(cfg, weights, tokens)
    raise SystemExit(f"hf_reference: architecture {arch} is not implemented here")


# ---- tiny random models as Hugging Face folders --------------------------------------------------


def byte_alphabet():
    """GPT-2's bytes_to_unicode: byte -> the character tokenizer.json shows it as."""
    keep = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    out, n = {}, 0
    for b in range(256):
        if b in keep:
            out[b] = chr(b)
        else:
            out[b] = chr(256 + n)
            n += 1
    return out


def tiny_bpe(text, merges_wanted):
    """Byte-level BPE learned from text (the most frequent pair of adjacent tokens, repeatedly):
    (vocab {byte-level string: id}, merges ["a b", ...])."""
    alpha = byte_alphabet()
    vocab = {alpha[b]: b for b in range(256)}
    words = [[alpha[b] for b in w.encode()] for w in text.split(" ")]
    merges = []
    for _ in range(merges_wanted):
        counts = {}
        for w in words:
            for a, b in zip(w, w[1:]):
                counts[(a, b)] = counts.get((a, b), 0) + 1
        if not counts:
            break
        (a, b), _ = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append(f"{a} {b}")
        vocab[a + b] = len(vocab)
        for w in words:
            i = 0
            while i < len(w) - 1:
                if w[i] == a and w[i + 1] == b:
                    w[i:i + 2] = [a + b]
                i += 1
    return vocab, merges


TEXT = "the quick brown fox jumps over the lazy dog and the cat sat on the mat then the dog ran"
LLAMA3_REGEX = ("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
                "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")
CHAT_TEMPLATE = ("{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
                 "{{ m['content'] }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}"
                 "<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}")


def added(i, content):
    return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
            "normalized": False, "special": True}


def tokenizer_files(style):
    """(tokenizer.json, tokenizer_config.json, vocab size) in GPT-2's or Llama 3's style."""
    vocab, merges = tiny_bpe(TEXT, 24)
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    post = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True}
    if style == "gpt2":
        specials = ["<|endoftext|>"]
        pre, bos, eos, cfg_extra = byte_level, None, "<|endoftext|>", {}
    else:
        specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
        pre = {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": LLAMA3_REGEX}, "behavior": "Isolated", "invert": False},
            dict(byte_level, use_regex=False)]}
        bos, eos, cfg_extra = "<|begin_of_text|>", "<|eot_id|>", {"chat_template": CHAT_TEMPLATE}
    ids = {s: len(vocab) + i for i, s in enumerate(specials)}
    if bos:
        single = [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]
        post = {"type": "Sequence", "processors": [post, {
            "type": "TemplateProcessing", "single": single, "pair": single + [{"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {bos: {"id": bos, "ids": [ids[bos]], "tokens": [bos]}}}]}
    tok = {"version": "1.0", "truncation": None, "padding": None,
           "added_tokens": [added(i, s) for s, i in ids.items()],
           "normalizer": None, "pre_tokenizer": pre, "post_processor": post, "decoder": byte_level,
           "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                     "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                     "ignore_merges": style != "gpt2", "vocab": vocab, "merges": merges}}
    cfg = dict({"bos_token": bos or eos, "eos_token": eos, "clean_up_tokenization_spaces": False,
                "tokenizer_class": "PreTrainedTokenizerFast"}, **cfg_extra)
    return tok, cfg, len(vocab) + len(specials), ids


def randn(*shape, scale=0.3):
    return scale * torch.randn(*shape, dtype=DT)


def gpt2_weights(c, prefixed, buffers):
    V, C, P, L, Fd = c["vocab_size"], c["n_embd"], c["n_positions"], c["n_layer"], c["n_inner"] or 4 * c["n_embd"]
    p = "transformer." if prefixed else ""
    w = {p + "wte.weight": randn(V, C), p + "wpe.weight": randn(P, C, scale=0.1)}
    for i in range(L):
        b = f"{p}h.{i}."
        w.update({b + "ln_1.weight": 1 + randn(C, scale=0.2), b + "ln_1.bias": randn(C, scale=0.1),
                  b + "attn.c_attn.weight": randn(C, 3 * C), b + "attn.c_attn.bias": randn(3 * C, scale=0.1),
                  b + "attn.c_proj.weight": randn(C, C), b + "attn.c_proj.bias": randn(C, scale=0.1),
                  b + "ln_2.weight": 1 + randn(C, scale=0.2), b + "ln_2.bias": randn(C, scale=0.1),
                  b + "mlp.c_fc.weight": randn(C, Fd), b + "mlp.c_fc.bias": randn(Fd, scale=0.1),
                  b + "mlp.c_proj.weight": randn(Fd, C), b + "mlp.c_proj.bias": randn(C, scale=0.1)})
        if buffers:  # the causal-mask buffers old GPT-2 checkpoints carry; importers skip them
            w[b + "attn.bias"] = torch.ones(P, P, dtype=DT).tril().view(1, 1, P, P)
    w.update({p + "ln_f.weight": 1 + randn(C, scale=0.2), p + "ln_f.bias": randn(C, scale=0.1)})
    if prefixed:
        w["lm_head.weight"] = w[p + "wte.weight"]
    return w


def llama_weights(c):
    V, C, L, Fd = c["vocab_size"], c["hidden_size"], c["num_hidden_layers"], c["intermediate_size"]
    H, KV = c["num_attention_heads"], c["num_key_value_heads"]
    D = C // H
    w = {"model.embed_tokens.weight": randn(V, C)}
    for i in range(L):
        b = f"model.layers.{i}."
        w.update({b + "input_layernorm.weight": 1 + randn(C, scale=0.2),
                  b + "self_attn.q_proj.weight": randn(H * D, C), b + "self_attn.k_proj.weight": randn(KV * D, C),
                  b + "self_attn.v_proj.weight": randn(KV * D, C), b + "self_attn.o_proj.weight": randn(C, H * D),
                  b + "post_attention_layernorm.weight": 1 + randn(C, scale=0.2),
                  b + "mlp.gate_proj.weight": randn(Fd, C), b + "mlp.up_proj.weight": randn(Fd, C),
                  b + "mlp.down_proj.weight": randn(C, Fd)})
    w["model.norm.weight"] = 1 + randn(C, scale=0.2)
    if not c["tie_word_embeddings"]:
        w["lm_head.weight"] = randn(V, C)
    return w


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, ensure_ascii=True)
        f.write("\n")


def write_folder(folder, cfg, weights, dtype, tok_style, shards=1):
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    tok, tok_cfg, _, ids = tokenizer_files(tok_style)
    write_json(os.path.join(folder, "config.json"), cfg)
    write_json(os.path.join(folder, "tokenizer.json"), tok)
    write_json(os.path.join(folder, "tokenizer_config.json"), tok_cfg)
    write_json(os.path.join(folder, "generation_config.json"),
               {"bos_token_id": cfg["bos_token_id"], "eos_token_id": cfg["eos_token_id"]})
    names = list(weights)
    if shards == 1:
        data = safetensors_bytes([(n, dtype, weights[n]) for n in names], {"format": "pt"})
        open(os.path.join(folder, "model.safetensors"), "wb").write(data)
    else:
        weight_map, total = {}, 0
        for s in range(shards):
            part = names[s::shards]
            file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            open(os.path.join(folder, file), "wb").write(safetensors_bytes([(n, dtype, weights[n]) for n in part], {"format": "pt"}))
            for n in part:
                weight_map[n] = file
                total += weights[n].numel() * DTYPES[dtype][1]
        write_json(os.path.join(folder, "model.safetensors.index.json"),
                   {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))})
    # The reference: logits of the weights as stored (rounded to the file's dtype), in float64.
    stored = read_checkpoint(folder)
    g = torch.Generator().manual_seed(7)
    tokens = torch.randint(0, cfg["vocab_size"], (2, 6), generator=g)
    logits = forward(cfg, stored, tokens)
    write_json(os.path.join(folder, "reference.json"),
               {"about": "tokens (B, T) and the float64 logits (B, T, V), flattened, of hf_reference.py's "
                         "forward on the stored weights", "tokens": tokens.tolist(),
                "logits": [float(f"{v:.7g}") for v in logits.flatten().tolist()]})
    print(f"hf_reference: wrote {folder} ({sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))} bytes)")


def make_fixtures(root):
    torch.manual_seed(1234)
    _, _, n_gpt2, gpt2_ids = tokenizer_files("gpt2")
    gpt2_cfg = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": n_gpt2, "n_positions": 16,
                "n_ctx": 16, "n_embd": 16, "n_layer": 2, "n_head": 4, "n_inner": None, "activation_function": "gelu_new",
                "layer_norm_epsilon": 1e-5, "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1,
                "bos_token_id": gpt2_ids["<|endoftext|>"], "eos_token_id": gpt2_ids["<|endoftext|>"],
                "torch_dtype": "float32"}
    write_folder(os.path.join(root, "gpt2"), gpt2_cfg, gpt2_weights(gpt2_cfg, False, True), "F32", "gpt2")
    cfg = dict(gpt2_cfg, n_inner=40, torch_dtype="float16")
    write_folder(os.path.join(root, "gpt2-f16-sharded"), cfg, gpt2_weights(cfg, True, False), "F16", "gpt2", shards=3)

    _, _, n_llama, llama_ids = tokenizer_files("llama3")
    llama_cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": n_llama,
                 "hidden_size": 16, "intermediate_size": 40, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "hidden_act": "silu", "max_position_embeddings": 32, "rms_norm_eps": 1e-5,
                 "rope_theta": 500000.0, "rope_scaling": None, "attention_bias": False, "mlp_bias": False,
                 "tie_word_embeddings": False, "bos_token_id": llama_ids["<|begin_of_text|>"],
                 "eos_token_id": llama_ids["<|eot_id|>"], "torch_dtype": "float32"}
    write_folder(os.path.join(root, "llama"), llama_cfg, llama_weights(llama_cfg), "F32", "llama3")
    cfg = dict(llama_cfg, vocab_size=(n_llama + 7) // 8 * 8 + 8, num_key_value_heads=4, rope_theta=10000.0,
               tie_word_embeddings=True, torch_dtype="bfloat16")
    write_folder(os.path.join(root, "llama-bf16"), cfg, llama_weights(cfg), "BF16", "llama3")


def check(folder):
    cfg = json.load(open(os.path.join(folder, "config.json")))
    ref = json.load(open(os.path.join(folder, "sllm_logits.json")))
    tokens = torch.tensor(ref["tokens"])
    ours = forward(cfg, read_checkpoint(folder), tokens).flatten()
    theirs = torch.tensor(ref["logits"], dtype=DT)
    if ours.shape != theirs.shape:
        print(f"hf_reference: {len(theirs)} logits from sllm, {len(ours)} here")
        return 1
    diff = (ours - theirs).abs().max().item()
    rel = diff / max(theirs.abs().max().item(), 1e-30)
    arch = cfg["architectures"][0]
    print(f"hf_reference: {arch} from {folder}: logits of {tuple(tokens.shape)} tokens, max |diff| {diff:.3g} "
          f"({rel:.3g} of the largest logit)")
    return 0 if rel <= 1e-4 else 1


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "fixtures"
    if cmd == "fixtures":
        make_fixtures(sys.argv[2] if len(sys.argv) > 2 else
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "native-tests", "fixtures", "hf"))
    elif cmd == "check" and len(sys.argv) >= 3:
        sys.exit(max(check(d) for d in sys.argv[2:]))
    else:
        sys.exit(__doc__)
