"""Fusion groups lowered as one IREE dispatch (`--group-lowering dispatch`):
every model of the zoo and the benchmark set still computes what PyTorch
does, groups that can be one dispatch become exactly one
`flow.dispatch.region` compiled with vtile's codegen library (IREE 3.13's
transform-dialect op names: the compile fails if one has drifted), and
groups that cannot keep their tile loops and say why."""

import re

import numpy as np
import pytest
import torch
import zoo
from linalg_models import TWO_CONVS

import vtile
from vtile import compiler, models
from vtile.backends import iree
from vtile.backends.iree import compile_vmfb
from vtile.backends.targets import make_target
from vtile.errors import CompileError
from vtile.backends.dispatch_codegen import (
    DECOMPOSE,
    ROWS,
    SCALAR,
    Dispatch,
    DispatchOp,
    codegen_spec,
    register_tile,
    thread_tile,
    workgroup_size,
    workgroup_tile,
)
from vtile.pipeline import PipelineOptions
from vtile.planner.search import DISPATCH, PlannerOptions

RTOL, ATOL = 1e-5, 1e-5
ONE_DISPATCH = PlannerOptions(lowering=DISPATCH)
REGION = '"flow.dispatch.region"'

FACTORIES = {f"zoo.{name}": factory for name, factory in zoo.MODELS.items()}
FACTORIES.update({name: factory for name, factory in models.BENCHMARK_MODELS.items()
                  if name != "mobilenet_v2_stage1"})  # fmt: skip
FACTORIES["mobilenet_v2_stage1"] = lambda: models.mobilenet_v2_stage1(size=56)
FACTORIES["edge_cnn"] = models.edge_cnn


@pytest.fixture(scope="module")
def options(tmp_path_factory):
    return PipelineOptions(reproducer_dir=tmp_path_factory.mktemp("reproducers"))


def compiled_model(name, options, target="llvm-cpu"):
    model, x = FACTORIES[name]()
    if isinstance(x, tuple):
        (x,) = x
    compiled = vtile.compile(model, target, "vertical-fusion", example_inputs=[x],
                             options=options, planner=ONE_DISPATCH)
    with torch.no_grad():
        expected = model(x).numpy()
    return compiled, x.numpy(), expected


@pytest.mark.parametrize("target", ["llvm-cpu", "vulkan-spirv"])
@pytest.mark.parametrize("name", FACTORIES)
def test_one_dispatch_lowering_matches_pytorch(name, target, options):
    if target == "vulkan-spirv" and not iree.vulkan_available():
        pytest.skip("no Vulkan device")
    compiled, x, expected = compiled_model(name, options, target)
    (result,) = compiled(x)
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)
    # A module holds a codegen library exactly when it has dispatch regions.
    assert (compiled.codegen_library is None) == (REGION not in compiled.mlir)


