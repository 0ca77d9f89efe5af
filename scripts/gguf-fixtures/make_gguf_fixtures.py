#!/usr/bin/python3
"""make_gguf_fixtures.py: GGUF files written by llama.cpp's own tooling (gguf-py), and the logits
llama.cpp computes for them, as fixtures for sllm's importer (native-tests/fixtures/gguf/).
Run once by hand (not part of npm test or CI):

  make_gguf_fixtures.py LLAMA_CPP_DIR LLAMA_TOOL

  - tiny-gpt2-{f32,bf16,q8_0,q4_0}.gguf: architecture gpt2 (fused attn_qkv, biases, learned
    positions), a byte-level BPE vocabulary (GPT-2's byte alphabet, merges learned here),
    tokenizer.ggml.pre "gpt-2"; random weights (numpy, fixed seed); matrices in the named type,
    norms and biases f32, as llama.cpp's converter writes them;
  - tiny-llama-f32.gguf: architecture llama (RMSNorm, RoPE, SwiGLU, grouped-query attention
    with 4 heads and 2 kv heads, untied output), a SentencePiece vocabulary (tokenizer.ggml.model
    "llama", byte fallback) trained with python3-sentencepiece;
  - logits.json: for each file, a token sequence and llama.cpp's logits at every position
    (llama_decode through llama_tool.cpp, compiled against the same llama.cpp, with an f32 KV
    cache); for every file also "exact": the same logits from a float64 numpy forward pass
    of the file's weights (as gguf-py dequantizes them), which tells llama.cpp's own rounding
    (its GELU goes through an f16 table; bf16/q8_0/q4_0 matmuls round the activations too)
    apart from the importer's.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
llama, tool = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(llama, "gguf-py"))
import gguf  # noqa: E402

out_dir = os.path.join(root, "native-tests", "fixtures", "gguf")
os.makedirs(out_dir, exist_ok=True)
corpus = open(os.path.join(root, "..", "shared", "data", "tinyshakespeare.txt"), encoding="utf-8").read()
Q = gguf.GGMLQuantizationType


def byte_alphabet():
    """GPT-2's bytes_to_unicode: printable bytes map to themselves, the others above U+0100."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def bpe_vocab(n_merges):
    """256 byte tokens and n_merges merges learned on the corpus' words (with their leading space)."""
    alpha = byte_alphabet()
    words = {}
    for w in corpus[:200000].replace("\n", " ").split(" "):
        if w:
            key = tuple(alpha[b] for b in (" " + w).encode())
            words[key] = words.get(key, 0) + 1
    tokens = [alpha[b] for b in range(256)]
    merges = []
    for _ in range(n_merges):
        pairs = {}
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + c
        (a, b) = max(sorted(pairs), key=lambda p: pairs[p])
        merges.append(f"{a} {b}")
        tokens.append(a + b)
        new = {}
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new[tuple(out)] = new.get(tuple(out), 0) + c
        words = new
    tokens.append("<|endoftext|>")
    return tokens, merges


def matrix_types(qtype):
    def put(w, name, x):
        if x.ndim == 2 and qtype != Q.F32:
            w.add_tensor(name, gguf.quants.quantize(x, qtype), raw_dtype=qtype)
        else:
            w.add_tensor(name, x.astype(np.float32))
    return put


def gpt2_file(qtype, path, tokens, merges):
    rng = np.random.RandomState(7)
    V, C, F, T, L, H = len(tokens), 32, 32, 16, 2, 2
    w = gguf.GGUFWriter(path, "gpt2")
    w.add_name("tiny gpt2 fixture")
    w.add_context_length(T)
    w.add_embedding_length(C)
    w.add_block_count(L)
    w.add_feed_forward_length(F)
    w.add_head_count(H)
    w.add_layer_norm_eps(1e-5)
    w.add_file_type({Q.F32: 0, Q.BF16: 32, Q.Q8_0: 7, Q.Q4_0: 2}[qtype])
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(tokens)
    w.add_token_types([1] * (V - 1) + [3])
    w.add_token_merges(merges)
    w.add_bos_token_id(V - 1)
    w.add_eos_token_id(V - 1)
    put = matrix_types(qtype)
    n = lambda *s, scale=0.1: (rng.standard_normal(s) * scale).astype(np.float32)  # noqa: E731
    put(w, "token_embd.weight", n(V, C, scale=0.3))
    put(w, "position_embd.weight", n(T, C, scale=0.1))
    for i in range(L):
        p = f"blk.{i}."
        put(w, p + "attn_norm.weight", 1 + n(C))
        put(w, p + "attn_norm.bias", n(C, scale=0.05))
        put(w, p + "attn_qkv.weight", n(3 * C, C, scale=0.2))
        put(w, p + "attn_qkv.bias", n(3 * C, scale=0.05))
        put(w, p + "attn_output.weight", n(C, C, scale=0.2))
        put(w, p + "attn_output.bias", n(C, scale=0.05))
        put(w, p + "ffn_norm.weight", 1 + n(C))
        put(w, p + "ffn_norm.bias", n(C, scale=0.05))
        put(w, p + "ffn_up.weight", n(F, C, scale=0.2))
        put(w, p + "ffn_up.bias", n(F, scale=0.05))
        put(w, p + "ffn_down.weight", n(C, F, scale=0.2))
        put(w, p + "ffn_down.bias", n(C, scale=0.05))
    put(w, "output_norm.weight", 1 + n(C))
    put(w, "output_norm.bias", n(C, scale=0.05))
    finish(w)


