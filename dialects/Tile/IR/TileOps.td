//===- TileOps.td - tile loops, windows, stores ------------*- tablegen -*-===//

#ifndef VTILE_TILE_OPS_TD
#define VTILE_TILE_OPS_TD

include "dialects/Tile/IR/TileAttrs.td"
include "dialects/Tile/IR/TileInterfaces.td"
include "mlir/Interfaces/LoopLikeInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Tile_LoopOp : Tile_Op<"loop", [RecursiveMemoryEffects, SingleBlock,
    DeclareOpInterfaceMethods<LoopLikeOpInterface>]> {
  let summary = "Computes a tensor one output tile at a time.";
  let description = [{
    Iterates over the tiles of its static result shape, `tile_sizes[d]`
    elements at a time in each dimension `d`. The block arguments are the
    element offsets of the current tile; the body computes that tile and
    ends with `tile.store`, which writes it at those offsets. Tile sizes
    must divide the result shape.

    `order` permutes the loop nest: `order[0]` is the outermost dimension.
    It defaults to the identity. Tiles are independent, so the order only
    changes locality, never the result.

    The buffers of one iteration (`tile.load_window`, `tile.empty`) must fit
    the capacity of their memory levels in the `#tile.target` in scope.

    ```mlir
    %out = tile.loop (%h, %w) tiles [8, 8] order [1, 0] -> tensor<56x56xf32> {
      %win = tile.load_window %in[%h, %w] tile [8, 8] kernel [3, 3]
          pad_low [1, 1] padding %zero in "l1"
          : tensor<56x56xf32> -> tensor<10x10xf32>
      %acc = tile.empty in "l1" : tensor<8x8xf32>
      %t = linalg.conv_2d ins(%win, %k : tensor<10x10xf32>, tensor<3x3xf32>)
          outs(%acc : tensor<8x8xf32>) -> tensor<8x8xf32>
      tile.store %t : tensor<8x8xf32>
    }
    ```
  }];
  let arguments = (ins DenseI64ArrayAttr:$tile_sizes,
                       OptionalAttr<DenseI64ArrayAttr>:$order);
  let results = (outs AnyStaticShapeTensor:$result);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::mlir::RankedTensorType":$resultType,
                   "::llvm::ArrayRef<int64_t>":$tileSizes,
                   CArg<"::llvm::ArrayRef<int64_t>", "{}">:$order)>
  ];
  let extraClassDeclaration = [{
    /// The loop order, outermost first, with the identity filled in.
    ::llvm::SmallVector<int64_t> getLoopOrder();
    /// The element offsets of the current tile, one per result dimension.
    ::mlir::Block::BlockArgListType getTileOffsets() {
      return getBody().getArguments();
    }
  }];
}

def Tile_StoreOp : Tile_Op<"store", [Pure, Terminator, HasParent<"LoopOp">]> {
  let summary = "Writes the output tile of the current `tile.loop` iteration.";
  let description = [{
    Terminates a `tile.loop` body: the value is the output tile at the
    loop's current offsets. Its shape must equal the loop's tile sizes.

    ```mlir
    tile.store %t : tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = (ins AnyStaticShapeTensor:$tile);
  let assemblyFormat = "$tile attr-dict `:` type($tile)";
  let hasVerifier = 1;
}

def Tile_LoadWindowOp : Tile_Op<"load_window", [Pure,
    Tile_PlacedOpInterface,
    TypesMatchWith<"padding has the element type of the source",
                   "source", "padding",
                   "::llvm::cast<::mlir::ShapedType>($_self).getElementType()">]> {
  let summary = "Loads the input window an output tile needs, halo included.";
  let description = [{
    Reads the part of `source` that an output tile depends on through a
    sliding-window (convolution or pooling) access, into a buffer in memory
    level `level`. Per source dimension `d`, with output tile offset `o`,
    tile size `t`, kernel extent `k`, stride `s`, dilation `l` and low
    padding `p`, the window starts at `o * s - p` and has size

        (t - 1) * s + (k - 1) * l + 1

    Elements outside `source` read as `padding`. A dimension that is not
    slid over (batch, input channels) uses kernel 1 and stride 1, so the
    window is just the tile. `stride` and `dilation` default to 1 and
    `pad_low` to 0 in every dimension. The window minus the tile is the
    *halo* that neighbouring tiles recompute.

    ```mlir
    %win = tile.load_window %in[0, 0, %h, %w] tile [1, 16, 8, 8]
        kernel [1, 1, 3, 3] stride [1, 1, 2, 2] pad_low [0, 0, 1, 1]
        padding %zero in "l1"
        : tensor<1x16x56x56xf32> -> tensor<1x16x17x17xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$source,
                       Variadic<Index>:$offsets,
                       DenseI64ArrayAttr:$static_offsets,
                       DenseI64ArrayAttr:$tile,
                       DenseI64ArrayAttr:$kernel,
                       OptionalAttr<DenseI64ArrayAttr>:$stride,
                       OptionalAttr<DenseI64ArrayAttr>:$dilation,
                       OptionalAttr<DenseI64ArrayAttr>:$pad_low,
                       AnyType:$padding,
                       StrAttr:$level);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = [{
    $source `` custom<DynamicIndexList>($offsets, $static_offsets)
    `tile` $tile `kernel` $kernel (`stride` $stride^)? (`dilation` $dilation^)?
    (`pad_low` $pad_low^)? `padding` $padding `in` $level attr-dict
    `:` type($source) `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Per-dimension stride, dilation and low padding with defaults filled in.
    ::llvm::SmallVector<int64_t> getStrides();
    ::llvm::SmallVector<int64_t> getDilations();
    ::llvm::SmallVector<int64_t> getPadLows();
    /// The window size in dimension `dim` that the tile and receptive field
    /// imply: (tile - 1) * stride + (kernel - 1) * dilation + 1.
    int64_t getExpectedWindowSize(unsigned dim);
    /// Constant offsets must put the window over the source.
    ::mlir::LogicalResult verifyConstantOffsets();
  }];
}

def Tile_EmptyOp : Tile_Op<"empty", [Pure,
    Tile_PlacedOpInterface]> {
  let summary = "An uninitialised intermediate buffer in a memory level.";
  let description = [{
    Like `tensor.empty`, but placed: the destination of an intermediate or
    output tile computed inside a `tile.loop`, counted in the footprint of
    memory level `level`.

    ```mlir
    %acc = tile.empty in "l1" : tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = (ins StrAttr:$level);
  let results = (outs AnyStaticShapeTensor:$result);
  let assemblyFormat = "`in` $level attr-dict `:` type($result)";
}

#endif // VTILE_TILE_OPS_TD
