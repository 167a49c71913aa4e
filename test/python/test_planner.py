"""vtile.planner: memory profiles checked by hand, legality of fusion runs,
and the greedy planner's decisions on the zoo and benchmark models."""

import math

import pytest
import zoo
from linalg_models import TWO_CONVS, UPSAMPLE
from mlir import ir

import vtile
from vtile import models
from vtile.analysis.graph import GRAPH_INPUT, build_graph
from vtile.analysis.windows import Interval, full_box
from vtile.backends.iree import max_dispatch_stack_bytes
from vtile.backends.targets import (
    LAVAPIPE_WORKGROUP_BYTES,
    MAX_STACK_BYTES,
    VECTOR_LANES,
    CpuTarget,
    VulkanTarget,
)
from vtile.errors import UsageError
from vtile.frontends.model import load_model
from vtile.planner.groups import GroupCost, group_cost, is_legal, tiled_dimension
from vtile.planner.lowering import (
    as_built,
    choose_lowerings,
    dispatch_stack_bytes,
    group_lowering,
    workgroup_memory_bytes,
)
from vtile.planner.memory import memory_profile
from vtile.planner.memory_levels import stack_capacity, with_memory_levels
from vtile.planner.plan import plan_module
from vtile.planner.report import fusion_summary
from vtile.planner.search import (
    AUTO,
    DEFAULT_MAX_RECOMPUTE,
    DISPATCH,
    TILE_LOOPS,
    PlannerOptions,
    plan_fusion,
)

FORCE_DISPATCH = PlannerOptions(lowering=DISPATCH)

# x: 1x4x16x16 -> pad -> conv 4->8 -> relu -> pad -> conv 8->4, weights constant.
CHAIN = """
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @chain(%x: tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.125> : tensor<8x4x3x3xf32>
  %w2 = arith.constant dense<-0.0625> : tensor<4x8x3x3xf32>
  %p1 = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x4x16x16xf32> to tensor<1x4x18x18xf32>
  %e8 = tensor.empty() : tensor<1x8x16x16xf32>
  %f8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%p1, %w1 : tensor<1x4x18x18xf32>, tensor<8x4x3x3xf32>) outs(%f8 : tensor<1x8x16x16xf32>) -> tensor<1x8x16x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c1 : tensor<1x8x16x16xf32>) outs(%e8 : tensor<1x8x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x8x16x16xf32>
  %p2 = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x8x16x16xf32> to tensor<1x8x18x18xf32>
  %e4 = tensor.empty() : tensor<1x4x16x16xf32>
  %f4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%p2, %w2 : tensor<1x8x18x18xf32>, tensor<4x8x3x3xf32>) outs(%f4 : tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
  return %c2 : tensor<1x4x16x16xf32>
}

// %a is returned and also feeds %b.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @two(%x: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %e = tensor.empty() : tensor<4x4xf32>
  %a = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.negf %in : f32
    linalg.yield %m : f32
  } -> tensor<4x4xf32>
  %b = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.negf %in : f32
    linalg.yield %m : f32
  } -> tensor<4x4xf32>
  return %a, %b : tensor<4x4xf32>, tensor<4x4xf32>
}

"""

F32 = 4
X = 1 * 4 * 16 * 16 * F32  # 4096, the argument
P1 = 1 * 4 * 18 * 18 * F32  # 5184
C1 = R = 1 * 8 * 16 * 16 * F32  # 8192
P2 = 1 * 8 * 18 * 18 * F32  # 10368
C2 = 1 * 4 * 16 * 16 * F32  # 4096


@pytest.fixture(scope="module")
def chain():
    module = ir.Module.parse(CHAIN, vtile.make_context())
    return module, build_graph(module, "chain")


def test_chain_graph_is_what_the_hand_numbers_assume(chain):
    _, graph = chain
    assert [n.name for n in graph.nodes] == [
        "tensor.pad", "linalg.conv_2d_nchw_fchw", "linalg.generic", "tensor.pad",
        "linalg.conv_2d_nchw_fchw",
    ]  # fmt: skip
    assert [n.result_bytes for n in graph.nodes] == [P1, C1, R, P2, C2]
    assert graph.argument_bytes == X


