"""Converts an `.onnx` file to linalg-on-tensors text on stdout.

Run as a program (`python -m vtile.frontends.onnx_to_linalg FILE`) by
vtile.frontends.onnx: torch-mlir's ONNX lowering crashes the process on some
ops (e.g. `Unique`), and a crash must become an error message, not kill the
caller. Errors go to stderr as one line, exit code 1."""

from __future__ import annotations

import sys

# torch-onnx-to-torch maps ONNX ops to torch ops; the backend pipeline lowers
# those to linalg, tensor and arith.
LOWERING = (
    "builtin.module(torch-onnx-to-torch-backend-pipeline,"
    "torch-backend-to-linalg-on-tensors-backend-pipeline)"
)


def convert(path: str) -> str:
    import onnx
    from torch_mlir import ir
    from torch_mlir.dialects import torch as torch_dialect
    from torch_mlir.extras import onnx_importer
    from torch_mlir.passmanager import PassManager

    model = onnx.load(path)
    onnx.checker.check_model(model)
    # data_prop fills in shapes that depend on constant Shape/Reshape chains.
    model = onnx.shape_inference.infer_shapes(model, data_prop=True)
    context = ir.Context()
    torch_dialect.register_dialect(context)
    info = onnx_importer.ModelInfo(model)
    module = info.create_module(context=context).operation
    onnx_importer.NodeImporter.define_function(info.main_graph, module).import_all()
    with context:
        PassManager.parse(LOWERING).run(module)
    # Plain get_asm(): size limits would elide the inline weights.
    return module.get_asm()


def main() -> None:
    try:
        sys.stdout.write(convert(sys.argv[1]))
    except Exception as error:  # onnx and torch-mlir raise many types
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        detail = next((line for line in lines if "error:" in line), lines[0] if lines else "")
        sys.exit(f"{type(error).__name__}: {detail}")


if __name__ == "__main__":
    main()
