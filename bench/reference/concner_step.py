"""PyTorch mirror of bench/workload.ts: the same ConCNER teacher step, timed the same way.

BERT encoder (HF eager numerics: post-LN, exact GELU, additive mask) + token classifier, 32 source
+ 32 translation rows x seq subwords of random ids, CE (per-sentence mean, then batch mean) on both
halves, LCL over the labeled first subwords (cosine / 0.1, same-label positives), TCL over
mean-pooled rows (row i and i+32 are a pair), weights 0.25 each, clip_grad_norm_(1.0),
torch.optim.AdamW (weight decay 0.01 on 2-D tensors only). Prints one JSON line.

Run by `npm run bench` when `import torch` works; never in CI. With --serve it stays up and times
"train N" / "eval N" requests from stdin, so the caller can interleave rounds with its own.
"""
import argparse
import json
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

SIZES = {
    "tiny": dict(layers=2, hidden=128, heads=2, ffn=512),
    "small": dict(layers=4, hidden=256, heads=4, ffn=1024),
}
PAIRS = 32
TAGS = 9
IGNORE = -100
MASKED = -1e9


class Layer(nn.Module):
    def __init__(self, h, heads, ffn, p):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.o = nn.Linear(h, h)
        self.ln1 = nn.LayerNorm(h, eps=1e-12)
        self.i = nn.Linear(h, ffn)
        self.out = nn.Linear(ffn, h)
        self.ln2 = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(p)

    def split(self, x):
        b, t, h = x.shape
        return x.view(b, t, self.heads, h // self.heads).transpose(1, 2)

    def forward(self, x, mask):
        b, t, h = x.shape
        q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(h // self.heads) + mask
        ctx = (self.drop(scores.softmax(-1)) @ v).transpose(1, 2).reshape(b, t, h)
        x = self.ln1(self.drop(self.o(ctx)) + x)
        return self.ln2(self.drop(self.out(F.gelu(self.i(x)))) + x)


class Model(nn.Module):
    def __init__(self, vocab, seq, layers, hidden, heads, ffn, p=0.1):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max(512, seq), hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.ln = nn.LayerNorm(hidden, eps=1e-12)
        self.drop = nn.Dropout(p)
        self.layers = nn.ModuleList(Layer(hidden, heads, ffn, p) for _ in range(layers))
        self.classifier = nn.Linear(hidden, TAGS)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                m.weight.data.normal_(0, 0.02)
            if isinstance(m, nn.Linear):
                m.bias.data.zero_()

    def forward(self, ids, attention):
        b, t = ids.shape
        x = self.word(ids) + self.token_type(torch.zeros_like(ids)) + self.pos.weight[:t]
        x = self.drop(self.ln(x))
        mask = ((1 - attention.float()) * torch.finfo(torch.float32).min).view(b, 1, 1, t)
        for layer in self.layers:
            x = layer(x, mask)
        return x, self.classifier(self.drop(x))


def sentence_then_batch_mean(values, mask):
    counts = mask.sum(1)
    per = (values * mask).sum(1) / counts.clamp(min=1)
    has = (counts > 0).float()
    return (per * has).sum() / has.sum().clamp(min=1)


def token_ce(logits, labels):
    labeled = (labels != IGNORE).float()
    nll = F.cross_entropy(logits.transpose(1, 2), labels.clamp(min=0), reduction="none")
    return sentence_then_batch_mean(nll, labeled)


def weighted_contrastive(logits, positive, excluded):
    logprob = (logits + excluded * MASKED).log_softmax(1)
    wsum = positive.sum(1)
    has = (wsum > 0).float()
    per = -(positive * logprob).sum(1) / wsum.clamp(min=1e-12)
    return (per * has).sum() / has.sum().clamp(min=1)


def cosine_logits(x, tau):
    z = x * x.pow(2).sum(1, keepdim=True).clamp(min=1e-16).rsqrt()
    return z @ z.t() / tau


def lcl(h, labels, tau=0.1):
    eye = torch.eye(len(labels))
    same = (labels[:, None] == labels[None, :]).float() - eye
    return weighted_contrastive(cosine_logits(h, tau), same, eye)


def tcl(r, tau=0.1):
    n2 = r.shape[0]
    partner = (torch.arange(n2) + n2 // 2) % n2
    return weighted_contrastive(cosine_logits(r, tau), F.one_hot(partner, n2).float(), torch.eye(n2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="tiny", choices=SIZES)
    ap.add_argument("--vocab", type=int, default=32000)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--serve", action="store_true", help="read train N / eval N / quit from stdin")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rows, seq = 2 * PAIRS, a.seq
    model = Model(a.vocab, seq, **SIZES[a.config])
    decayed = [p for p in model.parameters() if p.dim() >= 2]
    plain = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decayed, "weight_decay": 0.01}, {"params": plain, "weight_decay": 0.0}], lr=5e-5
    )
    ids = torch.randint(1, a.vocab, (rows, seq))
    attention = torch.ones(rows, seq, dtype=torch.long)
    t = torch.arange(seq)
    labeled = (t > 0) & (t < seq - 1) & (t % 3 != 2)  # workload.ts isLabeled
    flat = torch.arange(rows * seq).view(rows, seq)
    labels = torch.where(labeled[None, :], flat % TAGS, torch.full_like(flat, IGNORE))
    positions = (labels.view(-1) != IGNORE).nonzero().squeeze(1)
    token_labels = labels.view(-1)[positions]

    def step():
        model.train()
        hidden, logits = model(ids, attention)
        ce_s = token_ce(logits[:PAIRS], labels[:PAIRS])
        ce_t = token_ce(logits[PAIRS:], labels[PAIRS:])
        l = lcl(hidden.reshape(-1, hidden.shape[-1])[positions], token_labels)
        m = attention.float()
        pooled = (hidden * m[:, :, None]).sum(1) / m.sum(1, keepdim=True).clamp(min=1)
        loss = 0.25 * (ce_s + ce_t + l + tcl(pooled))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    @torch.no_grad()
    def evaluate():
        model.eval()
        model(ids, attention)[1].numpy()

    def timed(f, times):
        """(wall seconds, process CPU seconds) per call."""
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(times):
            f()
        return (time.perf_counter() - start) / times, (time.process_time() - cpu) / times

    for _ in range(a.warmup):
        step()
    evaluate()
    tokens = rows * seq
    info = {
        "config": a.config, "backend": f"pytorch {torch.__version__} cpu", "vocab": a.vocab, "seq": seq,
        "batch": rows, "threads": torch.get_num_threads(),
    }
    peak = lambda: round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if a.serve:
        # interleaved rounds: the caller sends "train N" / "eval N" / "quit", one JSON line back each
        print(json.dumps({**info, "ready": True}), flush=True)
        for line in sys.stdin:
            what, _, times = line.strip().partition(" ")
            if what == "quit":
                break
            wall, cpu = timed(step if what == "train" else evaluate, int(times))
            print(json.dumps({"s_per_step": wall, "cpu_s_per_step": cpu, "peak_rss_mb": peak()}), flush=True)
        return
    s_per_step, _ = timed(step, a.steps)
    s_per_eval, _ = timed(evaluate, a.steps)
    print(json.dumps({
        **info, "s_per_step": s_per_step, "tokens_per_s": tokens / s_per_step,
        "eval_s_per_step": s_per_eval, "eval_tokens_per_s": tokens / s_per_eval, "peak_rss_mb": peak(),
    }))


if __name__ == "__main__":
    main()
