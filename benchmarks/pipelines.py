"""Vertical fusion vs IREE's default pipeline on the benchmark model set
(`vtile.models.BENCHMARK_MODELS`, plus the demo's EdgeCNN), and vs IREE's
own ONNX flow (`iree-import-onnx` + `iree-compile`) on the ONNX model-zoo
files (`vtile.onnx_zoo`, as shipped with seeded weights): measured
DEVICE_LOCAL peak and median latency as ratios, both modules compiled and
measured in the same run (vtile.bench.compare), next to the planner's
estimated peak, the recompute ratio and the max error against PyTorch or
onnxruntime.

    .venv/bin/python benchmarks/pipelines.py --json results.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from rich.console import Console
from rich.table import Table

from vtile.backends.iree import vulkan_available
from vtile.bench import compare
from vtile.compiler import compile_model, compile_with_iree_onnx, planner_for
from vtile.context import make_context
from vtile.errors import VtileError
from vtile.frontends.model import Model, load_model
from vtile.models import BENCHMARK_MODELS, edge_cnn
from vtile.named_pipelines import PIPELINE_HELP, VERTICAL_FUSION
from vtile.onnx_zoo import ZOO_MODELS, seeded_zoo_model
from vtile.planner.memory_levels import with_memory_levels
from vtile.planner.plan import plan_module
from vtile.planner.search import AUTO, LOWERINGS, PlannerOptions
from vtile.tables import Steps

MODELS = {**BENCHMARK_MODELS, "edge_cnn": edge_cnn}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=[*MODELS, *ZOO_MODELS],
                        choices=[*MODELS, *ZOO_MODELS])
    parser.add_argument("--size", type=int, help="input height/width for the models that "
                        "take one (default: each model's own)")
    parser.add_argument("--targets", nargs="+", default=["llvm-cpu"],
                        help="targets; vulkan-spirv is skipped without a Vulkan device")
    parser.add_argument("--pipeline", default=VERTICAL_FUSION, choices=list(PIPELINE_HELP))
    parser.add_argument("--group-lowering", choices=LOWERINGS, default=AUTO,
                        help="how fusion groups reach IREE (see vtile compile --help)")
    parser.add_argument("--repetitions", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    targets = [t for t in args.targets if t != "vulkan-spirv" or vulkan_available()]
    rows = []
    try:
        with Steps(Console(stderr=True)) as steps, \
                tempfile.TemporaryDirectory(prefix="vtile-zoo-") as scratch:
            for name in args.models:
                model, onnx_file = _load(name, args.size, scratch, steps)
                expected = model.reference(model.sample_inputs)
                for target in targets:
                    steps(f"compiling {name} for {target} (pipeline '{args.pipeline}')")
                    candidate = compile_model(model, target, args.pipeline,
                                              planner=PlannerOptions(lowering=args.group_lowering))
                    error = max(float(np.max(np.abs(o - e)))
                                for o, e in zip(candidate(*model.sample_inputs), expected))
                    baseline = None
                    if onnx_file:
                        steps(f"compiling {name} for {target} with IREE's ONNX flow")
                        baseline = compile_with_iree_onnx(onnx_file, model, candidate.target)
                    comparison = compare(candidate, args.repetitions, steps, baseline)
                    with_memory_levels(model.module, candidate.target)
                    planned = plan_module(model.module, planner_for(
                        candidate.target, PlannerOptions(lowering=args.group_lowering)))
                    rows.append((comparison, error, *_planned(planned)))
    except VtileError as error:
        sys.exit(f"pipelines.py: error: {error}")
    Console(width=260).print(_table(rows, f"{args.pipeline}', groups as '{args.group_lowering}"))
    if args.json:
        args.json.write_text(json.dumps([
            dataclasses.asdict(c) | {"latency_ratio": c.latency_ratio, "memory_ratio": c.memory_ratio,
                                     "sync_latency_ratio": c.sync_latency_ratio,
                                     "sync_memory_ratio": c.sync_memory_ratio,
                                     "transient_ratio": c.transient_ratio,
                                     "max_abs_error": e, "recompute": r, "planned_peak_bytes": p}
            for c, e, r, p in rows], indent=2))  # fmt: skip
    return 0


def _load(name: str, size: int | None, scratch: str, steps) -> tuple[Model, Path | None]:
    """The model, and for a model-zoo one the .onnx file both flows compile."""
    if name in ZOO_MODELS:
        path = Path(scratch) / f"{name}.onnx"
        steps(f"writing {name}'s model-zoo file with seeded weights")
        onnx.save(seeded_zoo_model(name), str(path))
        model = load_model(path, make_context(), progress=steps)
        return model, path
    factory = MODELS[name]
    sized = size and "size" in factory.__code__.co_varnames
    network, inputs = factory(size=size) if sized else factory()
    steps(f"exporting {name}")
    model = load_model(network, make_context(), inputs)
    model.name = name
    return model, None


def _planned(plans) -> tuple[float, int]:
    """(recompute over the whole model, planned peak bytes). Plans are as
    built, so a one-dispatch group recomputes what its workgroups do."""
    work = sum(n.work() for p in plans for n in p.graph.nodes)
    extra = sum(g.work - g.unfused_work for p in plans for g in p.plan.groups)
    return (1.0 + extra / work if work else 1.0), max(p.plan.profile.peak_bytes for p in plans)


def _table(rows, pipeline: str) -> Table:
    table = Table(
        "model", "target", "baseline", "baseline peak", "vtile peak", "baseline stack",
        "vtile stack", "planned peak", "memory ratio, 1 worker", "memory ratio, all workers",
        "transient ratio",
        "local-sync baseline / vtile", "local-sync latency ratio",
        "local-task baseline / vtile", "local-task latency ratio", "recompute", "max abs error",
        title=f"vtile '{pipeline}' vs IREE: its default pipeline ('none') on the same linalg, "
        "its own ONNX flow (iree-import-onnx) on ONNX files (ratio = vtile / IREE; < 1 is better)",
    )  # fmt: skip
    for comparison, error, recompute, planned in rows:
        base, cand = comparison.baseline, comparison.candidate
        sync = comparison.sync_latency_ratio
        table.add_row(
            comparison.model, comparison.target, base.pipeline,
            f"{base.device_local_peak_bytes:,} B", f"{cand.device_local_peak_bytes:,} B",
            f"{base.max_dispatch_stack_bytes:,} B", f"{cand.max_dispatch_stack_bytes:,} B",
            f"{planned:,} B", f"{comparison.sync_memory_ratio:.2f}",
            f"{comparison.memory_ratio:.2f}", f"{comparison.transient_ratio:.2f}",
            "-" if sync is None else f"{base.sync_median_ms:.3f} / {cand.sync_median_ms:.3f} ms",
            "-" if sync is None else f"{sync:.2f}",
            f"{base.median_ms:.3f} / {cand.median_ms:.3f} ms", f"{comparison.latency_ratio:.2f}",
            f"{recompute:.3f}", f"{error:.1e}",
        )  # fmt: skip
    sync = [c.sync_latency_ratio for c, *_ in rows if c.sync_latency_ratio is not None]
    task = [c.latency_ratio for c, *_ in rows]
    if task:
        means = f"local-task {_geomean(task):.2f}"
        if sync:
            means = f"local-sync {_geomean(sync):.2f}, {means}"
        table.caption = (f"latency ratio geometric means: {means}; peaks: DEVICE_LOCAL of "
                         "iree-run-module --print_statistics (local-sync on llvm-cpu); stack: the "
                         "largest static stack of any dispatch, added to the peak once (one "
                         "worker: local-sync) or once per CPU (local-task's workers); transients: "
                         "IREE's scheduled transient memory (compile statistics), the measure "
                         "on vulkan-spirv, whose runtime peak is a fixed 64 MiB pool")
    return table


def _geomean(ratios: list[float]) -> float:
    return math.exp(sum(math.log(r) for r in ratios) / len(ratios))


if __name__ == "__main__":
    sys.exit(main())