def test_unfused_memory_profile_by_hand(chain):
    _, graph = chain
    profile = memory_profile(graph, [])
    # The argument lives throughout; each result from its op to its last
    # use (the returned one to the end).
    step0 = X + P1  # pad 1
    step1 = X + P1 + C1  # conv 1 reads the padded input
    step2 = X + C1 + R  # relu; the padded input is dead
    step3 = X + R + P2  # pad 2
    step4 = X + P2 + C2  # conv 2
    assert profile.step_bytes == ((0, step0), (1, step1), (2, step2), (3, step3), (4, step4))
    assert profile.peak_bytes == max(step0, step1, step2, step3, step4) == 22656
    assert profile.peak_node == 3


def test_memory_profile_of_a_whole_fused_chain(chain):
    _, graph = chain
    group = GroupCost(nodes=(0, 1, 2, 3, 4), tile_dim=2, tile=(1, 4, 4, 16), tiles=4,
                      work=1, unfused_work=1, tile_bytes=1000)  # fmt: skip
    profile = memory_profile(graph, [group])
    # Only the root's result exists whole, at the root's step, with the
    # group's per-tile buffers on top.
    assert profile.step_bytes == ((4, X + C2 + 1000),)
    assert profile.peak_bytes == X + C2 + 1000
    assert profile.peak_node == 4


def test_memory_profile_of_a_partial_group(chain):
    _, graph = chain
    group = GroupCost(nodes=(2, 3, 4), tile_dim=2, tile=(1, 4, 4, 16), tiles=4,
                      work=1, unfused_work=1, tile_bytes=777)  # fmt: skip
    profile = memory_profile(graph, [group])
    # conv 1's result is the group's input: live until the group (at step 4) ran.
    assert profile.step_bytes == (
        (0, X + P1),
        (1, X + P1 + C1),
        (4, X + C1 + C2 + 777),
    )


def test_one_dispatch_stack_is_held_for_the_whole_run(chain):
    """A one-dispatch group keeps no tile buffers on the heap; its stack is
    a worker's for the whole run, so the peak adds it to the largest step,
    wherever that is. The search's walk counts it at its own step only."""
    _, graph = chain
    group = GroupCost(nodes=(2, 3, 4), tile_dim=2, tile=(1, 4, 4, 16), tiles=4,
                      work=1, unfused_work=1, tile_bytes=777)  # fmt: skip
    profile = memory_profile(graph, [group], {4: 5000})
    heap = ((0, X + P1), (1, X + P1 + C1), (4, X + C1 + C2))
    assert profile.step_bytes == heap
    assert X + P1 + C1 > X + C1 + C2  # the heap peaks at conv 1, outside the group
    assert profile.peak_bytes == X + P1 + C1 + 5000 and profile.peak_node == 1
    assert profile.live_at(4) == X + C1 + C2 + 5000
    walk = memory_profile(graph, [group], {4: 5000}, held_throughout=False)
    assert walk.step_bytes == (*heap[:2], (4, X + C1 + C2 + 5000))
    assert walk.peak_bytes == max(X + P1 + C1, X + C1 + C2 + 5000)


def test_memory_profile_keeps_an_input_read_by_tensor_extract_alive():
    graph = build_graph(ir.Module.parse(UPSAMPLE, vtile.make_context()), "upsample")
    relu, up = graph.nodes
    x = r = 2 * 4 * 4 * F32
    u = 2 * 8 * 8 * F32
    # The relu's result is live while the upsampling gathers from it.
    assert memory_profile(graph, []).step_bytes == ((relu.index, x + r), (up.index, x + r + u))


