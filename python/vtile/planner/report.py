"""What `vtile plan` prints: the fusion groups of each function with their
ops, tiles, halos, recompute and estimated peaks, as tables or JSON."""

from __future__ import annotations

from rich.table import Table

from vtile.planner.annotate import halo, kernel_inputs
from vtile.planner.groups import op_tiles
from vtile.planner.plan import FunctionPlan
from vtile.planner.search import DISPATCH, PlannerOptions


def _shape(sizes) -> str:
    return "x".join(map(str, sizes))


def fusion_summary(function: FunctionPlan, examples: int = 3) -> str:
    """One line: how much of the function is fused, and which ops vtile
    cannot tile (they run unfused) and why."""
    graph, plan = function.graph, function.plan
    fused = sum(len(group.nodes) for group in plan.groups)
    line = (f"@{function.function}: {len(plan.groups)} fusion group(s) over {fused} of "
            f"{len(graph.nodes)} ops, estimated peak {plan.profile.peak_bytes:,} B vs "
            f"{plan.unfused.peak_bytes:,} B layer by layer")
    untileable = [node for node in graph.nodes if not node.fusible]
    if untileable:
        shown = "; ".join(f"{n.name} ({n.where}: {n.reason})" for n in untileable[:examples])
        more = f"; and {len(untileable) - examples} more" if len(untileable) > examples else ""
        line += f"; not tileable, run unfused: {shown}{more}"
    for number, lowering in enumerate(function.lowerings):
        if lowering.lowering == DISPATCH:
            workgroups = lowering.workgroups
            line += (f"; group {number} planned as one dispatch of {workgroups.tiles} "
                     f"workgroups, {_shape(workgroups.tile)} each")
        elif lowering.reason:
            line += f"; group {number} keeps tile loops: {lowering.reason}"
    return line


def plan_json(plans: list[FunctionPlan], options: PlannerOptions) -> dict:
    functions = []
    for function in plans:
        graph, plan = function.graph, function.plan
        groups = []
        for number, group in enumerate(plan.groups):
            tiles = op_tiles(graph, group)
            lowering = function.lowerings[number]
            groups.append({
                "group": number,
                "ops": [{"op": graph.nodes[i].name, "result": list(graph.nodes[i].result_shape),
                         "tile": [r.size for r in tiles[i]]} for i in group.nodes],
                "tile": list(group.tile),
                "tiles": group.tiles,
                "halos": [dict(zip(("low", "high"), halo(graph, group, value)))
                          for value in kernel_inputs(graph, group)],
                "recompute": round(group.recompute, 4),
                "tile_bytes": group.tile_bytes,
                "peak_bytes": plan.profile.live_at(group.root),
                "lowering": _lowering_json(lowering),
            })  # fmt: skip
        functions.append({
            "function": function.function,
            "ops": len(graph.nodes),
            "groups": groups,
            "unfused_ops": [graph.nodes[i].name for i in range(len(graph.nodes))
                            if not any(i in g.nodes for g in plan.groups)],
            "peak_bytes": plan.profile.peak_bytes,
            "layer_by_layer_peak_bytes": plan.unfused.peak_bytes,
            "recompute": round(plan.recompute, 4),
        })  # fmt: skip
    return {
        "memory_budget": options.memory_budget,
        "max_recompute": options.max_recompute,
        "device": options.device,
        "functions": functions,
    }


def _lowering_json(lowering) -> dict:
    """How the group reaches IREE and why; a one dispatch's workgroups."""
    entry = {"kind": lowering.lowering, "why": lowering.reason or None}
    if lowering.workgroups is not None:
        workgroups = lowering.workgroups
        entry |= {"workgroup_tile": list(workgroups.tile), "workgroups": workgroups.tiles,
                  "recompute": round(workgroups.recompute, 4),
                  "level": lowering.level, "level_bytes": lowering.level_bytes}
    return entry


def _lowering_text(lowering: dict) -> str:
    if lowering["kind"] != DISPATCH:
        return lowering["kind"] + (f": {lowering['why']}" if lowering["why"] else "")
    why = f"\n{lowering['why']}" if lowering["why"] else ""
    return (f"one dispatch: {lowering['workgroups']} workgroups of "
            f"{_shape(lowering['workgroup_tile'])}, {lowering['recompute']:.3f}x recompute, "
            f"{lowering['level_bytes']:,} B of {lowering['level']} memory (modelled){why}")


def plan_tables(plans: list[FunctionPlan], options: PlannerOptions) -> list[Table]:
    tables = []
    for function in plan_json(plans, options)["functions"]:
        table = Table(
            title=f"@{function['function']}: {len(function['groups'])} fusion groups over "
            f"{function['ops']} ops",
            caption=f"estimated peak {function['peak_bytes']:,} B vs "
            f"{function['layer_by_layer_peak_bytes']:,} B layer by layer "
            f"({function['peak_bytes'] / max(1, function['layer_by_layer_peak_bytes']):.2f}x); "
            f"recompute {function['recompute']:.3f}x; "
            f"{len(function['unfused_ops'])} ops run layer by layer",
        )
        for column in ("group", "ops (result tile of the middle strip)", "output tile", "tiles",
                       "input halos (low/high)", "recompute", "tile bytes", "peak bytes",
                       "lowering"):
            table.add_column(column)
        for group in function["groups"]:
            ops = "\n".join(f"{op['op']} {_shape(op['tile'])}" for op in group["ops"])
            halos = "\n".join(f"{h['low']}/{h['high']}" for h in group["halos"])
            table.add_row(str(group["group"]), ops, _shape(group["tile"]), str(group["tiles"]),
                          halos, f"{group['recompute']:.3f}", f"{group['tile_bytes']:,}",
                          f"{group['peak_bytes']:,}", _lowering_text(group["lowering"]))
        tables.append(table)
    return tables
