"""ONNX front end: torch-mlir's importer in a child process, numerics
against ONNX's reference evaluator."""

import numpy as np
import onnx_models
import pytest
from onnx.reference import ReferenceEvaluator

import vtile
from vtile.frontends.onnx import import_onnx


@pytest.mark.parametrize("target", ["llvm-cpu", "vulkan-spirv"])
def test_onnx_cnn_matches_reference_evaluator(tmp_path, target):
    path = onnx_models.small_cnn(tmp_path / "small_cnn.onnx")
    compiled = vtile.compile(path, target)
    assert compiled.model.function == "small_cnn"
    x = np.random.default_rng(3).standard_normal((1, 3, 16, 16)).astype(np.float32)
    (result,) = compiled(x)
    (expected,) = ReferenceEvaluator(str(path)).run(None, {"x": x})
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-5)


def test_weights_listed_as_graph_inputs_are_not_model_inputs(tmp_path):
    # Models from before ONNX IR 4 list initializers among the graph inputs.
    import onnx

    path = onnx_models.small_cnn(tmp_path / "old_style.onnx")
    model = onnx.load(path)
    x = model.graph.input.pop()
    model.graph.input.extend(
        onnx.helper.make_tensor_value_info(w.name, w.data_type, w.dims) for w in model.graph.initializer
    )
    model.graph.input.append(x)  # after the weights
    onnx.save(model, path)
    compiled = vtile.compile(path)
    assert len(compiled.model.inputs) == 1
    x = compiled.model.sample_inputs
    np.testing.assert_allclose(
        compiled(*x)[0], compiled.model.reference(x)[0], rtol=1e-5, atol=1e-5
    )


def test_import_gives_linalg(context, tmp_path):
    module = import_onnx(onnx_models.small_cnn(tmp_path / "m.onnx"), context)
    text = str(module)
    assert "linalg.conv_2d_nchw_fchw" in text and "linalg.matmul" in text


def test_malformed_file(context, tmp_path):
    path = tmp_path / "broken.onnx"
    path.write_bytes(b"not a protobuf")
    with pytest.raises(vtile.VtileError, match="could not convert .*broken.onnx to linalg: DecodeError"):
        import_onnx(path, context)


def test_unknown_op_is_named(context, tmp_path):
    path = onnx_models.single_op(tmp_path / "custom.onnx", "Foo", domain="com.example")
    with pytest.raises(vtile.VtileError, match=r"custom.onnx to linalg: torch-mlir cannot "
                       r"convert 1 kind of ONNX op in it: com.example.Foo \(node #0\)"):
        import_onnx(path, context)


def test_every_unconvertible_op_is_listed_with_its_nodes(context, tmp_path):
    with pytest.raises(vtile.VtileError) as error:
        import_onnx(onnx_models.custom_ops(tmp_path / "custom.onnx"), context)
    assert str(error.value).endswith(
        "torch-mlir cannot convert 2 kinds of ONNX op in it: com.example.Foo (nodes foo_1, "
        "foo_2); com.example.Bar (node bar)")


def test_importer_crash_becomes_an_error(context, tmp_path):
    # torch-mlir's lowering of Unique segfaults; it must not take us down.
    path = onnx_models.single_op(tmp_path / "unique.onnx", "Unique")
    with pytest.raises(vtile.VtileError, match="the ONNX importer crashed"):
        import_onnx(path, context)


def test_missing_file(context, tmp_path):
    with pytest.raises(vtile.VtileError, match="no such file: .*absent.onnx"):
        import_onnx(tmp_path / "absent.onnx", context)


