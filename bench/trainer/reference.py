"""PyTorch eager reference for bench/trainer: the same GPT as Spindle's model module, written the idiomatic way.

Loads Spindle's exported initial weights (safetensors, parsed here: Debian has no python3-safetensors) and the
same batches, trains with torch.optim.AdamW (decay only on matmul weights), the same warmup + cosine schedule
and global-norm clipping, and prints one JSON line: tokens/s over the steps after the first 3, and the losses.
Usage: reference.py OUT_DIR THREADS STEPS   (shape from the environment: V D L H T B)
"""
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

V, D, L, H, T, B = (int(os.environ.get(k, d)) for k, d in
                    (("V", 8192), ("D", 256), ("L", 4), ("H", 4), ("T", 128), ("B", 8)))
WARMUP = 3
LR, MIN_LR, WARMUP_STEPS, TOTAL_STEPS, WD, CLIP = 1e-3, 1e-4, 10, 1000, 0.1, 1.0


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention_norm = nn.LayerNorm(D)
        self.qkv = nn.Linear(D, 3 * D)
        self.projection = nn.Linear(D, D)
        self.mlp_norm = nn.LayerNorm(D)
        self.up = nn.Linear(D, 4 * D)
        self.down = nn.Linear(4 * D, D)

    def forward(self, x, mask):
        b, t, c = x.shape
        q, k, v = (self.qkv(self.attention_norm(x))  # (B, T, 3C)
                   .view(b, t, 3 * H, c // H).transpose(1, 2).split(H, dim=1))  # 3 x (B, H, T, D)
        q = q * (1.0 / math.sqrt(c // H))
        y = ((q @ k.transpose(-1, -2) + mask).softmax(-1) @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.projection(y)
        return x + self.down(F.gelu(self.up(self.mlp_norm(x))))


class Gpt(nn.Module):
    def __init__(self):
        super().__init__()
        self.token_embedding = nn.Embedding(V, D)
        self.position_embedding = nn.Embedding(T, D)
        self.blocks = nn.ModuleList(Block() for _ in range(L))
        self.final_norm = nn.LayerNorm(D)

    def forward(self, idx, targets):
        t = idx.shape[1]
        pos = torch.arange(t)
        x = self.token_embedding(idx) + self.position_embedding(pos)
        mask = torch.full((t, t), float("-inf")).triu(1)
        for block in self.blocks:
            x = block(x, mask)
        logits = self.final_norm(x) @ self.token_embedding.weight.t()  # tied head
        return F.cross_entropy(logits.view(-1, V), targets.reshape(-1))


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).view(info["shape"])
    return tensors


def spindle_name(name):
    """Our module paths -> the exported names (the MLP's Linear layers sit under `mlp.` there)."""
    for part in (".up.", ".down."):
        name = name.replace(part, ".mlp" + part)
    for part in (".qkv.", ".projection."):
        name = name.replace(part, ".attention" + part)
    return name


def learning_rate(step):
    if step < WARMUP_STEPS:
        return LR * (step + 1) / WARMUP_STEPS
    if step >= TOTAL_STEPS:
        return MIN_LR
    progress = (step - WARMUP_STEPS) / (TOTAL_STEPS - WARMUP_STEPS)
    return MIN_LR + 0.5 * (1 + math.cos(math.pi * progress)) * (LR - MIN_LR)


def main():
    out, threads, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    model = Gpt()
    weights = load_safetensors(os.path.join(out, "init.safetensors"))
    state = {name: weights[spindle_name(name)] for name in model.state_dict()}
    model.load_state_dict(state)
    decayed = [p for n, p in model.named_parameters() if n.endswith(".weight") and "embedding" not in n and "norm" not in n]
    others = [p for n, p in model.named_parameters() if not (n.endswith(".weight") and "embedding" not in n and "norm" not in n)]
    optimizer = torch.optim.AdamW([{"params": decayed, "weight_decay": WD}, {"params": others, "weight_decay": 0.0}],
                                  lr=LR, betas=(0.9, 0.95), eps=1e-8)
    raw = open(os.path.join(out, "batches.bin"), "rb").read()
    batches = torch.frombuffer(bytearray(raw), dtype=torch.int32).view(-1, B, T + 1).long()
    losses = []
    started = None
    for step in range(steps):
        if step == WARMUP:
            started = time.perf_counter()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step)
        batch = batches[step]
        loss = model(batch[:, :-1], batch[:, 1:])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        losses.append(loss.item())
    seconds = time.perf_counter() - started
    print(json.dumps({"threads": threads, "tokens_s": (steps - WARMUP) * B * T / seconds, "losses": losses,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
