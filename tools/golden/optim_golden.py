#!/usr/bin/python3
"""Writes optim/testdata/optim_golden.json: PyTorch 1.13 reference trajectories of SGD and
Adam (10 steps on a fixed least-squares problem), clip_grad_norm_, and CosineAnnealingLR
values, for godarts/optim's tests. Run from the repository root:
    /usr/bin/python3 tools/golden/optim_golden.py
"""
import json
import math
import os
import tempfile

import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)

N, IN, OUT = 6, 4, 3
x = torch.randn(N, IN)
y = torch.randn(N, OUT)
w0 = torch.randn(OUT, IN) * 0.5
b0 = torch.randn(OUT) * 0.5


def loss_fn(w, b):
    # mean((x·wᵀ + b − y)²): the Go test builds the same with MatMul, AddBias, Mul, Mean.
    d = x @ w.t() + b - y
    return (d * d).mean()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def trajectory(make_opt, steps=10):
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = make_opt([w, b])
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(w, b).backward()
        opt.step()
        out.append({"w": flat(w), "b": flat(b)})
    return out


cases = []
for name, kind, cfg in [
    ("sgd plain", "sgd", dict(lr=0.1)),
    ("sgd momentum", "sgd", dict(lr=0.05, momentum=0.9)),
    ("sgd momentum dampening weight decay", "sgd", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=3e-2)),
    ("sgd nesterov weight decay", "sgd", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=3e-4)),
    ("adam default", "adam", dict(lr=0.01)),
    ("adam darts alpha", "adam", dict(lr=3e-3, betas=(0.5, 0.999), weight_decay=1e-3)),
    ("adam large weight decay", "adam", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.1)),
]:
    if kind == "sgd":
        make = lambda ps, cfg=cfg: torch.optim.SGD(ps, **cfg)
    else:
        make = lambda ps, cfg=cfg: torch.optim.Adam(ps, **cfg)
    full = dict(lr=0, momentum=0, dampening=0, weight_decay=0, nesterov=False, beta1=0.9, beta2=0.999, eps=1e-8)
    full.update({k: v for k, v in cfg.items() if k != "betas"})
    if "betas" in cfg:
        full["beta1"], full["beta2"] = cfg["betas"]
    cases.append({"name": name, "kind": kind, "cfg": full, "steps": trajectory(make)})

# clip_grad_norm_ over the gradients of w and b, for a max norm below and above the norm.
clips = []
for max_norm in [0.05, 100.0]:
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    loss_fn(w, b).backward()
    before = {"w": flat(w.grad), "b": flat(b.grad)}
    torch.nn.utils.clip_grad_norm_([w, b], max_norm)
    clips.append({"max_norm": max_norm, "before": before, "after": {"w": flat(w.grad), "b": flat(b.grad)}})

# CosineAnnealingLR stepped once per epoch (DARTS: T_max = epochs, eta_min = 0.001).
cosine = []
for base, eta_min, T in [(0.025, 0.001, 50), (0.1, 0.0, 7)]:
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T, eta_min=eta_min)
    lrs = []
    for _ in range(T + 1):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    cosine.append({"base": base, "min": eta_min, "T": T, "lr": lrs})

doc = {
    "generator": "tools/golden/optim_golden.py (torch %s)" % torch.__version__,
    "x": flat(x), "y": flat(y), "w0": flat(w0), "b0": flat(b0),
    "shape": {"n": N, "in": IN, "out": OUT},
    "optimizers": cases, "clip": clips, "cosine": cosine,
}
path = os.path.join("optim", "testdata", "optim_golden.json")
fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
with os.fdopen(fd, "w") as f:
    json.dump(doc, f)
os.chmod(tmp, 0o644)
os.replace(tmp, path)
print("wrote", path)
