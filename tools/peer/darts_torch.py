#!/usr/bin/env python3
"""The DARTS search supernet in PyTorch, timed the way `nas bench` times ours.

Peer for godarts' CPU benchmark (issue 4): the same network (quark0/darts cnn/model_search.py
structure, rewritten here), the same configs and modes, two threads. Run with Debian's
/usr/bin/python3 and python3-torch:

  /usr/bin/python3 tools/peer/darts_torch.py --config small --mode search1 --json

One config and mode per process, so the peak resident memory belongs to that run alone.
"""
import argparse
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    # name: batch, C, layers, image size, in channels, classes
    "small": dict(batch=32, C=8, layers=5, size=28, in_ch=1, classes=10),
    "paper": dict(batch=64, C=16, layers=8, size=32, in_ch=3, classes=10),
}

PRIMITIVES = ["none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
              "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"]


class ReLUConvBN(nn.Sequential):
    def __init__(self, cin, cout, k, stride, pad, affine):
        super().__init__(nn.ReLU(inplace=False), nn.Conv2d(cin, cout, k, stride, pad, bias=False),
                         nn.BatchNorm2d(cout, affine=affine))


class DilConv(nn.Sequential):
    def __init__(self, cin, cout, k, stride, pad, dil, affine):
        super().__init__(nn.ReLU(inplace=False),
                         nn.Conv2d(cin, cin, k, stride, pad, dilation=dil, groups=cin, bias=False),
                         nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout, affine=affine))


class SepConv(nn.Sequential):
    def __init__(self, cin, cout, k, stride, pad, affine):
        super().__init__(DilConv(cin, cin, k, stride, pad, 1, affine), DilConv(cin, cout, k, 1, pad, 1, affine))


