"""Building tile IR with the op classes generated from the .td files."""

import pytest
from mlir import ir

from vtile.examples.tiled_conv import build_tiled_conv
from vtile.dialects import tile


def ops_of(module, name):
    found = []

    def visit(op):
        if op.name == name:
            found.append(op.opview)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return found


def test_built_module_verifies_and_has_the_requested_tiling(context):
    module = build_tiled_conv(context, 8)
    assert module.operation.verify()
    (loop,) = ops_of(module, "tile.loop")
    assert isinstance(loop, tile.LoopOp)
    assert list(loop.tile_sizes) == [1, 32, 8, 8]
    (window,) = ops_of(module, "tile.load_window")
    # 8x8 tile of a 3x3 'same' conv reads a 10x10 window of all 16 channels.
    assert ir.RankedTensorType(window.result.type).shape == [1, 16, 10, 10]
    assert window.level.value == "l1"


def test_builder_with_wrong_window_is_rejected(context):
    with context, ir.Location.unknown():
        f32 = ir.F32Type.get()
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            source = ir.RankedTensorType.get([16], f32)
            from mlir.dialects import arith, func

            @func.FuncOp.from_py_func(source)
            def f(x):
                zero = arith.ConstantOp(f32, 0.0)
                # tile 4 with kernel 3 needs a window of 6, not 5.
                tile.load_window(
                    ir.RankedTensorType.get([5], f32), x, [], [0], [4], [3], zero, "l1"
                )
    with pytest.raises(ir.MLIRError, match=r"window size 5 in dimension 0 .*\(expected 6\)"):
        module.operation.verify()


def test_build_planned_kernel_and_transfer(context):
    from mlir.dialects import func

    from vtile.dialects import dataflow

    with context, ir.Location.unknown():
        f32 = ir.F32Type.get()
        t = ir.RankedTensorType.get([4, 8], f32)
        plan = ir.Attribute.parse(
            "#dataflow.plan<tile = [2, 8], halos = [#dataflow.halo<low = [0, 1], "
            'high = [0, 1]>], order = [0, 1], device = "cpu", peak_bytes = 128, '
            "recompute = 1.0>"
        )
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):

            @func.FuncOp.from_py_func(t)
            def graph(x):
                kernel = dataflow.KernelOp([t], [x], plan=plan)
                body = kernel.body.blocks.append(t)
                with ir.InsertionPoint(body):
                    dataflow.yield_([body.arguments[0]])
                return dataflow.transfer(t, kernel.results[0], "cpu", "gpu")

    assert module.operation.verify()
    text = str(module)
    assert 'plan <tile = [2, 8]' in text
    assert 'dataflow.transfer %0 from "cpu" to "gpu"' in text
