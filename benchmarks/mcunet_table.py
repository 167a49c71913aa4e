"""MCUNetV2's MobileNetV2 table, reproduced with vtile's planner: MobileNetV2
(width 1.0, 224x224) counted at 1 byte per activation as the paper counts
(vtile.planner.mcunet_accounting), layer by layer, with the first stage
(the stem and four blocks, up to block 4's 32x28x28 output) in 4x4
patches, and as vtile's planner plans it under a 256 kB budget.

    .venv/bin/python benchmarks/mcunet_table.py [--json table.json]

The extra work of patches is given two ways: multiply-accumulates when
each layer's patch region is computed once per patch (MCUNetV2's count),
and loop iterations as vtile's tile loops compute them (upstream
tile-and-fuse computes a value read twice in a patch, a residual's input,
once per reader)."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from vtile.analysis.graph import OpGraph, build_graph
from vtile.analysis.windows import Box, Interval, LinalgAccess
from vtile.context import make_context
from vtile.frontends.model import load_model
from vtile.models import mobilenet_v2
from vtile.planner.groups import GroupCost, group_cost, op_tiles
from vtile.planner.mcunet_accounting import mcunet_profile
from vtile.planner.search import MCUNET_ACCOUNTING, PATCHES, PlannerOptions, plan_fusion
from vtile.tables import Steps

KB = 1024  # the paper's kB
PAPER = {"layer_by_layer": 1372 * KB, "patches": 172 * KB, "patch_macs": 1.10}
BUDGET = 256 * KB
PATCH_GRID = 4


def _macs(graph: OpGraph, index: int, box: Box | None = None) -> int:
    """Multiply-accumulates: iterations of an op with reduction loops."""
    node = graph.nodes[index]
    access = node.access
    if not isinstance(access, LinalgAccess) or len(access.result_loops) == len(access.loop_ranges):
        return 0
    return node.work(box)


def _patch_macs(graph: OpGraph, group: GroupCost) -> int:
    """The group's MACs computed patch by patch, each op's region of each
    patch once (the hull of what the patch needs of it)."""
    shape = graph.nodes[group.root].result_shape
    starts = [range(0, size, t) for size, t in zip(shape, group.tile, strict=True)]
    total = 0
    for corner in itertools.product(*starts):
        box = tuple(Interval(c, c + t) for c, t in zip(corner, group.tile, strict=True))
        regions = op_tiles(graph, group, box)
        total += sum(_macs(graph, i, regions[i]) for i in group.nodes)
    return total


def _first_stage(graph: OpGraph) -> tuple[int, ...]:
    """The ops up to block 4's output: the last op before the first one at
    the 1/8 resolution with 192 channels (block 5's expansion)."""
    end = next(n.index for n in graph.nodes if n.result_shape[1:] == (192, 28, 28))
    return tuple(range(end))


def _row(graph: OpGraph, name: str, groups: list[GroupCost], paper: int | None,
         paper_macs: float | None) -> dict:
    profile = mcunet_profile(graph, groups)
    macs = sum(_macs(graph, n.index) for n in graph.nodes)
    grouped = {i for g in groups for i in g.nodes}
    patch_macs = sum(_patch_macs(graph, g) for g in groups) + sum(
        _macs(graph, n.index) for n in graph.nodes if n.index not in grouped)
    work = sum(n.work() for n in graph.nodes)
    extra = sum(g.work - g.unfused_work for g in groups)
    peak = graph.nodes[profile.peak_node]
    return {
        "plan": name,
        "groups": [{"ops": [g.nodes[0], g.root], "tile": list(g.tile), "tiles": g.tiles}
                   for g in groups],
        "peak_bytes": profile.peak_bytes,
        "group_step_bytes": [profile.live_at(g.root) for g in groups],  # each group's own peak
        "peak_at": f"{peak.name.removeprefix('linalg.')} "
                   f"{'x'.join(map(str, peak.result_shape))}",
        "paper_peak_bytes": paper,
        "patch_macs_ratio": patch_macs / macs,
        "paper_macs_ratio": paper_macs,
        "tile_loop_work_ratio": (work + extra) / work,
    }


def table(step) -> dict:
    """The table's rows; `step(message)` announces each long step."""
    step("importing MobileNetV2 (224x224) through torch-mlir")
    network, inputs = mobilenet_v2()
    model = load_model(network, make_context(), inputs)
    graph = build_graph(model.module, model.function)
    stage = _first_stage(graph)
    shape = graph.nodes[stage[-1]].result_shape
    tile = tuple(s // PATCH_GRID if d >= 2 else s for d, s in enumerate(shape))
    rows = [_row(graph, "layer by layer", [], PAPER["layer_by_layer"], 1.0)]
    step(f"first stage in {PATCH_GRID}x{PATCH_GRID} patches")
    patched = group_cost(graph, stage, 2, tile)
    rows.append(_row(graph, f"first stage in {PATCH_GRID}x{PATCH_GRID} patches", [patched],
                     PAPER["patches"], PAPER["patch_macs"]))
    step(f"planning under a {BUDGET // KB} kB budget (patches allowed; a few minutes)")
    options = PlannerOptions(memory_budget=BUDGET, accounting=MCUNET_ACCOUNTING, tiles=PATCHES)
    planned = plan_fusion(graph, options)
    rows.append(_row(graph, f"vtile's planner, {BUDGET // KB} kB budget", list(planned.groups),
                     None, None))
    return {"model": "mobilenet_v2 (width 1.0, 224x224, 1 byte per activation)",
            "budget_bytes": BUDGET, "rows": rows}


def _print(result: dict) -> None:
    output = Table(title=f"MCUNetV2's table: {result['model']}")
    for column in ("plan", "peak (vtile)", "peak (MCUNetV2)", "at", "MACs (patch by patch)",
                   "MACs (MCUNetV2)", "work (vtile's tile loops)"):
        output.add_column(column, justify="left" if column in ("plan", "at") else "right")
    for row in result["rows"]:
        paper = row["paper_peak_bytes"]
        output.add_row(
            row["plan"], f"{row['peak_bytes'] / KB:,.1f} kB",
            "-" if paper is None else f"{paper / KB:,.0f} kB", row["peak_at"],
            f"{row['patch_macs_ratio']:.3f}x",
            "-" if row["paper_macs_ratio"] is None else f"~{row['paper_macs_ratio']:.2f}x",
            f"{row['tile_loop_work_ratio']:.3f}x")
    Console(width=160).print(output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the table here")
    args = parser.parse_args()
    with Steps(Console(stderr=True)) as step:
        result = table(step)
    _print(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
