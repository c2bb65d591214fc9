#!/usr/bin/python3
"""The GPT of lib/LargeModel.Course/Models in PyTorch, timed the way `course bench train` times it.

Same architecture (pre-norm blocks, fused qkv, GELU MLP, tied head, GPT-2 initialisation), same optimiser
(AdamW with decay on matrices only, clipping at 1.0), same batches (a pool of 8 random batches), same thread
count. Prints ms/step and tokens/s, so the two can be compared on one machine:

    python3 benchmarks/pytorch_gpt_step.py --threads 2
    dotnet run --project lib/LargeModel.Course.Cli -- bench train --threads 2

Written for Debian's python3-torch (1.13), which has scaled_dot_product_attention only from 2.0 on: the
attention is written out when the fused kernel is missing (say --unfused to force it).
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    def __init__(self, e, heads, fused):
        super().__init__()
        self.c_attn = nn.Linear(e, 3 * e)
        self.c_proj = nn.Linear(e, e)
        self.heads, self.e = heads, e
        self.fused = fused and hasattr(F, "scaled_dot_product_attention")

    def forward(self, x):
        b, t, e = x.shape
        q, k, v = self.c_attn(x).split(e, dim=2)
        q, k, v = (z.view(b, t, self.heads, e // self.heads).transpose(1, 2) for z in (q, k, v))
        if self.fused:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
            mask = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
            y = scores.masked_fill(~mask, float("-inf")).softmax(-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(b, t, e))


class Block(nn.Module):
    def __init__(self, e, heads, fused):
        super().__init__()
        self.ln_1, self.attn = nn.LayerNorm(e), CausalSelfAttention(e, heads, fused)
        self.ln_2 = nn.LayerNorm(e)
        self.c_fc, self.c_proj = nn.Linear(e, 4 * e), nn.Linear(4 * e, e)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x))))


class Gpt(nn.Module):
    def __init__(self, vocab, block, layers, heads, e, fused):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, e), nn.Embedding(block, e)
        self.h = nn.ModuleList(Block(e, heads, fused) for _ in range(layers))
        self.ln_f = nn.LayerNorm(e)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, 0, 0.02 / math.sqrt(2 * layers))
            elif p.dim() >= 2:
                nn.init.normal_(p, 0, 0.02)
            elif name.endswith(".bias"):
                nn.init.zeros_(p)

    def forward(self, idx):
        pos = torch.arange(idx.size(1), device=idx.device)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        return F.linear(self.ln_f(x), self.wte.weight)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--embedding", type=int, default=128)
    ap.add_argument("--block", type=int, default=64)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--vocab", type=int, default=65)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--unfused", action="store_true")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(1337)
    model = Gpt(a.vocab, a.block, a.layers, a.heads, a.embedding, not a.unfused)
    params = list(model.parameters())
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, 0.99))
    pool = [(torch.randint(0, a.vocab, (a.batch, a.block)), torch.randint(0, a.vocab, (a.batch, a.block))) for _ in range(8)]

    def step(i):
        x, y = pool[i % len(pool)]
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), y.view(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss.item()

    for i in range(a.warmup):
        step(i)
    start = time.perf_counter()
    for i in range(a.steps):
        loss = step(a.warmup + i)
    seconds = time.perf_counter() - start
    attention = "fused" if model.h[0].attn.fused else "written-out"
    print(f"pytorch {torch.__version__}: {a.layers} layers, {a.heads} heads, {a.embedding} wide, block {a.block}, "
          f"batch {a.batch}, {attention} attention, {a.threads} threads, {sum(p.numel() for p in params):,} parameters")
    print(f"step: {seconds * 1000 / a.steps:.2f} ms/step over {a.steps} steps, "
          f"{a.batch * a.block * a.steps / seconds:,.0f} tokens/s (final loss {loss:.3f})")


if __name__ == "__main__":
    main()
