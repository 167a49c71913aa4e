"""Built-in models: EdgeCNN, what `vtile demo` compiles when given nothing,
and BENCHMARK_MODELS, the edge networks vertical tiling fusion is measured
and tested on. Every factory returns a model in eval mode with seeded weights
and batch-norm statistics, and a seeded batch-1 float32 input."""

from __future__ import annotations

from collections.abc import Callable

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


ModelAndInputs = tuple[nn.Module, tuple[torch.Tensor, ...]]


def _seeded(build: Callable[[], nn.Module], seed: int, *input_shape: int) -> ModelAndInputs:
    """BUILD's model with weights drawn under SEED, random batch-norm
    statistics (so the normalisation is not the identity), in eval mode, and a
    seeded input of INPUT_SHAPE."""
    torch.manual_seed(seed)  # the layers' default initialisers draw from the global generator
    model = build()
    generator = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.normal_(0.0, 0.1, generator=generator)
            module.running_var.uniform_(0.5, 1.5, generator=generator)
    return model.eval(), (torch.randn(*input_shape, generator=generator),)


def _conv_bn(
    inputs: int, outputs: int, kernel: int, stride: int = 1, groups: int = 1
) -> list[nn.Module]:
    """A bias-free convolution (the batch norm after it has the bias) with
    "same" padding for odd kernels."""
    return [
        nn.Conv2d(inputs, outputs, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(outputs),
    ]


class InvertedResidual(nn.Module):
    """MobileNetV2's block: a 1x1 expansion by `expand` (none at 1), a 3x3
    depthwise convolution, a linear 1x1 projection; the input is added back
    when the block keeps the shape."""

    def __init__(self, inputs: int, outputs: int, stride: int, expand: int):
        super().__init__()
        hidden = inputs * expand
        widen = [*_conv_bn(inputs, hidden, 1), nn.ReLU6()] if expand != 1 else []
        self.body = nn.Sequential(
            *widen,
            *_conv_bn(hidden, hidden, 3, stride, groups=hidden), nn.ReLU6(),
            *_conv_bn(hidden, outputs, 1),
        )  # fmt: skip
        self.residual = stride == 1 and inputs == outputs

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x) if self.residual else self.body(x)


# MobileNetV2 (width 1.0): per stage, expansion t, channels c, blocks n, first stride s.
MOBILENET_V2_STAGES = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


def _mobilenet_v2_features(stages: tuple[tuple[int, int, int, int], ...]) -> list[nn.Module]:
    layers: list[nn.Module] = [nn.Sequential(*_conv_bn(3, 32, 3, stride=2), nn.ReLU6())]
    channels = 32
    for expand, outputs, blocks, stride in stages:
        for block in range(blocks):
            layers.append(InvertedResidual(channels, outputs, stride if block == 0 else 1, expand))
            channels = outputs
    return layers


def _mobilenet_v2_stage1() -> nn.Sequential:
    # torchvision's MobileNetV2 features[0:3]; neither block has a residual
    # connection (block 1 changes the channels, block 2 the resolution).
    return nn.Sequential(*_mobilenet_v2_features(((1, 16, 1, 1), (6, 24, 1, 2))))


def mobilenet_v2_stage1(seed: int = 0, size: int = 224) -> ModelAndInputs:
    """MobileNetV2 (width 1.0) stem and first two inverted-residual blocks on
    1x3xSIZExSIZE: 1x24x(SIZE/4)x(SIZE/4) out, no classifier."""
    return _seeded(_mobilenet_v2_stage1, seed, 1, 3, size, size)


def _mobilenet_v2() -> nn.Sequential:
    return nn.Sequential(
        *_mobilenet_v2_features(MOBILENET_V2_STAGES),
        nn.Sequential(*_conv_bn(320, 1280, 1), nn.ReLU6()),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1280, 1000),
    )  # fmt: skip


def mobilenet_v2(seed: int = 0, size: int = 224) -> ModelAndInputs:
    """The whole MobileNetV2 (width 1.0, as in torchvision, dropout left out:
    eval mode) on 1x3xSIZExSIZE: 1000 class logits out. MCUNetV2's example
    of a peak set by the first blocks."""
    return _seeded(_mobilenet_v2, seed, 1, 3, size, size)


def _separable(channels: int) -> list[nn.Module]:
    """Depthwise 3x3 then pointwise 1x1, each with batch norm and ReLU."""
    return [
        *_conv_bn(channels, channels, 3, groups=channels), nn.ReLU(),
        *_conv_bn(channels, channels, 1), nn.ReLU(),
    ]  # fmt: skip


def _ds_cnn_kws() -> nn.Sequential:
    return nn.Sequential(
        # 10x4 over time x frequency, stride 2: 49x10 MFCCs become 25x5.
        nn.Conv2d(1, 64, (10, 4), stride=2, padding=(5, 1), bias=False),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        *[layer for _ in range(4) for layer in _separable(64)],
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(64, 12),
    )