def test_group_cost_by_hand(chain):
    _, graph = chain
    # relu -> pad -> conv 2 in 4-row strips of conv 2's 16 rows.
    cost = group_cost(graph, (2, 3, 4), 2, (1, 4, 4, 16))
    assert cost.tiles == 4 and cost.root == 4
    # A strip [o, o+4) of conv 2 reads padded rows [o, o+6), i.e. relu rows
    # [o-1, o+5) clipped: 5 rows for the border strips, 6 in the middle.
    relu_rows = [5, 6, 6, 5]
    conv2 = 4 * 4 * 16 * 8 * 3 * 3  # per strip
    relu = [8 * rows * 16 for rows in relu_rows]
    assert cost.work == 4 * conv2 + sum(relu)
    assert cost.unfused_work == 4 * 16 * 16 * 8 * 9 + 8 * 16 * 16
    assert cost.recompute == pytest.approx((4 * conv2 + sum(relu)) / cost.unfused_work)
    # Live per strip: conv 2's padded input strip (8x6x18) with the relu
    # strip that fills it (8 x rows x 16); then the padded strip and conv 2's
    # 4x4x16 output. Largest over strips: a middle strip, 6 relu rows.
    padded = 8 * 6 * 18 * F32
    live = max(max(8 * rows * 16 * F32 + padded, padded + 4 * 4 * 16 * F32) for rows in relu_rows)
    assert cost.tile_bytes == live == 6528
    # The group's input is conv 1's result: a middle strip reads 6 of its rows.
    (window,) = cost.windows.values()
    assert window[2].size == 6 and window[1] == Interval(0, 8) and window[3] == Interval(0, 16)
    assert tiled_dimension(graph, (2, 3, 4)) == 2

    profile = memory_profile(graph, [cost])
    assert profile.step_bytes[-1] == (4, X + C1 + C2 + 6528)


def test_returned_intermediate_is_not_legal():
    graph = build_graph(ir.Module.parse(CHAIN, vtile.make_context()), "two")
    a, b = graph.nodes
    assert graph.returned == {a.index, b.index}
    assert not is_legal(graph, (a.index, b.index))
    assert is_legal(graph, (a.index,))


def test_chain_runs_are_legal_when_they_end_at_a_linalg_op(chain):
    # The materialisation tiles a group's root by its loops: a run ending at
    # a tensor.pad has no loops to tile and is never proposed.
    _, graph = chain
    for start in range(5):
        for end in range(start, 5):
            run = tuple(range(start, end + 1))
            assert is_legal(graph, run) == graph.nodes[end].name.startswith("linalg.")


# --- Imported models ---------------------------------------------------------


_GRAPHS = {}


def graph_of(name):
    """Built once per session: import and analysis are the slow part."""
    if name not in _GRAPHS:
        factories = {
            **zoo.MODELS,
            "mobilenet_v2_stage1": lambda: models.mobilenet_v2_stage1(size=64),
            "small_unet": lambda: models.small_unet(size=32),
            "resnet8": models.resnet8,
            "mlp_b1": models.mlp,
        }
        model, x = factories[name]()
        if isinstance(x, tuple):
            (x,) = x
        loaded = load_model(model, vtile.make_context(), [x])
        _GRAPHS[name] = (loaded, build_graph(loaded.module, loaded.function))
    return _GRAPHS[name][1]


_PLANS = {}


def default_plan(name):
    if name not in _PLANS:
        _PLANS[name] = plan_fusion(graph_of(name), PlannerOptions())
    return _PLANS[name]


def exact_work(graph, group):
    """The group's work summed over every strip (the planner samples three),
    each consumer's window into a member producer computed as one copy."""
    members = set(group.nodes)
    root = graph.nodes[group.root]

    def visit(index, box):
        node = graph.nodes[index]
        work = node.work(box)
        for producer, window in zip(node.producers, node.access.input_windows(box), strict=False):
            if producer is not None and producer in members:
                work += visit(producer, window)
        return work

    height = group.tile[group.tile_dim]
    total = 0
    for offset in range(0, root.result_shape[group.tile_dim], height):
        box = list(full_box(root.result_shape))
        box[group.tile_dim] = Interval(offset, offset + height)
        total += visit(root.index, tuple(box))
    return total


def first_node_with_two_users(graph):
    return next(n for n in graph.nodes if len(graph.consumers(n.index)) > 1)


