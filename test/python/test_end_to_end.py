"""vtile.compile end to end: PyTorch, ONNX and .mlir in, IREE llvm-cpu and
vulkan-spirv (lavapipe in CI) out, numerics against PyTorch / numpy / ONNX's
reference evaluator. fp32 at rtol 1e-5 with an absolute floor of 1e-5 for
outputs near zero, where a different summation order dominates."""

import numpy as np
import pytest
import torch
import zoo
from linalg_models import MATMUL

import vtile
from vtile.backends.targets import VulkanTarget
from vtile.pipeline import PipelineOptions

RTOL, ATOL = 1e-5, 1e-5


def torch_reference(model, x):
    with torch.no_grad():
        return model(x).numpy()


@pytest.mark.parametrize("name", zoo.MODELS)
def test_pytorch_models_match_on_llvm_cpu(name):
    model, x = zoo.MODELS[name]()
    compiled = vtile.compile(model, "llvm-cpu", example_inputs=[x])
    (result,) = compiled(x.numpy())
    np.testing.assert_allclose(result, torch_reference(model, x), rtol=RTOL, atol=ATOL)


# Pooling and linear layers are reductions: the case that computes wrong
# numbers when the Vulkan target's subgroup size differs from the device's.
@pytest.mark.parametrize("name", ["depthwise_separable", "residual", "pooling_head", "mlp"])
def test_pytorch_models_match_on_vulkan_spirv(name):
    model, x = zoo.MODELS[name]()
    compiled = vtile.compile(model, "vulkan-spirv", example_inputs=[x])
    (result,) = compiled(x.numpy())
    np.testing.assert_allclose(result, torch_reference(model, x), rtol=RTOL, atol=ATOL)


def test_target_with_other_subgroup_size_is_refused_before_it_computes_wrong_numbers():
    model, x = zoo.pooling_head()
    compiled = vtile.compile(model, VulkanTarget("valhall4"), example_inputs=[x])
    with pytest.raises(vtile.VtileError, match="assumes subgroups of 16 .* lavapipe"):
        compiled(x.numpy())


def test_compiled_model_checks_its_inputs():
    model, x = zoo.mlp()
    compiled = vtile.compile(model, example_inputs=[x])
    with pytest.raises(vtile.VtileError, match="expects 4x64xfloat32"):
        compiled(np.zeros((2, 64), np.float32))
    with pytest.raises(vtile.VtileError, match="takes 1 inputs, got 2"):
        compiled(x.numpy(), x.numpy())


def test_compiled_model_saves_its_vmfb(tmp_path):
    model, x = zoo.mlp()
    compiled = vtile.compile(model, example_inputs=[x])
    compiled.save(tmp_path / "mlp.vmfb")
    assert (tmp_path / "mlp.vmfb").read_bytes() == compiled.vmfb


def test_pytorch_model_needs_example_inputs():
    model, _ = zoo.mlp()
    with pytest.raises(vtile.VtileError, match="needs example_inputs"):
        vtile.compile(model)


def test_unknown_pipeline_is_refused():
    model, x = zoo.mlp()
    with pytest.raises(vtile.VtileError, match="unknown pipeline 'fast'"):
        vtile.compile(model, pipeline="fast", example_inputs=[x])


def test_dump_dir_gets_the_input_ir(tmp_path):
    model, x = zoo.mlp()
    options = PipelineOptions(dump_dir=tmp_path)
    vtile.compile(model, example_inputs=[x], options=options)
    assert "linalg.matmul" in (tmp_path / "00-input.mlir").read_text()




@pytest.mark.parametrize("target", ["llvm-cpu", "vulkan-spirv"])
def test_mlir_file_matches_numpy(tmp_path, target):
    path = tmp_path / "matmul.mlir"
    path.write_text(MATMUL)
    compiled = vtile.compile(path, target)
    a, b = compiled.model.sample_inputs
    assert (a.shape, b.shape) == ((4, 8), (8, 3))
    (result,) = compiled(a, b)
    np.testing.assert_allclose(result, a.astype(np.float64) @ b, rtol=RTOL, atol=ATOL)


def test_factory_file_can_import_its_neighbours(tmp_path):
    (tmp_path / "blocks.py").write_text(
        "import torch\nclass Double(torch.nn.Module):\n    def forward(self, x):\n        return 2 * x\n"
    )
    (tmp_path / "net.py").write_text(
        "import torch\nfrom blocks import Double\ndef make():\n    return Double(), torch.ones(3)\n"
    )
    compiled = vtile.compile(f"{tmp_path}/net.py:make")
    (result,) = compiled(np.arange(3, dtype=np.float32))
    np.testing.assert_array_equal(result, [0.0, 2.0, 4.0])
