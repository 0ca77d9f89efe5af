#!/usr/bin/python3
"""torch_reference.py: writes native-tests/fixtures/torch_reference.json, the independent
reference the native test `test_torch_reference.cpp` compares sllm's GPT with.

It builds a tiny GPT in PyTorch (float64) written from the architecture's definition, not
from sllm's code: token + learned position embeddings, pre-norm blocks of causal multi-head
self-attention (separate q, k, v projections, with biases) and a GELU (tanh) MLP, a final
LayerNorm and an output head tied to the token embedding. It draws random weights (not the
usual init, so biases and norm weights are non-trivial) and one batch, and records the
logits, the mean cross-entropy loss, every parameter gradient, and the losses of 10 AdamW
steps (weight decay on 2-D weights only, global-norm clipping) on that batch.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/torch_reference.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
DT = torch.float64

CFG = dict(arch="gpt", vocab_size=13, context_length=8, dim=16, layers=2, heads=4, kv_heads=4,
           ffn_dim=40, norm_eps=1e-5, tie_embeddings=True, dropout=0.0)
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


def init_params(c):
    params = {}
    for name, shape in param_shapes(c):
        if name.endswith("norm.weight"):
            t = 1.0 + 0.2 * torch.randn(shape, dtype=DT)
        elif name.endswith(".bias"):
            t = 0.1 * torch.randn(shape, dtype=DT)
        else:
            t = 0.3 * torch.randn(shape, dtype=DT)
        params[name] = t.requires_grad_(True)
    return params


def forward(P, idx, c):
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


def flat(t):
    return [float(f"{v:.10g}") for v in t.detach().reshape(-1).tolist()]


def main():
    c = CFG
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
    path = os.path.join(os.path.dirname(__file__), "..", "native-tests", "fixtures", "torch_reference.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {os.path.normpath(path)}: loss {float(loss):.6f}, {len(grads)} gradients, "
          f"adamw losses {losses[0]:.5f} -> {losses[-1]:.5f}")


if __name__ == "__main__":
    main()