def spm_vocab(work):
    import sentencepiece as spm
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus[:100000].splitlines()), model_prefix=os.path.join(work, "sp"), model_type="bpe",
        vocab_size=320, byte_fallback=True, character_coverage=1.0, num_threads=1, minloglevel=2)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(work, "sp.model"))
    toks, scores, types = [], [], []
    for i in range(sp.get_piece_size()):
        toks.append(sp.id_to_piece(i))
        scores.append(sp.get_score(i))
        types.append(2 if sp.is_unknown(i) else 3 if sp.is_control(i) else 6 if sp.is_byte(i) else 1)
    return toks, scores, types


def llama_file(qtype, path, vocab):
    toks, scores, types = vocab
    rng = np.random.RandomState(11)
    V, C, F, T, L, H, KV = len(toks), 32, 64, 32, 2, 4, 2
    hd = C // H
    w = gguf.GGUFWriter(path, "llama")
    w.add_name("tiny llama fixture")
    w.add_context_length(T)
    w.add_embedding_length(C)
    w.add_block_count(L)
    w.add_feed_forward_length(F)
    w.add_head_count(H)
    w.add_head_count_kv(KV)
    w.add_rope_dimension_count(hd)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_file_type({Q.F32: 0, Q.Q8_0: 7}[qtype])
    w.add_tokenizer_model("llama")
    w.add_token_list(toks)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)
    w.add_add_bos_token(True)
    put = matrix_types(qtype)
    n = lambda *s, scale=0.1: (rng.standard_normal(s) * scale).astype(np.float32)  # noqa: E731
    put(w, "token_embd.weight", n(V, C, scale=0.3))
    for i in range(L):
        p = f"blk.{i}."
        put(w, p + "attn_norm.weight", 1 + n(C))
        put(w, p + "attn_q.weight", n(C, C, scale=0.2))
        put(w, p + "attn_k.weight", n(KV * hd, C, scale=0.2))
        put(w, p + "attn_v.weight", n(KV * hd, C, scale=0.2))
        put(w, p + "attn_output.weight", n(C, C, scale=0.2))
        put(w, p + "ffn_norm.weight", 1 + n(C))
        put(w, p + "ffn_gate.weight", n(F, C, scale=0.2))
        put(w, p + "ffn_up.weight", n(F, C, scale=0.2))
        put(w, p + "ffn_down.weight", n(C, F, scale=0.2))
    put(w, "output_norm.weight", 1 + n(C))
    put(w, "output.weight", n(V, C, scale=0.3))
    finish(w)


def finish(w):
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def gpt2_exact(path, ids):
    """GPT-2's forward pass in float64 from the file's (dequantized) weights."""
    r = gguf.GGUFReader(path)
    W = {t.name: gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float64).reshape([int(x) for x in reversed(t.shape)])
         for t in r.tensors}
    C = W["token_embd.weight"].shape[1]
    H, T = 2, len(ids)
    hd = C // H

    def ln(x, w, b):
        m = x.mean(-1, keepdims=True)
        return (x - m) / np.sqrt(((x - m) ** 2).mean(-1, keepdims=True) + 1e-5) * w + b

    x = W["token_embd.weight"][ids] + W["position_embd.weight"][:T]
    for i in range(2):
        p = f"blk.{i}."
        qkv = ln(x, W[p + "attn_norm.weight"], W[p + "attn_norm.bias"]) @ W[p + "attn_qkv.weight"].T + W[p + "attn_qkv.bias"]
        att = np.zeros((T, C))
        for h in range(H):
            q, k, v = (qkv[:, j * C + h * hd: j * C + (h + 1) * hd] for j in range(3))
            a = q @ k.T / np.sqrt(hd) + np.triu(np.full((T, T), -np.inf), 1)
            a = np.exp(a - a.max(-1, keepdims=True))
            att[:, h * hd:(h + 1) * hd] = (a / a.sum(-1, keepdims=True)) @ v
        x = x + att @ W[p + "attn_output.weight"].T + W[p + "attn_output.bias"]
        u = ln(x, W[p + "ffn_norm.weight"], W[p + "ffn_norm.bias"]) @ W[p + "ffn_up.weight"].T + W[p + "ffn_up.bias"]
        u = 0.5 * u * (1 + np.tanh(np.sqrt(2 / np.pi) * (u + 0.044715 * u ** 3)))
        x = x + u @ W[p + "ffn_down.weight"].T + W[p + "ffn_down.bias"]
    x = ln(x, W["output_norm.weight"], W["output_norm.bias"])
    return [[float(f"{v:.6g}") for v in row] for row in x @ W["token_embd.weight"].T]


