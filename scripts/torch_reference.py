#!/usr/bin/python3
"""torch_reference.py: writes native-tests/fixtures/torch_reference.json (arch gpt) and
torch_reference_llama.json (arch llama), the independent references the native test
`test_torch_reference.cpp` compares sllm's models with.

It builds a tiny model in PyTorch (float64) written from the architecture's definition, not
from sllm's code. gpt: token + learned position embeddings, pre-norm blocks of causal
multi-head self-attention (separate q, k, v projections, with biases) and a GELU (tanh) MLP,
a final LayerNorm and an output head tied to the token embedding. llama (Meta's reference
formulation): RMSNorm, rotary embeddings applied to adjacent pairs of each head as complex
numbers (theta_i = pos * rope_theta^(-2i/head_dim)), grouped-query attention (each key/value
head repeated for heads / kv_heads query heads), a SwiGLU MLP down(silu(gate(x)) * up(x)), no
biases, an untied output head. It draws random weights (not the usual init, so biases and
norm weights are non-trivial) and one batch, and records the logits, the mean cross-entropy
loss, every parameter gradient, and the losses of 10 AdamW steps (weight decay on 2-D weights
only, global-norm clipping) on that batch.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/torch_reference.py [gpt|llama]
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
DT = torch.float64

CFG = dict(arch="gpt", vocab_size=13, context_length=8, dim=16, layers=2, heads=4, kv_heads=4,
           ffn_dim=40, norm_eps=1e-5, tie_embeddings=True, dropout=0.0)
LLAMA_CFG = dict(arch="llama", vocab_size=13, context_length=8, dim=16, layers=2, heads=4, kv_heads=2,
                 ffn_dim=24, norm_eps=1e-5, tie_embeddings=False, dropout=0.0, rope_theta=10000.0)
B, T = 2, 8
OPT = dict(lr=1e-2, beta1=0.9, beta2=0.95, eps=1e-8, weight_decay=0.1, grad_clip=1.0, steps=10)


def param_shapes(c):
    V, C, Fd, TT = c["vocab_size"], c["dim"], c["ffn_dim"], c["context_length"]
    shapes = [("token_embd.weight", (V, C)), ("position_embd.weight", (TT, C))]
    for l in range(c["layers"]):
        p = f"blk.{l}."
        shapes += [(p + "attn_norm.weight", (C,)), (p + "attn_norm.bias", (C,)),
                   (p + "attn_q.weight", (C, C)), (p + "attn_q.bias", (C,)),
                   (p + "attn_k.weight", (C, C)), (p + "attn_k.bias", (C,)),
                   (p + "attn_v.weight", (C, C)), (p + "attn_v.bias", (C,)),
                   (p + "attn_output.weight", (C, C)), (p + "attn_output.bias", (C,)),
                   (p + "ffn_norm.weight", (C,)), (p + "ffn_norm.bias", (C,)),
                   (p + "ffn_up.weight", (Fd, C)), (p + "ffn_up.bias", (Fd,)),
                   (p + "ffn_down.weight", (C, Fd)), (p + "ffn_down.bias", (C,))]
    shapes += [("output_norm.weight", (C,)), ("output_norm.bias", (C,))]
    return shapes


def llama_param_shapes(c):
    V, C, Fd = c["vocab_size"], c["dim"], c["ffn_dim"]
    KV = c["kv_heads"] * (C // c["heads"])
    shapes = [("token_embd.weight", (V, C))]
    for l in range(c["layers"]):
        p = f"blk.{l}."
        shapes += [(p + "attn_norm.weight", (C,)), (p + "attn_q.weight", (C, C)), (p + "attn_k.weight", (KV, C)),
                   (p + "attn_v.weight", (KV, C)), (p + "attn_output.weight", (C, C)),
                   (p + "ffn_norm.weight", (C,)), (p + "ffn_gate.weight", (Fd, C)),
                   (p + "ffn_up.weight", (Fd, C)), (p + "ffn_down.weight", (C, Fd))]
    shapes += [("output_norm.weight", (C,)), ("output.weight", (V, C))]
    return shapes


def init_params(c):
    params = {}
    for name, shape in (param_shapes(c) if c["arch"] == "gpt" else llama_param_shapes(c)):
        if name.endswith("norm.weight"):
            t = 1.0 + 0.2 * torch.randn(shape, dtype=DT)
        elif name.endswith(".bias"):
            t = 0.1 * torch.randn(shape, dtype=DT)
        else:
            t = 0.3 * torch.randn(shape, dtype=DT)
        params[name] = t.requires_grad_(True)
    return params


def gpt_forward(P, idx, c):
    Bb, Tt = idx.shape
    C, NH, L = c["dim"], c["heads"], c["layers"]
    hs = C // NH
    x = P["token_embd.weight"][idx] + P["position_embd.weight"][:Tt].unsqueeze(0)
    mask = torch.tril(torch.ones(Tt, Tt, dtype=torch.bool))
    for l in range(L):
        p = f"blk.{l}."
        h = F.layer_norm(x, (C,), P[p + "attn_norm.weight"], P[p + "attn_norm.bias"], c["norm_eps"])
        q = F.linear(h, P[p + "attn_q.weight"], P[p + "attn_q.bias"]).view(Bb, Tt, NH, hs).transpose(1, 2)
        k = F.linear(h, P[p + "attn_k.weight"], P[p + "attn_k.bias"]).view(Bb, Tt, NH, hs).transpose(1, 2)
        v = F.linear(h, P[p + "attn_v.weight"], P[p + "attn_v.bias"]).view(Bb, Tt, NH, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(Bb, Tt, C)
        x = x + F.linear(y, P[p + "attn_output.weight"], P[p + "attn_output.bias"])
        h = F.layer_norm(x, (C,), P[p + "ffn_norm.weight"], P[p + "ffn_norm.bias"], c["norm_eps"])
        h = F.gelu(F.linear(h, P[p + "ffn_up.weight"], P[p + "ffn_up.bias"]), approximate="tanh")
        x = x + F.linear(h, P[p + "ffn_down.weight"], P[p + "ffn_down.bias"])
    x = F.layer_norm(x, (C,), P["output_norm.weight"], P["output_norm.bias"], c["norm_eps"])
    return F.linear(x, P["token_embd.weight"])  # tied output head


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotary(x, pos, theta):
    """x (B, NH, T, hs): each adjacent pair (2i, 2i+1) rotated as the complex number
    x[2i] + i x[2i+1] times e^(i pos theta^(-2i/hs))."""
    hs = x.shape[-1]
    freqs = 1.0 / (theta ** (torch.arange(0, hs, 2, dtype=DT) / hs))
    angles = torch.outer(pos.to(DT), freqs)                     # (T, hs/2)
    rot = torch.polar(torch.ones_like(angles), angles)          # e^(i angle)
    xc = torch.view_as_complex(x.reshape(*x.shape[:-1], hs // 2, 2).contiguous())
    return torch.view_as_real(xc * rot).reshape(x.shape)


def llama_forward(P, idx, c):
    Bb, Tt = idx.shape
    C, NH, NKV, L = c["dim"], c["heads"], c["kv_heads"], c["layers"]
    hs = C // NH
    x = P["token_embd.weight"][idx]
    mask = torch.tril(torch.ones(Tt, Tt, dtype=torch.bool))
    pos = torch.arange(Tt)
    for l in range(L):
        p = f"blk.{l}."
        h = rms_norm(x, P[p + "attn_norm.weight"], c["norm_eps"])
        q = F.linear(h, P[p + "attn_q.weight"]).view(Bb, Tt, NH, hs).transpose(1, 2)
        k = F.linear(h, P[p + "attn_k.weight"]).view(Bb, Tt, NKV, hs).transpose(1, 2)
        v = F.linear(h, P[p + "attn_v.weight"]).view(Bb, Tt, NKV, hs).transpose(1, 2)
        q, k = rotary(q, pos, c["rope_theta"]), rotary(k, pos, c["rope_theta"])
        k = k.repeat_interleave(NH // NKV, dim=1)  # kv head g serves query heads g*group .. g*group+group-1
        v = v.repeat_interleave(NH // NKV, dim=1)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(Bb, Tt, C)
        x = x + F.linear(y, P[p + "attn_output.weight"])
        h = rms_norm(x, P[p + "ffn_norm.weight"], c["norm_eps"])
        h = F.silu(F.linear(h, P[p + "ffn_gate.weight"])) * F.linear(h, P[p + "ffn_up.weight"])
        x = x + F.linear(h, P[p + "ffn_down.weight"])
    x = rms_norm(x, P["output_norm.weight"], c["norm_eps"])
    return F.linear(x, P["output.weight"])


def flat(t):
    return [float(f"{v:.10g}") for v in t.detach().reshape(-1).tolist()]


def main():
    arch = sys.argv[1] if len(sys.argv) > 1 else "gpt"
    c = CFG if arch == "gpt" else LLAMA_CFG
    forward = gpt_forward if arch == "gpt" else llama_forward
    P = init_params(c)
    tokens = torch.randint(0, c["vocab_size"], (B, T))
    targets = torch.randint(0, c["vocab_size"], (B, T))
    initial = {n: flat(t) for n, t in P.items()}

    logits = forward(P, tokens, c)
    loss = F.cross_entropy(logits.reshape(-1, c["vocab_size"]), targets.reshape(-1))
    loss.backward()
    grads = {n: flat(t.grad) for n, t in P.items()}

    # 10 AdamW steps on the same batch, starting again from the initial weights.
    P2 = {n: torch.tensor(initial[n], dtype=DT).reshape(t.shape).requires_grad_(True) for n, t in P.items()}
    decay = [t for t in P2.values() if t.dim() == 2]
    no_decay = [t for t in P2.values() if t.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": OPT["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=OPT["lr"], betas=(OPT["beta1"], OPT["beta2"]), eps=OPT["eps"])
    losses = []
    for _ in range(OPT["steps"]):
        opt.zero_grad()
        lo = F.cross_entropy(forward(P2, tokens, c).reshape(-1, c["vocab_size"]), targets.reshape(-1))
        lo.backward()
        torch.nn.utils.clip_grad_norm_(list(P2.values()), OPT["grad_clip"])
        opt.step()
        losses.append(float(lo))

    out = {
        "about": "written by scripts/torch_reference.py (PyTorch %s, float64); do not edit" % torch.__version__,
        "model": c, "batch": B, "seq": T,
        "tokens": tokens.reshape(-1).tolist(), "targets": targets.reshape(-1).tolist(),
        "params": initial, "logits": flat(logits), "loss": float(loss), "grads": grads,
        "adamw": dict(OPT, losses=losses),
    }
    name = "torch_reference.json" if arch == "gpt" else f"torch_reference_{arch}.json"
    path = os.path.join(os.path.dirname(__file__), "..", "native-tests", "fixtures", name)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {os.path.normpath(path)}: loss {float(loss):.6f}, {len(grads)} gradients, "
          f"adamw losses {losses[0]:.5f} -> {losses[-1]:.5f}")


if __name__ == "__main__":
    main()
