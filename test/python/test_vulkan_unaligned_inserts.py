"""IREE 3.13's SPIR-V codegen stores a dispatch's result shifted when it
writes in place into a larger tensor at an innermost offset that is not a
multiple of its vectors (2-wide on lavapipe for these shapes). vtile's
`vulkan-gather-unaligned-inserts` rewrites such pads and inserts; these
models computed wrong numbers on lavapipe without it, under both
pipelines (the fused pad_then_conv happens to tile around it)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import vtile
from vtile.backends.iree import vulkan_available

RTOL, ATOL = 1e-5, 1e-4  # 3x3x32 sums of values near 10


class PointwiseThenPad(torch.nn.Module):
    """A 1x1 conv whose result IREE writes into the padded buffer at column 1."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(16, 32, 1, bias=False)

    def forward(self, x):
        return F.pad(self.conv(x), (1, 1))


class PointwiseThen3x3(torch.nn.Module):
    """The EdgeCNN case: the padded 1x1 result feeds a 3x3 conv."""

    def __init__(self):
        super().__init__()
        self.pointwise = torch.nn.Conv2d(16, 32, 1, bias=False)
        self.conv = torch.nn.Conv2d(32, 32, 3, padding=(0, 1), bias=False)

    def forward(self, x):
        return self.conv(self.pointwise(x))


MODELS = {"pad": PointwiseThenPad, "pad_then_conv": PointwiseThen3x3}


@pytest.mark.parametrize("pipeline", ["none", "vertical-fusion"])
@pytest.mark.parametrize("name", MODELS)
def test_unaligned_inserts_match_pytorch_on_vulkan_spirv(name, pipeline):
    if not vulkan_available():
        pytest.skip("no Vulkan device")
    torch.manual_seed(0)
    model = MODELS[name]().eval()
    x = torch.randn(1, 16, 12, 32)
    compiled = vtile.compile(model, "vulkan-spirv", pipeline, example_inputs=[x])
    assert "vulkan-spirv-lowering" in [t.name for t in compiled.report.timings]
    (result,) = compiled(x.numpy())
    with torch.no_grad():
        expected = model(x).numpy()
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)
