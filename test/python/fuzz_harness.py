"""Runs batches of fuzz graphs (`fuzz_graphs`) through vtile and IREE and
compares each function with numpy. One module per batch and pipeline, so one
iree-compile serves every case in it."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import fuzz_graphs
import numpy as np
from fuzz_graphs import Graph, module_text, reference, sample_input
from mlir import ir

import vtile
from vtile.analysis.graph import build_graph
from vtile.backends.dispatch_codegen import codegen_library, find_dispatches
from vtile.backends.iree import compile_vmfb, load
from vtile.backends.targets import Target, make_target
from vtile.compiler import planner_for
from vtile.errors import VtileError
from vtile.named_pipelines import FUSION_PASSES, NONE, VERTICAL_FUSION, named_pipeline
from vtile.pipeline import Pipeline, PipelineOptions, PythonStage
from vtile.planner.annotate import annotate
from vtile.planner.groups import group_cost, is_legal, tiled_dimension
from vtile.planner.lowering import as_built, choose_lowerings
from vtile.planner.memory import memory_profile
from vtile.planner.memory_levels import tile_level_capacity, with_memory_levels
from vtile.planner.search import DISPATCH, TILE_LOOPS, FusionPlan, PlannerOptions

RTOL, ATOL = 1e-5, 1e-5
FORCED = "forced-plan"  # vertical fusion with random legal groups and strips
FORCED_DISPATCH = "forced-plan-one-dispatch"  # the same, each group one dispatch where it can be
FAILURES = Path("vtile-fuzz-failures")
CASES = {"llvm-cpu": 0, "llvm-cpu one-dispatch": 0, "vulkan-spirv": 0,
         "vulkan-spirv one-dispatch": 0}  # graphs checked, for the summary line
DISPATCHES: dict[str, int] = {}  # per "target kind": groups compiled as one dispatch


@dataclass(frozen=True)
class Mismatch:
    case: str
    pipeline: str
    problem: str  # the max abs error against numpy, or the error raised
    mlir: Path  # the failing function alone, for a regression test

    def __str__(self) -> str:
        return f"{self.case} under '{self.pipeline}': {self.problem} (function saved to {self.mlir})"


def forced_plan_stage(seed: int, target: Target, lowering: str = TILE_LOOPS) -> PythonStage:
    """Plans every function with random legal groups of consecutive ops and
    random dividing strip heights: the plans the planner would not pick.
    `lowering` is what every group asks for (groups that cannot be one
    dispatch on `target` keep their tile loops)."""
    options = planner_for(target, PlannerOptions(lowering=lowering))

    def plan(module: ir.Module) -> None:
        rng = random.Random(seed)
        with_memory_levels(module, target)
        for op in module.body.operations:
            name = ir.StringAttr(op.operation.attributes["sym_name"]).value
            graph = build_graph(module, name)
            groups, start = [], 0
            while start < len(graph.nodes):
                ends = [end for end in range(start + 1, len(graph.nodes))
                        if is_legal(graph, tuple(range(start, end + 1)))]  # fmt: skip
                end = rng.choice(ends) if ends and rng.random() < 0.7 else None
                if end is None:
                    start += 1
                    continue
                nodes = tuple(range(start, end + 1))
                dim = tiled_dimension(graph, nodes)
                if dim is not None:
                    shape = graph.nodes[end].result_shape
                    heights = [h for h in range(1, shape[dim]) if shape[dim] % h == 0]
                    if heights:
                        tile = tuple(rng.choice(heights) if d == dim else s
                                     for d, s in enumerate(shape))  # fmt: skip
                        groups.append(group_cost(graph, nodes, dim, tile))
                start = end + 1
            profile = memory_profile(graph, groups)
            forced = FusionPlan(tuple(groups), profile, memory_profile(graph, []))
            capacity = tile_level_capacity(op.operation, options.device)
            chosen = choose_lowerings(graph, forced, options, capacity)
            annotate(graph, as_built(graph, forced, chosen), options, chosen)

    return PythonStage(FORCED, plan)


def pipeline_for(kind: str, target: Target, seed: int) -> Pipeline:
    if kind not in (FORCED, FORCED_DISPATCH):
        return named_pipeline(kind, None, target)
    lowering_asked = DISPATCH if kind == FORCED_DISPATCH else TILE_LOOPS
    stages = [forced_plan_stage(seed, target, lowering_asked), *FUSION_PASSES]
    lowering = named_pipeline(NONE, None, target).stages
    return Pipeline(FORCED, [*stages, *lowering])


def run_batch(
    graphs: list[Graph], pipelines=(VERTICAL_FUSION, NONE, FORCED), target_name: str = "llvm-cpu",
    seed: int = 0, failures: Path = FAILURES,
) -> list[Mismatch]:
    """Every graph through every pipeline; the mismatches against numpy. A
    batch that fails to compile is retried one graph at a time, so the
    failure names its graphs."""
    target = make_target(target_name)
    cases = {f"case{i}": graph for i, graph in enumerate(graphs)}
    inputs = {name: sample_input(graph) for name, graph in cases.items()}
    expected = {name: reference(graph, inputs[name]) for name, graph in cases.items()}
    mismatches = []
    for kind in pipelines:
        try:
            vmfb = _compile(cases, kind, target, seed, failures)
        except VtileError as error:
            if len(cases) == 1:
                ((name, graph),) = cases.items()
                mismatches.append(Mismatch(name, kind, str(error), _save(graph, failures)))
                continue
            for name, graph in cases.items():
                mismatches += [replace(m, case=name)
                               for m in run_batch([graph], (kind,), target_name, seed, failures)]
            continue
        for name, graph in cases.items():
            (result,) = load(vmfb, target, name)(inputs[name])
            want = expected[name]
            if result.shape != want.shape:
                problem = f"shape {result.shape}, numpy {want.shape}"
            elif not np.allclose(result, want, rtol=RTOL, atol=ATOL):
                problem = f"max abs error {float(np.max(np.abs(result - want))):.3g} vs numpy"
            else:
                continue
            mismatches.append(Mismatch(name, kind, problem, _save(graph, failures)))
    return mismatches


def _compile(cases: dict[str, Graph], kind: str, target: Target, seed: int, failures: Path) -> bytes:
    module = ir.Module.parse(module_text(cases), vtile.make_context())
    options = PipelineOptions(reproducer_dir=failures / "reproducers")
    pipeline_for(kind, target, seed).run(module, options)
    dispatches = find_dispatches(module)
    key = f"{target.name} {kind}"
    DISPATCHES[key] = DISPATCHES.get(key, 0) + len(dispatches)
    library = codegen_library(dispatches, target) if dispatches else None
    return compile_vmfb(str(module), target, codegen_library=library)


def _save(graph: Graph, failures: Path) -> Path:
    """The graph as a regression file: its repr on the first line (the
    numpy reference), its module below (for vtile-opt and iree-compile)."""
    failures.mkdir(parents=True, exist_ok=True)
    path = failures / f"graph-{zlib.crc32(repr(graph).encode()):08x}.mlir"
    path.write_text(f"// {graph!r}\n" + module_text({"main": graph}))
    return path


def run_regression(path: Path) -> list[Mismatch]:
    """Reruns a saved failure (`_save`) through every pipeline."""
    header = path.read_text().splitlines()[0].removeprefix("// ")
    graph = eval(header, vars(fuzz_graphs))  # our own repr of frozen dataclasses
    return run_batch([graph])
