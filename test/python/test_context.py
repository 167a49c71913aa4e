"""vtile's dialects and passes inside the upstream `mlir` package's MLIR."""

import pytest
from mlir import ir
from mlir.passmanager import PassManager

import vtile
from vtile.diagnostics import collect_diagnostics
from vtile.dialects import dataflow, tile

KERNEL_IR = """
func.func @graph(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = dataflow.kernel ins(%x : tensor<4x8xf32>)
      plan #dataflow.plan<tile = [2, 8], halos = [#dataflow.halo<low = [0, 1], high = [0, 1]>],
                          order = [1, 0], device = "cpu", peak_bytes = 256, recompute = 1.25>
      -> tensor<4x8xf32> {
  ^bb0(%a: tensor<4x8xf32>):
    %c = arith.constant dense<1.0> : tensor<4x8xf32>
    %s = arith.addf %a, %c : tensor<4x8xf32>
    dataflow.yield %s : tensor<4x8xf32>
  }
  %g = dataflow.transfer %y from "cpu" to "gpu" : tensor<4x8xf32>
  return %g : tensor<4x8xf32>
}
"""


def test_plain_context_does_not_know_vtile_dialects():
    with pytest.raises(ir.MLIRError, match="dataflow"):
        ir.Module.parse(KERNEL_IR, ir.Context())


def test_parse_verify_print_round_trip(context):
    module = ir.Module.parse(KERNEL_IR, context)
    assert module.operation.verify()
    printed = str(module)
    assert "dataflow.kernel ins(" in printed
    assert "recompute = 1.25" in printed
    assert str(ir.Module.parse(printed, context)) == printed


def test_ops_get_generated_python_classes(context):
    module = ir.Module.parse(KERNEL_IR, context)
    graph = module.body.operations[0]
    ops = list(graph.regions[0].blocks[0].operations)
    assert isinstance(ops[0], dataflow.KernelOp)
    assert isinstance(ops[1], dataflow.TransferOp)
    assert ops[1].from_.value == "cpu" and ops[1].to.value == "gpu"
    plan = ops[0].plan
    assert plan is not None and "order = [1, 0]" in str(plan)


def test_load_dialects_into_existing_context():
    context = ir.Context()
    assert vtile.load_dialects(context) is context
    assert context.is_registered_operation("tile.loop")
    assert context.is_registered_operation("dataflow.kernel")


TILED_IR = """
module attributes {tile.target = #tile.target<"t", levels = [#tile.level<"l1", capacity = 64, bandwidth = 1.0>]>} {
  func.func @f() -> tensor<8xf32> {
    %out = tile.loop (%i) tiles [4] -> tensor<8xf32> {
      %one = arith.constant 1.0 : f32
      %two = arith.addf %one, %one : f32
      %t = tile.empty in "l1" : tensor<4xf32>
      %filled = linalg.fill ins(%two : f32) outs(%t : tensor<4xf32>) -> tensor<4xf32>
      tile.store %filled : tensor<4xf32>
    }
    return %out : tensor<8xf32>
  }
}
"""


def test_upstream_and_vtile_passes_share_one_pipeline(context):
    # One MLIR instance: an upstream pass folds the constant addition inside
    # our loop, and our pass reports on the same IR in the same pipeline.
    module = ir.Module.parse(TILED_IR, context)
    with collect_diagnostics(context) as diagnostics:
        PassManager.parse(
            "builtin.module(canonicalize, tile-report-footprint)", context
        ).run(module.operation)
    assert "arith.addf" not in str(module)
    assert "tile.loop" in str(module)
    assert [d.message for d in diagnostics] == [
        '2 tiles of [4]; per tile: "l1" 16 of 64 bytes (25.0%)'
    ]


def test_verifier_error_reaches_python(context):
    bad = KERNEL_IR.replace('"cpu" to "gpu"', '"gpu" to "npu"')
    with pytest.raises(ir.MLIRError, match='reads from "gpu" but its source kernel is placed on "cpu"'):
        ir.Module.parse(bad, context)


def test_tile_ops_are_registered_classes(context):
    with context:
        assert tile.LoopOp.OPERATION_NAME == "tile.loop"
        assert tile.LoadWindowOp.OPERATION_NAME == "tile.load_window"