def test_mobilenet_stage_is_one_dispatch(options):
    """At 112x112 MobileNetV2's first stage (all 41 ops one group) becomes
    one region, its pads masks, and IREE compiles it with the library."""
    model, inputs = models.mobilenet_v2_stage1(size=112)
    compiled = vtile.compile(model, "llvm-cpu", "vertical-fusion", example_inputs=inputs,
                             options=options, planner=ONE_DISPATCH)
    assert compiled.mlir.count(REGION) == 1
    region = compiled.mlir[compiled.mlir.index(REGION):compiled.mlir.index('"flow.return"')]
    assert region.count("tensor.pad") == compiled.mlir.count("tensor.pad") == 1  # the input's
    # Its convolutions compute channels-last inside the region.
    assert region.count("linalg.conv_2d_nhwc_hwcf") == 4 and "nchw" not in region
    assert "@vtile_main_0" in compiled.codegen_library
    assert any("group 0 planned as one dispatch" in note for note in compiled.report.notes)
    (result,) = compiled(inputs[0].numpy())
    with torch.no_grad():
        np.testing.assert_allclose(result, model(*inputs).numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", ["resnet8", "small_unet", "edge_cnn"])
def test_vulkan_groups_are_one_dispatch_in_workgroup_memory(name, options):
    """On vulkan-spirv each group is one dispatch whose tiles fit the
    target's workgroup memory (lavapipe: 32 KiB; IREE refuses more), and
    the numbers are PyTorch's."""
    if not iree.vulkan_available():
        pytest.skip("no Vulkan device")
    compiled, x, expected = compiled_model(name, options, "vulkan-spirv")
    planned = sum(note.count("planned as one dispatch") for note in compiled.report.notes)
    assert planned >= 1 and compiled.mlir.count(REGION) == planned, compiled.report.notes
    assert "map_nested_forall_to_gpu_threads" in compiled.codegen_library
    (result,) = compiled(x)
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("refusal", [
    "error: could not find next producer to fuse into container",
    "error: 'func.func' op exceeded stack allocation limit of 2097152 bytes for function. Got 9 bytes",
    "error: Attempted to vectorize, but failed",
])  # fmt: skip
def test_dispatch_iree_refuses_keeps_tile_loops_and_says_so(refusal, options, monkeypatch):
    """When iree-compile refuses a one-dispatch group (a producer that does
    not fuse, a stack over the limit), the model compiles again with tile
    loops, computes the same, and the notes say why; other failures raise."""
    real = compiler.compile_vmfb
    reproducers = []

    def refusing(text, target, flags, reproducer_dir, library=None):
        if library is not None:
            reproducers.append(reproducer_dir)
            raise CompileError(f"iree-compile failed for llvm-cpu: codegen.mlir:5:7: {refusal}")
        return real(text, target, flags, reproducer_dir, library)

    monkeypatch.setattr(compiler, "compile_vmfb", refusing)
    model, x = FACTORIES["zoo.conv_chain"]()
    compiled = vtile.compile(model, "llvm-cpu", "vertical-fusion", example_inputs=[x],
                             options=options, planner=ONE_DISPATCH)
    assert REGION not in compiled.mlir and compiled.codegen_library is None
    assert any(note.startswith("one-dispatch groups kept as tile loops") and refusal in note
               for note in compiled.report.notes), compiled.report.notes
    with torch.no_grad():
        np.testing.assert_allclose(compiled(x.numpy())[0], model(x).numpy(), rtol=RTOL, atol=ATOL)
    assert reproducers == [None]  # a refusal that falls back leaves no reproducer behind

    def failing(text, target, flags, reproducer_dir, library=None):
        reproducers.append(reproducer_dir)
        raise CompileError("iree-compile failed for llvm-cpu: error: something else")

    monkeypatch.setattr(compiler, "compile_vmfb", failing)
    with pytest.raises(CompileError, match="something else"):
        vtile.compile(model, "llvm-cpu", "vertical-fusion", example_inputs=[x],
                      options=options, planner=ONE_DISPATCH)
    assert reproducers[-2:] == [None, options.reproducer_dir]  # a real failure leaves one


def test_residual_blocks_are_one_dispatch_each(options):
    """resnet8's residual blocks read their input through a padded conv and
    the add: the add reads the wider value at an offset (kept scalar). The
    forced plan has four groups (the stem, the first block, the second
    block's strided conv and its tail), each one dispatch."""
    compiled, x, expected = compiled_model("resnet8", options)
    planned = sum(note.count("planned as one dispatch") for note in compiled.report.notes)
    assert planned == 4 and compiled.mlir.count(REGION) == planned, compiled.report.notes
    assert not any("kept as tile loops" in note for note in compiled.report.notes)
    (result,) = compiled(x)
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)


def test_every_producer_fuses_into_the_workgroup_loop(options):
    """EdgeCNN's second group reads the residual block's input twice (through
    the padded conv and the add). Each add gets its own copy of the
    elementwise producer before tagging, as IREE's multi-use fusion would
    otherwise make untagged: then every producer fuses, and each group stays
    one dispatch (a producer left out would fail the compile and fall back
    to tile loops)."""
    compiled, x, expected = compiled_model("edge_cnn", options)
    planned = sum(note.count("planned as one dispatch") for note in compiled.report.notes)
    assert planned == 2 and compiled.mlir.count(REGION) == planned, compiled.report.notes
    assert not any("kept as tile loops" in note for note in compiled.report.notes)
    (result,) = compiled(x)
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("triple", "cpu", "fma"), [
    (None, "haswell", r"vfmadd\d+ps\s+%ymm"),  # x86-64 AVX2: 8 lanes
    ("aarch64-linux-gnu", "cortex-a55", r"fmla\s+v\d+\.4s"),  # NEON: 4 lanes
])  # fmt: skip
def test_one_dispatch_inner_loops_are_vector_fmas(triple, cpu, fma, tmp_path, options):
    """The group's dispatch (MobileNetV2's stage at 112x112) is vectorised
    down to the target's vector FMAs, on the host ISA and cross-compiled
    for AArch64."""
    model, inputs = models.mobilenet_v2_stage1(size=112)
    target = make_target("llvm-cpu", cpu=cpu, triple=triple)
    compiled = vtile.compile(model, target, "vertical-fusion", example_inputs=inputs,
                             options=options, planner=ONE_DISPATCH)
    assert compiled.mlir.count(REGION) == 1
    dump = tmp_path / "executables"
    compile_vmfb(compiled.mlir, target, [f"--iree-hal-dump-executable-files-to={dump}"],
                 codegen_library=compiled.codegen_library)
    assert len(re.findall(fma, group_assembly(dump, "vtile_main_0"))) >= 16


