"""ONNX model-zoo architectures as they ship in the `onnx` package's test
data (`onnx/backend/test/data/light/`): opset 9 files whose weights are
`ConstantOfShape` fills, so every layer computes the same value. Given
seeded random weights they are real networks: the ONNX test set and
benchmark rows. Left out: VGG19, AlexNet and ZFNet, whose fully connected
layers (over 100 MB of weights) are not edge models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from vtile.frontends.onnx_prepare import data_inputs

# Smallest first: the test suite runs the first ones on every CI run.
ZOO_MODELS = ("squeezenet", "shufflenet", "inception_v1", "resnet50", "inception_v2",
              "densenet121")


def shipped_path(name: str) -> Path:
    """The file as the `onnx` package ships it."""
    if name not in ZOO_MODELS:
        raise ValueError(f"unknown model-zoo architecture '{name}'; one of {', '.join(ZOO_MODELS)}")
    return Path(onnx.__file__).parent / "backend" / "test" / "data" / "light" / f"light_{name}.onnx"


def seeded_zoo_model(name: str, seed: int = 0) -> onnx.ModelProto:
    """The shipped model (same opset, same nodes) with every weight a seeded
    random initializer, and without its final Softmax, which saturates:
    outputs are then the logits. Weights are drawn by role so activations
    keep their scale through the depth: convolution and Gemm weights with
    He's variance, batch-norm scales near 1, and batch-norm statistics
    measured on a seeded input (`_calibrated`), as training leaves them."""
    model = onnx.load(str(shipped_path(name)))
    graph = model.graph
    rng = np.random.default_rng(seed)
    shapes = {t.name: tuple(int(d) for d in numpy_helper.to_array(t)) for t in graph.initializer
              if t.name.endswith("__SHAPE")}
    fills = {n.output[0]: shapes[n.input[0]] for n in graph.node
             if n.op_type == "ConstantOfShape" and n.input[0] in shapes}
    weights = {t.name: tuple(t.dims) for t in graph.initializer
               if t.data_type == onnx.TensorProto.FLOAT and t.name not in shapes}
    weights.update(fills)
    roles = _roles(graph)
    values = {name: _draw(rng, roles.get(name, "shift"), shape)
              for name, shape in sorted(weights.items())}

    kept = [n for n in graph.node if not (n.op_type == "ConstantOfShape" and n.output[0] in fills)]
    last = kept[-1]
    if last.op_type == "Softmax" and last.output[0] == graph.output[0].name:
        kept.pop()
        graph.output[0].name = last.input[0]
    del graph.node[:]
    graph.node.extend(kept)
    # Integer initializers (Reshape's shapes) stay as shipped.
    kept_initializers = [t for t in graph.initializer
                         if t.name not in values and t.name not in shapes]
    del graph.initializer[:]
    graph.initializer.extend(kept_initializers)
    graph.initializer.extend(numpy_helper.from_array(v, k) for k, v in values.items())
    # Weights stay listed as graph inputs (as opset 9 files list them), now
    # with their initializers; the data input is the only one without.
    listed = {i.name for i in graph.input}
    graph.input.extend(onnx.helper.make_tensor_value_info(k, onnx.TensorProto.FLOAT, v.shape)
                       for k, v in values.items() if k not in listed)
    unused = [i for i in graph.input if i.name in shapes]
    for value in unused:
        graph.input.remove(value)
    return _calibrated(model, rng)


def _calibrated(model: onnx.ModelProto, rng: np.random.Generator) -> onnx.ModelProto:
    """`model` with each BatchNormalization's mean and variance those of its
    input, per channel, on a seeded standard normal input, set in program
    order (each measured with the ones before it set): with random weights,
    residual sums otherwise grow the activations by orders of magnitude,
    and the logits' rounding error with them."""
    import onnxruntime

    graph = model.graph
    norms = [n for n in graph.node if n.op_type == "BatchNormalization"]
    if not norms:
        return model
    weights = {t.name: t for t in graph.initializer}
    (data,) = data_inputs(graph)
    statistics = {n.input[i]: numpy_helper.to_array(weights[n.input[i]])
                  for n in norms for i in (3, 4)}
    # One session: the statistics are fed as inputs, the norms' inputs read out.
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    kept = [t for t in probe.graph.initializer if t.name not in statistics]
    del probe.graph.initializer[:]
    probe.graph.initializer.extend(kept)
    probe.graph.output.extend(onnx.helper.make_empty_tensor_value_info(n.input[0]) for n in norms)
    session = onnxruntime.InferenceSession(probe.SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    feeds = {data.name: rng.standard_normal(
        [d.dim_value for d in data.type.tensor_type.shape.dim]).astype(np.float32)}
    for node in norms:
        (value,) = session.run([node.input[0]], {**feeds, **statistics})
        axes = tuple(a for a in range(value.ndim) if a != 1)
        statistics[node.input[3]] = value.mean(axis=axes).astype(np.float32)
        statistics[node.input[4]] = (value.var(axis=axes) + 1e-3).astype(np.float32)
    for tensor in graph.initializer:
        if tensor.name in statistics:
            tensor.CopyFrom(numpy_helper.from_array(statistics[tensor.name], tensor.name))
    return model


def _roles(graph: onnx.GraphProto) -> dict[str, str]:
    """What each weight is, from the op that reads it (through Unsqueeze,
    as the zoo's batch norms spelled as Mul and Add read theirs)."""
    unsqueezed = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "Unsqueeze"}
    roles = {}
    for node in graph.node:
        inputs = [unsqueezed.get(i, i) for i in node.input]
        if node.op_type in ("Conv", "Gemm") and len(inputs) > 1:
            roles[inputs[1]] = "weight"
        elif node.op_type == "BatchNormalization":  # its statistics are calibrated
            roles.update({inputs[1]: "scale", inputs[4]: "variance"})
        elif node.op_type == "Mul":
            roles.update({i: "scale" for i in inputs[1:]})
    return roles


def _draw(rng: np.random.Generator, role: str, shape: tuple[int, ...]) -> np.ndarray:
    if role == "weight":
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    if role == "scale":
        return rng.uniform(0.8, 1.2, shape).astype(np.float32)
    if role == "variance":
        return np.ones(shape, np.float32)
    return (rng.standard_normal(shape) * 0.1).astype(np.float32)
