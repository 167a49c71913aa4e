"""ONNX model-zoo architectures as the `onnx` package ships them (opset 9),
with seeded random weights, compiled from the file by both pipelines and
checked against onnxruntime on the logits."""

import numpy as np
import onnx
import onnxruntime
import pytest

from vtile.compiler import compile_model
from vtile.context import make_context
from vtile.frontends.model import load_model
from vtile.onnx_zoo import ZOO_MODELS, seeded_zoo_model


@pytest.fixture(scope="module")
def zoo_file(tmp_path_factory):
    directory = tmp_path_factory.mktemp("zoo")
    written = {}

    def write(name: str):
        if name not in written:
            written[name] = directory / f"{name}.onnx"
            onnx.save(seeded_zoo_model(name), str(written[name]))
        return written[name]

    return write


def test_the_zoo_file_keeps_its_opset_and_gets_weights(zoo_file):
    model = onnx.load(str(zoo_file("squeezenet")))
    assert [o.version for o in model.opset_import] == [9]
    assert not [n for n in model.graph.node if n.op_type in ("ConstantOfShape", "Softmax")]
    weights = {t.name for t in model.graph.initializer}
    assert [i.name for i in model.graph.input if i.name not in weights] == ["data_0"]


@pytest.fixture(scope="module")
def zoo_model(zoo_file):
    """Each zoo file imported once, for both pipelines (a model's module is
    left untouched by compiling it)."""
    imported = {}

    def load(name: str):
        if name not in imported:
            imported[name] = load_model(zoo_file(name), make_context())
        return imported[name]

    return load


@pytest.mark.parametrize("pipeline", ["none", "vertical-fusion"])
@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.xdist_group(f"zoo-{n}")) for n in ZOO_MODELS])
def test_the_shipped_file_matches_onnxruntime(zoo_file, zoo_model, name, pipeline):
    """Both pipelines of a file on one pytest-xdist worker, which imports it once."""
    path = zoo_file(name)
    compiled = compile_model(zoo_model(name), "llvm-cpu", pipeline)
    x = compiled.model.sample_inputs
    (result,) = compiled(*x)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (expected,) = session.run(None, {session.get_inputs()[0].name: x[0]})
    scale = np.abs(expected).max()
    assert scale > 1  # logits, not a saturated softmax
    # fp32 over 20-120 layers, summed in other orders: within 1e-4 of the
    # logits' range.
    np.testing.assert_allclose(result, expected, rtol=0, atol=1e-4 * scale)