class Zero(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        if self.stride == 1:
            return x.mul(0.)
        return x[:, :, ::self.stride, ::self.stride].mul(0.)


class FactorizedReduce(nn.Module):
    def __init__(self, cin, cout, affine):
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.c1 = nn.Conv2d(cin, cout // 2, 1, 2, 0, bias=False)
        self.c2 = nn.Conv2d(cin, cout // 2, 1, 2, 0, bias=False)
        self.bn = nn.BatchNorm2d(cout, affine=affine)

    def forward(self, x):
        x = self.relu(x)
        return self.bn(torch.cat([self.c1(x), self.c2(x[:, :, 1:, 1:])], dim=1))


def make_op(name, C, stride):
    if name == "none":
        return Zero(stride)
    if name == "max_pool_3x3":
        return nn.Sequential(nn.MaxPool2d(3, stride, 1), nn.BatchNorm2d(C, affine=False))
    if name == "avg_pool_3x3":
        return nn.Sequential(nn.AvgPool2d(3, stride, 1, count_include_pad=False), nn.BatchNorm2d(C, affine=False))
    if name == "skip_connect":
        return nn.Identity() if stride == 1 else FactorizedReduce(C, C, False)
    if name == "sep_conv_3x3":
        return SepConv(C, C, 3, stride, 1, False)
    if name == "sep_conv_5x5":
        return SepConv(C, C, 5, stride, 2, False)
    if name == "dil_conv_3x3":
        return DilConv(C, C, 3, stride, 2, 2, False)
    if name == "dil_conv_5x5":
        return DilConv(C, C, 5, stride, 4, 2, False)
    raise ValueError(name)


class MixedOp(nn.Module):
    def __init__(self, C, stride):
        super().__init__()
        self.ops = nn.ModuleList(make_op(p, C, stride) for p in PRIMITIVES)

    def forward(self, x, w):
        return sum(wi * op(x) for wi, op in zip(w, self.ops))


class Cell(nn.Module):
    def __init__(self, steps, mult, Cpp, Cp, C, reduction, reduction_prev):
        super().__init__()
        self.reduction = reduction
        self.pre0 = FactorizedReduce(Cpp, C, False) if reduction_prev else ReLUConvBN(Cpp, C, 1, 1, 0, False)
        self.pre1 = ReLUConvBN(Cp, C, 1, 1, 0, False)
        self.steps, self.mult = steps, mult
        self.ops = nn.ModuleList()
        for i in range(steps):
            for j in range(2 + i):
                self.ops.append(MixedOp(C, 2 if reduction and j < 2 else 1))

    def forward(self, s0, s1, weights):
        states = [self.pre0(s0), self.pre1(s1)]
        off = 0
        for i in range(self.steps):
            s = sum(self.ops[off + j](h, weights[off + j]) for j, h in enumerate(states))
            off += len(states)
            states.append(s)
        return torch.cat(states[-self.mult:], dim=1)


class Network(nn.Module):
    def __init__(self, C, classes, layers, in_ch, steps=4, mult=4, stem_mult=3):
        super().__init__()
        Ccur = stem_mult * C
        self.stem = nn.Sequential(nn.Conv2d(in_ch, Ccur, 3, padding=1, bias=False), nn.BatchNorm2d(Ccur))
        Cpp, Cp, Ccur = Ccur, Ccur, C
        self.cells = nn.ModuleList()
        red_prev = False
        for i in range(layers):
            red = i in (layers // 3, 2 * layers // 3)
            if red:
                Ccur *= 2
            self.cells.append(Cell(steps, mult, Cpp, Cp, Ccur, red, red_prev))
            red_prev = red
            Cpp, Cp = Cp, mult * Ccur
        self.classifier = nn.Linear(Cp, classes)
        k = sum(2 + i for i in range(steps))
        self.alphas_normal = nn.Parameter(1e-3 * torch.randn(k, len(PRIMITIVES)))
        self.alphas_reduce = nn.Parameter(1e-3 * torch.randn(k, len(PRIMITIVES)))

    def weights(self):
        return [p for n, p in self.named_parameters() if not n.startswith("alphas")]

    def forward(self, x):
        s0 = s1 = self.stem(x)
        wn = F.softmax(self.alphas_normal, dim=-1)
        wr = F.softmax(self.alphas_reduce, dim=-1)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1, wr if cell.reduction else wn)
        return self.classifier(F.adaptive_avg_pool2d(s1, 1).flatten(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", choices=sorted(CONFIGS), default="small")
    ap.add_argument("--mode", choices=["fwd", "fwdbwd", "search1"], default="search1")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--params-only", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(2)
    cfg = CONFIGS[a.config]
    net = Network(cfg["C"], cfg["classes"], cfg["layers"], cfg["in_ch"])
    params = sum(p.numel() for p in net.weights())
    if a.params_only:
        print(json.dumps({"config": a.config, "params": params}))
        return
    shape = (cfg["batch"], cfg["in_ch"], cfg["size"], cfg["size"])
    xt, yt = torch.randn(shape), torch.randint(0, cfg["classes"], (cfg["batch"],))
    xv, yv = torch.randn(shape), torch.randint(0, cfg["classes"], (cfg["batch"],))
    w_opt = torch.optim.SGD(net.weights(), lr=0.025, momentum=0.9, weight_decay=3e-4)
    a_opt = torch.optim.Adam([net.alphas_normal, net.alphas_reduce], lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)

    def step():
        if a.mode == "fwd":
            with torch.no_grad():
                net(xt)
        elif a.mode == "fwdbwd":
            net.zero_grad(set_to_none=True)
            F.cross_entropy(net(xt), yt).backward()
        else:  # one first-order DARTS iteration: α step on validation, then w step on training
            a_opt.zero_grad(set_to_none=True)
            F.cross_entropy(net(xv), yv).backward()
            a_opt.step()
            w_opt.zero_grad(set_to_none=True)
            net.zero_grad(set_to_none=True)
            F.cross_entropy(net(xt), yt).backward()
            nn.utils.clip_grad_norm_(net.weights(), 5.0)
            w_opt.step()

    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        step()
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    res = {"config": a.config, "mode": a.mode, "device": "torch-cpu-%dthreads" % a.threads,
           "median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
           "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "params": params,
           "torch": torch.__version__}
    if a.json:
        print(json.dumps(res))
    else:
        print("%(config)s %(mode)s %(device)s median %(median_s).4fs min %(min_s).4fs max %(max_s).4fs "
              "peak RSS %(peak_rss_bytes)d params %(params)d" % res)


if __name__ == "__main__":
    sys.exit(main())