def ds_cnn_kws(seed: int = 0) -> ModelAndInputs:
    """"Hello Edge" DS-CNN keyword spotter: 1x1x49x10 MFCCs in, 12 class
    logits out."""
    return _seeded(_ds_cnn_kws, seed, 1, 1, 49, 10)


class BasicBlock(nn.Module):
    """ResNet basic block; a strided block's shortcut is a strided 1x1
    convolution, as in MLPerf Tiny's ResNet-8."""

    def __init__(self, inputs: int, outputs: int, stride: int = 1):
        super().__init__()
        self.body = nn.Sequential(
            *_conv_bn(inputs, outputs, 3, stride), nn.ReLU(),
            *_conv_bn(outputs, outputs, 3),
        )  # fmt: skip
        self.shortcut = nn.Conv2d(inputs, outputs, 1, stride) if stride != 1 else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.body(x) + self.shortcut(x))


def _resnet8() -> nn.Sequential:
    return nn.Sequential(
        *_conv_bn(3, 16, 3),
        nn.ReLU(),
        BasicBlock(16, 16),
        BasicBlock(16, 32, stride=2),
        BasicBlock(32, 64, stride=2),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(64, 10),
    )


def resnet8(seed: int = 0, size: int = 32) -> ModelAndInputs:
    """MLPerf Tiny-style ResNet-8 on 1x3xSIZExSIZE: 10 class logits out."""
    return _seeded(_resnet8, seed, 1, 3, size, size)


def _double_conv(inputs: int, outputs: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(inputs, outputs, 3, padding=1), nn.ReLU(),
        nn.Conv2d(outputs, outputs, 3, padding=1), nn.ReLU(),
    )  # fmt: skip


def _up(inputs: int, outputs: int) -> nn.Sequential:
    # Nearest upsampling then a 1x1 convolution in place of a transposed one.
    return nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(inputs, outputs, 1))


class SmallUNet(nn.Module):
    """Two-level U-Net whose decoder concatenates the encoder's outputs: the
    skips keep full-resolution activations live across the whole network."""

    def __init__(self, classes: int = 2):
        super().__init__()
        self.enc1 = _double_conv(3, 16)
        self.enc2 = _double_conv(16, 32)
        self.bottleneck = _double_conv(32, 64)
        self.pool = nn.MaxPool2d(2)
        self.up2, self.dec2 = _up(64, 32), _double_conv(64, 32)
        self.up1, self.dec1 = _up(32, 16), _double_conv(32, 16)
        self.head = nn.Conv2d(16, classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skip1 = self.enc1(x)
        skip2 = self.enc2(self.pool(skip1))
        x = self.bottleneck(self.pool(skip2))
        x = self.dec2(torch.cat([self.up2(x), skip2], dim=1))
        x = self.dec1(torch.cat([self.up1(x), skip1], dim=1))
        return self.head(x)


def small_unet(seed: int = 0, size: int = 64) -> ModelAndInputs:
    """SmallUNet on 1x3xSIZExSIZE (SIZE divisible by 4): 1x2xSIZExSIZE
    per-pixel logits out."""
    return _seeded(SmallUNet, seed, 1, 3, size, size)


class WideBranches(nn.Module):
    """Three branches from one stem, each widened 4x by a 1x1 convolution
    and narrowed by a 3x3 one, concatenated. Written as such code often is
    (attention's query, key and value projections too): every widening
    first, so program order holds all three wide tensors at once, where
    running each branch through holds one."""

    def __init__(self, branches: int = 3):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.widen = nn.ModuleList(nn.Conv2d(16, 64, 1) for _ in range(branches))
        self.narrow = nn.ModuleList(nn.Conv2d(64, 8, 3, padding=1) for _ in range(branches))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.stem(x))
        wide = [torch.relu(widen(x)) for widen in self.widen]
        return torch.cat([narrow(w) for narrow, w in zip(self.narrow, wide, strict=True)], 1)


def wide_branches(seed: int = 0, size: int = 32) -> ModelAndInputs:
    """WideBranches on 1x3xSIZExSIZE: 1x24xSIZExSIZE out."""
    return _seeded(WideBranches, seed, 1, 3, size, size)


def _mlp() -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10)
    )


def mlp(seed: int = 0) -> ModelAndInputs:
    """Three-layer perceptron: 1x256 in, 10 logits out."""
    return _seeded(_mlp, seed, 1, 256)


BENCHMARK_MODELS: dict[str, Callable[..., ModelAndInputs]] = {
    "mobilenet_v2_stage1": mobilenet_v2_stage1,  # depthwise and pointwise chains, ReLU6
    "ds_cnn_kws": ds_cnn_kws,  # non-square kernel, tiny spatial extent
    "resnet8": resnet8,  # residual adds with strided 1x1 shortcuts
    "small_unet": small_unet,  # long-lived skips, concatenation, nearest upsampling
    "mlp": mlp,  # no spatial dimensions: matmuls only
    "wide_branches": wide_branches,  # program order is not the lowest-peak one
}