def test_symbolic_dimensions_need_input_shapes(context, tmp_path):
    path = onnx_models.symbolic_cnn(tmp_path / "symbolic.onnx")
    with pytest.raises(vtile.UsageError, match=r"symbolic dimensions.*x \(batch x 3 x 16 x 16\)"
                       r".*--input-shape x=1x3x16x16"):
        import_onnx(path, context)
    with pytest.raises(vtile.UsageError, match=r"no input named y; its inputs: x"):
        import_onnx(path, context, ["y=1x3x16x16"])
    with pytest.raises(vtile.UsageError, match="its dimension 3 cannot become 4"):
        import_onnx(path, context, {"x": (1, 4, 16, 16)})
    with pytest.raises(vtile.UsageError, match="expected NAME=DIMS"):
        import_onnx(path, context, ["x=1x3xsixteen"])


def test_input_shapes_fix_symbolic_dimensions(tmp_path):
    path = onnx_models.symbolic_cnn(tmp_path / "symbolic.onnx")
    compiled = vtile.compile(path, input_shapes=["x=2x3x16x16"])
    assert compiled.model.inputs[0].shape == (2, 3, 16, 16)
    x = compiled.model.sample_inputs
    reference = compiled.model.reference
    np.testing.assert_allclose(compiled(*x)[0], reference(x)[0], rtol=1e-5, atol=1e-5)
    assert reference.name.startswith("onnxruntime ")


def test_weights_in_an_external_data_file_load_from_its_directory(tmp_path):
    import onnx

    model = onnx.load(onnx_models.small_cnn(tmp_path / "inline.onnx"))
    directory = tmp_path / "exported"
    directory.mkdir()
    path = directory / "external.onnx"
    onnx.save_model(model, str(path), save_as_external_data=True, location="weights.bin",
                    size_threshold=0)
    assert (directory / "weights.bin").stat().st_size > 0
    compiled = vtile.compile(path)
    x = compiled.model.sample_inputs
    (expected,) = ReferenceEvaluator(str(tmp_path / "inline.onnx")).run(None, {"x": x[0]})
    np.testing.assert_allclose(compiled(*x)[0], expected, rtol=1e-5, atol=1e-5)


def test_an_old_opset_is_upgraded_and_said_so(context, tmp_path):
    path = onnx_models.single_op(tmp_path / "opset9.onnx", "Relu", opset=9)
    said = []
    module = import_onnx(path, context, progress=said.append)
    assert said == ["upgrading opset9.onnx from ONNX opset 9 to 17 (onnx.version_converter)"]
    assert "linalg.generic" in str(module)


def test_an_opset_older_than_7_is_refused(context, tmp_path):
    path = onnx_models.single_op(tmp_path / "ancient.onnx", "Relu", opset=6)
    with pytest.raises(vtile.VtileError, match="opset 6 is older than 7"):
        import_onnx(path, context)


def test_an_op_the_converter_cannot_upgrade_is_named_with_its_opset(context, tmp_path):
    # ImageScaler left ONNX after opset 9: no schema to upgrade it to.
    path = onnx_models.single_op(tmp_path / "scaler.onnx", "ImageScaler", opset=7)
    with pytest.raises(vtile.VtileError, match=r"scaler.onnx: onnx.version_converter could not "
                       r"upgrade op ImageScaler \(node \?\) from opset 7 to 17: .*no registered"):
        import_onnx(path, context)


def test_the_reference_falls_back_where_onnxruntime_has_no_kernel(tmp_path):
    import onnx
    from onnx import TensorProto, helper

    from vtile.frontends.onnx import OnnxReference

    graph = helper.make_graph([helper.make_node("Acos", ["x"], ["y"])], "acos",
                              [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [4])],
                              [helper.make_tensor_value_info("y", TensorProto.DOUBLE, [4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, tmp_path / "acos.onnx")
    reference = OnnxReference(tmp_path / "acos.onnx")
    x = np.linspace(-0.9, 0.9, 4)
    np.testing.assert_allclose(reference([x])[0], np.arccos(x))
    # onnxruntime's CPU kernels take float Acos only.
    assert reference.name == ("ONNX's reference evaluator (onnxruntime 1.23.2 has no kernel "
                              "for Acos(7))")