def test_residual_block_input_used_by_the_add_blocks_a_run():
    graph = graph_of("resnet8")
    fork = first_node_with_two_users(graph)
    near, far = sorted(graph.consumers(fork.index))
    assert near == fork.index + 1
    assert "arith.addf" in str(graph.nodes[far].operation)
    # Through the fork into the body but not to the add: the fork's result
    # is needed whole by the add.
    assert not is_legal(graph, (fork.index, near))
    assert not is_legal(graph, tuple(range(fork.index - 1, far)))
    # Ending at the fork is fine; so is the whole block up to the add.
    assert is_legal(graph, (fork.index - 1, fork.index))
    assert is_legal(graph, tuple(range(fork.index, far + 1)))


def test_unet_skip_blocks_a_run():
    graph = graph_of("small_unet")
    skip = first_node_with_two_users(graph)
    assert skip.result_shape == (1, 16, 32, 32)
    users = sorted(graph.consumers(skip.index))
    assert graph.nodes[users[-1]].name == "tensor.concat"
    assert not is_legal(graph, (skip.index - 1, skip.index, skip.index + 1))
    assert is_legal(graph, (skip.index - 1, skip.index))
    # An op without a window (the concatenation) never joins a group.
    concat = users[-1]
    assert not is_legal(graph, (concat, concat + 1))


@pytest.mark.parametrize("name", ["conv_chain", "depthwise_separable", "residual"])
def test_planning_is_deterministic(name):
    graph = graph_of(name)
    first = plan_fusion(graph, PlannerOptions())
    second = plan_fusion(graph, PlannerOptions())
    assert first.groups == second.groups
    assert first.profile == second.profile
    # A fresh analysis of the same module plans the same groups.
    loaded = _GRAPHS[name][0]
    third = plan_fusion(build_graph(loaded.module, loaded.function), PlannerOptions())
    assert [(g.nodes, g.tile_dim, g.tile) for g in third.groups] == [
        (g.nodes, g.tile_dim, g.tile) for g in first.groups
    ]


