"""Built-in models: what `vtile demo` compiles when given nothing."""

from __future__ import annotations

import torch
from torch import nn


def _conv_bn_relu(inputs: int, outputs: int, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, stride, padding=1, groups=groups, bias=False),
        nn.BatchNorm2d(outputs),
        nn.ReLU6(),
    )


class ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            _conv_bn_relu(channels, channels),
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.body(x))


class EdgeCNN(nn.Module):
    """A MobileNet-style classifier for 64x64 RGB: strided stem, a
    depthwise-separable block, a residual block, pooling and a linear head."""

    def __init__(self, classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            _conv_bn_relu(3, 16, stride=2),
            _conv_bn_relu(16, 16, groups=16),  # depthwise
            nn.Conv2d(16, 32, 1, bias=False),  # pointwise
            nn.BatchNorm2d(32),
            nn.ReLU6(),
            ResidualBlock(32),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def edge_cnn(seed: int = 0, size: int = 64) -> tuple[nn.Module, tuple[torch.Tensor]]:
    """EdgeCNN with seeded random weights and batch-norm statistics (so the
    normalisation is not the identity), in eval mode, and a 1x3xSIZExSIZE
    input (any even size: the head pools globally)."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = EdgeCNN()
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.normal_(0.0, 0.1, generator=generator)
            module.running_var.uniform_(0.5, 1.5, generator=generator)
    return model.eval(), (torch.randn(1, 3, size, size, generator=generator),)
