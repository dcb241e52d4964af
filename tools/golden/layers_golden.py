#!/usr/bin/python3
"""Writes layers/testdata/layers_golden.json: PyTorch 1.13 forward outputs, input and
parameter gradients, and BatchNorm running statistics of the layers godarts/layers builds,
for its parity tests. The DARTS operations are those of quark0/darts cnn/operations.py.
Run from the repository root: /usr/bin/python3 tools/golden/layers_golden.py
"""
import json
import os
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(0)


class SepConv(nn.Module):
    def __init__(self, C_in, C_out, k, stride, pad, affine):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, k, stride, pad, groups=C_in, bias=False),
            nn.Conv2d(C_in, C_in, 1, padding=0, bias=False),
            nn.BatchNorm2d(C_in, affine=affine),
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, k, 1, pad, groups=C_in, bias=False),
            nn.Conv2d(C_in, C_out, 1, padding=0, bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )

    def forward(self, x):
        return self.op(x)


class DilConv(nn.Module):
    def __init__(self, C_in, C_out, k, stride, pad, dil, affine):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_in, k, stride, pad, dilation=dil, groups=C_in, bias=False),
            nn.Conv2d(C_in, C_out, 1, padding=0, bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )

    def forward(self, x):
        return self.op(x)


class ReLUConvBN(nn.Module):
    def __init__(self, C_in, C_out, k, stride, pad, affine):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_out, k, stride, pad, bias=False),
            nn.BatchNorm2d(C_out, affine=affine),
        )

    def forward(self, x):
        return self.op(x)


class FactorizedReduce(nn.Module):
    def __init__(self, C_in, C_out, affine):
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, padding=0, bias=False)
        self.conv_2 = nn.Conv2d(C_in, C_out // 2, 1, stride=2, padding=0, bias=False)
        self.bn = nn.BatchNorm2d(C_out, affine=affine)

    def forward(self, x):
        x = self.relu(x)
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(x[:, :, 1:, 1:])], dim=1))


def flat(t):
    return [round(float(v), 9) for v in t.detach().reshape(-1)]


def case(name, m, xshape, train=True):
    # Randomise affine BN parameters and running statistics so γ = 1, β = 0 hide nothing.
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            if mod.affine:
                mod.weight.data.uniform_(0.5, 1.5)
                mod.bias.data.uniform_(-0.5, 0.5)
            mod.running_mean.uniform_(-0.5, 0.5)
            mod.running_var.uniform_(0.5, 1.5)
    m.train(train)
    state = {k: flat(v) for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")}
    x = torch.randn(*xshape, requires_grad=True)
    y = m(x)
    r = torch.randn(*y.shape)
    out = {"name": name, "train": train, "x_shape": list(xshape), "x": flat(x), "y_shape": list(y.shape),
           "y": flat(y), "r": flat(r), "state": state}
    if y.requires_grad:
        (y * r).sum().backward()
        out["x_grad"] = flat(x.grad)
        out["grads"] = {k: flat(p.grad) for k, p in m.named_parameters()}
    out["state_after"] = {k: flat(v) for k, v in m.state_dict().items() if "running" in k}
    return out


cases = [
    case("conv2d 3x3 s2 bias", nn.Conv2d(3, 5, 3, 2, 1, bias=True), (2, 3, 7, 6)),
    case("conv2d 5x5 dilation 2 groups 2", nn.Conv2d(4, 6, 5, 1, 4, dilation=2, groups=2, bias=False), (1, 4, 9, 8)),
    case("linear", nn.Linear(7, 3), (4, 7)),
    case("batchnorm2d affine", nn.BatchNorm2d(4), (3, 4, 5, 5)),
    case("batchnorm2d no affine", nn.BatchNorm2d(3, affine=False), (2, 3, 4, 6)),
    case("batchnorm2d affine eval", nn.BatchNorm2d(4), (2, 4, 3, 3), train=False),
    case("sep_conv_3x3 s2 no affine", SepConv(6, 6, 3, 2, 1, False), (2, 6, 9, 9)),
    case("sep_conv_5x5 s1 affine", SepConv(5, 5, 5, 1, 2, True), (2, 5, 8, 8)),
    case("dil_conv_3x3 s2", DilConv(5, 5, 3, 2, 2, 2, False), (2, 5, 9, 9)),
    case("dil_conv_5x5 s1 affine", DilConv(4, 4, 5, 1, 4, 2, True), (2, 4, 8, 8)),
    case("relu_conv_bn 1x1", ReLUConvBN(6, 4, 1, 1, 0, True), (2, 6, 5, 5)),
    case("factorized_reduce", FactorizedReduce(4, 6, True), (2, 4, 8, 8)),
    case("max_pool_3x3 s2", nn.MaxPool2d(3, 2, 1), (2, 3, 7, 7)),
    case("avg_pool_3x3 s2", nn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 7, 6)),
    case("avg_pool_3x3 s1", nn.AvgPool2d(3, 1, 1, count_include_pad=False), (1, 2, 5, 5)),
]
doc = {"generator": "tools/golden/layers_golden.py (torch %s)" % torch.__version__, "cases": cases}
path = os.path.join("layers", "testdata", "layers_golden.json")
fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path))
with os.fdopen(fd, "w") as f:
    json.dump(doc, f)
os.chmod(tmp, 0o644)
os.replace(tmp, path)
print("wrote", path)
