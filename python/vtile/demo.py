"""`vtile demo`: builds a tiled 3x3 convolution in the tile dialect with the
Python op builders, verifies it, reports its footprint with the
tile-report-footprint pass, and sweeps tile sizes against a 32 KiB L1 to show
the verifier rejecting tiles that do not fit."""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, func, linalg
from mlir.passmanager import PassManager
from rich.console import Console
from rich.table import Table

from vtile.context import make_context
from vtile.diagnostics import collect_diagnostics
from vtile.dialects import tile

# An edge CPU: 32 KiB L1 data cache, 512 KiB L2, DRAM.
EDGE_TARGET = (
    '#tile.target<"edge-cpu", levels = ['
    '#tile.level<"l1", capacity = 32768, bandwidth = 64.0>, '
    '#tile.level<"l2", capacity = 524288, bandwidth = 32.0>, '
    '#tile.level<"dram", capacity = 1073741824, bandwidth = 4.0>]>'
)

BATCH, IN_CHANNELS, OUT_CHANNELS, SIZE, KERNEL = 1, 16, 32, 56, 3


def build_tiled_conv(context: ir.Context, tile_size: int) -> ir.Module:
    """A 3x3 'same' convolution NCHW 1x16x56x56 -> 1x32x56x56, computed in
    tile_size x tile_size spatial tiles of all 32 output channels."""
    with context, ir.Location.unknown():
        module = ir.Module.create()
        module.operation.attributes["tile.target"] = ir.Attribute.parse(EDGE_TARGET)
        f32 = ir.F32Type.get()
        source = ir.RankedTensorType.get([BATCH, IN_CHANNELS, SIZE, SIZE], f32)
        weights = ir.RankedTensorType.get(
            [OUT_CHANNELS, IN_CHANNELS, KERNEL, KERNEL], f32
        )
        result = ir.RankedTensorType.get([BATCH, OUT_CHANNELS, SIZE, SIZE], f32)
        halo = tile_size + KERNEL - 1
        window = ir.RankedTensorType.get([BATCH, IN_CHANNELS, halo, halo], f32)
        out_tile = [BATCH, OUT_CHANNELS, tile_size, tile_size]
        dynamic = ir.ShapedType.get_dynamic_size()

        with ir.InsertionPoint(module.body):

            @func.FuncOp.from_py_func(source, weights, name="conv3x3")
            def conv3x3(x, w):
                zero = arith.ConstantOp(f32, 0.0)
                loop = tile.LoopOp(result, out_tile)
                block = loop.body.blocks.append(*[ir.IndexType.get()] * 4)
                n, _, h, col = block.arguments
                with ir.InsertionPoint(block):
                    win = tile.load_window(
                        window, x, [n, h, col], [dynamic, 0, dynamic, dynamic],
                        [BATCH, IN_CHANNELS, tile_size, tile_size],
                        [1, 1, KERNEL, KERNEL], zero, "l1",
                        pad_low=[0, 0, KERNEL // 2, KERNEL // 2],
                    )
                    acc = tile.empty(ir.RankedTensorType.get(out_tile, f32), "l1")
                    conv = linalg.conv_2d_nchw_fchw(win, w, outs=[acc])
                    tile.store(conv)
                return loop.result

        return module


def footprint_report(context: ir.Context, tile_size: int) -> tuple[bool, str]:
    """Builds and verifies the tiled conv; returns (fits, message): the
    footprint remark of tile-report-footprint, or the verifier's error."""
    module = build_tiled_conv(context, tile_size)
    with collect_diagnostics(context) as diagnostics:
        try:
            module.operation.verify()
            PassManager.parse("builtin.module(tile-report-footprint)", context).run(
                module.operation
            )
        except ir.MLIRError as error:
            return False, "; ".join(d.message for d in error.error_diagnostics)
    return True, "; ".join(d.message for d in diagnostics)


def run_demo(console: Console | None = None) -> int:
    console = console or Console()
    context = make_context()

    console.rule("[bold]vtile demo: the tile dialect, built from Python")
    module = build_tiled_conv(context, 8)
    module.operation.verify()
    console.print(str(module), highlight=False, soft_wrap=True)

    console.rule("[bold]tile sizes against a 32 KiB L1 (tile-report-footprint)")
    table = Table("tile", "fits L1", "footprint / verifier message")
    for tile_size in (4, 7, 8, 14, 28):
        fits, message = footprint_report(context, tile_size)
        table.add_row(
            f"{tile_size}x{tile_size}",
            "[green]yes" if fits else "[red]no",
            message,
        )
    console.print(table)
    return 0
