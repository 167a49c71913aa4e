"""`vtile demo`: the built-in edge CNN through the whole flow: PyTorch export,
vertical fusion, compile for llvm-cpu and (where a Vulkan device exists)
vulkan-spirv, numerics against PyTorch, and the bench table against IREE's
default pipeline."""

from __future__ import annotations

from rich.console import Console

from vtile.backends.iree import vulkan_available
from vtile.bench import compare
from vtile.compiler import compile_model
from vtile.context import make_context
from vtile.frontends.model import load_model
from vtile.models import edge_cnn
from vtile.named_pipelines import DEFAULT_PIPELINE
from vtile.numerics import check_outputs
from vtile.tables import Steps, bench_table, numerics_table


def run_demo(console: Console, progress: Console, repetitions: int) -> int:
    """Returns 1 if the numerics differ from PyTorch on any target."""
    targets = ["llvm-cpu"]
    if vulkan_available():
        targets.append("vulkan-spirv")
    else:
        console.print(
            "vulkan-spirv skipped: no Vulkan device (Debian: apt-get install mesa-vulkan-drivers)"
        )
    checks, comparisons = [], []
    with Steps(progress) as steps:
        steps("exporting EdgeCNN (seeded weights) to linalg through torch-mlir")
        network, inputs = edge_cnn()
        model = load_model(network, make_context(), inputs)
        expected = model.reference(model.sample_inputs)
        for target in targets:
            steps(f"compiling EdgeCNN for {target} (pipeline '{DEFAULT_PIPELINE}')")
            compiled = compile_model(model, target, DEFAULT_PIPELINE)
            steps(f"running EdgeCNN on {target}")
            outputs = compiled(*model.sample_inputs)
            checks.append((model.name, target, check_outputs(outputs, expected)))
            comparisons.append(compare(compiled, repetitions, steps))
    console.print(numerics_table(checks, "PyTorch 2.13 eager"))
    console.print(bench_table(comparisons))
    console.print(
        f"vtile pipeline: the default, {DEFAULT_PIPELINE}. Peaks are IREE's DEVICE_LOCAL "
        "statistics (local-sync on llvm-cpu); `vtile plan` shows the fusion groups."
    )
    return 0 if all(check.passed for _, _, check in checks) else 1