def check_plan_is_well_formed(graph, plan, options):
    seen = set()
    for group in plan.groups:
        assert list(group.nodes) == list(range(group.nodes[0], group.root + 1))  # a run
        assert len(group.nodes) >= 2
        assert is_legal(graph, group.nodes)
        assert not seen & set(group.nodes)
        seen |= set(group.nodes)
        assert group.recompute <= options.max_recompute
        # The planner samples three strips; the full sum must agree.
        assert exact_work(graph, group) == group.work
        assert group.unfused_work == sum(graph.nodes[i].work() for i in group.nodes)
        assert group.tiles == -(-graph.nodes[group.root].result_shape[group.tile_dim]
                                // group.tile[group.tile_dim])  # fmt: skip
    assert [g.root for g in plan.groups] == sorted(g.root for g in plan.groups)
    assert plan.unfused == memory_profile(graph, [])
    assert plan.profile == memory_profile(graph, list(plan.groups))
    assert plan.profile.peak_bytes <= plan.unfused.peak_bytes


@pytest.mark.parametrize("name", ["conv_chain", "mobilenet_v2_stage1"])
def test_planned_peak_is_below_the_unfused_peak(name):
    graph = graph_of(name)
    plan = default_plan(name)
    assert plan.groups
    assert plan.profile.peak_bytes < plan.unfused.peak_bytes
    check_plan_is_well_formed(graph, plan, PlannerOptions())


@pytest.mark.parametrize("name", ["conv_chain", "depthwise_separable", "residual", "resnet8"])
@pytest.mark.parametrize("max_recompute", [1.05, 1.2, 1.5])
def test_groups_respect_max_recompute(name, max_recompute):
    graph = graph_of(name)
    options = PlannerOptions(max_recompute=max_recompute)
    plan = plan_fusion(graph, options)
    check_plan_is_well_formed(graph, plan, options)
    for group in plan.groups:
        assert exact_work(graph, group) <= max_recompute * group.unfused_work


@pytest.mark.parametrize(
    "name", ["conv_chain", "depthwise_separable", "residual", "pooling_head", "mobilenet_v2_stage1"]
)
def test_max_recompute_one_allows_only_groups_that_recompute_nothing(name):
    graph = graph_of(name)
    options = PlannerOptions(max_recompute=1.0)
    plan = plan_fusion(graph, options)
    check_plan_is_well_formed(graph, plan, options)
    for group in plan.groups:
        assert group.work == group.unfused_work
        assert exact_work(graph, group) == group.unfused_work
        assert group.recompute == 1.0


def test_mlp_gets_no_group():
    graph = graph_of("mlp_b1")
    assert all(len(n.result_shape) == 2 and n.result_shape[0] == 1 for n in graph.nodes)
    plan = default_plan("mlp_b1")
    assert plan.groups == ()
    assert plan.profile == plan.unfused


def test_budget_below_anything_feasible_names_the_smallest_peak():
    graph = graph_of("conv_chain")
    smallest = default_plan("conv_chain").profile.peak_bytes
    with pytest.raises(vtile.VtileError) as error:
        plan_fusion(graph, PlannerOptions(memory_budget=1000))
    message = str(error.value)
    assert f"{smallest:,}" in message
    assert "1,000" in message


def test_budget_stops_fusing_once_it_fits():
    graph = graph_of("conv_chain")
    unfused = memory_profile(graph, []).peak_bytes
    assert plan_fusion(graph, PlannerOptions(memory_budget=unfused)).groups == ()
    budget = (unfused + default_plan("conv_chain").profile.peak_bytes) // 2
    plan = plan_fusion(graph, PlannerOptions(memory_budget=budget))
    assert plan.groups
    assert plan.profile.peak_bytes <= budget


@pytest.mark.parametrize("max_recompute", [0.0, 0.5, 0.999])
def test_options_refuse_max_recompute_below_one(max_recompute):
    with pytest.raises(vtile.VtileError, match="max recompute"):
        PlannerOptions(max_recompute=max_recompute)


@pytest.mark.parametrize("budget", [0, -1, -4096])
def test_options_refuse_non_positive_budgets(budget):
    with pytest.raises(vtile.VtileError, match="memory budget"):
        PlannerOptions(memory_budget=budget)


def test_options_accept_the_limits():
    assert PlannerOptions(max_recompute=1.0, memory_budget=1).max_recompute == 1.0


def test_mobilenet_fuses_its_activation_heavy_first_layers():
    """MCUNetV2: the peak is set by the early, high-resolution layers, so
    those are the ones worth computing in strips."""
    graph = graph_of("mobilenet_v2_stage1")
    plan = default_plan("mobilenet_v2_stage1")
    fused = {i for g in plan.groups for i in g.nodes}
    stem = next(n for n in graph.nodes if n.name == "linalg.conv_2d_nchw_fchw")
    assert GRAPH_INPUT in graph.nodes[stem.producers[0]].producers  # the first conv
    assert stem.index in fused
    heaviest = max(graph.nodes, key=lambda n: n.result_bytes)
    assert heaviest.index in fused
    assert plan.unfused.peak_node in fused


def test_resnet8_leaves_its_late_low_resolution_stage_alone():
    graph = graph_of("resnet8")
    plan = default_plan("resnet8")
    unfused_peak = graph.nodes[plan.unfused.peak_node]
    assert unfused_peak.result_shape[-2:] == (32, 32)  # the peak is early
    late = [n.index for n in graph.nodes if n.result_shape[-2:] in ((8, 8), (10, 10))]
    assert len(late) > 10
    fused = {i for g in plan.groups for i in g.nodes}
    assert not set(late) <= fused
    assert plan.profile.peak_bytes < plan.unfused.peak_bytes
    check_plan_is_well_formed(graph, plan, PlannerOptions())


def test_fusion_summary_counts_groups_and_names_untileable_ops(context):
    softmax = (
        "%e3 = tensor.empty() : tensor<1x4x12x12xf32>\n"
        "%s = linalg.softmax dimension(1) ins(%c2 : tensor<1x4x12x12xf32>) "
        "outs(%e3 : tensor<1x4x12x12xf32>) -> tensor<1x4x12x12xf32>\n"
        "return %s : tensor<1x4x12x12xf32>"
    )
    text = TWO_CONVS.replace("return %c2 : tensor<1x4x12x12xf32>", softmax)
    module = ir.Module.parse(text, context)
    (plan,) = plan_module(module, PlannerOptions())
    summary = fusion_summary(plan)
    assert summary.startswith("@main: 1 fusion group(s) over 2 of 3 ops")
    assert "not tileable, run unfused: linalg.softmax (line" in summary
    assert "has no indexing maps" in summary


@pytest.mark.parametrize("name", ["mobilenet_v2_stage1", "resnet8", "small_unet"])
def test_one_dispatch_workgroups_take_least_stack_within_the_recompute_cap(name):
    """A one-dispatch group's workgroups tile rows and columns that divide
    the result, columns at least a vector wide, within the recompute cap,
    and never need more modelled stack than the plan's own strips."""
    graph = graph_of(name)
    for group in default_plan(name).groups:
        lowering = group_lowering(graph, group, FORCE_DISPATCH, MAX_STACK_BYTES)
        workgroups = lowering.workgroups
        assert lowering.lowering == DISPATCH and workgroups is not None, lowering.reason
        shape, dim = graph.nodes[group.root].result_shape, group.tile_dim
        assert all(size % t == 0 for size, t in zip(shape, workgroups.tile, strict=True))
        assert workgroups.tiles == math.prod(s // t for s, t in zip(shape, workgroups.tile))
        assert [d for d, t in enumerate(workgroups.tile) if t != group.tile[d]] in ([], [dim], [dim + 1], [dim, dim + 1])
        columns = workgroups.tile[dim + 1]
        assert columns >= VECTOR_LANES or columns == shape[dim + 1]
        assert workgroups.recompute <= max(DEFAULT_MAX_RECOMPUTE, group.recompute)
        assert lowering.level_bytes == dispatch_stack_bytes(graph, workgroups)
        assert lowering.level_bytes <= dispatch_stack_bytes(graph, group)


def test_square_workgroups_beat_strips_on_mobilenet_at_224():
    """At 224x224 the 2-row strips of MobileNetV2's first stage would put
    1.25 MB of tiles on the stack; rows-by-columns workgroups need far
    less, and recompute no more."""
    model, inputs = models.mobilenet_v2_stage1()
    loaded = load_model(model, vtile.make_context(), inputs)
    graph = build_graph(loaded.module, loaded.function)
    (group,) = plan_fusion(graph, PlannerOptions()).groups
    workgroups = group_lowering(graph, group, FORCE_DISPATCH, MAX_STACK_BYTES).workgroups
    assert dispatch_stack_bytes(graph, workgroups) * 2 < dispatch_stack_bytes(graph, group)
    assert workgroups.recompute <= group.recompute
    assert workgroups.tile[group.tile_dim + 1] < group.tile[group.tile_dim + 1]


def test_auto_keeps_tile_loops_where_one_dispatch_would_raise_the_peak():
    """ResNet-8's one-dispatch groups would keep more on the stack than their
    tile loops keep in tile buffers, over the plan's peak: `auto` keeps tile
    loops and says by how much. Under a budget they fit, it takes one
    dispatch wherever the budget still holds."""
    graph = graph_of("resnet8")
    plan = default_plan("resnet8")
    dispatch = choose_lowerings(graph, plan, FORCE_DISPATCH, MAX_STACK_BYTES)
    assert [lowering.lowering for lowering in dispatch] == [DISPATCH, DISPATCH]
    assert as_built(graph, plan, dispatch).profile.peak_bytes > plan.profile.peak_bytes
    auto = choose_lowerings(graph, plan, PlannerOptions(), MAX_STACK_BYTES)
    assert [lowering.lowering for lowering in auto] == [TILE_LOOPS, TILE_LOOPS]
    assert all("over the plan's peak" in lowering.reason for lowering in auto)
    assert as_built(graph, plan, auto).profile == plan.profile

    budget = PlannerOptions(memory_budget=170_000)
    plan = plan_fusion(graph, budget)
    auto = choose_lowerings(graph, plan, budget, MAX_STACK_BYTES)
    kinds = [lowering.lowering for lowering in auto]
    assert DISPATCH in kinds and TILE_LOOPS in kinds
    assert as_built(graph, plan, auto).profile.peak_bytes <= 170_000
    for number, lowering in enumerate(auto):
        if lowering.lowering == TILE_LOOPS:  # one dispatch here breaks the budget
            alone = [*auto[:number], dispatch_only(graph, plan, number), *auto[number + 1:]]
            assert as_built(graph, plan, alone).profile.peak_bytes > 170_000


def dispatch_only(graph, plan, number):
    return group_lowering(graph, plan.groups[number], FORCE_DISPATCH, MAX_STACK_BYTES)


def test_auto_takes_one_dispatch_where_its_stack_lowers_the_peak():
    """At 224x224 MobileNetV2's first stage needs less stack as 4x8
    workgroups than its 2-row strips need tile buffers: `auto` makes it one
    dispatch, and the plan's peak counts the stack instead."""
    function = model_plan("mobilenet_v2_stage1", CpuTarget(), PlannerOptions())
    (lowering,) = function.lowerings
    assert lowering.lowering == DISPATCH and "within the plan's peak" in lowering.reason
    searched = plan_fusion(function.graph, PlannerOptions())
    assert function.plan.profile.peak_bytes < searched.profile.peak_bytes
    assert function.plan.groups == (lowering.workgroups,)


def chain_with_stack(capacity):
    module = ir.Module.parse(CHAIN, vtile.make_context())
    if capacity is not None:
        module.operation.attributes["tile.target"] = ir.Attribute.parse(
            f'#tile.target<"mcu", levels = [#tile.level<"stack", capacity = {capacity}, '
            'bandwidth = 1.0>]>', module.context)
    return plan_module(module, FORCE_DISPATCH)[0]


def test_the_planner_reads_the_stack_limit_from_the_module_memory_levels():
    """One dispatch must fit the `stack` level of the module's #tile.target;
    without one, nothing says how much stack a dispatch may use, and the
    groups keep tile loops and say why; so does a group over the level."""
    unlevelled = chain_with_stack(None)
    (lowering,) = unlevelled.lowerings
    assert lowering.lowering == TILE_LOOPS
    assert "no 'stack' memory level" in lowering.reason
    (group,) = unlevelled.plan.groups
    over = group_lowering(unlevelled.graph, group, FORCE_DISPATCH, 16)
    assert over.lowering == TILE_LOOPS
    assert "over the 16 B of the target's stack level" in over.reason


def test_forced_one_dispatch_forms_groups_that_fit_the_stack_level():
    """At 4 KiB the chain's whole-chain group does not fit; asked for one
    dispatch per group, the planner forms groups that do."""
    wide = ir.Module.parse(CHAIN, vtile.make_context())
    with_memory_levels(wide, CpuTarget())
    (unlimited,) = plan_module(wide, FORCE_DISPATCH)[0].lowerings
    assert unlimited.lowering == DISPATCH and unlimited.level_bytes > 4096
    limited = chain_with_stack(4096)
    assert limited.lowerings
    for lowering in limited.lowerings:
        assert lowering.lowering == DISPATCH and lowering.level_bytes <= 4096


@pytest.mark.parametrize("name", ["ds_cnn_kws", "resnet8"])
def test_forced_one_dispatch_search_costs_each_groups_stack(name):
    """Asked for one dispatch per group, the search counts the stack each
    workgroup holds, not the tile buffers it replaces, so the plan as built
    stays below layer by layer. (Costed by tile buffers, ds_cnn_kws's plan
    came out at 1.81x its layer-by-layer peak and ResNet-8's at 1.06x.)"""
    function = model_plan(name, CpuTarget(), FORCE_DISPATCH)
    assert function.lowerings
    assert all(lowering.lowering == DISPATCH for lowering in function.lowerings)
    assert function.plan.profile.peak_bytes < function.plan.unfused.peak_bytes


def test_forced_one_dispatch_search_holds_the_stack_for_the_whole_run():
    """MobileNetV2's first stage at 112x112, forced to one dispatch, is one
    group of all 41 ops. Were its stack counted at its own step only, the
    batch norm after the last convolution would stay out (one tile less on
    the stack at that step), and its result would sit on the heap beside
    the group's for the whole run."""
    function = model_plan("mobilenet_v2_stage1", CpuTarget(), FORCE_DISPATCH, size=112)
    ((group, lowering),) = zip(function.plan.groups, function.lowerings, strict=True)
    assert group.nodes == tuple(range(len(function.graph.nodes)))
    assert function.plan.profile.level_bytes == lowering.level_bytes > 0
    heap = max(live for _, live in function.plan.profile.step_bytes)
    assert function.plan.profile.peak_bytes == heap + lowering.level_bytes


def test_a_module_memory_levels_set_the_target_stack_limit():
    module = ir.Module.parse(CHAIN, vtile.make_context())
    with_memory_levels(module, CpuTarget(stack_bytes=65536))
    assert stack_capacity(module.operation) == 65536
    assert with_memory_levels(module, CpuTarget()).stack_bytes == 65536
    with pytest.raises(UsageError, match="gives its 'stack' level 65536 B"):
        with_memory_levels(module, CpuTarget(stack_bytes=131072))
    with pytest.raises(UsageError, match="outside 1..2097152 B"):
        CpuTarget(stack_bytes=4 * 1024 * 1024)


def model_plan(name, target, options, **sizes):
    model, inputs = getattr(models, name)(**sizes)
    loaded = load_model(model, vtile.make_context(), inputs)
    with_memory_levels(loaded.module, target)
    (function,) = plan_module(loaded.module, options)
    return function


@pytest.mark.parametrize("name", ["ds_cnn_kws", "small_unet"])
def test_modelled_stack_is_what_iree_allocates_for_padded_inputs(name):
    """Forced one-dispatch groups that pad their input (ds_cnn_kws's:
    elementwise ops, a pad and a depthwise convolution; small_unet's: a pad
    and convolutions) hold that input's padded window twice and a named
    root's channels-last result once: the planner's model of the stack is
    the largest iree-compile counts for the module."""
    options = PlannerOptions(lowering=DISPATCH)
    function = model_plan(name, CpuTarget(), options)
    modelled = max(lowering.level_bytes for lowering in function.lowerings)
    model, inputs = getattr(models, name)()
    compiled = vtile.compile(model, "llvm-cpu", "vertical-fusion", example_inputs=inputs,
                             planner=options)
    measured = max_dispatch_stack_bytes(compiled.mlir, compiled.target, compiled.iree_flags,
                                        compiled.codegen_library)
    assert modelled == measured > 0


def gpu_plan(lowering):
    return model_plan("resnet8", VulkanTarget(), PlannerOptions(device="gpu", lowering=lowering))


def test_gpu_one_dispatch_groups_fit_workgroup_memory():
    """On a GPU the tiles live in the `workgroup` level (lavapipe's 32 KiB).
    Forced, the planner forms only groups whose workgroups fit it, with the
    least recompute; under `auto` ResNet-8's deep groups do not fit, keep
    their tile loops, and say so."""
    forced = gpu_plan(DISPATCH)
    assert forced.lowerings and all(lowering.lowering == DISPATCH for lowering in forced.lowerings)
    for group, lowering in zip(forced.plan.groups, forced.lowerings, strict=True):
        assert lowering.level == "workgroup"
        assert 0 < lowering.level_bytes <= LAVAPIPE_WORKGROUP_BYTES
        assert lowering.level_bytes == workgroup_memory_bytes(forced.graph, group)
    auto = gpu_plan(AUTO)
    assert [lowering.lowering for lowering in auto.lowerings] == [TILE_LOOPS, TILE_LOOPS]
    assert all("of workgroup memory, over the 32,768 B of the target's workgroup level"
               in lowering.reason for lowering in auto.lowerings)


def test_workgroup_memory_holds_each_intermediate_tile_with_its_halo():
    """Two 3x3 convolutions in 2-row strips: the first one's tile (4
    channels, 2 rows + 2 halo rows, 14 columns) is the only buffer; its
    fill writes into it and the root writes the output."""
    graph = build_graph(ir.Module.parse(TWO_CONVS, vtile.make_context()), "main")
    group = group_cost(graph, tuple(range(len(graph.nodes))), 2, (1, 4, 2, 12))
    assert workgroup_memory_bytes(graph, group) == 4 * 4 * 14 * 4
