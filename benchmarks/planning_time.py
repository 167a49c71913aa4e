"""Where `vtile compile` spends its time: torch export, each vtile stage
(the planner is `plan-fusion`), and iree-compile, for MobileNetV2 (width
1.0, the torchvision-sized network) and its first stage at 224x224 on
llvm-cpu with the default pipeline; IREE alone (`--pipeline none`) beside it.

    .venv/bin/python benchmarks/planning_time.py [--repeat N] [--models NAME ...]

Each figure is the median of N runs in this process (seconds); the
planner's search alone (`plan_module`, as `vtile plan` runs it) is timed
apart, over the same module."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from mlir import ir
from rich.console import Console
from rich.table import Table
from vtile.backends.targets import make_target
from vtile.compiler import compile_model, planner_for
from vtile.context import make_context
from vtile.frontends.model import load_model
from vtile.models import mobilenet_v2, mobilenet_v2_stage1
from vtile.named_pipelines import NONE, VERTICAL_FUSION
from vtile.planner.memory_levels import with_memory_levels
from vtile.planner.plan import plan_module
from vtile.planner.search import PlannerOptions

MODELS: dict[str, Callable] = {"mobilenet_v2": mobilenet_v2,
                               "mobilenet_v2_stage1": mobilenet_v2_stage1}
TARGET = "llvm-cpu"


def _median(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def measure(name: str, repeat: int) -> dict[str, float]:
    """Seconds per step for one model: median over `repeat` runs."""
    model_nn, inputs = MODELS[name]()
    row: dict[str, float] = {}
    row["torch export + import"], model = _median(
        lambda: load_model(model_nn, make_context(), inputs), repeat)
    target = make_target(TARGET)

    def plan_only() -> None:
        module = ir.Module.parse(str(model.module), model.module.context)
        with_memory_levels(module, target)
        plan_module(module, planner_for(target, PlannerOptions()))

    row["planner search (plan_module)"], _ = _median(plan_only, repeat)
    for pipeline in (VERTICAL_FUSION, NONE):
        stages: dict[str, list[float]] = {}
        totals = []
        for _ in range(repeat):
            start = time.perf_counter()
            compiled = compile_model(model, target, pipeline)
            totals.append(time.perf_counter() - start)
            for timing in compiled.report.timings:
                stages.setdefault(timing.name, []).append(timing.seconds)
            stages.setdefault("iree-compile", []).append(
                totals[-1] - sum(t.seconds for t in compiled.report.timings))
        for stage, seconds in stages.items():
            row[f"{pipeline}: {stage}"] = statistics.median(seconds)
        row[f"{pipeline}: total"] = statistics.median(totals)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=list(MODELS))
    args = parser.parse_args()
    rows = {name: measure(name, args.repeat) for name in args.models}
    table = Table(title=f"vtile compile's time by step, {TARGET}, median of {args.repeat} (s)")
    table.add_column("step")
    for name in rows:
        table.add_column(name, justify="right")
    steps = list(dict.fromkeys(step for row in rows.values() for step in row))
    for step in steps:
        table.add_row(step, *(f"{row[step]:.3f}" if step in row else "-" for row in rows.values()))
    Console().print(table)


if __name__ == "__main__":
    main()
