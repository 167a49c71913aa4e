"""PyTorch `nn.Module` -> linalg-on-tensors, through torch-mlir's FX importer.

torch-mlir carries its own MLIR; the module crosses over as text (weights
stay dense_resource blobs) and is re-parsed in the vtile context."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from mlir import ir

from vtile.errors import ModelError, VtileError
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
        raise ModelError(
            f"could not export {name} to linalg: {type(error).__name__}: {summary}"
        ) from None
    # Plain str(): size limits on printing would elide or drop the weights.
    return parse_module(str(exported), context, name)


def load_factory(spec: str) -> tuple["torch.nn.Module", tuple["torch.Tensor", ...]]:  # noqa: F821
    """Runs `path/to/file.py:factory`; the factory returns
    `(model, example_inputs)`, the inputs a tensor or a tuple of tensors."""
    import importlib.util

    import torch

    path_text, _, factory_name = spec.rpartition(":")
    path = Path(path_text)
    if not path_text.endswith(".py") or not factory_name.isidentifier():
        raise ModelError(f"'{spec}' is not of the form path/to/file.py:factory")
    if not path.is_file():
        raise ModelError(f"no such file: {path}")
    module_spec = importlib.util.spec_from_file_location(path.stem, path)
    source = importlib.util.module_from_spec(module_spec)
    # As `python file.py` would, let the file import modules next to it.
    sys.path.insert(0, str(path.resolve().parent))
    try:
        module_spec.loader.exec_module(source)
        factory = getattr(source, factory_name, None)
        if not callable(factory):
            raise ModelError(f"{path} defines no function {factory_name}()")
        made = factory()
    except VtileError:
        raise
    except Exception as error:  # user code may raise anything
        raise ModelError(f"{spec} failed: {type(error).__name__}: {error}") from None
    finally:
        sys.path.remove(str(path.resolve().parent))
    if not (isinstance(made, tuple) and len(made) == 2 and isinstance(made[0], torch.nn.Module)):
        raise ModelError(
            f"{spec} must return (model, example_inputs), a torch.nn.Module and "
            f"its inputs; it returned {type(made).__name__}"
        )
    model, inputs = made
    inputs = (inputs,) if isinstance(inputs, torch.Tensor) else tuple(inputs)
    if not all(isinstance(x, torch.Tensor) for x in inputs):
        raise ModelError(f"{spec}: example_inputs must be tensors")
    return model, inputs
