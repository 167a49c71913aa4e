"""PyTorch front end -> IREE llvm-cpu, numerics against PyTorch."""

import numpy as np
import pytest
import torch

from vtile.backends.iree import compile_vmfb, load
from vtile.backends.targets import CpuTarget
from vtile.errors import VtileError
from vtile.frontends.pytorch import import_pytorch


class ConvChain(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.Conv2d(8, 8, 3, padding=1),
            torch.nn.ReLU(),
        )

    def forward(self, x):
        return self.layers(x)


class DataDependent(torch.nn.Module):
    def forward(self, x):
        if x.sum() > 0:  # control flow on values cannot be exported
            return x * 2
        return x


def test_conv_chain_matches_pytorch_on_llvm_cpu(context):
    torch.manual_seed(0)
    model = ConvChain()
    x = torch.randn(1, 3, 16, 16)
    module = import_pytorch(model, [x], context, "ConvChain")
    assert "linalg.conv_2d_nchw_fchw" in str(module)
    (result,) = load(compile_vmfb(str(module), CpuTarget()), CpuTarget())(x.numpy())
    with torch.no_grad():
        expected = model(x).numpy()
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-5)


def test_export_failure_is_one_clear_error(context):
    with pytest.raises(VtileError, match="could not export DataDependent to linalg"):
        import_pytorch(DataDependent(), [torch.randn(4)], context, "DataDependent")
