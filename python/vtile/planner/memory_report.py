"""What `vtile report` prints: per kernel, the bytes it writes and the live
bytes at its step, layer by layer and fused, in program order and in the
lowest-peak order; the peaks and where they occur, the arenas, and the
predicted DEVICE_LOCAL peak (beside IREE's measured one once compiled).
As tables, JSON, or a plot of live memory over the execution timeline."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from vtile.planner.predict import MemoryPlan
from vtile.planner.schedule import Schedule

# The plans a report shows, by key: (title, which plan, which order).
TIMELINES = {
    "layer_by_layer": "layer by layer, program order",
    "fused": "vertical fusion, program order",
    "fused_optimised": "vertical fusion, lowest-peak order",
}


def _timeline(plan: MemoryPlan, schedule: Schedule) -> dict:
    peak = schedule.peak_step
    return {
        "order": schedule.method,
        "peak_bytes": schedule.peak_bytes,
        "peak_at": plan.kernels.labels[schedule.order[peak]] if peak >= 0 else None,
        "peak_step": peak,
        "steps": [{"kernel": plan.kernels.labels[k],
                   "writes_bytes": (plan.kernels.buffers[plan.kernels.kernels[k].writes].bytes
                                    if plan.kernels.kernels[k].writes is not None else 0),
                   "live_bytes": live}
                  for k, live in zip(schedule.order, schedule.step_bytes, strict=True)],
    }  # fmt: skip


def report_json(unfused: MemoryPlan, fused: MemoryPlan, budget: int | None,
                measured: dict[str, int] | None = None) -> dict:
    """One function's report. `measured`: IREE's DEVICE_LOCAL peaks by
    pipeline ("none", "vertical-fusion"), once compiled and run."""
    measured = measured or {}
    pipelines = {}
    for name, plan in (("none", unfused), ("vertical-fusion", fused)):
        pipelines[name] = {
            "argument_bytes": plan.argument_bytes,
            "constant_bytes": plan.constant_bytes,
            "result_bytes": plan.kernels.returned_bytes,
            "arena_bytes": plan.arena.size,
            "iree_arena_bytes": plan.iree.size,
            "stack_bytes": plan.stack_bytes,
            "predicted_device_local_bytes": plan.predicted_device_local_bytes,
            "measured_device_local_bytes": measured.get(name),
        }
    return {
        "function": fused.function,
        "memory_budget": budget,
        "pipelines": pipelines,
        "timelines": {
            "layer_by_layer": _timeline(unfused, unfused.program),
            "fused": _timeline(fused, fused.program),
            "fused_optimised": _timeline(fused, fused.schedule),
        },
    }


def report_tables(report: dict) -> list[Table]:
    timelines = report["timelines"]
    steps = Table(title=f"@{report['function']}: live intermediate bytes at each kernel "
                  "(arena only: inputs, weights and results are held throughout)")
    for key in TIMELINES:
        steps.add_column(f"{TIMELINES[key]}: kernel")
        steps.add_column("writes B", justify="right")
        steps.add_column("live B", justify="right")
    rows = max(len(t["steps"]) for t in timelines.values())
    for row in range(rows):
        cells = []
        for key in TIMELINES:
            timeline = timelines[key]
            if row < len(timeline["steps"]):
                step = timeline["steps"][row]
                mark = " <- peak" if row == timeline["peak_step"] else ""
                cells += [step["kernel"], f"{step['writes_bytes']:,}",
                          f"{step['live_bytes']:,}{mark}"]
            else:
                cells += ["", "", ""]
        steps.add_row(*cells)

    summary = Table(title=f"@{report['function']}: memory", caption=(
        "arena: vtile's packing of the lowest-peak order; IREE's: its packing of the order it "
        "runs (program order), which with inputs, weights and results predicts its "
        "DEVICE_LOCAL peak; the stack (one-dispatch groups) is not in that peak"))
    summary.add_column("")
    for name in report["pipelines"]:
        summary.add_column(name, justify="right")
    fields = [("inputs", "argument_bytes"), ("weights", "constant_bytes"),
              ("results", "result_bytes"), ("vtile arena", "arena_bytes"),
              ("IREE's arena", "iree_arena_bytes"), ("stack", "stack_bytes"),
              ("predicted DEVICE_LOCAL peak", "predicted_device_local_bytes"),
              ("measured DEVICE_LOCAL peak", "measured_device_local_bytes")]
    for label, key in fields:
        values = [p[key] for p in report["pipelines"].values()]
        if all(v is None for v in values):
            continue
        summary.add_row(label, *("-" if v is None else f"{v:,} B" for v in values))
    for key, title in TIMELINES.items():
        timeline = timelines[key]
        summary.add_row(f"peak, {title}", "", f"{timeline['peak_bytes']:,} B at "
                        f"{timeline['peak_at']} (step {timeline['peak_step']})")
    return [steps, summary]


def plot_report(report: dict, path: Path) -> None:
    """Activation bytes held over the execution timeline (inputs, results
    and live intermediates: what the planner's budget bounds), one line per
    plan, with the budget line when there is one."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(10, 4.5))
    for key, title in TIMELINES.items():
        timeline = report["timelines"][key]
        held = report["pipelines"]["none" if key == "layer_by_layer" else "vertical-fusion"]
        base = held["argument_bytes"] + held["result_bytes"]
        live = [(base + step["live_bytes"]) / 1024 for step in timeline["steps"]]
        axes.step(range(len(live)), live, where="mid", label=f"{title} "
                  f"(peak {max(live, default=0):,.0f} KiB)")
        peak = timeline["peak_step"]
        if peak >= 0:
            axes.annotate(timeline["peak_at"], (peak, live[peak]), fontsize=7,
                          textcoords="offset points", xytext=(4, 4))
    if report["memory_budget"] is not None:
        axes.axhline(report["memory_budget"] / 1024, color="red", linestyle="--",
                     label=f"budget {report['memory_budget'] / 1024:,.0f} KiB")
    axes.set_xlabel("kernel (execution step)")
    axes.set_ylabel("inputs, results and live intermediates (KiB)")
    axes.set_title(f"@{report['function']}: live memory over the run")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    pyplot.close(figure)
