"""ONNX models built with onnx.helper, with seeded weights."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _save(path, nodes, inputs, outputs, weights, opset=17):
    graph = helper.make_graph(nodes, path.stem, inputs, outputs, weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def small_cnn(path):
    """Conv 3->8 k3 p1, Relu, MaxPool 2/2, Flatten, Gemm 512->10."""
    rng = np.random.default_rng(0)
    weights = [
        numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.2, name)
        for name, shape in (("W", (8, 3, 3, 3)), ("B", (8,)), ("G", (10, 512)), ("C", (10,)))
    ]
    nodes = [
        helper.make_node("Conv", ["x", "W", "B"], ["conv"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"]),
        helper.make_node("MaxPool", ["relu"], ["pool"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Flatten", ["pool"], ["flat"]),
        helper.make_node("Gemm", ["flat", "G", "C"], ["y"], transB=1),
    ]
    return _save(
        path,
        nodes,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])],
        weights,
    )


def single_op(path, op, domain="", opset=17):
    """x -> op -> y on a 1-D tensor of 8 floats."""
    node = helper.make_node(op, ["x"], ["y"], domain=domain)
    graph = helper.make_graph(
        [node],
        path.stem,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8])],
    )
    imports = [helper.make_opsetid("", opset)] + ([helper.make_opsetid(domain, 1)] if domain else [])
    model = helper.make_model(graph, opset_imports=imports)
    model.ir_version = 8
    onnx.save(model, path)
    return path


def symbolic_cnn(path):
    """small_cnn with its batch dimension symbolic ("batch"), as exporters write it."""
    small_cnn(path)
    model = onnx.load(path)
    for value in (model.graph.input[0], model.graph.output[0]):
        value.type.tensor_type.shape.dim[0].dim_param = "batch"
    onnx.save(model, path)
    return path


def custom_ops(path):
    """Relu, then com.example's Foo twice (nodes foo_1, foo_2) and Bar (node bar)."""
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="relu"),
             helper.make_node("Foo", ["a"], ["b"], name="foo_1", domain="com.example"),
             helper.make_node("Foo", ["b"], ["c"], name="foo_2", domain="com.example"),
             helper.make_node("Bar", ["c"], ["y"], name="bar", domain="com.example")]
    graph = helper.make_graph(nodes, path.stem,
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.example", 1)])
    model.ir_version = 8
    onnx.save(model, path)
    return path
