"""The .mlir front end and the checks shared by all front ends."""

import pytest

from vtile.errors import VtileError
from vtile.frontends.mlir_text import load_mlir_file, parse_module

STATIC = """
func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = arith.addf %x, %x : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
"""


def test_loads_a_file(context, tmp_path):
    path = tmp_path / "model.mlir"
    path.write_text(STATIC)
    module = load_mlir_file(path, context)
    assert "arith.addf" in str(module)


def test_missing_file(context, tmp_path):
    with pytest.raises(VtileError, match="no such file: .*absent.mlir"):
        load_mlir_file(tmp_path / "absent.mlir", context)


def test_malformed_text_names_source_and_location(context):
    with pytest.raises(VtileError, match=r"model.mlir:1:\d+: not valid MLIR: .*`func.func @main\( {`"):
        parse_module("func.func @main( {", context, "model.mlir")


def test_unknown_dialect_is_reported(context):
    text = 'func.func @main() { "torch.foo"() : () -> () \n return }'
    with pytest.raises(VtileError, match="torch"):
        parse_module(text, context, "m.mlir")


def test_dynamic_shapes_are_rejected(context):
    text = STATIC.replace("tensor<2x3xf32>", "tensor<?x3xf32>")
    with pytest.raises(VtileError, match=r"@main argument 0 has dynamic shape tensor<\?x3xf32>"):
        parse_module(text, context, "m.mlir")


def test_module_without_public_function(context):
    with pytest.raises(VtileError, match="no public function"):
        parse_module("func.func private @f()", context, "m.mlir")
