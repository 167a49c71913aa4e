"""Converts an `.onnx` file to linalg-on-tensors text on stdout.

Run as a program (`python -m vtile.frontends.onnx_to_linalg FILE`) by
vtile.frontends.onnx: torch-mlir's ONNX lowering crashes the process on some
ops (e.g. `Unique`), and a crash must become an error message, not kill the
caller. Errors go to stderr, exit code 1."""

from __future__ import annotations

import sys
import tempfile
from collections import defaultdict
from pathlib import Path

# ONNX ops to torch ops: where an op has no conversion, this pass fails.
ONNX_TO_TORCH = "builtin.module(func.func(convert-torch-onnx-to-torch))"
# The rest lowers the torch ops to linalg, tensor and arith.
LOWERING = (
    "builtin.module(torch-onnx-to-torch-backend-pipeline,"
    "torch-backend-to-linalg-on-tensors-backend-pipeline)"
)


class UnsupportedOps(Exception):
    pass


def convert(path: str) -> str:
    import onnx
    from torch_mlir.passmanager import PassManager

    onnx.checker.check_model(path)
    # By path: a model over 2 GB cannot be inferred as one protobuf message.
    # data_prop fills in shapes that depend on constant Shape/Reshape chains.
    with tempfile.TemporaryDirectory(prefix="vtile-onnx-shapes-") as scratch:
        inferred = Path(scratch) / "inferred.onnx"
        onnx.shape_inference.infer_shapes_path(path, str(inferred), data_prop=True)
        model = onnx.load(str(inferred), load_external_data=False)
    # External data stays where the file says, beside the file.
    onnx.external_data_helper.load_external_data_for_model(model, str(Path(path).parent))
    module = _imported(model)
    with module.context:
        try:
            PassManager.parse(ONNX_TO_TORCH).run(module.operation)
            left = _left_over(module)
            # Unnamed nodes have no name to find them by: try each kind.
            unsupported = (_by_kind(model, left) or _unconvertible(model)) if left else {}
        except Exception:  # it stops at the first op it cannot legalize
            unsupported = _unconvertible(model)
            if not unsupported:
                raise
        if unsupported:
            raise UnsupportedOps(
                f"torch-mlir cannot convert {len(unsupported)} kind"
                f"{'s' if len(unsupported) > 1 else ''} of ONNX op in it: "
                + "; ".join(f"{kind} (node{'s' if len(names) > 1 else ''} {', '.join(names)})"
                            for kind, names in unsupported.items()))
        PassManager.parse(LOWERING).run(module.operation)
    # Plain get_asm(): size limits would elide the inline weights.
    return module.operation.get_asm()


def _imported(model):
    from torch_mlir import ir
    from torch_mlir.dialects import torch as torch_dialect
    from torch_mlir.extras import onnx_importer

    context = ir.Context()
    torch_dialect.register_dialect(context)
    info = onnx_importer.ModelInfo(model)
    module = info.create_module(context=context)
    onnx_importer.NodeImporter.define_function(info.main_graph, module.operation).import_all()
    return module


def _unconvertible(model) -> dict[str, list[str]]:
    """Per ONNX op kind (`domain.Op`), the nodes torch-mlir cannot convert:
    each kind is tried alone, one of its nodes with its constant inputs."""
    import onnx
    from torch_mlir.passmanager import PassManager

    graph = model.graph
    typed = {v.name: v for v in [*graph.input, *graph.value_info, *graph.output]}
    weights = {t.name: t for t in graph.initializer}
    constants = {n.output[0]: n for n in graph.node if n.op_type == "Constant"}
    kinds: dict[str, list] = defaultdict(list)
    for node in graph.node:
        kinds[_kind(node)].append(node)
    failed = {}
    for kind, nodes in kinds.items():
        node = nodes[0]
        inputs = [name for name in node.input if name]
        alone = onnx.helper.make_graph(
            [constants[n] for n in inputs if n in constants] + [node], "alone",
            [typed[n] for n in inputs if n in typed and n not in weights and n not in constants],
            [typed.get(n) or onnx.helper.make_empty_tensor_value_info(n) for n in node.output],
            [weights[n] for n in inputs if n in weights])
        single = onnx.helper.make_model(alone, opset_imports=model.opset_import,
                                        ir_version=model.ir_version)
        try:
            module = _imported(single)
            with module.context:
                PassManager.parse(ONNX_TO_TORCH).run(module.operation)
            converted = not _left_over(module)
        except Exception:
            converted = False
        if not converted:
            failed[kind] = [n.name or f"#{list(graph.node).index(n)}" for n in nodes]
    return failed


def _kind(node) -> str:
    """`Op` for the default domain, else `domain.Op`."""
    return f"{node.domain}.{node.op_type}" if node.domain not in ("", "ai.onnx") else node.op_type


def _by_kind(model, names: list[str]) -> dict[str, list[str]]:
    kinds: dict[str, list[str]] = defaultdict(list)
    for node in model.graph.node:
        if node.name and node.name in names:
            kinds[_kind(node)].append(node.name)
    return dict(kinds)


def _left_over(module) -> list[str]:
    """The node names (the importer's locations) of the ONNX ops still
    there after conversion."""
    from torch_mlir import ir

    left: list[str] = []

    def visit(operation) -> ir.WalkResult:
        if operation.name == "torch.operator":
            left.append(str(operation.location).removeprefix('loc("').removesuffix('")'))
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit)
    return left


def main() -> None:
    try:
        sys.stdout.write(convert(sys.argv[1]))
    except UnsupportedOps as error:
        sys.exit(str(error))
    except Exception as error:  # onnx and torch-mlir raise many types
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        detail = next((line for line in lines if "error:" in line), lines[0] if lines else "")
        sys.exit(f"{type(error).__name__}: {detail}")


if __name__ == "__main__":
    main()