def group_assembly(dump, spec):
    """The assembly of the one dispatch IREE compiled with codegen spec
    SPEC, from an executable dump."""
    (configured,) = [path for path in dump.glob("configured_module_*.mlir")
                     if f"@{spec}" in path.read_text()]
    name = configured.stem.removeprefix("configured_module_")
    (assembly,) = (path.read_text() for path in dump.glob("*.s"))
    (body,) = re.findall(rf"^{name}_\w*:\n(.*?)^\.Lfunc_end", assembly, re.M | re.S)
    return body


def test_register_tiles_follow_each_ops_vectorisation():
    conv = DispatchOp(0, "linalg.conv_2d_nhwc_hwcf", (1, 28, 30, 96, 3, 3, 16))
    # (n, oh, ow, f, kh, kw, c): one output row and kernel tap (decomposable
    # to 1-D), 4 columns (the loop is peeled), two vectors of output
    # channels, 4 input channels.
    assert conv.strategy == DECOMPOSE and register_tile(conv) == (1, 1, 4, 16, 1, 1, 4)
    # Channel counts that are not multiples of the step: a divisor of them.
    stem = DispatchOp(1, "linalg.conv_2d_nhwc_hwcf", (1, 34, 34, 24, 3, 3, 3))
    assert register_tile(stem) == (1, 1, 4, 12, 1, 1, 3)
    # (n, oh, ow, c, kh, kw): the kernel width whole.
    depthwise = DispatchOp(2, "linalg.depthwise_conv_2d_nhwc_hwc", (1, 12, 18, 32, 3, 3))
    assert depthwise.strategy == DECOMPOSE and register_tile(depthwise) == (1, 1, 4, 16, 1, 0)
    # Other ops: one row of the result's innermost dimension, the last loop
    # unless the op writes its result transposed (NHWC loops writing NCHW:
    # the columns, loop 2).
    generic = DispatchOp(3, "linalg.generic", (1, 14, 14, 24))
    assert generic.strategy == ROWS and register_tile(generic) == (1, 1, 1, 0)
    to_nchw = DispatchOp(4, "linalg.generic", (1, 14, 14, 24), row_loop=2)
    assert register_tile(to_nchw) == (1, 1, 0, 1)
    assert DispatchOp(5, "linalg.generic", (1, 24, 14, 14), reads_at_offset=True).strategy == SCALAR


def test_decomposed_ops_peel_their_row_loop():
    """The register tile's column loop is peeled (a fused tile's row may be
    any length) before the op is decomposed to 1-D and vectorised."""
    conv = DispatchOp(3, "linalg.conv_2d_nhwc_hwcf", (1, 10, 34, 32, 3, 3, 32))
    root = DispatchOp(4, "linalg.pooling_nhwc_max", (1, 4, 16, 32, 2, 2))
    spec = codegen_spec(Dispatch("main.0", 4, (1, 16, 16, 32), (1, 4, 16, 32), (conv, root)))
    assert "%t3, %l3:7 = transform.structured.tile_using_for %r3 tile_sizes [1, 1, 4, 16, 1, 1, 4] :" in spec
    assert "%w3 = transform.cast %l3#2" in spec and "%w4 = transform.cast %l4#2" in spec
    assert "%r4 tile_sizes [1, 1, 4, 16, 1, 0] :" in spec
    pieces = spec[spec.index("%pieces3"):]
    assert pieces.index("structured.decompose %piece") < pieces.index("structured.vectorize %one_d")


