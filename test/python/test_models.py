"""vtile.models' benchmark set: each model's output has the shape its
architecture implies, and compiles for llvm-cpu to PyTorch's numbers (fp32 at
rtol 1e-5 with an absolute floor of 1e-5 for outputs near zero). Small inputs
keep the file fast."""

import numpy as np
import pytest
import torch

import vtile
from vtile.models import BENCHMARK_MODELS

RTOL, ATOL = 1e-5, 1e-5

# Each factory's arguments and the output shape they imply.
CASES = {
    # Stride 2 in the stem and in block 2: 64 / 4.
    "mobilenet_v2_stage1": ({"size": 64}, (1, 24, 16, 16)),
    "ds_cnn_kws": ({}, (1, 12)),
    "resnet8": ({"size": 32}, (1, 10)),
    # Two poolings and two upsamplings: back to the input's resolution.
    "small_unet": ({"size": 32}, (1, 2, 32, 32)),
    "mlp": ({}, (1, 10)),
    "wide_branches": ({}, (1, 24, 32, 32)),
}


def test_every_benchmark_model_is_tested():
    assert CASES.keys() == BENCHMARK_MODELS.keys()


@pytest.mark.parametrize("name", CASES)
def test_output_has_the_architecture_shape(name):
    arguments, shape = CASES[name]
    model, (x,) = BENCHMARK_MODELS[name](**arguments)
    with torch.no_grad():
        assert tuple(model(x).shape) == shape


def test_mobilenet_v2_stage1_at_full_size_quarters_the_resolution():
    model, (x,) = BENCHMARK_MODELS["mobilenet_v2_stage1"]()
    with torch.no_grad():
        assert tuple(model(x).shape) == (1, 24, 56, 56)


def test_seed_chooses_weights_and_input():
    (model, (x,)), (same, (same_x,)), (other, (other_x,)) = (
        BENCHMARK_MODELS["resnet8"](seed=seed) for seed in (0, 0, 1)
    )
    with torch.no_grad():
        assert torch.equal(model(x), same(same_x))
        assert not torch.equal(model(x), other(other_x))


@pytest.mark.parametrize("name", CASES)
def test_matches_pytorch_on_llvm_cpu(name):
    arguments, _ = CASES[name]
    model, (x,) = BENCHMARK_MODELS[name](**arguments)
    compiled = vtile.compile(model, "llvm-cpu", example_inputs=[x])
    (result,) = compiled(x.numpy())
    with torch.no_grad():
        np.testing.assert_allclose(result, model(x).numpy(), rtol=RTOL, atol=ATOL)
