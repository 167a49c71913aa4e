"""Random linalg-on-tensors graphs for differential fuzzing: a `Graph` is a
chain of layers on one NCHW input (with residual adds and concats reaching
back), emitted as a `func.func` and evaluated in float64 numpy. Weights are
constants drawn from the graph's seed, so the MLIR and the reference agree.
`graphs()` is the hypothesis strategy; shapes stay small and are often odd,
so strips rarely divide them evenly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

Shape = tuple[int, int, int, int]  # N, C, H, W with N = 1


@dataclass(frozen=True)
class Conv:
    out_channels: int
    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    padding: tuple[int, int, int, int]  # top, bottom, left, right
    groups: int


@dataclass(frozen=True)
class Pool:
    kind: str  # "max" or "avg" (padding counted, as PyTorch's default)
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int, int, int]


@dataclass(frozen=True)
class Elementwise:
    kind: str  # "relu", "relu6", "bias" (per channel, broadcast), "scale"


@dataclass(frozen=True)
class Residual:
    source: int  # index of an earlier value with the same shape (0: the input)


@dataclass(frozen=True)
class Concat:
    source: int  # index of an earlier value with the same N, H, W


@dataclass(frozen=True)
class Linear:
    out_features: int  # flattens, then a matmul; ends the graph


Layer = Conv | Pool | Elementwise | Residual | Concat | Linear
ELEMENTWISE = ("relu", "relu6", "bias", "scale")


@dataclass(frozen=True)
class Graph:
    input_shape: Shape
    layers: tuple[Layer, ...]
    seed: int

    def shapes(self) -> list[tuple[int, ...]]:
        """The shape of every value: the input, then each layer's result."""
        shapes: list[tuple[int, ...]] = [self.input_shape]
        for layer in self.layers:
            shapes.append(result_shape(layer, shapes))
        return shapes


def _window(size: int, kernel: int, stride: int, dilation: int, low: int, high: int) -> int:
    return (size + low + high - dilation * (kernel - 1) - 1) // stride + 1


def result_shape(layer: Layer, shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
    n, c, h, w = shapes[-1]
    if isinstance(layer, Conv | Pool):
        dilation = layer.dilation if isinstance(layer, Conv) else (1, 1)
        top, bottom, left, right = layer.padding
        oh = _window(h, layer.kernel[0], layer.stride[0], dilation[0], top, bottom)
        ow = _window(w, layer.kernel[1], layer.stride[1], dilation[1], left, right)
        return (n, layer.out_channels if isinstance(layer, Conv) else c, oh, ow)
    if isinstance(layer, Concat):
        return (n, c + shapes[layer.source][1], h, w)
    if isinstance(layer, Linear):
        return (n, layer.out_features)
    return (n, c, h, w)


# ---------------------------------------------------------------- strategy


def _reads_every_row(shape: Shape, kernel, stride, dilation, padding) -> bool:
    """IREE 3.13 rejects a conv or pooling whose windows leave the padded
    input's last rows unread ("inferred input/output operand #1 has shape's
    dimension #2 to be 3, but found 2"), even from PyTorch; vtile passes such
    ops through unchanged, so the fuzzer does not generate them."""
    _, _, h, w = shape
    return all((size + low + high - d * (k - 1) - 1) % s == 0 for size, low, high, k, s, d in (
        (h, padding[0], padding[1], kernel[0], stride[0], dilation[0]),
        (w, padding[2], padding[3], kernel[1], stride[1], dilation[1])))  # fmt: skip


@st.composite
def _conv_layers(draw, shape: Shape) -> Conv | None:
    _, c, h, w = shape
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.sampled_from([1, 1, 2])), draw(st.sampled_from([1, 1, 2])))
    stride = (draw(st.sampled_from([1, 1, 2])), draw(st.sampled_from([1, 1, 2])))
    padding = tuple(draw(st.integers(0, (k - 1) * d)) for k, d in
                    [(kernel[0], dilation[0])] * 2 + [(kernel[1], dilation[1])] * 2)  # fmt: skip
    kind = draw(st.sampled_from(["dense", "dense", "depthwise", "grouped"]))
    if kind == "depthwise":
        groups, out_channels = c, c
    elif kind == "grouped" and c % 2 == 0 and c > 2:
        groups = 2
        out_channels = 2 * draw(st.integers(1, 3))
    else:
        groups, out_channels = 1, draw(st.integers(1, 8))
    conv = Conv(out_channels, kernel, stride, dilation, padding, groups)
    _, _, oh, ow = result_shape(conv, [shape])
    exact = _reads_every_row(shape, kernel, stride, dilation, padding)
    return conv if oh >= 1 and ow >= 1 and exact else None