def test_depthwise_groups_compute_with_vector_fmas(tmp_path, options):
    """A chain of unit-stride depthwise convolutions as one dispatch matches
    PyTorch, and its code multiplies in vector FMAs along channels."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(16, 16, 3, padding=1, groups=16), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 16, 3, padding=1, groups=16), torch.nn.ReLU(),
        torch.nn.Conv2d(16, 16, 3, padding=1, groups=16),
    ).eval()
    x = torch.randn(1, 16, 48, 48)
    target = make_target("llvm-cpu", cpu="haswell")
    compiled = vtile.compile(model, target, "vertical-fusion", example_inputs=[x],
                             options=options, planner=ONE_DISPATCH)
    assert compiled.mlir.count(REGION) == 1
    with torch.no_grad():
        expected = model(x).numpy()
    (result,) = compiled(x.numpy())
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)
    dump = tmp_path / "executables"
    compile_vmfb(compiled.mlir, target, [f"--iree-hal-dump-executable-files-to={dump}"],
                 codegen_library=compiled.codegen_library)
    # A vector FMA per convolution, over 8 columns (its row loop is not unrolled).
    assert len(re.findall(r"vfmadd\d+ps\s+[^\n]*%ymm", group_assembly(dump, "vtile_main_0"))) >= 3


def test_workgroup_tile_maps_tiled_dimensions_innermost_on_x():
    dispatch = Dispatch("main.0", 3, (1, 24, 14, 14), (1, 24, 2, 14), ())
    assert workgroup_tile(dispatch) == ([0, 0, 2, 0], ["#gpu.block<x>"])
    whole = Dispatch("main.1", 3, (1, 8, 4, 4), (1, 8, 4, 4), ())
    assert workgroup_tile(whole) == ([1, 0, 0, 0], ["#gpu.block<x>"])
    two = Dispatch("main.2", 3, (1, 8, 16, 16), (1, 8, 4, 8), ())
    assert workgroup_tile(two) == ([0, 0, 4, 8], ["#gpu.block<y>", "#gpu.block<x>"])


def test_iree_is_held_to_the_stack_level_the_plan_used(tmp_path, options, monkeypatch):
    """A module that carries its own #tile.target is planned for its
    `stack` level, iree-compile gets the same limit, and IREE never sees
    the `tile` attribute."""
    path = tmp_path / "two_convs.mlir"
    path.write_text(
        'module attributes {tile.target = #tile.target<"mcu", levels = ['
        '#tile.level<"stack", capacity = 65536, bandwidth = 1.0>]>} {' + TWO_CONVS + "}")
    commands = []
    real = iree.cached_run  # every iree-compile command, whether the cache has it or not
    monkeypatch.setattr(iree, "cached_run",
                        lambda command, *rest: commands.append(command) or real(command, *rest))
    compiled = vtile.compile(path, "llvm-cpu", options=options, planner=ONE_DISPATCH)
    assert compiled.target.stack_bytes == 65536
    assert REGION in compiled.mlir and "tile.target" not in compiled.mlir
    assert "--iree-llvmcpu-stack-allocation-limit=65536" in commands[-1]
    x = np.random.default_rng(0).standard_normal((1, 4, 16, 16), np.float32)
    (result,) = compiled(x)
    w = torch.full((4, 4, 3, 3), 0.1)
    expected = torch.conv2d(torch.conv2d(torch.from_numpy(x), w), w).numpy()
    np.testing.assert_allclose(result, expected, rtol=RTOL, atol=ATOL)


def test_gpu_thread_loops_split_parallel_dimensions_only():
    """A convolution's threads split channels (z), rows (y) and columns (x),
    at most 4x4x8, never a reduction; an op of unit extent gets one thread;
    the workgroup has the most threads any op uses on each axis."""
    conv = DispatchOp(3, "linalg.conv_2d_nchw_fchw", (1, 16, 10, 3, 16, 3, 3),
                      parallel=(True,) * 4 + (False,) * 3)
    assert thread_tile(conv) == ([0, 4, 4, 3, 0, 0, 0], ["z", "y", "x"])
    unit = DispatchOp(4, "linalg.generic", (1, 1, 1, 1), parallel=(True,) * 4)
    assert thread_tile(unit) == ([1, 0, 0, 0], ["x"])
    matmul = DispatchOp(5, "linalg.matmul", (2, 20, 64), parallel=(True, True, False))
    assert thread_tile(matmul) == ([2, 8, 0], ["y", "x"])
    dispatch = Dispatch("main.0", 5, (2, 20), (1, 20), (conv, unit, matmul))
    assert workgroup_size(dispatch) == [8, 4, 4]
