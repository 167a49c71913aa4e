//===- ChannelsLast.h - NHWC convolutions inside one dispatch ---*- C++ -*-===//
//
// Inside one dispatch, an NCHW convolution vectorises badly: MLIR's 1-D
// convolution vectoriser works on NWC, so an NCHW one puts output channels
// in the lanes and gathers its FCHW filter taps with strides. Computed
// channels-last (NHWC input and output, HWCF filter) the lanes run along
// contiguous channels, and the input row and filter rows are plain loads.
// The layout change is transposes around each op: elementwise fusion then
// folds them into the elementwise ops between convolutions (a permuted
// indexing map, no copy), the filter's is computed from constants (IREE
// evaluates it once, outside the dispatch), and only the group's input and
// result keep one transposing op each.
//
//===----------------------------------------------------------------------===//

#ifndef VTILE_PASSES_CHANNELSLAST_H
#define VTILE_PASSES_CHANNELSLAST_H

#include "mlir/IR/Block.h"

namespace vtile {

/// Rewrites every NCHW convolution, depthwise convolution and pooling of
/// `block` into its NHWC form, between transposing `linalg.generic`s that
/// turn its input to NHWC (its filter to HWCF or HWC) and its result back.
void channelsLast(mlir::Block &block);

} // namespace vtile

#endif // VTILE_PASSES_CHANNELSLAST_H
