"""ONNX model-zoo architectures as the `onnx` package ships them (opset 9),
with seeded random weights, compiled from the file by both pipelines and
checked against onnxruntime on the logits."""

import numpy as np
import onnx
import onnxruntime
import pytest

import vtile
from vtile.onnx_zoo import seeded_zoo_model


@pytest.fixture(scope="module")
def squeezenet(tmp_path_factory):
    path = tmp_path_factory.mktemp("zoo") / "squeezenet.onnx"
    onnx.save(seeded_zoo_model("squeezenet"), str(path))
    return path


def test_the_zoo_file_keeps_its_opset_and_gets_weights(squeezenet):
    model = onnx.load(str(squeezenet))
    assert [o.version for o in model.opset_import] == [9]
    assert not [n for n in model.graph.node if n.op_type in ("ConstantOfShape", "Softmax")]
    weights = {t.name for t in model.graph.initializer}
    assert [i.name for i in model.graph.input if i.name not in weights] == ["data_0"]


@pytest.mark.parametrize("pipeline", ["none", "vertical-fusion"])
def test_squeezenet_as_shipped_matches_onnxruntime(squeezenet, pipeline):
    compiled = vtile.compile(squeezenet, "llvm-cpu", pipeline)
    x = compiled.model.sample_inputs
    (result,) = compiled(*x)
    session = onnxruntime.InferenceSession(str(squeezenet), providers=["CPUExecutionProvider"])
    (expected,) = session.run(None, {"data_0": x[0]})
    assert np.abs(expected).max() > 1  # logits, not a saturated softmax
    np.testing.assert_allclose(result, expected, rtol=1e-4, atol=1e-4)