@st.composite
def _pool_layers(draw, shape: Shape) -> Pool | None:
    kernel = (draw(st.integers(2, 3)), draw(st.integers(2, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    # PyTorch's rule: padding at most half the kernel.
    padding = tuple(draw(st.integers(0, k // 2)) for k in
                    (kernel[0], kernel[0], kernel[1], kernel[1]))  # fmt: skip
    pool = Pool(draw(st.sampled_from(["max", "avg"])), kernel, stride, padding)
    _, _, oh, ow = result_shape(pool, [shape])
    exact = _reads_every_row(shape, kernel, stride, (1, 1), padding)
    return pool if oh >= 1 and ow >= 1 and exact else None


@st.composite
def graphs(draw, max_layers: int = 6) -> Graph:
    shape: Shape = (1, draw(st.integers(1, 6)), draw(st.integers(3, 13)), draw(st.integers(3, 13)))
    shapes: list[tuple[int, ...]] = [shape]
    layers: list[Layer] = []
    for _ in range(draw(st.integers(1, max_layers))):
        current = shapes[-1]
        kind = draw(st.sampled_from(["conv", "conv", "conv", "pool", "elementwise",
                                     "elementwise", "residual", "concat", "linear"]))  # fmt: skip
        layer: Layer | None = None
        if kind == "conv":
            layer = draw(_conv_layers(current))
        elif kind == "pool":
            layer = draw(_pool_layers(current))
        elif kind == "elementwise":
            layer = Elementwise(draw(st.sampled_from(ELEMENTWISE)))
        elif kind in ("residual", "concat"):
            same = [i for i, s in enumerate(shapes[:-1]) if len(s) == 4 and (
                s == current if kind == "residual" else (s[2:] == current[2:]))]  # fmt: skip
            if same:
                source = draw(st.sampled_from(same))
                layer = Residual(source) if kind == "residual" else Concat(source)
        else:
            layer = Linear(draw(st.integers(1, 8)))
        if layer is None:
            continue
        layers.append(layer)
        shapes.append(result_shape(layer, shapes))
        if isinstance(layer, Linear):
            break
    if not layers:
        layers.append(Elementwise("relu"))
    return Graph(shape, tuple(layers), draw(st.integers(0, 2**31 - 1)))


# ---------------------------------------------------------------- weights


def weights(graph: Graph) -> list[np.ndarray | None]:
    """Per layer, its constant operand (None when it has none)."""
    rng = np.random.default_rng(graph.seed)
    shapes = graph.shapes()
    result: list[np.ndarray | None] = []
    for index, layer in enumerate(graph.layers):
        c = shapes[index][1]
        if isinstance(layer, Conv):
            per_group = c // layer.groups
            fan_in = per_group * layer.kernel[0] * layer.kernel[1]
            shape = (layer.out_channels, per_group, *layer.kernel)
            result.append(rng.uniform(-1, 1, shape) / np.sqrt(fan_in))
        elif isinstance(layer, Linear):
            features = int(np.prod(shapes[index][1:]))
            result.append(rng.uniform(-1, 1, (features, layer.out_features)) / np.sqrt(features))
        elif isinstance(layer, Elementwise) and layer.kind == "bias":
            result.append(rng.uniform(-1, 1, (c,)))
        elif isinstance(layer, Elementwise) and layer.kind == "scale":
            result.append(np.array(rng.uniform(0.5, 2.0)))
        else:
            result.append(None)
    # Round through float32: the module holds f32 constants.
    return [None if w is None else w.astype(np.float32).astype(np.float64) for w in result]


def sample_input(graph: Graph) -> np.ndarray:
    return np.random.default_rng(graph.seed + 1).uniform(-1, 1, graph.input_shape).astype(np.float32)


# ---------------------------------------------------------------- numpy


def _pad(x: np.ndarray, padding, value: float) -> np.ndarray:
    top, bottom, left, right = padding
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)


def _windows(x: np.ndarray, kernel, stride, dilation, out_hw):
    """Yields (kh, kw, the input values every output reads at that offset)."""
    oh, ow = out_hw
    for kh in range(kernel[0]):
        for kw in range(kernel[1]):
            h0, w0 = kh * dilation[0], kw * dilation[1]
            yield kh, kw, x[:, :, h0:h0 + stride[0] * (oh - 1) + 1:stride[0],
                             w0:w0 + stride[1] * (ow - 1) + 1:stride[1]]  # fmt: skip


def reference(graph: Graph, x: np.ndarray) -> np.ndarray:
    values: list[np.ndarray] = [x.astype(np.float64)]
    shapes = graph.shapes()
    for index, (layer, w) in enumerate(zip(graph.layers, weights(graph))):
        v, out = values[-1], shapes[index + 1]
        if isinstance(layer, Conv):
            padded = _pad(v, layer.padding, 0.0)
            g, cg, fg = layer.groups, v.shape[1] // layer.groups, layer.out_channels // layer.groups
            y = np.zeros(out)
            for kh, kw, window in _windows(padded, layer.kernel, layer.stride, layer.dilation, out[2:]):
                for group in range(g):
                    part = window[:, group * cg:(group + 1) * cg]
                    y[:, group * fg:(group + 1) * fg] += np.einsum(
                        "nchw,fc->nfhw", part, w[group * fg:(group + 1) * fg, :, kh, kw])
        elif isinstance(layer, Pool):
            fill = -np.inf if layer.kind == "max" else 0.0
            padded = _pad(v, layer.padding, fill)
            taps = [t for _, _, t in _windows(padded, layer.kernel, layer.stride, (1, 1), out[2:])]
            y = np.max(taps, axis=0) if layer.kind == "max" else np.sum(taps, axis=0) / len(taps)
        elif isinstance(layer, Elementwise):
            y = {"relu": lambda: np.maximum(v, 0), "relu6": lambda: np.clip(v, 0, 6),
                 "bias": lambda: v + w[None, :, None, None], "scale": lambda: v * w}[layer.kind]()
        elif isinstance(layer, Residual):
            y = v + values[layer.source]
        elif isinstance(layer, Concat):
            y = np.concatenate([v, values[layer.source]], axis=1)
        else:
            y = v.reshape(1, -1) @ w
        values.append(y)
    return values[-1]


# ---------------------------------------------------------------- MLIR


def _type(shape) -> str:
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def _dense(array: np.ndarray) -> str:
    """Exact f32 bits, in MLIR's hex form for dense elements."""
    return f'dense<"0x{np.asarray(array, "<f4").tobytes().hex().upper()}">'


class _Emitter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.count = 0

    def value(self, text: str) -> str:
        name = f"%v{self.count}"
        self.count += 1
        self.lines.append(f"    {name} = {text}")
        return name

    def constant(self, array: np.ndarray, shape) -> str:
        return self.value(f"arith.constant {_dense(np.reshape(array, shape))} : {_type(shape)}")

    def filled(self, shape, value: str) -> str:
        empty = self.value(f"tensor.empty() : {_type(shape)}")
        return self.value(f"linalg.fill ins({value} : f32) outs({empty} : {_type(shape)}) -> {_type(shape)}")

    def pad(self, v: str, shape, padding, value: str) -> tuple[str, tuple[int, ...]]:
        top, bottom, left, right = padding
        if not any(padding):
            return v, shape
        padded = (shape[0], shape[1], shape[2] + top + bottom, shape[3] + left + right)
        name = self.value(
            f"tensor.pad {v} low[0, 0, {top}, {left}] high[0, 0, {bottom}, {right}] {{\n"
            f"    ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):\n"
            f"      tensor.yield {value} : f32\n"
            f"    }} : {_type(shape)} to {_type(padded)}")  # fmt: skip
        return name, padded

    def elementwise(self, inputs: list[tuple[str, str, str]], shape, body: list[str]) -> str:
        """`inputs`: (value, type, indexing map); `body` computes %r from %a0..."""
        out = self.value(f"tensor.empty() : {_type(shape)}")
        maps = ", ".join(m for _, _, m in inputs) + ", #id4"
        args = ", ".join(f"%a{i}: f32" for i in range(len(inputs)))
        ops = "\n".join(f"      {line}" for line in body)
        return self.value(
            f"linalg.generic {{indexing_maps = [{maps}], iterator_types = "
            f"[\"parallel\", \"parallel\", \"parallel\", \"parallel\"]}} "
            f"ins({', '.join(v for v, _, _ in inputs)} : {', '.join(t for _, t, _ in inputs)}) "
            f"outs({out} : {_type(shape)}) {{\n    ^bb0({args}, %o: f32):\n{ops}\n"
            f"      linalg.yield %r : f32\n    }} -> {_type(shape)}")  # fmt: skip


def to_function(graph: Graph, name: str) -> str:
    """`graph` as `func.func @name`; the maps it uses are `module_text`'s."""
    e = _Emitter()
    shapes = graph.shapes()
    names = ["%x"]
    zero = e.value("arith.constant 0.0 : f32")
    for index, (layer, w) in enumerate(zip(graph.layers, weights(graph))):
        v, shape, out = names[-1], shapes[index], shapes[index + 1]
        if isinstance(layer, Conv):
            names.append(_emit_conv(e, layer, w, v, shape, out, zero))
        elif isinstance(layer, Pool):
            names.append(_emit_pool(e, layer, v, shape, out, zero))
        elif isinstance(layer, Elementwise):
            names.append(_emit_elementwise(e, layer, w, v, shape, zero))
        elif isinstance(layer, Residual):
            source = names[layer.source]
            names.append(e.elementwise([(v, _type(shape), "#id4"), (source, _type(shape), "#id4")],
                                       shape, ["%r = arith.addf %a0, %a1 : f32"]))
        elif isinstance(layer, Concat):
            other = shapes[layer.source]
            names.append(e.value(f"tensor.concat dim(1) {v}, {names[layer.source]} : "
                                 f"({_type(shape)}, {_type(other)}) -> {_type(out)}"))
        else:
            flat = (1, int(np.prod(shape[1:])))
            collapsed = e.value(f"tensor.collapse_shape {v} [[0], [1, 2, 3]] : "
                                f"{_type(shape)} into {_type(flat)}")
            weight = e.constant(w, w.shape)
            init = e.filled(out, zero)
            names.append(e.value(
                f"linalg.matmul ins({collapsed}, {weight} : {_type(flat)}, {_type(w.shape)}) "
                f"outs({init} : {_type(out)}) -> {_type(out)}"))
    body = "\n".join(e.lines)
    return (f"  func.func @{name}(%x: {_type(graph.input_shape)}) -> {_type(shapes[-1])} {{\n"
            f"{body}\n    return {names[-1]} : {_type(shapes[-1])}\n  }}")  # fmt: skip


def _emit_conv(e: _Emitter, layer: Conv, w, v, shape, out, zero) -> str:
    padded, pshape = e.pad(v, shape, layer.padding, zero)
    attrs = (f"{{dilations = dense<[{layer.dilation[0]}, {layer.dilation[1]}]> : vector<2xi64>, "
             f"strides = dense<[{layer.stride[0]}, {layer.stride[1]}]> : vector<2xi64>}}")
    c, g = shape[1], layer.groups
    if g == 1:
        weight = e.constant(w, w.shape)
        init = e.filled(out, zero)
        return e.value(f"linalg.conv_2d_nchw_fchw {attrs} ins({padded}, {weight} : {_type(pshape)}, "
                       f"{_type(w.shape)}) outs({init} : {_type(out)}) -> {_type(out)}")
    if g == c and layer.out_channels == c:
        wshape = (c, *layer.kernel)
        weight = e.constant(w[:, 0], wshape)
        init = e.filled(out, zero)
        return e.value(f"linalg.depthwise_conv_2d_nchw_chw {attrs} ins({padded}, {weight} : "
                       f"{_type(pshape)}, {_type(wshape)}) outs({init} : {_type(out)}) -> {_type(out)}")
    # Grouped: split channels into (groups, per group), as torch-mlir does.
    cg, fg = c // g, layer.out_channels // g
    gin = (1, g, cg, *pshape[2:])
    gout = (1, g, fg, *out[2:])
    wshape = (g, fg, cg, *layer.kernel)
    expanded = e.value(f"tensor.expand_shape {padded} [[0], [1, 2], [3], [4]] output_shape "
                       f"[{', '.join(map(str, gin))}] : {_type(pshape)} into {_type(gin)}")
    weight = e.constant(w, wshape)
    init = e.filled(gout, zero)
    y = e.value(f"linalg.conv_2d_ngchw_gfchw {attrs} ins({expanded}, {weight} : {_type(gin)}, "
                f"{_type(wshape)}) outs({init} : {_type(gout)}) -> {_type(gout)}")
    return e.value(f"tensor.collapse_shape {y} [[0], [1, 2], [3], [4]] : {_type(gout)} into {_type(out)}")


def _emit_pool(e: _Emitter, layer: Pool, v, shape, out, zero) -> str:
    attrs = (f"{{dilations = dense<1> : vector<2xi64>, "
             f"strides = dense<[{layer.stride[0]}, {layer.stride[1]}]> : vector<2xi64>}}")
    window = e.value(f"tensor.empty() : {_type(layer.kernel)}")
    if layer.kind == "max":
        lowest = e.value("arith.constant 0xFF800000 : f32")
        padded, pshape = e.pad(v, shape, layer.padding, lowest)
        init = e.filled(out, lowest)
        return e.value(f"linalg.pooling_nchw_max {attrs} ins({padded}, {window} : {_type(pshape)}, "
                       f"{_type(layer.kernel)}) outs({init} : {_type(out)}) -> {_type(out)}")
    padded, pshape = e.pad(v, shape, layer.padding, zero)
    init = e.filled(out, zero)
    total = e.value(f"linalg.pooling_nchw_sum {attrs} ins({padded}, {window} : {_type(pshape)}, "
                    f"{_type(layer.kernel)}) outs({init} : {_type(out)}) -> {_type(out)}")
    count = e.value(f"arith.constant {float(layer.kernel[0] * layer.kernel[1])!r} : f32")
    return e.elementwise([(total, _type(out), "#id4")], out, [f"%r = arith.divf %a0, {count} : f32"])


def _emit_elementwise(e: _Emitter, layer: Elementwise, w, v, shape, zero) -> str:
    t = _type(shape)
    if layer.kind == "relu":
        return e.elementwise([(v, t, "#id4")], shape, [f"%r = arith.maximumf %a0, {zero} : f32"])
    if layer.kind == "relu6":
        six = e.value("arith.constant 6.0 : f32")
        return e.elementwise([(v, t, "#id4")], shape, [
            f"%m = arith.maximumf %a0, {zero} : f32", f"%r = arith.minimumf %m, {six} : f32"])
    if layer.kind == "bias":
        bias = e.constant(w, w.shape)
        return e.elementwise([(v, t, "#id4"), (bias, _type(w.shape), "#channel")], shape,
                             ["%r = arith.addf %a0, %a1 : f32"])
    scale = e.value(f"arith.constant {float(np.float32(w))!r} : f32")
    return e.elementwise([(v, t, "#id4")], shape, [f"%r = arith.mulf %a0, {scale} : f32"])


MAPS = ("#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>\n"
        "#channel = affine_map<(d0, d1, d2, d3) -> (d1)>\n")  # fmt: skip


def module_text(functions: dict[str, Graph]) -> str:
    """One module, one function per graph: one iree-compile serves them all."""
    bodies = "\n".join(to_function(graph, name) for name, graph in functions.items())
    return f"{MAPS}module {{\n{bodies}\n}}\n"