def llama_exact(path, ids, H=4, KV=2, theta=10000.0, eps=1e-5):
    """Llama's forward pass in float64: RMSNorm, RoPE on adjacent pairs (llama.cpp's for LLM_ARCH_LLAMA),
    grouped-query attention, SwiGLU, untied output."""
    r = gguf.GGUFReader(path)
    W = {t.name: gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float64).reshape([int(x) for x in reversed(t.shape)])
         for t in r.tensors}
    C = W["token_embd.weight"].shape[1]
    T, hd = len(ids), C // H
    rms = lambda x, w: x / np.sqrt((x ** 2).mean(-1, keepdims=True) + eps) * w  # noqa: E731
    inv = theta ** (-np.arange(0, hd, 2) / hd)
    ang = np.arange(T)[:, None] * inv[None, :]
    cos, sin = np.cos(ang), np.sin(ang)

    def rope(x):  # (T, heads, hd), pairs (2i, 2i+1)
        a, b = x[..., 0::2], x[..., 1::2]
        out = np.empty_like(x)
        out[..., 0::2] = a * cos[:, None, :] - b * sin[:, None, :]
        out[..., 1::2] = a * sin[:, None, :] + b * cos[:, None, :]
        return out

    x = W["token_embd.weight"][ids]
    for i in range(2):
        p = f"blk.{i}."
        h = rms(x, W[p + "attn_norm.weight"])
        q = rope((h @ W[p + "attn_q.weight"].T).reshape(T, H, hd))
        k = rope((h @ W[p + "attn_k.weight"].T).reshape(T, KV, hd))
        v = (h @ W[p + "attn_v.weight"].T).reshape(T, KV, hd)
        att = np.zeros((T, H, hd))
        for j in range(H):
            kv = j // (H // KV)
            a = q[:, j] @ k[:, kv].T / np.sqrt(hd) + np.triu(np.full((T, T), -np.inf), 1)
            a = np.exp(a - a.max(-1, keepdims=True))
            att[:, j] = (a / a.sum(-1, keepdims=True)) @ v[:, kv]
        x = x + att.reshape(T, C) @ W[p + "attn_output.weight"].T
        h = rms(x, W[p + "ffn_norm.weight"])
        g = h @ W[p + "ffn_gate.weight"].T
        x = x + ((g / (1 + np.exp(-g))) * (h @ W[p + "ffn_up.weight"].T)) @ W[p + "ffn_down.weight"].T
    x = rms(x, W["output_norm.weight"])
    return [[float(f"{v:.6g}") for v in row] for row in x @ W["output.weight"].T]


def logits(path, ids):
    out = subprocess.run([tool, "logits", path] + [str(i) for i in ids], check=True, capture_output=True).stdout
    return [[float(f"{x:.6g}") for x in row] for row in json.loads(out)]


tokens, merges = bpe_vocab(24)
fixture = {"about": "llama.cpp's logits (llama_decode, CPU) for GGUF files written by gguf-py; "
                    "made by scripts/gguf-fixtures/make_gguf_fixtures.py", "files": {}}
gpt2_ids = [280, 5, 17, 90, 256, 270, 33]
for q in (Q.F32, Q.BF16, Q.Q8_0, Q.Q4_0):
    name = f"tiny-gpt2-{q.name.lower()}.gguf"
    gpt2_file(q, os.path.join(out_dir, name), tokens, merges)
    fixture["files"][name] = {"tokens": gpt2_ids, "logits": logits(os.path.join(out_dir, name), gpt2_ids),
                              "exact": gpt2_exact(os.path.join(out_dir, name), gpt2_ids)}
vocab = spm_vocab(tempfile.mkdtemp())
llama_ids = [1, 300, 45, 270, 3, 100, 310, 259]
for q in (Q.F32,):
    name = f"tiny-llama-{q.name.lower()}.gguf"
    llama_file(q, os.path.join(out_dir, name), vocab)
    fixture["files"][name] = {"tokens": llama_ids, "logits": logits(os.path.join(out_dir, name), llama_ids),
                              "exact": llama_exact(os.path.join(out_dir, name), llama_ids)}
with open(os.path.join(out_dir, "logits.json"), "w") as f:
    json.dump(fixture, f, separators=(",", ":"))
for name in sorted(os.listdir(out_dir)):
    print(f"{name}: {os.path.getsize(os.path.join(out_dir, name))} bytes")
