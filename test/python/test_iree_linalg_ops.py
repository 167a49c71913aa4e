"""The linalg ops MLIR 22 accepts but IREE 3.13 cannot parse: the list the
`generalize-for-iree` stage rewrites must be exactly them, and models using
them compile under every pipeline with numpy's numbers."""

import inspect
import subprocess

import numpy as np
import pytest
from linalg_models import NAMED_ELEMENTWISE, named_elementwise_reference
from mlir.dialects import linalg

import vtile
from vtile.backends.iree import iree_tool
from vtile.named_pipelines import IREE_MISSING_LINALG_OPS, PIPELINE_HELP


def test_the_list_is_exactly_the_ops_iree_opt_does_not_register(tmp_path):
    names = sorted({
        op.OPERATION_NAME for op in vars(linalg).values()
        if inspect.isclass(op) and getattr(op, "OPERATION_NAME", "").startswith("linalg.")
    })  # fmt: skip
    probe = tmp_path / "ops.mlir"
    probe.write_text("\n// -----\n".join(f'"{name}"() : () -> ()' for name in names))
    result = subprocess.run([iree_tool("iree-opt"), "--split-input-file", probe],
                            capture_output=True, text=True)  # fmt: skip
    unknown = {name for name in names if f"unregistered operation '{name}'" in result.stderr}
    assert unknown == set(IREE_MISSING_LINALG_OPS)


@pytest.mark.parametrize("pipeline", PIPELINE_HELP)
def test_named_elementwise_ops_compile_and_match_numpy(tmp_path, pipeline):
    path = tmp_path / "named.mlir"
    path.write_text(NAMED_ELEMENTWISE)
    compiled = vtile.compile(path, "llvm-cpu", pipeline)
    assert "linalg.tanh" not in compiled.mlir and "linalg.matmul" in compiled.mlir
    a, b = compiled.model.sample_inputs
    (result,) = compiled(a, b)
    np.testing.assert_allclose(result, named_elementwise_reference(a, b), rtol=1e-5, atol=1e-5)
