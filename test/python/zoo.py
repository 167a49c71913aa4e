"""Small PyTorch models covering the layer patterns of edge CNNs, each with
seeded weights and an input. Batch norms get random statistics so they are
not the identity."""

import torch
from torch import nn


def _seeded(model: nn.Module, *shape: int):
    generator = torch.Generator().manual_seed(1)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.normal_(0.0, 0.1, generator=generator)
            module.running_var.uniform_(0.5, 1.5, generator=generator)
    return model.eval(), torch.randn(*shape, generator=generator)


def conv_chain():
    torch.manual_seed(0)
    return _seeded(
        nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 8, 3, stride=2, padding=1),
        ),
        1, 3, 24, 24,
    )  # fmt: skip


def depthwise_separable():
    torch.manual_seed(0)
    return _seeded(
        nn.Sequential(
            nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False), nn.BatchNorm2d(8), nn.ReLU6(),
            nn.Conv2d(8, 16, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU6(),
            nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16), nn.ReLU6(),
            nn.Conv2d(16, 24, 1),
        ),
        1, 8, 20, 20,
    )  # fmt: skip


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16),
        )  # fmt: skip

    def forward(self, x):
        return torch.relu(x + self.body(x))


def residual():
    torch.manual_seed(0)
    return _seeded(Residual(), 1, 16, 16, 16)


def pooling_head():
    torch.manual_seed(0)
    return _seeded(
        nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10),
        ),
        2, 3, 32, 32,
    )  # fmt: skip


def mlp():
    torch.manual_seed(0)
    return _seeded(
        nn.Sequential(nn.Linear(64, 128), nn.GELU(), nn.Linear(128, 32), nn.Tanh(), nn.Linear(32, 10)),
        4, 64,
    )


MODELS = {
    "conv_chain": conv_chain,
    "depthwise_separable": depthwise_separable,
    "residual": residual,
    "pooling_head": pooling_head,
    "mlp": mlp,
}
