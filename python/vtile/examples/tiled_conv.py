"""A tiled 3x3 convolution built in the tile dialect with the Python op
builders: the example of building vtile IR from Python."""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, func, linalg

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
