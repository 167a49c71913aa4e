"""PyTorch `nn.Module` -> linalg-on-tensors, through torch-mlir's FX importer.

torch-mlir carries its own MLIR; the module crosses over as text (weights
stay dense_resource blobs) and is re-parsed in the vtile context."""

from __future__ import annotations

from collections.abc import Sequence

from mlir import ir

from vtile.errors import VtileError
from vtile.frontends.mlir_text import parse_module


def import_pytorch(
    model: "torch.nn.Module",  # noqa: F821 (torch is imported lazily: it is slow)
    example_inputs: Sequence["torch.Tensor"],  # noqa: F821
    context: ir.Context,
    name: str = "model",
) -> ir.Module:
    """Exports `model` in eval mode on `example_inputs` (static shapes) and
    returns its linalg-on-tensors module, with the entry function @main."""
    import torch
    from torch_mlir import fx

    try:
        with torch.no_grad():
            exported = fx.export_and_import(
                model.eval(),
                *example_inputs,
                output_type="linalg-on-tensors",
                func_name="main",
            )
    except Exception as error:  # torch.export raises many unrelated types
        summary = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise VtileError(
            f"could not export {name} to linalg: {type(error).__name__}: {summary}"
        ) from None
    # Plain str(): size limits on printing would elide or drop the weights.
    return parse_module(str(exported), context, name)
